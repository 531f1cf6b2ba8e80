{#-
    Carrier codes are compared as trimmed strings, case-insensitive for letters, with
    leading zeros kept ("003" is not "3"). The same normalisation runs on the raw feed and
    on the seed, so the join cannot drift.
-#}
{% macro normalize_carrier_code(expr) -%}
    coalesce(upper(trim(cast({{ expr }} as varchar))), '')
{%- endmacro %}

{#- A '+HH:MM' / '-HHMM' offset as signed minutes, NULL when absent or malformed. -#}
{% macro utc_offset_minutes(expr) -%}
    case
        when {{ order_truth.regex_matches(
            'trim(cast(' ~ expr ~ ' as varchar))', '^[-+][0-9]{2}:?[0-9]{2}$') }}
            then (case when trim(cast({{ expr }} as varchar)) like '-%' then -1 else 1 end)
            * (
                cast(substr(trim(cast({{ expr }} as varchar)), 2, 2) as integer) * 60
                + cast(right(trim(cast({{ expr }} as varchar)), 2) as integer)
            )
    end
{%- endmacro %}

{#- Local wall time in an IANA zone (a column or quoted literal) to UTC. -#}
{% macro local_to_utc(ts, zone) -%}
    {{ return(adapter.dispatch('local_to_utc', 'order_truth')(ts, zone)) }}
{%- endmacro %}

{% macro default__local_to_utc(ts, zone) -%}
    timezone('UTC', timezone({{ zone }}, {{ ts }}))
{%- endmacro %}

{% macro postgres__local_to_utc(ts, zone) -%}
    (({{ ts }}) at time zone {{ zone }}) at time zone 'UTC'
{%- endmacro %}

{% macro spark__local_to_utc(ts, zone) -%}
    to_utc_timestamp({{ ts }}, {{ zone }})
{%- endmacro %}
