-- One row per refund.
with

source as (

    select * from {{ source('storefront', 'refunds') }}

),

renamed as (

    select
        cast(refund_id as varchar) as refund_id,
        upper(trim(cast(order_id as varchar))) as order_id,
        lower(trim(cast(reason as varchar))) as refund_reason,
        upper(trim(cast(currency as varchar))) as currency,
        {{ parse_money('cast(amount as varchar)') }} as refund_amount,
        cast(refunded_at as timestamp) as refunded_at,
        cast(_loaded_at as timestamp) as loaded_at,
        row_number()
            over (partition by refund_id order by _loaded_at)
            as arrival_rank
    from source

),

final as (

    select
        refund_id,
        order_id,
        refund_reason,
        currency,
        refund_amount,
        refunded_at,
        loaded_at
    from renamed
    where arrival_rank = 1

)

select * from final
