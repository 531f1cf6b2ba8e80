{#-
    The generator's answer key is read in place with DuckDB's read_parquet, so tests that
    grade the marts against it run on the DuckDB target only, and can be switched off for
    real (non-generated) data with --vars '{check_answer_key: false}'.
-#}
{% macro answer_key_enabled() -%}
    {{- return(target.type == 'duckdb' and var('check_answer_key', true)) -}}
{%- endmacro %}

{% macro answer_key(name) -%}
    read_parquet('{{ data_dir() }}/answer_key/{{ name }}.parquet')
{%- endmacro %}

{#- The answer key's whole-dataset value of one KPI. -#}
{% macro answer_key_kpi(kpi) -%}
    (select value from {{ answer_key('kpis') }} where kpi = '{{ kpi }}')
{%- endmacro %}
