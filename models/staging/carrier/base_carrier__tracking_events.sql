-- Every raw tracking event, parsed, with the reason it cannot be used (NULL when it can).
-- Grain: one row per raw row received (re-sent copies included).
--
-- Incremental (append): raw rows never change once loaded and arrive with a later
-- _loaded_at, so a run parses only rows newer than the newest one already here. Parquet
-- row-group statistics on _loaded_at let DuckDB skip the older files entirely.
{{ config(
    materialized=incremental_materialization(),
    incremental_strategy='append',
    on_schema_change='fail'
) }}

with

source as (

    select * from {{ source('carrier', 'tracking_events') }}
    {% if is_incremental() -%}
    where _loaded_at > (select max(loaded_at) from {{ this }})
    {%- endif %}

),

parsed as (

    select
        -- ids
        cast(event_id as varchar) as event_id,
        lower(trim(cast(carrier as varchar))) as carrier,
        upper(trim(cast(tracking_number as varchar))) as tracking_number,

        -- codes exactly as sent, and normalised for matching
        lower(trim(cast(code_field as varchar))) as code_field,
        cast(raw_code as varchar) as raw_code,
        cast(raw_qualifier as varchar) as raw_qualifier,
        cast(raw_description as varchar) as raw_description,
        {{ normalize_carrier_code('raw_code') }} as code_key,
        {{ normalize_carrier_code('raw_qualifier') }} as qualifier_key,

        -- where
        trim(cast(location_city as varchar)) as location_city,
        upper(trim(cast(location_postal_code as varchar)))
            as location_postal_code,
        upper(trim(cast(location_country as varchar))) as location_country,

        -- when: local time as sent, its offset when sent, and arrival
        cast(event_time_local as varchar) as event_time_local_raw,
        {{ safe_cast(
            "replace(cast(event_time_local as varchar), 'T', ' ')", 'timestamp'
        ) }}
            as event_at_local,
        cast(utc_offset as varchar) as utc_offset_raw,
        {{ utc_offset_minutes('utc_offset') }} as utc_offset_minutes,
        cast(_loaded_at as timestamp) as loaded_at

    from source

),

final as (

    select
        *,
        {{ quarantine_reason([
            ('missing_event_id', 'event_id is null'),
            ('missing_tracking_number', "tracking_number is null or tracking_number = ''"),
            ('missing_code', "code_key = ''"),
            ('unparseable_event_time', 'event_at_local is null'),
            ('malformed_utc_offset',
             "utc_offset_raw is not null and trim(utc_offset_raw) <> '' "
             ~ "and utc_offset_minutes is null"),
        ]) }} as quarantine_reason
    from parsed

)

select * from final
