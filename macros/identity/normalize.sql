{#-
    Normalisation for identity matching. Each macro keeps NULL for "unknown" and turns
    placeholders into NULL, so a missing value never matches another missing value.
-#}

{#- Email: trim, lower case, drop the +tag, drop dots for gmail/googlemail; placeholders NULL. -#}
{% macro normalize_email(expr) -%}
    {%- set e = "lower(trim(cast(" ~ expr ~ " as varchar)))" -%}
    {%- set local_part = "split_part(" ~ e ~ ", '@', 1)" -%}
    {%- set domain = "replace(split_part(" ~ e ~ ", '@', 2), 'googlemail.com', 'gmail.com')" -%}
    {%- set untagged = "split_part(" ~ local_part ~ ", '+', 1)" -%}
    case
        when {{ e }} is null or {{ e }} not like '%_@_%._%' then null
        when {{ is_placeholder_email(e) }} then null
        when {{ domain }} = 'gmail.com'
            then replace({{ untagged }}, '.', '') || '@' || {{ domain }}
        else {{ untagged }} || '@' || {{ domain }}
    end
{%- endmacro %}

{% macro is_placeholder_email(e) -%}
    (
        split_part({{ e }}, '@', 1) in (
            'test', 'noreply', 'no-reply', 'none', 'null', 'na', 'n/a', 'unknown',
            'example', 'info', 'x', 'xx', 'xxx', 'asdf', 'nobody'
        )
        or split_part({{ e }}, '@', 2) in (
            'example.com', 'example.org', 'test.com', 'none.com', 'invalid', 'mailinator.com'
        )
    )
{%- endmacro %}

{#- Names: lower case, accents folded, punctuation and whitespace removed. -#}
{% macro normalize_name(expr) -%}
    nullif({{ order_truth.regex_replace_all(
        order_truth.fold_accents("lower(trim(cast(" ~ expr ~ " as varchar)))"),
        '[^a-z]', '') }}, '')
{%- endmacro %}

{% macro fold_accents(expr) -%}
    {{ return(adapter.dispatch('fold_accents', 'order_truth')(expr)) }}
{%- endmacro %}

{% macro default__fold_accents(expr) -%}
    replace(replace(replace(strip_accents(replace(replace(replace(
        {{ expr }}, 'ä', 'ae'), 'ö', 'oe'), 'ü', 'ue')), 'ß', 'ss'), 'æ', 'ae'), 'ø', 'o')
{%- endmacro %}

{#- PostgreSQL and Spark have no strip_accents: translate the lower-case Latin letters
    to what DuckDB's strip_accents gives for them (the table was read off DuckDB), so
    names compare the same on every engine. -#}
{% macro postgres__fold_accents(expr) -%}
    translate(replace(replace(replace(replace(replace(replace(
        {{ expr }}, 'ä', 'ae'), 'ö', 'oe'), 'ü', 'ue'), 'ß', 'ss'), 'æ', 'ae'), 'ø', 'o'),
        'àáâãåçèéêëìíîïñòóôõùúûýÿāăąćĉċčďēĕėęěĝğġģĥĩīĭįĵķĺļľńņňōŏőŕŗřśŝşšţťũūŭůűųŵŷźżž',
        'aaaaaceeeeiiiinoooouuuyyaaaccccdeeeeegggghiiiijklllnnnooorrrssssttuuuuuuwyzzz')
{%- endmacro %}

{% macro spark__fold_accents(expr) -%}
    {{ order_truth.postgres__fold_accents(expr) }}
{%- endmacro %}

{#- Dates of birth as people type them: YYYY-MM-DD, YYYYMMDD, MM/DD/YYYY, DD.MM.YYYY. -#}
{% macro parse_date_of_birth(expr) -%}
    {%- set s = "trim(cast(" ~ expr ~ " as varchar))" -%}
    case
        when {{ order_truth.regex_matches(s, '^[0-9]{4}-[0-9]{2}-[0-9]{2}$') }}
            then {{ order_truth.safe_cast(s, 'date') }}
        when {{ order_truth.regex_matches(s, '^[0-9]{8}$') }}
            then {{ order_truth.safe_cast(
                "substr(" ~ s ~ ", 1, 4) || '-' || substr(" ~ s ~ ", 5, 2) || '-' || substr("
                ~ s ~ ", 7, 2)", 'date') }}
        when {{ order_truth.regex_matches(s, '^[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}$') }}
            then {{ order_truth.safe_cast(
                "split_part(" ~ s ~ ", '/', 3) || '-' || lpad(split_part(" ~ s
                ~ ", '/', 1), 2, '0') || '-' || lpad(split_part(" ~ s ~ ", '/', 2), 2, '0')",
                'date') }}
        when {{ order_truth.regex_matches(s, '^[0-9]{1,2}[.][0-9]{1,2}[.][0-9]{4}$') }}
            then {{ order_truth.safe_cast(
                "split_part(" ~ s ~ ", '.', 3) || '-' || lpad(split_part(" ~ s
                ~ ", '.', 2), 2, '0') || '-' || lpad(split_part(" ~ s ~ ", '.', 1), 2, '0')",
                'date') }}
    end
{%- endmacro %}

{#- The house number at either end of an address line ("12 Main St", "Hauptstr. 12"). -#}
{% macro house_number(expr) -%}
    coalesce(
        {{ order_truth.regex_extract("trim(cast(" ~ expr ~ " as varchar))", '^[0-9]+') }},
        {{ order_truth.regex_extract("trim(cast(" ~ expr ~ " as varchar))", '[0-9]+$') }}
    )
{%- endmacro %}

{#- One canonical line for an address: lower case, punctuation dropped, street types
    shortened ("Main Street" = "Main St."), then postal code, city and country. -#}
{% macro canonical_street(line1) -%}
    {%- set l = order_truth.regex_replace_all(
        order_truth.fold_accents("lower(trim(cast(" ~ line1 ~ " as varchar)))"),
        '[.,]', '') -%}
    {%- set l = order_truth.regex_replace_all(l, 'strasse|straße', 'str') -%}
    {%- set l = order_truth.regex_replace_all(l, ' street$', ' st') -%}
    {%- set l = order_truth.regex_replace_all(l, ' avenue$', ' ave') -%}
    {%- set l = order_truth.regex_replace_all(l, ' road$', ' rd') -%}
    {{ order_truth.regex_replace_all(l, '[ ]+', ' ') }}
{%- endmacro %}

{% macro canonical_address_line(line1, postal, city, country) -%}
    {{ order_truth.canonical_street(line1) }}
    || ', ' || coalesce(upper(trim(cast({{ postal }} as varchar))), '')
    || ' ' || coalesce(lower(trim(cast({{ city }} as varchar))), '')
    || ', ' || coalesce(upper(trim(cast({{ country }} as varchar))), '')
{%- endmacro %}

{#- A name typed as one field: "Last, First" or "First Rest-Of-Name" (the first token is
    the first name, everything after it the last name, so "Ana De la Cruz" keeps
    "De la Cruz"). part is 'first' or 'last'. -#}
{% macro full_name_part(expr, part) -%}
    {%- set s = "trim(cast(" ~ expr ~ " as varchar))" -%}
    {%- if part == 'first' -%}
    nullif(trim(case
        when {{ s }} like '%,%' then split_part({{ s }}, ',', 2)
        else split_part({{ s }}, ' ', 1)
    end), '')
    {%- else -%}
    nullif(trim(case
        when {{ s }} like '%,%' then split_part({{ s }}, ',', 1)
        else substr({{ s }}, length(split_part({{ s }}, ' ', 1)) + 2)
    end), '')
    {%- endif -%}
{%- endmacro %}

{#- A date of birth as eight digits YYYYMMDD for comparison: from the parsed date, else
    from a year-first string that is not a valid date (a typo such as 1984-13-02 is
    still evidence, one digit away from the truth). -#}
{% macro dob_digits(raw, parsed) -%}
    {%- set s = "trim(cast(" ~ raw ~ " as varchar))" -%}
    case
        when {{ parsed }} is not null
            then replace(cast({{ parsed }} as varchar), '-', '')
        when {{ order_truth.regex_matches(s, '^[12][0-9]{3}-?[0-9]{2}-?[0-9]{2}$') }}
            then replace({{ s }}, '-', '')
    end
{%- endmacro %}

{#- The street name without the house number, for fuzzy comparison: expr is already
    lower case with accents folded; punctuation and number tokens go and the street type
    takes one short form ("12 Main Street" and "Main St." are both "main st";
    "Hauptstraße 12" is "hauptstr"). -#}
{% macro street_key(expr) -%}
    {%- set l = order_truth.regex_replace_all(expr, '[^a-z0-9 ]', ' ') -%}
    {%- set l = order_truth.regex_replace_all(l, '(^| )[0-9]+[a-z]?( |$)', ' ') -%}
    {%- set ns = namespace(
        line=order_truth.regex_replace_all(l, 'strasse( |$)', 'str ')) -%}
    {%- for long, short in [('street', 'st'), ('avenue', 'ave'), ('road', 'rd'),
                             ('drive', 'dr'), ('lane', 'ln'), ('place', 'pl'),
                             ('boulevard', 'blvd'), ('court', 'ct'),
                             ('crescent', 'cres'), ('terrace', 'tce')] -%}
        {%- set ns.line = order_truth.regex_replace_all(
            ns.line, ' ' ~ long ~ '( |$)', ' ' ~ short ~ ' ') -%}
    {%- endfor -%}
    nullif(trim({{ order_truth.regex_replace_all(ns.line, '[ ]+', ' ') }}), '')
{%- endmacro %}

{#- The resolve-identities input file as a relation (written as Parquet by the CLI). -#}
{% macro identity_input_relation(path) -%}
    read_parquet('{{ path }}')
{%- endmacro %}
