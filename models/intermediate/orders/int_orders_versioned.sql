-- One row per storefront order at its latest version, with what the edits changed.
with

versions as (

    select * from {{ ref('stg_storefront__orders') }}

),

ranked as (

    select
        *,
        {{ newest_version_rank() }} as newest_rank,
        row_number()
            over (partition by order_id order by order_version)
            as oldest_rank,
        count(*) over (partition by order_id) as version_count,
        sum(resent_webhook_count)
            over (partition by order_id)
            as order_resent_webhooks
    from versions

),

first_versions as (

    select
        order_id,
        ship_address_line1 as first_ship_address_line1,
        ship_postal_code as first_ship_postal_code,
        updated_at as first_version_at,
        loaded_at as first_loaded_at
    from ranked
    where oldest_rank = 1

),

final as (

    select
        -- ids
        latest.order_id,
        latest.order_version,
        latest.customer_id,

        -- contact and address at the latest version
        latest.email,
        latest.phone_e164,
        latest.first_name,
        latest.last_name,
        latest.ship_address_line1,
        latest.ship_address_line2,
        latest.ship_city,
        latest.ship_postal_code,
        latest.ship_region,
        latest.ship_country,

        -- attributes
        latest.channel,
        latest.channel_order_ref,
        latest.promo_code,
        latest.service_level,
        latest.currency,
        latest.order_total_amount,

        -- numbers
        latest.version_count,
        latest.order_resent_webhooks,

        -- booleans
        latest.is_guest,
        (
            latest.ship_address_line1 <> first_versions.first_ship_address_line1
            or latest.ship_postal_code <> first_versions.first_ship_postal_code
        ) as has_address_edit,

        -- timestamps
        latest.placed_at,
        first_versions.first_version_at,
        latest.updated_at as latest_version_at,
        first_versions.first_loaded_at
    from ranked as latest
    inner join first_versions
        on latest.order_id = first_versions.order_id
    where latest.newest_rank = 1

)

select * from final
