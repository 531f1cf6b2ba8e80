-- One row per internal SKU (bundles included).
with

source as (

    select * from {{ source('catalog', 'skus') }}

),

renamed as (

    select
        upper(trim(cast(sku as varchar))) as sku,
        trim(cast(sku_name as varchar)) as sku_name,
        lower(trim(cast(category as varchar))) as category,
        cast(unit_weight_kg as {{ type_double() }}) as unit_weight_kg,
        cast(is_bundle as boolean) as is_bundle,
        cast(_loaded_at as timestamp) as loaded_at,
        row_number()
            over (partition by sku order by _loaded_at desc)
            as recency_rank
    from source

),

final as (

    select
        sku,
        sku_name,
        category,
        unit_weight_kg,
        is_bundle,
        loaded_at
    from renamed
    where recency_rank = 1
        and sku is not null

)

select * from final
