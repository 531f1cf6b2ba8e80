{#-
    Regular expressions written once (DESIGN §9): bracket classes, no backslashes, no POSIX
    classes, so the same pattern means the same thing on every engine.
-#}
{% macro regex_replace_all(expr, pattern, replacement) -%}
    {{ return(adapter.dispatch('regex_replace_all', 'order_truth')(expr, pattern, replacement)) }}
{%- endmacro %}

{% macro default__regex_replace_all(expr, pattern, replacement) -%}
    regexp_replace({{ expr }}, '{{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro %}

{% macro spark__regex_replace_all(expr, pattern, replacement) -%}
    regexp_replace({{ expr }}, '{{ pattern }}', '{{ replacement }}')
{%- endmacro %}

{% macro regex_matches(expr, pattern) -%}
    {{ return(adapter.dispatch('regex_matches', 'order_truth')(expr, pattern)) }}
{%- endmacro %}

{% macro default__regex_matches(expr, pattern) -%}
    regexp_matches({{ expr }}, '{{ pattern }}')
{%- endmacro %}

{% macro postgres__regex_matches(expr, pattern) -%}
    ({{ expr }} ~ '{{ pattern }}')
{%- endmacro %}

{% macro spark__regex_matches(expr, pattern) -%}
    ({{ expr }} rlike '{{ pattern }}')
{%- endmacro %}

{% macro regex_extract(expr, pattern, group=0) -%}
    {{ return(adapter.dispatch('regex_extract', 'order_truth')(expr, pattern, group)) }}
{%- endmacro %}

{% macro default__regex_extract(expr, pattern, group=0) -%}
    nullif(regexp_extract({{ expr }}, '{{ pattern }}', {{ group }}), '')
{%- endmacro %}

{% macro postgres__regex_extract(expr, pattern, group=0) -%}
    {%- if group == 0 -%}
    substring({{ expr }} from '{{ pattern }}')
    {%- else -%}
    (regexp_match({{ expr }}, '{{ pattern }}'))[{{ group }}]
    {%- endif -%}
{%- endmacro %}

{#- Case-insensitive match of an expression against a pattern held in a column. -#}
{% macro regex_matches_column_ci(expr, pattern_column) -%}
    {{ return(adapter.dispatch('regex_matches_column_ci', 'order_truth')(expr, pattern_column)) }}
{%- endmacro %}

{% macro default__regex_matches_column_ci(expr, pattern_column) -%}
    regexp_matches({{ expr }}, {{ pattern_column }}, 'i')
{%- endmacro %}

{% macro postgres__regex_matches_column_ci(expr, pattern_column) -%}
    ({{ expr }} ~* {{ pattern_column }})
{%- endmacro %}

{% macro spark__regex_matches_column_ci(expr, pattern_column) -%}
    ({{ expr }} rlike concat('(?i)', {{ pattern_column }}))
{%- endmacro %}
