{#-
    Comparisons for identity matching. Each turns two normalised values into a level
    (exact, close, weak, disagree, missing) whose Fellegi-Sunter weight lives in
    seeds/identity_fs_weights.csv. The fuzzy functions must give the same number on
    every engine, or the engines resolve different customers: DuckDB has
    jaro_winkler_similarity and damerau_levenshtein built in; PostgreSQL gets the same
    algorithms as SQL functions created on-run-start (macros/portability/engine.sql,
    levenshtein from fuzzystrmatch); Spark gets them as expressions over its
    higher-order functions (macros/portability/fuzzy.sql). All of them work on UTF-8
    bytes, as DuckDB does.
-#}

{#- Jaro-Winkler similarity in [0, 1] for fuzzy comparison. -#}
{% macro name_similarity(a, b) -%}
    {{ return(adapter.dispatch('name_similarity', 'order_truth')(a, b)) }}
{%- endmacro %}

{% macro default__name_similarity(a, b) -%}
    jaro_winkler_similarity({{ a }}, {{ b }})
{%- endmacro %}

{% macro postgres__name_similarity(a, b) -%}
    {{ target.schema }}.jaro_winkler_similarity({{ a }}, {{ b }})
{%- endmacro %}

{% macro spark__name_similarity(a, b) -%}
    {{ order_truth.spark_jaro_winkler(a, b) }}
{%- endmacro %}

{#- Edits (insert, delete, substitute) between two strings: Levenshtein on every engine
    (DuckDB built in; PostgreSQL's fuzzystrmatch; Spark built in). -#}
{% macro edit_distance(a, b) -%}
    levenshtein({{ a }}, {{ b }})
{%- endmacro %}

{#- Edits where swapping two adjacent characters counts as one (Damerau-Levenshtein):
    a typed date of birth often swaps two digits. It is slow, so comparisons call it only
    after cheaper tests failed. PostgreSQL and Spark compute the optimal string
    alignment distance, which equals DuckDB's Damerau-Levenshtein whenever either is at
    most 1, and for strings of equal length (dates of birth: eight digits) also decides
    "= 2" the same way (checked on 200,000 mutated dates). -#}
{% macro transposition_distance(a, b) -%}
    {{ return(adapter.dispatch('transposition_distance', 'order_truth')(a, b)) }}
{%- endmacro %}

{% macro default__transposition_distance(a, b) -%}
    damerau_levenshtein({{ a }}, {{ b }})
{%- endmacro %}

{% macro postgres__transposition_distance(a, b) -%}
    {{ target.schema }}.osa_distance({{ a }}, {{ b }})
{%- endmacro %}

{% macro spark__transposition_distance(a, b) -%}
    {{ order_truth.spark_osa_distance(a, b) }}
{%- endmacro %}

{#- A name comparison level: exact; close (Jaro-Winkler >= 0.92, or one edit apart when
    both names have five letters or more: a four-letter name one edit from another is
    often a different name, Mark and Mary); weak (Jaro-Winkler >= 0.80); disagree;
    missing. -#}
{% macro name_level(a, b) -%}
    case
        when {{ a }} is null or {{ b }} is null then 'missing'
        when {{ a }} = {{ b }} then 'exact'
        when {{ order_truth.name_similarity(a, b) }} >= 0.92 then 'close'
        when
            least(length({{ a }}), length({{ b }})) >= 5
            and {{ order_truth.edit_distance(a, b) }} <= 1
            then 'close'
        when {{ order_truth.name_similarity(a, b) }} >= 0.80 then 'weak'
        else 'disagree'
    end
{%- endmacro %}

{#- Dates of birth (eight digits): agree; close (one digit or one adjacent swap away, or
    day and month swapped); near (two edits: a double typo, or two people born close
    together, so it weighs nothing either way); disagree; missing. -#}
{% macro dob_level(a, b) -%}
    case
        when {{ a }} is null or {{ b }} is null then 'missing'
        when {{ a }} = {{ b }} then 'agree'
        when
            substr({{ a }}, 1, 4) = substr({{ b }}, 1, 4)
            and substr({{ a }}, 5, 2) = substr({{ b }}, 7, 2)
            and substr({{ a }}, 7, 2) = substr({{ b }}, 5, 2)
            then 'close'
        when {{ order_truth.transposition_distance(a, b) }} <= 1 then 'close'
        when {{ order_truth.transposition_distance(a, b) }} = 2 then 'near'
        else 'disagree'
    end
{%- endmacro %}

{#- equality_code(expr): a 64-bit code of a value for equality screens, NULL for NULL.
    Equal values always have equal codes; two different values share one only by a hash
    collision, so a screen that treats equal codes as "maybe equal" never drops a pair
    the exact comparison would keep. Integers join and compare far faster than the
    strings (at a million records: 1.6 s instead of 6.9 s for the pair screen). -#}
{% macro equality_code(expr) -%}
    {{ return(adapter.dispatch('equality_code', 'order_truth')(expr)) }}
{%- endmacro %}

{% macro default__equality_code(expr) -%}
    case when {{ expr }} is not null then hash({{ expr }}) end
{%- endmacro %}

{% macro postgres__equality_code(expr) -%}
    hashtextextended({{ expr }}, 0)
{%- endmacro %}

{% macro spark__equality_code(expr) -%}
    case when {{ expr }} is not null then xxhash64({{ expr }}) end
{%- endmacro %}

{#- best_weight(comparison, levels): the largest seed weight among some levels of one
    comparison, read from the one-row `fs` CTE of int_identity_pairs_scored (columns
    <comparison>__<level>); the pair screen's upper bound is a sum of these. -#}
{% macro best_weight(comparison, levels) -%}
    greatest(
    {%- for level in levels %}fs.{{ comparison }}__{{ level }}
    {%- if not loop.last %}, {% endif %}{% endfor -%}
    )
{%- endmacro %}
