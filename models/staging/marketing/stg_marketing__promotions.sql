-- One row per promotion, with its delivery claim parsed into business days.
with

source as (

    select * from {{ source('marketing', 'promotions') }}

),

renamed as (

    select
        -- ids
        upper(trim(cast(promo_code as varchar))) as promo_code,

        -- text
        trim(cast(promo_name as varchar)) as promo_name,
        nullif(trim(cast(delivery_claim as varchar)), '') as delivery_claim,
        upper(replace(cast(eligible_regions as varchar), ' ', ''))
            as eligible_regions,
        upper(replace(cast(eligible_skus as varchar), ' ', ''))
            as eligible_skus,
        upper(replace(cast(eligible_fcs as varchar), ' ', '')) as eligible_fcs,

        -- numbers
        cast(discount_pct as integer) as discount_pct,

        -- timestamps
        cast(starts_at as timestamp) as starts_at,
        cast(ends_at as timestamp) as ends_at,
        cast(_loaded_at as timestamp) as loaded_at,
        row_number()
            over (partition by promo_code order by _loaded_at desc)
            as recency_rank
    from source

),

final as (

    select
        promo_code,
        promo_name,
        delivery_claim,
        {{ parse_delivery_claim('delivery_claim') }} as claim_business_days,
        eligible_regions,
        eligible_skus,
        eligible_fcs,
        discount_pct,
        starts_at,
        ends_at,
        loaded_at
    from renamed
    where recency_rank = 1
        and promo_code is not null
        and starts_at is not null
        and ends_at > starts_at

)

select * from final
