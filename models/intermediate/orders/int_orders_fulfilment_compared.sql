-- One row per order that has shipments: what was ordered against what went into the
-- boxes, per internal SKU, summed over every parcel (split and backorder shipments too).
with

ordered as (

    select * from {{ ref('int_order_lines_mapped') }}

),

oms as (

    select * from {{ ref('int_oms_orders_applied') }}

),

shipments as (

    select * from {{ ref('stg_wms__shipments') }}

),

shipment_lines as (

    select * from {{ ref('stg_wms__shipment_lines') }}

),

shipped as (

    select
        oms.order_id,
        shipment_lines.sku as sku_key,
        sum(shipment_lines.quantity) as shipped_quantity
    from shipment_lines
    inner join shipments
        on shipment_lines.shipment_id = shipments.shipment_id
    inner join oms
        on shipments.oms_order_id = oms.oms_order_id
    group by oms.order_id, shipment_lines.sku

),

shipped_orders as (

    select distinct order_id from shipped

),

compared as (

    select
        coalesce(ordered.order_id, shipped.order_id) as order_id,
        coalesce(ordered.sku_key, shipped.sku_key) as sku_key,
        coalesce(ordered.ordered_quantity, 0) as ordered_quantity,
        coalesce(shipped.shipped_quantity, 0) as shipped_quantity,
        coalesce(ordered.is_unmapped, false) as is_unmapped
    from ordered
    full outer join shipped
        on ordered.order_id = shipped.order_id
            and ordered.sku_key = shipped.sku_key
    where coalesce(ordered.order_id, shipped.order_id) in (
            select shipped_orders.order_id from shipped_orders
        )

),

final as (

    select
        order_id,
        sum(ordered_quantity) as ordered_units,
        sum(shipped_quantity) as shipped_units,
        sum(case when ordered_quantity = 0 then shipped_quantity else 0 end)
            as wrong_sku_units,
        sum(case when shipped_quantity < ordered_quantity
                then ordered_quantity - shipped_quantity
            else 0
        end) as missing_units,
        max(case when is_unmapped then 1 else 0 end) = 1 as has_unmapped_sku,
        max(
            case
                when ordered_quantity = 0 and shipped_quantity > 0 then 1 else 0
            end
        )
        = 1
            as has_mis_pick,
        max(
            case when shipped_quantity < ordered_quantity
                    and ordered_quantity > 0
                    and not is_unmapped then 1
                else 0
            end
        ) = 1 as has_short_ship
    from compared
    group by order_id

)

select * from final
