{#-
    The moment the data describes ("as of"): --vars '{as_of: "2026-11-01 00:00:00"}' when
    given, else the latest arrival in any of the busiest feeds (carrier scans, sync
    attempts, order webhooks): the warehouse knows nothing newer than that. Staleness and "still open" are judged against it, never against the
    wall clock, so rebuilding old data gives the same answer.
-#}
{% macro data_as_of() -%}
    {%- if var('as_of', none) -%}
        cast('{{ var("as_of") }}' as timestamp)
    {%- else -%}
        (select max(latest) from (
            select max(loaded_at) as latest from {{ ref('stg_carrier__tracking_events') }}
            union all
            select max(attempted_at) from {{ ref('stg_integration__sync_attempts') }}
            union all
            select max(loaded_at) from {{ ref('stg_storefront__orders') }}
        ) as arrivals)
    {%- endif -%}
{%- endmacro %}
