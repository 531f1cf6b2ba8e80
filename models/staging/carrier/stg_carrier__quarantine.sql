{{ config(materialized='view') }}

-- One row per raw tracking event that could not be used, with the reason.
with

events as (

    select
        'tracking_events' as source_table,
        coalesce(event_id, '(no event id)') as record_key,
        quarantine_reason,
        event_time_local_raw as raw_value,
        loaded_at
    from {{ ref('base_carrier__tracking_events') }}

),

final as (

    select * from events
    where quarantine_reason is not null

)

select * from final
