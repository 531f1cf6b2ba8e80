-- Every webhook row, parsed, with the reason it cannot be used (NULL when it can).
-- Grain: one row per raw row received (re-sent copies included).
--
-- Incremental (append, like base_carrier__tracking_events): raw rows never change once
-- loaded and arrive with a later _loaded_at, so a run parses only rows newer than the
-- newest one already here. stg_storefront__quarantine still sees every row.
{{ config(
    materialized=incremental_materialization(),
    incremental_strategy='append',
    on_schema_change='fail'
) }}

with

source as (

    select * from {{ source('storefront', 'orders') }}
    {% if is_incremental() -%}
    where _loaded_at > (select max(loaded_at) from {{ this }})
    {%- endif %}

),

parsed as (

    select
        -- ids
        cast(webhook_id as varchar) as webhook_id,
        upper(trim(cast(order_id as varchar))) as order_id,
        cast(order_version as integer) as order_version,
        nullif(trim(cast(customer_id as varchar)), '') as customer_id,

        -- contact as typed
        cast(email as varchar) as email_raw,
        lower(trim(cast(email as varchar))) as email,
        cast(phone as varchar) as phone_raw,
        {{ normalize_phone_e164('phone', 'ship_country') }} as phone_e164,
        trim(cast(first_name as varchar)) as first_name,
        trim(cast(last_name as varchar)) as last_name,

        -- shipping address
        trim(cast(ship_address_line1 as varchar)) as ship_address_line1,
        trim(cast(ship_address_line2 as varchar)) as ship_address_line2,
        trim(cast(ship_city as varchar)) as ship_city,
        upper(trim(cast(ship_postal_code as varchar))) as ship_postal_code,
        upper(trim(cast(ship_region as varchar))) as ship_region,
        upper(trim(cast(ship_country as varchar))) as ship_country,

        -- order attributes
        lower(trim(cast(channel as varchar))) as channel,
        nullif(trim(cast(channel_order_ref as varchar)), '')
            as channel_order_ref,
        nullif(upper(trim(cast(promo_code as varchar))), '') as promo_code,
        lower(trim(cast(service_level as varchar))) as service_level,

        -- money
        upper(trim(cast(currency as varchar))) as currency,
        cast(order_total as varchar) as order_total_raw,
        {{ parse_money('cast(order_total as varchar)') }} as order_total_amount,

        -- timestamps (UTC)
        cast(placed_at as timestamp) as placed_at,
        cast(updated_at as timestamp) as updated_at,
        cast(_loaded_at as timestamp) as loaded_at

    from source

),

final as (

    select
        *,
        {{ quarantine_reason([
            ('missing_order_id', "order_id is null or order_id = ''"),
            ('missing_order_version', 'order_version is null'),
            ('unparseable_order_total', 'order_total_amount is null'),
            ('missing_placed_at', 'placed_at is null'),
        ]) }} as quarantine_reason
    from parsed

)

select * from final
