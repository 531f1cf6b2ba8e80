{#- Where the raw datasets and the answer key live: --vars data_dir, else env ORDER_TRUTH_DATA, else data/. -#}
{% macro data_dir() -%}
    {{- var('data_dir', env_var('ORDER_TRUTH_DATA', 'data')) -}}
{%- endmacro %}
