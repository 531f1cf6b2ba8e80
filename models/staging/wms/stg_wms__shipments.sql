-- One row per parcel the warehouse handed to a carrier.
with

source as (

    select * from {{ source('wms', 'shipments') }}

),

renamed as (

    select
        -- ids
        upper(trim(cast(shipment_id as varchar))) as shipment_id,
        upper(trim(cast(oms_order_id as varchar))) as oms_order_id,
        upper(trim(cast(fc_id as varchar))) as fc_id,
        lower(trim(cast(carrier as varchar))) as carrier,
        upper(trim(cast(tracking_number as varchar))) as tracking_number,

        -- text and numbers
        cast(package_seq as integer) as package_seq,
        lower(trim(cast(shipment_reason as varchar))) as shipment_reason,

        -- timestamps
        cast(shipped_at as timestamp) as shipped_at,
        cast(_loaded_at as timestamp) as loaded_at,
        row_number()
            over (partition by shipment_id order by _loaded_at)
            as arrival_rank
    from source

),

final as (

    select
        shipment_id,
        oms_order_id,
        fc_id,
        carrier,
        tracking_number,
        package_seq,
        shipment_reason,
        shipment_reason = 'backorder_release' as is_backorder_release,
        shipped_at,
        loaded_at
    from renamed
    where arrival_rank = 1
        and shipment_id is not null
        and tracking_number is not null

)

select * from final
