-- One row per order version. Re-sent webhooks collapse onto their first arrival.
--
-- Incremental (first arrival wins, like stg_carrier__tracking_events): a run rebuilds
-- every version with a webhook in the lookback window. Its first arrival is the stored row
-- when that arrived before the window, else the first of the window's rows; its delivery
-- count is taken from all of its rows in base_storefront__orders. delete+insert on the key.
{{ config(
    materialized=incremental_materialization(),
    unique_key=['order_id', 'order_version'],
    incremental_strategy='delete+insert',
    on_schema_change='fail'
) }}

with

parsed as (

    select * from {{ ref('base_storefront__orders') }}
    where quarantine_reason is null

),

{% if is_incremental() -%}
window_rows as (

    select * from parsed
    where loaded_at >= {{ incremental_cutoff() }}

),

changed as (

    select distinct
        order_id,
        order_version
    from window_rows

),

-- the first arrival of a version that arrived before the window, as stored
stored_first as (

    select earlier.*
    from {{ this }} as earlier
    inner join changed
        on
            earlier.order_id = changed.order_id
            and earlier.order_version = changed.order_version
    where earlier.loaded_at < {{ incremental_cutoff() }}

),

{%- set columns = [
    'order_id', 'order_version', 'webhook_id', 'customer_id', 'email',
    'email_raw', 'phone_raw', 'phone_e164', 'first_name', 'last_name',
    'ship_address_line1', 'ship_address_line2', 'ship_city',
    'ship_postal_code', 'ship_region', 'ship_country', 'channel',
    'channel_order_ref', 'promo_code', 'service_level', 'currency',
    'order_total_amount', 'placed_at', 'updated_at', 'loaded_at'
] %}
candidates as (

    select {{ columns | join(', ') }} from window_rows
    union all
    select {{ columns | join(', ') }} from stored_first

),

delivery_counts as (

    select
        parsed.order_id,
        parsed.order_version,
        count(*) as deliveries
    from parsed
    inner join changed
        on
            parsed.order_id = changed.order_id
            and parsed.order_version = changed.order_version
    group by parsed.order_id, parsed.order_version

),

ranked as (

    select
        candidates.*,
        delivery_counts.deliveries,
        row_number() over (
            partition by candidates.order_id, candidates.order_version
            order by candidates.loaded_at, candidates.webhook_id
        ) as arrival_rank
    from candidates
    inner join delivery_counts
        on
            candidates.order_id = delivery_counts.order_id
            and candidates.order_version = delivery_counts.order_version

),
{%- else -%}
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
{%- endif %}

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
