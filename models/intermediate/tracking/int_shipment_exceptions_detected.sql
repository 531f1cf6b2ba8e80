-- One row per exception the carrier feed shows for a parcel: carrier exceptions and
-- failed delivery attempts (resolved by the parcel's next scan), and stale tracking (a
-- moving parcel with no scan for var('stale_tracking_days') days, resolved by the next
-- scan, or still open at the data cut-off).
with

events as (

    -- only the columns used: the window below sorts whole rows
    select
        carrier,
        tracking_number,
        canonical_status,
        status_rank,
        exception_reason,
        raw_code,
        raw_qualifier,
        raw_description,
        event_at
    from {{ ref('int_tracking_events_mapped') }}
    where not is_duplicate

),

sequenced as (

    select
        *,
        lead(event_at) over (
            partition by carrier, tracking_number
            order by event_at, status_rank
        ) as next_event_at
    from events

),

carrier_exceptions as (

    select
        carrier,
        tracking_number,
        case canonical_status
            when 'exception' then 'carrier_exception'
            else 'failed_delivery_attempt'
        end as exception_class,
        carrier || ' ' || raw_code
        || coalesce('/' || raw_qualifier, '')
        || ': '
        || coalesce(raw_description, '')
            as evidence,
        exception_reason,
        event_at as opened_at,
        next_event_at as resolved_at
    from sequenced
    where canonical_status in ('exception', 'attempted_delivery')

),

stale as (

    select
        carrier,
        tracking_number,
        'stale_tracking' as exception_class,
        'no scan after ' || canonical_status || ' for '
        || cast({{ var('stale_tracking_days') }} as varchar)
        || '+ days' as evidence,
        cast(null as varchar) as exception_reason,
        {{ dbt.dateadd('day', var('stale_tracking_days'), 'event_at') }}
            as opened_at,
        next_event_at as resolved_at
    from sequenced
    where canonical_status in ('shipped', 'in_transit', 'out_for_delivery')
        and {{ dbt.dateadd('day', var('stale_tracking_days'), 'event_at') }}
        <= coalesce(next_event_at, {{ data_as_of() }})

),

final as (

    select * from carrier_exceptions
    union all
    select * from stale

)

select * from final
