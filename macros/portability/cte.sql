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
