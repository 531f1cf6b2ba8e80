{#-
    The generator's answer key is read in place with DuckDB's read_parquet, so tests that
    grade the marts against it run on the DuckDB target only, and can be switched off for
    real (non-generated) data, or data edited after generation, with
    --vars '{check_answer_key: false}' or ORDER_TRUTH_CHECK_ANSWER_KEY=false.
-#}
{% macro answer_key_enabled() -%}
    {%- set from_env = env_var('ORDER_TRUTH_CHECK_ANSWER_KEY', 'true') | lower != 'false' -%}
    {{- return(order_truth.answer_key_readable() and var('check_answer_key', from_env)) -}}
{%- endmacro %}

{#- Whether the engine can read the key's Parquet files in place (read_parquet). -#}
{% macro answer_key_readable() -%}
    {{ return(adapter.dispatch('answer_key_readable', 'order_truth')()) }}
{%- endmacro %}

{% macro default__answer_key_readable() -%}
    {{ return(false) }}
{%- endmacro %}

{% macro duckdb__answer_key_readable() -%}
    {{ return(true) }}
{%- endmacro %}

{% macro answer_key(name) -%}
    read_parquet('{{ data_dir() }}/answer_key/{{ name }}.parquet')
{%- endmacro %}

{#- The answer key's whole-dataset value of one KPI. -#}
{% macro answer_key_kpi(kpi) -%}
    (select value from {{ answer_key('kpis') }} where kpi = '{{ kpi }}')
{%- endmacro %}
