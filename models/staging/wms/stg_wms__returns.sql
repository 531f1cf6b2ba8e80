-- One row per RMA, at its latest state (opened, then received).
with

source as (

    select * from {{ source('wms', 'returns') }}

),

renamed as (

    select
        upper(trim(cast(rma_id as varchar))) as rma_id,
        upper(trim(cast(order_id as varchar))) as order_id,
        upper(trim(cast(shipment_id as varchar))) as shipment_id,
        upper(trim(cast(sku as varchar))) as sku,
        cast(quantity as integer) as quantity,
        lower(trim(cast(reason as varchar))) as return_reason,
        cast(created_at as timestamp) as created_at,
        cast(received_at as timestamp) as received_at,
        cast(_loaded_at as timestamp) as loaded_at,
        row_number()
            over (partition by rma_id order by _loaded_at desc)
            as recency_rank
    from source

),

final as (

    select
        rma_id,
        order_id,
        shipment_id,
        sku,
        quantity,
        return_reason,
        created_at,
        received_at,
        loaded_at
    from renamed
    where recency_rank = 1
        and rma_id is not null

)

select * from final
