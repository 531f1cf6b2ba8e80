{#- Day of week, 1 = Monday ... 7 = Sunday, the same on every engine. -#}
{% macro iso_day_of_week(date_expr) -%}
    (mod({{ dbt.datediff("cast('2024-01-01' as date)", date_expr, 'day') }}, 7) + 1)
{%- endmacro %}

{#- The day part of a timestamp as a date (never truncate in staging; do it here). -#}
{% macro to_date(ts) -%}
    cast({{ ts }} as date)
{%- endmacro %}

{#- Seconds (with milliseconds) from one timestamp to a later one, as a double. -#}
{% macro seconds_between(start_ts, end_ts) -%}
    cast({{ dbt.datediff(start_ts, end_ts, 'millisecond') }} as {{ type_double() }}) / 1000.0
{%- endmacro %}
