-- One row per bundle and component SKU.
with

source as (

    select * from {{ source('catalog', 'bundle_components') }}

),

renamed as (

    select
        upper(trim(cast(bundle_sku as varchar))) as bundle_sku,
        upper(trim(cast(component_sku as varchar))) as component_sku,
        cast(component_qty as integer) as component_qty,
        cast(_loaded_at as timestamp) as loaded_at,
        row_number() over (
            partition by bundle_sku, component_sku order by _loaded_at desc
        ) as recency_rank
    from source

),

final as (

    select
        bundle_sku,
        component_sku,
        component_qty,
        loaded_at
    from renamed
    where recency_rank = 1
        and component_qty > 0

)

select * from final
