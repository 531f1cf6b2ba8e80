{{ config(enabled=answer_key_enabled()) }}

-- Every whole-dataset KPI the warehouse reports must equal the answer key's: rates within
-- var('answer_key_rate_tolerance_pp') percentage points (per-1000 rates within the same
-- share, i.e. 1 per 1000 for 0.1 pp), latencies and scores within
-- var('answer_key_latency_tolerance_rel'), counts exactly. Rates come from summing
-- kpi_daily's numerators and denominators (so kpi_daily is checked too); percentiles are
-- recomputed from the facts because they cannot be summed. Returns the KPIs that drift.
with

daily_totals as (

    select
        kpi,
        max(unit) as unit,
        sum(numerator) as numerator,
        sum(denominator) as denominator
    from {{ ref('kpi_daily') }}
    where channel = 'all' and carrier = 'all' and fc_id = 'all'
        and numerator is not null
    group by kpi

),

from_daily as (

    select
        kpi,
        case when unit = 'per_1000' then 'per_1000' when unit = 'count' then 'count'
            when unit = 'score' then 'score' else 'rate' end as kind,
        case
            when unit = 'per_1000' then 1000.0 * numerator / nullif(denominator, 0)
            when unit = 'count' then numerator
            else numerator / nullif(denominator, 0)
        end as mart_value
    from daily_totals
    where kpi not in ('orders_delivered')

),

exceptions as (

    select * from {{ ref('fct_order_exceptions') }}
    where resolved_at is not null

),

sync_events as (

    select * from {{ ref('fct_sync_events') }}
    where is_delivered

),

tracking as (

    select * from {{ ref('fct_tracking_events') }}
    where not is_duplicate

),

percentiles as (

    select 'exception_resolve_hours_p50' as kpi, 'latency' as kind,
        percentile_cont(0.5) within group (order by hours_to_resolve) as mart_value
    from exceptions
    union all
    select 'exception_resolve_hours_p95', 'latency',
        percentile_cont(0.95) within group (order by hours_to_resolve)
    from exceptions
    union all
    select 'sync_latency_p50_s_' || entity, 'latency',
        percentile_cont(0.5) within group (order by sync_lag_seconds)
    from sync_events group by entity
    union all
    select 'sync_latency_p95_s_' || entity, 'latency',
        percentile_cont(0.95) within group (order by sync_lag_seconds)
    from sync_events group by entity
    union all
    select 'tracking_latency_p50_s', 'latency',
        percentile_cont(0.5) within group (order by arrival_lag_seconds)
    from tracking
    union all
    select 'tracking_latency_p95_s', 'latency',
        percentile_cont(0.95) within group (order by arrival_lag_seconds)
    from tracking

),

measured as (

    select * from from_daily
    union all
    select * from percentiles

),

compared as (

    select
        measured.kpi,
        measured.kind,
        measured.mart_value,
        truth.value as true_value
    from measured
    inner join {{ answer_key('kpis') }} as truth
        on measured.kpi = truth.kpi

)

select * from compared
where true_value is null and mart_value is not null
    or (kind = 'rate' and abs(mart_value - true_value) * 100
        > {{ var('answer_key_rate_tolerance_pp') }})
    or (kind = 'per_1000' and abs(mart_value - true_value) / 10
        > {{ var('answer_key_rate_tolerance_pp') }})
    or (kind in ('latency', 'score') and abs(mart_value - true_value)
        > {{ var('answer_key_latency_tolerance_rel') }} * abs(true_value))
    or (kind = 'count' and mart_value <> true_value)
