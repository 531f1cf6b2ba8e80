-- One row per order (latest version) and internal SKU: what the customer ordered, after
-- mapping each channel SKU to the SKU master and exploding bundles into their components.
-- A channel SKU with no mapping is kept with sku NULL and is_unmapped, never guessed.
with

orders as (

    select * from {{ ref('int_orders_versioned') }}

),

lines as (

    select * from {{ ref('stg_storefront__order_lines') }}

),

sku_map as (

    select * from {{ ref('stg_catalog__channel_sku_maps') }}

),

skus as (

    select * from {{ ref('stg_catalog__skus') }}

),

components as (

    select * from {{ ref('stg_catalog__bundle_components') }}

),

latest_lines as (

    select
        lines.order_id,
        lines.line_number,
        lines.channel_sku,
        lines.quantity,
        orders.channel,
        sku_map.sku as mapped_sku
    from lines
    inner join orders
        on lines.order_id = orders.order_id
            and lines.order_version = orders.order_version
    left join sku_map
        on orders.channel = sku_map.channel
            and lines.channel_sku = sku_map.channel_sku

),

exploded as (

    select
        latest_lines.order_id,
        latest_lines.line_number,
        latest_lines.channel_sku,
        coalesce(components.component_sku, latest_lines.mapped_sku) as sku,
        latest_lines.quantity
        * coalesce(components.component_qty, 1) as quantity,
        components.bundle_sku is not null as is_from_bundle,
        latest_lines.mapped_sku is null as is_unmapped
    from latest_lines
    left join skus
        on latest_lines.mapped_sku = skus.sku
    left join components
        on skus.is_bundle
            and latest_lines.mapped_sku = components.bundle_sku

),

final as (

    select
        order_id,
        coalesce(sku, 'UNMAPPED:' || channel_sku) as sku_key,
        sku,
        max(channel_sku) as channel_sku,
        sum(quantity) as ordered_quantity,
        max(case when is_from_bundle then 1 else 0 end) = 1 as is_from_bundle,
        max(case when is_unmapped then 1 else 0 end) = 1 as is_unmapped
    from exploded
    group by order_id, coalesce(sku, 'UNMAPPED:' || channel_sku), sku

)

select * from final
