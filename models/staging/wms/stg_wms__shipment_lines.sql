-- One row per shipment and line: the internal SKU and quantity that went into the box.
with

source as (

    select * from {{ source('wms', 'shipment_lines') }}

),

renamed as (

    select
        upper(trim(cast(shipment_id as varchar))) as shipment_id,
        cast(line_number as integer) as line_number,
        upper(trim(cast(sku as varchar))) as sku,
        cast(quantity as integer) as quantity,
        cast(_loaded_at as timestamp) as loaded_at,
        row_number() over (
            partition by shipment_id, line_number order by _loaded_at
        ) as arrival_rank
    from source

),

final as (

    select
        shipment_id,
        line_number,
        sku,
        quantity,
        loaded_at
    from renamed
    where arrival_rank = 1
        and shipment_id is not null
        and quantity > 0

)

select * from final
