-- One row per exception the carrier feed shows for a parcel: carrier exceptions and
-- failed delivery attempts (resolved by the parcel's next scan), and stale tracking (a
-- moving parcel with no scan for var('stale_tracking_days') days, resolved by the next
-- scan, or still open at the data cut-off).
--
-- Incremental: a parcel's exceptions are rebuilt from all of its scans when it has a scan
-- in the lookback window, or is not yet delivered or returned (stale tracking moves with
-- the data's as-of time); delete+insert on the parcel, so a parcel's old rows go too.
{{ config(
    materialized=incremental_materialization(),
    unique_key=['carrier', 'tracking_number'],
    incremental_strategy='delete+insert',
    on_schema_change='fail'
) }}

with

all_events as (

    select * from {{ ref('int_tracking_events_mapped') }}

),

parcels as (

    select * from {{ ref('int_shipments_status_derived') }}

),

{% if is_incremental() -%}
changed_parcels as (

    {{ parcels_with_new_scans('all_events', 'parcel_last_loaded_at') }}
    union
    {{ parcels_still_moving('parcels') }}

),
{%- endif %}

events as (

    -- only the columns the window needs: it sorts every scan of the parcel
    select
        all_events.event_id,
        all_events.carrier,
        all_events.tracking_number,
        all_events.canonical_status,
        all_events.status_rank,
        all_events.event_at
    from all_events
    {% if is_incremental() -%}
    inner join changed_parcels
        on {{ same_parcel('all_events', 'changed_parcels') }}
    {%- endif %}
    where not all_events.is_duplicate

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

    -- the scan's code and reason come from the mapped event (few rows reach here);
    -- read from the table, not all_events, so DuckDB does not store that CTE for two
    -- readers
    select
        sequenced.carrier,
        sequenced.tracking_number,
        case sequenced.canonical_status
            when 'exception' then 'carrier_exception'
            else 'failed_delivery_attempt'
        end as exception_class,
        sequenced.carrier || ' ' || scan.raw_code
        || coalesce('/' || scan.raw_qualifier, '')
        || ': '
        || coalesce(scan.raw_description, '')
            as evidence,
        scan.exception_reason,
        sequenced.event_at as opened_at,
        sequenced.next_event_at as resolved_at,
        parcels.last_loaded_at as parcel_last_loaded_at
    from sequenced
    inner join {{ ref('int_tracking_events_mapped') }} as scan
        on sequenced.event_id = scan.event_id
    inner join parcels
        on {{ same_parcel('sequenced', 'parcels') }}
    where sequenced.canonical_status in ('exception', 'attempted_delivery')

),

stale_scans as (

    -- moving scans with no next scan for the stale window
    select * from sequenced
    where
        canonical_status in ('shipped', 'in_transit', 'out_for_delivery')
        and {{ dbt.dateadd('day', var('stale_tracking_days'), 'event_at') }}
        <= coalesce(next_event_at, {{ data_as_of() }})

),

stale as (

    select
        stale_scans.carrier,
        stale_scans.tracking_number,
        'stale_tracking' as exception_class,
        'no scan after ' || stale_scans.canonical_status || ' for '
        || cast({{ var('stale_tracking_days') }} as varchar)
        || '+ days' as evidence,
        cast(null as varchar) as exception_reason,
        {{ dbt.dateadd(
            'day', var('stale_tracking_days'), 'stale_scans.event_at'
        ) }} as opened_at,
        stale_scans.next_event_at as resolved_at,
        parcels.last_loaded_at as parcel_last_loaded_at
    from stale_scans
    inner join parcels
        on {{ same_parcel('stale_scans', 'parcels') }}

),

final as (

    select * from carrier_exceptions
    union all
    select * from stale

)

select * from final
