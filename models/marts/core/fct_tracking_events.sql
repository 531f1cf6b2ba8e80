-- One row per tracking event received (event_id), with its canonical status and the
-- WMS parcel and order it belongs to.
--
-- Incremental: a run rebuilds every parcel (carrier, tracking_number) that has an event,
-- a WMS shipment record or an OMS order record in the lookback window, from all of that
-- parcel's events (delete+insert on event_id). A parcel's events are mapped as a whole
-- (duplicates and the return leg look at the parcel's other scans), so a late scan that
-- changes an earlier one's reading is rebuilt with it.
{{ config(
    materialized=incremental_materialization(),
    unique_key='event_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail'
) }}

with

all_events as (

    select * from {{ ref('int_tracking_events_mapped') }}

),

shipments as (

    select * from {{ ref('stg_wms__shipments') }}

),

oms as (

    select * from {{ ref('int_oms_orders_applied') }}

),

{% if is_incremental() -%}
changed_parcels as (

    {{ parcels_with_new_scans('all_events') }}
    union
    select
        shipments.carrier,
        shipments.tracking_number
    from shipments
    left join oms
        on shipments.oms_order_id = oms.oms_order_id
    where shipments.loaded_at >= {{ incremental_cutoff() }}
        or oms.latest_applied_at >= {{ incremental_cutoff() }}

),

events as (

    select all_events.*
    from all_events
    inner join changed_parcels
        on {{ same_parcel('all_events', 'changed_parcels') }}

),
{%- else -%}
events as (

    select * from all_events

),
{%- endif %}

final as (

    select
        -- ids
        events.event_id,
        shipments.shipment_id,
        oms.order_id,
        events.carrier,
        events.tracking_number,

        -- the code as sent and its canonical reading
        events.code_field,
        events.raw_code,
        events.raw_qualifier,
        events.raw_description,
        events.canonical_status,
        events.status_rank,
        events.exception_reason,
        events.mapping_rule,

        -- where
        events.location_city,
        events.location_postal_code,
        events.location_country,
        events.location_time_zone,

        -- numbers
        events.utc_offset_minutes,
        events.arrival_lag_seconds,

        -- booleans
        events.is_terminal,
        events.is_exception,
        events.is_unmapped,
        events.is_duplicate,
        events.is_zone_assumed,

        -- timestamps
        events.event_at_local,
        events.event_at,
        events.loaded_at
    from events
    left join shipments
        on events.carrier = shipments.carrier
            and events.tracking_number = shipments.tracking_number
    left join oms
        on shipments.oms_order_id = oms.oms_order_id

)

select * from final
