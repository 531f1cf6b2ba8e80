-- One row per snapshot date, FC and SKU: the warehouse's stock count.
with

source as (

    select * from {{ source('wms', 'inventory_snapshots') }}

),

renamed as (

    select
        cast(snapshot_date as date) as snapshot_date,
        upper(trim(cast(fc_id as varchar))) as fc_id,
        upper(trim(cast(sku as varchar))) as sku,
        cast(on_hand_qty as integer) as on_hand_qty,
        cast(available_qty as integer) as available_qty,
        cast(_loaded_at as timestamp) as loaded_at,
        row_number() over (
            partition by snapshot_date, fc_id, sku order by _loaded_at desc
        ) as recency_rank
    from source

),

final as (

    select
        snapshot_date,
        fc_id,
        sku,
        on_hand_qty,
        available_qty,
        loaded_at
    from renamed
    where recency_rank = 1

)

select * from final
