-- One row per parcel as the carrier sees it (carrier, tracking_number): its current
-- canonical status and the first time it reached each state.
--
-- Precedence (DESIGN §5): the latest mapped scan wins, ties going to the higher rank;
-- delivered is terminal and returned_to_sender sticky, so a return leg overrides a delivery
-- and nothing overrides a return; an exception clears as soon as a later forward scan
-- arrives. Unmapped scans count as activity but never set a status.
--
-- Incremental: a run rebuilds every parcel with a scan that arrived in the lookback
-- window, and every parcel not yet delivered or returned (its staleness moves with the
-- data's as-of time); delete+insert on the parcel.
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

{% if is_incremental() -%}
changed_parcels as (

    {{ parcels_with_new_scans('all_events', 'last_loaded_at') }}
    union
    {{ parcels_still_moving(this) }}

),
{%- endif %}

events as (

    -- only the columns used: the windows below sort whole rows
    select
        all_events.carrier,
        all_events.tracking_number,
        all_events.canonical_status,
        all_events.status_rank,
        all_events.exception_reason,
        all_events.is_unmapped,
        all_events.is_exception,
        all_events.is_zone_assumed,
        all_events.event_at,
        all_events.loaded_at
    from all_events
    {% if is_incremental() -%}
    inner join changed_parcels
        on {{ same_parcel('all_events', 'changed_parcels') }}
    {%- endif %}
    where not all_events.is_duplicate

),

ranked as (

    select
        *,
        row_number() over (
            partition by carrier, tracking_number
            order by event_at desc, status_rank desc
        ) as any_recency_rank,
        row_number() over (
            partition by carrier, tracking_number
            order by
                case when canonical_status is null then 1 else 0 end,
                event_at desc,
                status_rank desc
        ) as recency_rank
    from events

),

rolled as (

    select
        carrier,
        tracking_number,
        max(case when recency_rank = 1 then canonical_status end)
            as latest_status,
        max(case when recency_rank = 1 then exception_reason end)
            as latest_exception_reason,
        min(case when canonical_status = 'picked' then event_at end)
            as first_picked_at,
        min(case when canonical_status = 'shipped' then event_at end)
            as first_shipped_at,
        min(case when canonical_status = 'in_transit' then event_at end)
            as first_in_transit_at,
        min(case when canonical_status = 'out_for_delivery' then event_at end)
            as first_out_for_delivery_at,
        min(case when canonical_status = 'attempted_delivery' then event_at end)
            as first_attempted_delivery_at,
        min(
            case
                when canonical_status = 'available_for_pickup' then event_at
            end
        )
            as first_available_for_pickup_at,
        min(case when canonical_status = 'exception' then event_at end)
            as first_exception_at,
        min(case when canonical_status = 'delivered' then event_at end)
            as delivered_at,
        min(case when canonical_status = 'returned_to_sender' then event_at end)
            as returned_at,
        min(event_at) as first_event_at,
        max(event_at) as last_event_at,
        max(loaded_at) as last_loaded_at,
        count(*) as event_count,
        sum(case when is_unmapped then 1 else 0 end) as unmapped_event_count,
        sum(case when is_exception then 1 else 0 end) as exception_event_count,
        sum(case when canonical_status = 'attempted_delivery' then 1 else 0 end)
            as attempt_count,
        max(case when is_zone_assumed then 1 else 0 end)
        = 1 as has_assumed_zone,
        max(case when any_recency_rank = 1 and is_unmapped then 1 else 0 end)
        = 1
            as is_latest_scan_unmapped
    from ranked
    group by carrier, tracking_number

),

final as (

    select
        carrier,
        tracking_number,
        case
            when returned_at is not null then 'returned_to_sender'
            when delivered_at is not null then 'delivered'
            else latest_status
        end as current_status,
        case
            when returned_at is null and delivered_at is null
                and latest_status = 'exception' then latest_exception_reason
        end as open_exception_reason,
        first_picked_at,
        first_shipped_at,
        first_in_transit_at,
        first_out_for_delivery_at,
        first_attempted_delivery_at,
        first_available_for_pickup_at,
        first_exception_at,
        delivered_at,
        returned_at,
        first_event_at,
        last_event_at,
        last_loaded_at,
        cast(event_count as bigint) as event_count,
        cast(unmapped_event_count as bigint) as unmapped_event_count,
        cast(exception_event_count as bigint) as exception_event_count,
        cast(attempt_count as bigint) as attempt_count,
        has_assumed_zone,
        is_latest_scan_unmapped,
        returned_at is null and delivered_at is null
        and latest_status in ('shipped', 'in_transit', 'out_for_delivery')
        and last_event_at
        < {{ dbt.dateadd(
            'day', '-' ~ var('stale_tracking_days'), data_as_of()
        ) }}
            as is_stale
    from rolled

)

select * from final
