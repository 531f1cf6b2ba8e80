-- One row per order version. Re-sent webhooks collapse onto their first arrival.
with

parsed as (

    select * from {{ ref('base_storefront__orders') }}
    where quarantine_reason is null

),

ranked as (

    select
        *,
        row_number() over (
            partition by order_id, order_version
            order by loaded_at, webhook_id
        ) as arrival_rank,
        count(*) over (partition by order_id, order_version) as deliveries
    from parsed

),

final as (

    select
        -- ids
        order_id,
        order_version,
        webhook_id,
        customer_id,

        -- contact
        email,
        email_raw,
        phone_raw,
        phone_e164,
        first_name,
        last_name,

        -- address
        ship_address_line1,
        ship_address_line2,
        ship_city,
        ship_postal_code,
        ship_region,
        ship_country,

        -- attributes
        channel,
        channel_order_ref,
        promo_code,
        service_level,
        currency,
        order_total_amount,

        -- numbers and booleans
        deliveries - 1 as resent_webhook_count,
        customer_id is null as is_guest,

        -- timestamps
        placed_at,
        updated_at,
        loaded_at
    from ranked
    where arrival_rank = 1

)

select * from final
