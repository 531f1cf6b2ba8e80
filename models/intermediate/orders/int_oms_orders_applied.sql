-- One row per storefront order the OMS received: the latest version it applied, and when
-- it first heard of the order.
with

applied as (

    select * from {{ ref('stg_oms__orders') }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by order_id
            order by applied_order_version desc, applied_at desc
        ) as newest_rank,
        min(applied_at) over (partition by order_id) as first_applied_at,
        min(created_at) over (partition by order_id) as oms_created_at
    from applied

),

final as (

    select
        order_id,
        oms_order_id,
        applied_order_version,
        fc_id,
        carrier,
        service_level,
        ship_address_line1 as oms_ship_address_line1,
        ship_city as oms_ship_city,
        ship_postal_code as oms_ship_postal_code,
        ship_country as oms_ship_country,
        oms_created_at,
        first_applied_at,
        applied_at as latest_applied_at
    from ranked
    where newest_rank = 1

)

select * from final
