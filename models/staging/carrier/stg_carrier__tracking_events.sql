-- One row per tracking event received (event_id): parsed, with codes normalised for
-- matching. Re-sent events are still here; int_tracking_events_mapped collapses them.
with

parsed as (

    select * from {{ ref('base_carrier__tracking_events') }}
    where quarantine_reason is null

),

ranked as (

    select
        *,
        -- the first arrival of an event id wins; the extra keys make ties deterministic
        -- (and keep DuckDB from rewriting this into a slow wide arg_min)
        row_number() over (
            partition by event_id
            order by
                loaded_at,
                event_at_local,
                tracking_number,
                code_key,
                qualifier_key
        ) as arrival_rank
    from parsed

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
