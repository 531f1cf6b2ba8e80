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

-- a full build reads this where it is used (both steps below take a narrow slice of a
-- table of millions of rows); an incremental run's few parcels are stored once
events as {% if not is_incremental() %}{{ not_materialized() }} {% endif %}(

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

rolled as (

    select
        carrier,
        tracking_number,
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
        max(case when canonical_status is not null then event_at end)
            as latest_mapped_at,
        max(case when is_unmapped then event_at end) as latest_unmapped_at,
        min(event_at) as first_event_at,
        max(event_at) as last_event_at,
        max(loaded_at) as last_loaded_at,
        count(*) as event_count,
        sum(case when is_unmapped then 1 else 0 end) as unmapped_event_count,
        sum(case when is_exception then 1 else 0 end) as exception_event_count,
        sum(case when canonical_status = 'attempted_delivery' then 1 else 0 end)
            as attempt_count,
        max(case when is_zone_assumed then 1 else 0 end)
        = 1 as has_assumed_zone
    from events
    group by carrier, tracking_number

),

latest as (

    -- the latest mapped scan sets the status; scans stamped the same instant go to
    -- the higher rank (an aggregate, not a window: no sort of millions of rows)
    select
        events.carrier,
        events.tracking_number,
        {{ canonical_status_from_rank('max(events.status_rank)') }}
            as latest_status,
        max(case when events.is_exception then events.exception_reason end)
            as latest_exception_reason
    from events
    inner join rolled
        on {{ same_parcel('events', 'rolled') }}
            and events.event_at = rolled.latest_mapped_at
    where events.canonical_status is not null
    group by events.carrier, events.tracking_number

),

final as (

    select
        rolled.carrier,
        rolled.tracking_number,
        case
            when rolled.returned_at is not null then 'returned_to_sender'
            when rolled.delivered_at is not null then 'delivered'
            else latest.latest_status
        end as current_status,
        case
            when
                rolled.returned_at is null and rolled.delivered_at is null
                and latest.latest_status = 'exception'
                then latest.latest_exception_reason
        end as open_exception_reason,
        rolled.first_picked_at,
        rolled.first_shipped_at,
        rolled.first_in_transit_at,
        rolled.first_out_for_delivery_at,
        rolled.first_attempted_delivery_at,
        rolled.first_available_for_pickup_at,
        rolled.first_exception_at,
        rolled.delivered_at,
        rolled.returned_at,
        rolled.first_event_at,
        rolled.last_event_at,
        rolled.last_loaded_at,
        cast(rolled.event_count as bigint) as event_count,
        cast(rolled.unmapped_event_count as bigint) as unmapped_event_count,
        cast(rolled.exception_event_count as bigint) as exception_event_count,
        cast(rolled.attempt_count as bigint) as attempt_count,
        rolled.has_assumed_zone,
        -- the latest scan of all is unmapped (a mapped one stamped the same instant
        -- counts as the later, as it does for the status)
        coalesce(
            rolled.latest_unmapped_at
            > coalesce(rolled.latest_mapped_at, rolled.latest_unmapped_at)
            or (
                rolled.latest_mapped_at is null
                and rolled.latest_unmapped_at is not null
            ),
            false
        ) as is_latest_scan_unmapped,
        rolled.returned_at is null and rolled.delivered_at is null
        and latest.latest_status in (
            'shipped', 'in_transit', 'out_for_delivery'
        )
        and rolled.last_event_at
        < {{ dbt.dateadd(
            'day', '-' ~ var('stale_tracking_days'), data_as_of()
        ) }}
            as is_stale
    from rolled
    left join latest
        on {{ same_parcel('rolled', 'latest') }}

)

select * from final
