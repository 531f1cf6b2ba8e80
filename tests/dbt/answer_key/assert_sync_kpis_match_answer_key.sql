{{ config(enabled=answer_key_enabled()) }}

-- Sync latency P50/P95 per entity (within 1%), the order sync success rate (within 0.1
-- percentage points) and the DLQ entry count (exactly) against the answer key.
with

events as (

    select * from {{ ref('fct_sync_events') }}

),

measured as (

    select
        'sync_latency_p50_s_' || entity as kpi,
        percentile_cont(0.5) within group (order by sync_lag_seconds) as value,
        'latency' as kind
    from events
    where is_delivered
    group by entity
    union all
    select
        'sync_latency_p95_s_' || entity as kpi,
        percentile_cont(0.95) within group (order by sync_lag_seconds) as value,
        'latency' as kind
    from events
    where is_delivered
    group by entity
    union all
    select
        'order_sync_success_rate' as kpi,
        avg(case when is_delivered then 1.0 else 0.0 end) as value,
        'rate' as kind
    from events
    where entity = 'order'
    union all
    select
        'dlq_entries' as kpi,
        cast(sum(case when is_dead_lettered then 1 else 0 end) as double) as value,
        'count' as kind
    from events

),

compared as (

    select
        measured.kpi,
        measured.kind,
        measured.value as mart_value,
        truth.value as true_value
    from measured
    left join {{ answer_key('kpis') }} as truth
        on measured.kpi = truth.kpi

)

select * from compared
where true_value is null
    or (kind = 'latency' and abs(mart_value - true_value)
        > {{ var('answer_key_latency_tolerance_rel') }} * abs(true_value))
    or (kind = 'rate' and abs(mart_value - true_value) * 100
        > {{ var('answer_key_rate_tolerance_pp') }})
    or (kind = 'count' and mart_value <> true_value)
