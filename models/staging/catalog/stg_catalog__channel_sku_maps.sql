-- One row per channel and channel SKU, mapped to the internal SKU.
with

source as (

    select * from {{ source('catalog', 'channel_sku_map') }}

),

renamed as (

    select
        lower(trim(cast(channel as varchar))) as channel,
        trim(cast(channel_sku as varchar)) as channel_sku,
        upper(trim(cast(sku as varchar))) as sku,
        cast(_loaded_at as timestamp) as loaded_at,
        row_number() over (
            partition by channel, channel_sku order by _loaded_at desc
        ) as recency_rank
    from source

),

final as (

    select
        channel,
        channel_sku,
        sku,
        loaded_at
    from renamed
    where recency_rank = 1
        and sku is not null

)

select * from final
