{#-
    The KPI contract of DESIGN §6, computed once for any time grain ('day' or 'month') so
    kpi_daily and kpi_monthly cannot disagree about a formula.

    Every KPI row carries numerator and denominator, so a rate over any set of rows is
    sum(numerator) / sum(denominator). Percentiles cannot be re-aggregated; their rows
    carry the sample size as denominator and are computed per period from the facts.
    Dimensions: channel, carrier and fc_id, each 'all' on rolled-up rows ('none' when the
    order has no value, e.g. no carrier before shipping).
-#}

{% macro kpi_period(ts, grain) -%}
    cast({{ dbt.date_trunc(grain, ts) }} as date)
{%- endmacro %}

{#- One rate/count KPI over a CTE that has channel, carrier and fc_id columns. -#}
{% macro kpi_rollup(relation, kpi, period_expr, numerator, denominator, where='true') -%}
    select
        {{ period_expr }} as kpi_period,
        '{{ kpi }}' as kpi,
        case when grouping(channel) = 1 then 'all' else coalesce(channel, 'none') end
            as channel,
        case when grouping(carrier) = 1 then 'all' else coalesce(carrier, 'none') end
            as carrier,
        case when grouping(fc_id) = 1 then 'all' else coalesce(fc_id, 'none') end as fc_id,
        cast(sum({{ numerator }}) as {{ type_double() }}) as numerator,
        cast(sum({{ denominator }}) as {{ type_double() }}) as denominator
    from {{ relation }}
    where {{ where }}
    group by grouping sets (
        ({{ period_expr }}),
        ({{ period_expr }}, channel),
        ({{ period_expr }}, carrier),
        ({{ period_expr }}, fc_id)
    )
{%- endmacro %}

{#- A KPI with no dimensions: one row per period. -#}
{% macro kpi_total(relation, kpi, period_expr, numerator, denominator, where='true') -%}
    select
        {{ period_expr }} as kpi_period,
        '{{ kpi }}' as kpi,
        'all' as channel,
        'all' as carrier,
        'all' as fc_id,
        cast(sum({{ numerator }}) as {{ type_double() }}) as numerator,
        cast(sum({{ denominator }}) as {{ type_double() }}) as denominator
    from {{ relation }}
    where {{ where }}
    group by {{ period_expr }}
{%- endmacro %}

{#- A percentile KPI: value per period, sample size as denominator. -#}
{% macro kpi_percentile(relation, kpi, period_expr, measure, p, where='true') -%}
    select
        {{ period_expr }} as kpi_period,
        '{{ kpi }}' as kpi,
        'all' as channel,
        'all' as carrier,
        'all' as fc_id,
        cast(percentile_cont({{ p }}) within group (order by {{ measure }})
            as {{ type_double() }}) as numerator,
        cast(count({{ measure }}) as {{ type_double() }}) as denominator
    from {{ relation }}
    where {{ where }} and {{ measure }} is not null
    group by {{ period_expr }}
{%- endmacro %}

{#- Every CTE below is read where used: each KPI takes a few columns of it, and storing
    them first (all columns of fct_orders, 7M tracking events) cost more than the KPIs. -#}
{% macro kpi_rows(grain) %}
{%- set per = grain -%}
with

orders as {{ not_materialized() }} (

    select * from {{ ref('fct_orders') }}

),

exceptions as {{ not_materialized() }} (

    select
        fct_order_exceptions.*,
        orders.channel,
        orders.carrier,
        orders.fc_id
    from {{ ref('fct_order_exceptions') }} as fct_order_exceptions
    left join orders
        on fct_order_exceptions.order_id = orders.order_id

),

tickets as {{ not_materialized() }} (

    select
        tickets.*,
        orders.channel,
        orders.carrier,
        orders.fc_id,
        orders.delivered_at as order_delivered_at
    from {{ ref('stg_support__tickets') }} as tickets
    left join orders
        on tickets.order_id = orders.order_id

),

order_and_exception_days as {{ not_materialized() }} (

    select
        {{ kpi_period('placed_at', per) }} as period_at,
        channel, carrier, fc_id,
        1 as placed,
        0 as opened
    from orders
    union all
    select
        {{ kpi_period('opened_at', per) }} as period_at,
        channel, carrier, fc_id,
        0 as placed,
        1 as opened
    from exceptions

),

order_and_wismo_days as {{ not_materialized() }} (

    select
        {{ kpi_period('placed_at', per) }} as period_at,
        channel, carrier, fc_id,
        1 as placed,
        0 as wismo
    from orders
    union all
    select
        {{ kpi_period('created_at', per) }} as period_at,
        channel, carrier, fc_id,
        0 as placed,
        1 as wismo
    from tickets
    where category = 'wismo'

),

sync_events as {{ not_materialized() }} (

    select * from {{ ref('fct_sync_events') }}

),

sync_attempts as {{ not_materialized() }} (

    select * from {{ ref('stg_integration__sync_attempts') }}

),

tracking as {{ not_materialized() }} (

    select * from {{ ref('fct_tracking_events') }}
    where not is_duplicate

),

inventory as {{ not_materialized() }} (

    select
        rpt_inventory_reconciliation.*,
        cast(null as varchar) as channel,
        cast(null as varchar) as carrier
    from {{ ref('rpt_inventory_reconciliation') }}

),

source_records as {{ not_materialized() }} (

    -- a second record of the same person in the same system is a duplicate
    select
        case when row_number() over (
            partition by source_system, customer_id order by source_record_id
        ) > 1 then 1 else 0 end as is_duplicate_record
    from {{ ref('int_customer_source_ids') }}
    where source_system in ('storefront', 'crm')

),

vip_changes as {{ not_materialized() }} (

    select * from {{ ref('stg_crm__contact_changes') }}
    where field_name = 'vip_tier'

),

rates as (

    {{ kpi_rollup('orders', 'orders_placed', kpi_period('placed_at', per), '1', '1') }}
    union all
    {{ kpi_rollup('orders', 'orders_delivered', kpi_period('delivered_date_local', per),
                  '1', '1', 'is_delivered') }}
    union all
    {{ kpi_rollup('orders', 'order_accuracy_rate', kpi_period('delivered_date_local', per),
                  'case when is_accurate then 1 else 0 end', '1',
                  'is_delivered and is_accurate is not null') }}
    union all
    {{ kpi_rollup('orders', 'on_time_rate', kpi_period('delivered_date_local', per),
                  'case when is_on_time then 1 else 0 end', '1',
                  'is_delivered and is_on_time is not null') }}
    union all
    {{ kpi_rollup('orders', 'correct_rate', kpi_period('delivered_date_local', per),
                  'case when is_correct then 1 else 0 end', '1',
                  'is_delivered and is_correct is not null') }}
    union all
    {{ kpi_rollup('orders', 'promo_fulfillment_mismatch_rate', kpi_period('placed_at', per),
                  "case when is_claim_applied and (has_infeasible_claim or "
                  ~ "delivered_date_local > claim_delivery_date) then 1 else 0 end", '1',
                  'promo_code is not null and not is_cancelled') }}
    union all
    {{ kpi_rollup('order_and_exception_days', 'exceptions_per_1000_orders', 'period_at',
                  'opened', 'placed') }}
    union all
    {{ kpi_rollup('order_and_wismo_days', 'wismo_per_1000_orders', 'period_at',
                  'wismo', 'placed') }}
    union all
    {{ kpi_total('sync_events', 'order_sync_success_rate',
                 kpi_period('source_changed_at', per),
                 'case when is_delivered then 1 else 0 end', '1', "entity = 'order'") }}
    union all
    {{ kpi_total('sync_events', 'sync_success_rate', kpi_period('source_changed_at', per),
                 'case when is_delivered then 1 else 0 end', '1') }}
    union all
    {{ kpi_total('sync_events', 'dlq_entries', kpi_period('dead_lettered_at', per),
                 '1', '1', 'is_dead_lettered') }}
    union all
    {{ kpi_total('sync_attempts', 'api_error_rate', kpi_period('attempted_at', per),
                 'case when is_error then 1 else 0 end', '1') }}
    union all
    {{ kpi_total('sync_attempts', 'rate_limit_rate', kpi_period('attempted_at', per),
                 'case when is_rate_limited then 1 else 0 end', '1') }}
    union all
    {{ kpi_total('tracking', 'unmapped_event_rate', kpi_period('event_at', per),
                 'case when is_unmapped then 1 else 0 end', '1') }}
    union all
    {{ kpi_rollup('inventory', 'inventory_variance', kpi_period('snapshot_date', per),
                  'absolute_variance', 'coalesce(wms_available_qty, 0)') }}
    union all
    {{ kpi_total('vip_changes', 'vip_downgrades', kpi_period('changed_at', per),
                 "case when " ~ vip_rank('new_value') ~ " < " ~ vip_rank('old_value')
                 ~ " then 1 else 0 end", '1') }}
    union all
    {{ kpi_rollup('orders', 'status_sync_accuracy', kpi_period(data_as_of(), per),
                  'case when is_status_in_sync then 1 else 0 end', '1', 'is_in_flight') }}
    union all
    {{ kpi_total('source_records', 'duplicate_customer_rate', kpi_period(data_as_of(), per),
                 'is_duplicate_record', '1') }}
    union all
    {{ kpi_total('tickets', 'csat_after_delivery', kpi_period('created_at', per),
                 'csat', '1',
                 'csat is not null and order_delivered_at is not null '
                 ~ 'and order_delivered_at < created_at') }}

),

percentiles as (

    {{ kpi_percentile('exceptions', 'exception_resolve_hours_p50',
                      kpi_period('resolved_at', per), 'hours_to_resolve', 0.5) }}
    union all
    {{ kpi_percentile('exceptions', 'exception_resolve_hours_p95',
                      kpi_period('resolved_at', per), 'hours_to_resolve', 0.95) }}
    {%- for entity in ['order', 'customer', 'inventory'] %}
    union all
    {{ kpi_percentile('sync_events', 'sync_latency_p50_s_' ~ entity,
                      kpi_period('source_changed_at', per), 'sync_lag_seconds', 0.5,
                      "entity = '" ~ entity ~ "'") }}
    union all
    {{ kpi_percentile('sync_events', 'sync_latency_p95_s_' ~ entity,
                      kpi_period('source_changed_at', per), 'sync_lag_seconds', 0.95,
                      "entity = '" ~ entity ~ "'") }}
    {%- endfor %}
    union all
    {{ kpi_percentile('tracking', 'tracking_latency_p50_s', kpi_period('event_at', per),
                      'arrival_lag_seconds', 0.5) }}
    union all
    {{ kpi_percentile('tracking', 'tracking_latency_p95_s', kpi_period('event_at', per),
                      'arrival_lag_seconds', 0.95) }}

),

targets as (

    select * from {{ ref('kpi_targets') }}

),

final as (

    select
        rates.kpi_period,
        rates.kpi,
        rates.channel,
        rates.carrier,
        rates.fc_id,
        rates.numerator,
        rates.denominator,
        case
            when targets.unit = 'per_1000'
                then 1000.0 * rates.numerator / nullif(rates.denominator, 0)
            when targets.unit in ('rate', 'score')
                then rates.numerator / nullif(rates.denominator, 0)
            else rates.numerator
        end as kpi_value,
        coalesce(targets.unit, 'count') as unit,
        targets.comparator as target_comparator,
        cast(targets.target as {{ type_double() }}) as target_value
    from rates
    left join targets
        on rates.kpi = targets.kpi
    union all
    select
        percentiles.kpi_period,
        percentiles.kpi,
        percentiles.channel,
        percentiles.carrier,
        percentiles.fc_id,
        cast(null as {{ type_double() }}) as numerator,
        percentiles.denominator,
        percentiles.numerator as kpi_value,
        targets.unit,
        targets.comparator as target_comparator,
        cast(targets.target as {{ type_double() }}) as target_value
    from percentiles
    left join targets
        on percentiles.kpi = targets.kpi

)

select * from final
where kpi_period is not null
{% endmacro %}

{% macro vip_rank(expr) -%}
    case lower({{ expr }})
        when 'none' then 0 when 'silver' then 1 when 'gold' then 2 when 'platinum' then 3
    end
{%- endmacro %}
