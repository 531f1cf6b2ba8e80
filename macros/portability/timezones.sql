{#-
    utc_to_local(ts, zone): a UTC timestamp as wall-clock time in an IANA zone (a column or
    a quoted literal). The result is a timestamp without zone; name it *_at_local.
-#}
{% macro utc_to_local(ts, zone) -%}
    {{ return(adapter.dispatch('utc_to_local', 'order_truth')(ts, zone)) }}
{%- endmacro %}

{% macro default__utc_to_local(ts, zone) -%}
    timezone({{ zone }}, timezone('UTC', {{ ts }}))
{%- endmacro %}

{% macro postgres__utc_to_local(ts, zone) -%}
    (({{ ts }}) at time zone 'UTC') at time zone {{ zone }}
{%- endmacro %}

{% macro spark__utc_to_local(ts, zone) -%}
    from_utc_timestamp({{ ts }}, {{ zone }})
{%- endmacro %}
