-- One row per tracking event received (event_id): parsed, with codes normalised for
-- matching. Re-sent events are still here; int_tracking_events_mapped collapses them.
--
-- Incremental: a run ranks the raw rows of the lookback window and keeps each event id's
-- first arrival, unless the id already arrived before the window (then that row wins, as
-- it would in a full refresh; see has_stored_first_arrival). delete+insert on event_id.
{{ config(
    materialized=incremental_materialization(),
    unique_key='event_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail'
) }}

with

-- a full build reads this where it is used (scanning the base table again costs less
-- than storing millions of wide rows); an incremental run's window is small and the
-- check against stored rows is worth doing once
parsed as {% if not is_incremental() %}{{ not_materialized() }} {% endif %}(

    select * from {{ ref('base_carrier__tracking_events') }} as events
    where events.quarantine_reason is null
    {% if is_incremental() -%}
        and events.loaded_at >= {{ incremental_cutoff() }}
        and not {{ has_stored_first_arrival(['event_id'], 'events') }}
    {%- endif %}

),

repeated_event_ids as (

    {{ repeated_keys('parsed', 'event_id') }}

),

-- the first arrival of an event id wins; the extra keys make ties deterministic
ranked as (

    {{ first_arrival_ranked('parsed', 'event_id', [
        'loaded_at', 'event_at_local', 'tracking_number', 'code_key', 'qualifier_key'
    ], 'repeated_event_ids') }}

),

final as (

    select
        event_id,
        carrier,
        tracking_number,
        code_field,
        raw_code,
        raw_qualifier,
        raw_description,
        code_key,
        qualifier_key,
        location_city,
        location_postal_code,
        location_country,
        utc_offset_minutes,
        event_at_local,
        loaded_at
    from ranked
    where arrival_rank = 1

)

select * from final
