-- One row per promotion (promo_code): its delivery claim against what its FCs and
-- carriers could and did deliver, whether it ran while a promoted SKU was out of stock,
-- and how many orders were placed under a claim no lane could meet (marketing gating).
with

promotions as (

    select * from {{ ref('stg_marketing__promotions') }}

),

lanes as (

    select * from {{ ref('shipping_lanes') }}

),

inventory as (

    select * from {{ ref('stg_wms__inventory_snapshots') }}

),

orders as (

    select * from {{ ref('fct_orders') }}
    where promo_code is not null and not is_cancelled

),

lane_reach as (

    -- the fastest an eligible FC can reach an eligible region
    select
        promotions.promo_code,
        min(lanes.min_transit_days) as fastest_lane_days,
        max(lanes.min_transit_days) as slowest_lane_days
    from promotions
    inner join lanes
        on '|'
            || promotions.eligible_fcs
            || '|' like '%|'
            || lanes.fc_id
            || '|%'
            and ',' || promotions.eligible_regions || ','
            like '%,' || lanes.dest_country || ',%'
    group by promotions.promo_code

),

stock_by_day as (

    select
        snapshot_date,
        sku,
        sum(available_qty) as available_qty
    from inventory
    group by snapshot_date, sku

),

stock_outs as (

    -- days the campaign was live while a promoted SKU had nothing available anywhere
    select
        promotions.promo_code,
        count(distinct inventory.snapshot_date) as out_of_stock_days
    from promotions
    inner join stock_by_day as inventory
        on '|'
            || promotions.eligible_skus
            || '|' like '%|'
            || inventory.sku
            || '|%'
            and inventory.snapshot_date >= cast(promotions.starts_at as date)
            and inventory.snapshot_date < cast(promotions.ends_at as date)
    where inventory.available_qty = 0
    group by promotions.promo_code

),

outcomes as (

    select
        promo_code,
        count(*) as orders,
        sum(case when is_claim_applied then 1 else 0 end) as claim_orders,
        sum(case when has_infeasible_claim then 1 else 0 end)
            as infeasible_claim_orders,
        sum(case when is_claim_applied and is_delivered then 1 else 0 end)
            as claim_orders_delivered,
        sum(case when is_claim_applied and is_delivered
                and delivered_date_local <= claim_delivery_date then 1
            else 0
        end)
            as claim_orders_delivered_by_claim,
        sum(case when is_claim_applied and (
                    has_infeasible_claim
                    or delivered_date_local > claim_delivery_date
                ) then 1
            else 0
        end)
            as claim_mismatch_orders
    from orders
    group by promo_code

),

final as (

    select
        promotions.promo_code,
        promotions.promo_name,
        promotions.delivery_claim,
        promotions.claim_business_days,
        promotions.eligible_regions,
        promotions.eligible_fcs,
        promotions.starts_at,
        promotions.ends_at,
        lane_reach.fastest_lane_days,
        lane_reach.slowest_lane_days,
        coalesce(
            promotions.claim_business_days >= lane_reach.slowest_lane_days, true
        )
            as is_claim_feasible_everywhere,
        coalesce(stock_outs.out_of_stock_days, 0) as out_of_stock_days,
        coalesce(stock_outs.out_of_stock_days, 0) > 0 as ran_while_out_of_stock,
        cast(coalesce(outcomes.orders, 0) as bigint) as orders,
        cast(coalesce(outcomes.claim_orders, 0) as bigint) as claim_orders,
        cast(coalesce(outcomes.infeasible_claim_orders, 0) as bigint)
            as infeasible_claim_orders,
        cast(coalesce(outcomes.claim_orders_delivered, 0) as bigint)
            as claim_orders_delivered,
        cast(coalesce(outcomes.claim_orders_delivered_by_claim, 0) as bigint)
            as claim_orders_delivered_by_claim,
        cast(coalesce(outcomes.claim_mismatch_orders, 0) as {{ type_double() }})
        / nullif(outcomes.orders, 0) as claim_mismatch_rate
    from promotions
    left join lane_reach
        on promotions.promo_code = lane_reach.promo_code
    left join stock_outs
        on promotions.promo_code = stock_outs.promo_code
    left join outcomes
        on promotions.promo_code = outcomes.promo_code

)

select * from final
