{#-
    Carrier codes are compared as trimmed strings, case-insensitive for letters, with
    leading zeros kept ("003" is not "3"). The same normalisation runs on the raw feed and
    on the seed, so the join cannot drift.
-#}
{% macro normalize_carrier_code(expr) -%}
    coalesce(upper(trim(cast({{ expr }} as varchar))), '')
{%- endmacro %}

{#-
    A UTC offset as signed minutes: '+HH:MM', '-HHMM' or 'Z' (UTC). NULL when absent or
    malformed, including offsets beyond +-14:59 or with 60+ minutes, which no zone uses.
-#}
{% macro utc_offset_minutes(expr) -%}
    {%- set txt = 'upper(trim(cast(' ~ expr ~ ' as varchar)))' -%}
    case
        when {{ txt }} = 'Z' then 0
        when {{ order_truth.regex_matches(txt, '^[-+](0[0-9]|1[0-4]):?[0-5][0-9]$') }}
            then (case when {{ txt }} like '-%' then -1 else 1 end)
            * (
                cast(substr({{ txt }}, 2, 2) as integer) * 60
                + cast(right({{ txt }}, 2) as integer)
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

{#-
    A code list's name for matching: lower case, letters and digits only, so 'status_code',
    'statusCode' and 'Status Code' name the same list. NULL becomes ''.
-#}
{% macro normalize_code_field(expr) -%}
    {{ order_truth.regex_replace_all(
        "coalesce(lower(trim(cast(" ~ expr ~ " as varchar))), '')", '[^a-z0-9]', ''
    ) }}
{%- endmacro %}
