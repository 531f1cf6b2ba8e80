-- One row per parcel the warehouse shipped (shipment_id), with what the carrier feed says
-- happened to it.
with

shipments as (

    select * from {{ ref('stg_wms__shipments') }}

),

oms as (

    select * from {{ ref('int_oms_orders_applied') }}

),

status as (

    select * from {{ ref('int_shipments_status_derived') }}

),

final as (

    select
        -- ids
        shipments.shipment_id,
        oms.order_id,
        shipments.oms_order_id,
        shipments.fc_id,
        shipments.carrier,
        shipments.tracking_number,

        -- attributes
        shipments.package_seq,
        shipments.shipment_reason,
        coalesce(status.current_status, 'shipped') as current_status,
        status.open_exception_reason,

        -- numbers
        coalesce(status.event_count, 0) as event_count,
        coalesce(status.unmapped_event_count, 0) as unmapped_event_count,
        coalesce(status.exception_event_count, 0) as exception_event_count,
        coalesce(status.attempt_count, 0) as attempt_count,

        -- booleans
        shipments.is_backorder_release,
        coalesce(status.is_stale, false) as is_stale,
        status.tracking_number is null as has_no_tracking,
        coalesce(status.has_assumed_zone, false) as has_assumed_zone,
        coalesce(status.is_latest_scan_unmapped, false)
            as is_latest_scan_unmapped,

        -- timestamps
        shipments.shipped_at,
        status.first_picked_at,
        status.first_shipped_at as carrier_first_scan_at,
        status.first_in_transit_at,
        status.first_out_for_delivery_at,
        status.first_attempted_delivery_at,
        status.first_available_for_pickup_at,
        status.first_exception_at,
        status.delivered_at,
        status.returned_at,
        status.last_event_at
    from shipments
    left join oms
        on shipments.oms_order_id = oms.oms_order_id
    left join status
        on shipments.carrier = status.carrier
            and shipments.tracking_number = status.tracking_number

)

select * from final
