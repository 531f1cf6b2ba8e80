-- One row per order version and line, in the channel's own SKU code.
with

source as (

    select * from {{ source('storefront', 'order_lines') }}

),

parsed as (

    select
        upper(trim(cast(order_id as varchar))) as order_id,
        cast(order_version as integer) as order_version,
        cast(line_number as integer) as line_number,
        trim(cast(channel_sku as varchar)) as channel_sku,
        cast(quantity as integer) as quantity,
        cast(unit_price as varchar) as unit_price_raw,
        {{ parse_money('cast(unit_price as varchar)') }} as unit_price_amount,
        {{ money_currency('cast(unit_price as varchar)') }} as currency,
        cast(_loaded_at as timestamp) as loaded_at
    from source

),

ranked as (

    select
        *,
        row_number() over (
            partition by order_id, order_version, line_number
            order by loaded_at
        ) as arrival_rank
    from parsed
    where order_id is not null
        and quantity > 0
        and unit_price_amount is not null

),

final as (

    select
        order_id,
        order_version,
        line_number,
        channel_sku,
        currency,
        quantity,
        unit_price_amount,
        loaded_at
    from ranked
    where arrival_rank = 1

)

select * from final
