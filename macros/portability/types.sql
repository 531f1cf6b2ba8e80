{#- Portable type names and string aggregation. -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'order_truth')()) }}
{%- endmacro %}

{% macro default__type_double() -%}double{%- endmacro %}

{% macro postgres__type_double() -%}double precision{%- endmacro %}

{% macro type_money() -%}decimal(18, 2){%- endmacro %}

{#- string_agg_ordered(expr, delimiter, order_by): a delimited list in a fixed order. -#}
{% macro string_agg_ordered(expr, delimiter, order_by) -%}
    {{ return(adapter.dispatch('string_agg_ordered', 'order_truth')(expr, delimiter, order_by)) }}
{%- endmacro %}

{% macro default__string_agg_ordered(expr, delimiter, order_by) -%}
    string_agg({{ expr }}, '{{ delimiter }}' order by {{ order_by }})
{%- endmacro %}

{% macro spark__string_agg_ordered(expr, delimiter, order_by) -%}
    array_join(transform(
        array_sort(collect_list(struct({{ order_by }} as k, {{ expr }} as v))),
        x -> x.v), '{{ delimiter }}')
{%- endmacro %}

{#- How many rows satisfy a condition, as a bigint on every engine. -#}
{% macro count_if(condition) -%}
    cast(sum(case when {{ condition }} then 1 else 0 end) as bigint)
{%- endmacro %}
