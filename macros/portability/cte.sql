{#-
    `name as {{ not_materialized() }} (...)`: read a CTE where it is used instead of
    storing it first. DuckDB stores a CTE that several later CTEs read; for millions of
    wide rows that costs more than reading its columnar source again through a few small
    joins. PostgreSQL (12 and later) takes the same hint; Spark has no such syntax and
    decides for itself.
-#}
{% macro not_materialized() -%}
    {{ return(adapter.dispatch('not_materialized', 'order_truth')()) }}
{%- endmacro %}

{% macro default__not_materialized() -%}
    {{ return('not materialized') }}
{%- endmacro %}

{% macro spark__not_materialized() -%}
    {{ return('') }}
{%- endmacro %}

{#-
    null_safe_equals(a, b) for text: true when both are equal or both are NULL, in a form
    each engine can hash-join on. DuckDB and Spark hash-join `is not distinct from`;
    PostgreSQL cannot and falls back to a nested loop (every event against every lookup
    row), so there it compares the values with NULL folded to '' plus the two NULL flags.
-#}
{% macro null_safe_equals(a, b) -%}
    {{ return(adapter.dispatch('null_safe_equals', 'order_truth')(a, b)) }}
{%- endmacro %}

{% macro default__null_safe_equals(a, b) -%}
    {{ a }} is not distinct from {{ b }}
{%- endmacro %}

{% macro postgres__null_safe_equals(a, b) -%}
    (
        coalesce({{ a }}, '') = coalesce({{ b }}, '')
        and ({{ a }} is null) = ({{ b }} is null)
    )
{%- endmacro %}
