{{ config(enabled=answer_key_enabled()) }}

-- Per order, is_on_time, is_correct and is_accurate must agree with the answer key on at
-- least var('answer_key_min_agreement') of the orders both sides judge, and the root
-- cause on at least 95% of the orders that truly went wrong. Returns the failing measure.
with

orders as (

    select * from {{ ref('fct_orders') }}

),

truth as (

    select * from {{ answer_key('orders') }}

),

joined as (

    select
        orders.is_on_time,
        orders.is_correct,
        orders.is_accurate,
        orders.root_cause_system,
        truth.true_is_on_time,
        truth.true_is_correct,
        truth.true_is_accurate,
        truth.true_root_cause_system
    from orders
    inner join truth
        on orders.order_id = truth.order_id

),

scores as (

    select 'is_on_time' as measure,
        avg(case when is_on_time = true_is_on_time then 1.0 else 0.0 end) as agreement,
        {{ var('answer_key_min_agreement') }} as required
    from joined
    where is_on_time is not null and true_is_on_time is not null
    union all
    select 'is_correct',
        avg(case when is_correct = true_is_correct then 1.0 else 0.0 end),
        {{ var('answer_key_min_agreement') }}
    from joined
    where is_correct is not null and true_is_correct is not null
    union all
    select 'is_accurate',
        avg(case when is_accurate = true_is_accurate then 1.0 else 0.0 end),
        {{ var('answer_key_min_agreement') }}
    from joined
    where is_accurate is not null and true_is_accurate is not null
    union all
    select 'root_cause_system',
        avg(case when root_cause_system = true_root_cause_system then 1.0 else 0.0 end),
        0.95
    from joined
    where true_root_cause_system is not null

)

-- a clean dataset has no order that went wrong: root cause then has nothing to grade
select * from scores
where (agreement is null and measure <> 'root_cause_system') or agreement < required
