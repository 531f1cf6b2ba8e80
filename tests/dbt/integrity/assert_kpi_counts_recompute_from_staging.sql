-- Integrity (Fivetran style): recompute KPI numerators and denominators straight from
-- staging, outer-join them to kpi_daily's totals, and return every KPI that disagrees.
with

staged_orders as (

    select count(distinct order_id) as orders
    from {{ ref('stg_storefront__orders') }}

),

staged_wismo as (

    select count(*) as tickets
    from {{ ref('stg_support__tickets') }}
    where category = 'wismo'

),

staged_sync as (

    select
        count(distinct change_id) as changes,
        count(distinct case when is_success then change_id end) as delivered_changes,
        count(*) as attempts,
        sum(case when is_rate_limited then 1 else 0 end) as rate_limited
    from {{ ref('stg_integration__sync_attempts') }}

),

recomputed as (

    select 'orders_placed' as kpi, 'numerator' as part, cast(orders as {{ type_double() }}) as value
    from staged_orders
    union all
    select 'exceptions_per_1000_orders', 'denominator', cast(orders as {{ type_double() }})
    from staged_orders
    union all
    select 'wismo_per_1000_orders', 'numerator', cast(tickets as {{ type_double() }}) from staged_wismo
    union all
    select 'wismo_per_1000_orders', 'denominator', cast(orders as {{ type_double() }})
    from staged_orders
    union all
    select 'sync_success_rate', 'numerator', cast(delivered_changes as {{ type_double() }})
    from staged_sync
    union all
    select 'sync_success_rate', 'denominator', cast(changes as {{ type_double() }}) from staged_sync
    union all
    select 'rate_limit_rate', 'numerator', cast(rate_limited as {{ type_double() }}) from staged_sync
    union all
    select 'rate_limit_rate', 'denominator', cast(attempts as {{ type_double() }}) from staged_sync

),

reported as (

    select kpi, 'numerator' as part, sum(numerator) as value
    from {{ ref('kpi_daily') }}
    where channel = 'all' and carrier = 'all' and fc_id = 'all'
    group by kpi
    union all
    select kpi, 'denominator' as part, sum(denominator) as value
    from {{ ref('kpi_daily') }}
    where channel = 'all' and carrier = 'all' and fc_id = 'all'
    group by kpi

),

final as (

    select
        recomputed.kpi,
        recomputed.part,
        recomputed.value as from_staging,
        reported.value as from_kpi_daily
    from recomputed
    left join reported
        on recomputed.kpi = reported.kpi
            and recomputed.part = reported.part

)

select * from final
where from_kpi_daily is null or from_staging <> from_kpi_daily
