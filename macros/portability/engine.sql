{#-
    prepare_engine(): on-run-start work an engine needs before any model runs.
    PostgreSQL: the fuzzystrmatch extension (levenshtein) for the identity comparisons.
    Other engines need nothing.
-#}
{% macro prepare_engine() -%}
    {{ return(adapter.dispatch('prepare_engine', 'order_truth')()) }}
{%- endmacro %}

{% macro default__prepare_engine() -%}
    select 1
{%- endmacro %}

{% macro postgres__prepare_engine() -%}
    create extension if not exists fuzzystrmatch
{%- endmacro %}
