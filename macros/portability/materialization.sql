{#-
    The one engine switch the project allows (DESIGN §9): how the large fact models
    materialise. DuckDB and PostgreSQL build them incrementally (delete+insert on the
    model's unique_key). Spark has no merge here, so there they are plain tables that
    deduplicate by key inside the model, which is what a full refresh does anyway.
    Use: config(materialized=incremental_materialization(), unique_key=...).
-#}
{% macro incremental_materialization() -%}
    {{ return(adapter.dispatch('incremental_materialization', 'order_truth')()) }}
{%- endmacro %}

{% macro default__incremental_materialization() -%}
    {{ return('incremental') }}
{%- endmacro %}

{% macro spark__incremental_materialization() -%}
    {{ return('table') }}
{%- endmacro %}
