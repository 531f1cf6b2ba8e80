{{ config(enabled=answer_key_enabled()) }}

-- The promise in force at placement must equal the generator's truth for at least
-- var('answer_key_min_agreement') of the orders that have one. Returns a row on failure.
with

promised as (

    select * from {{ ref('int_orders_promised') }}
    where promised_delivery_date is not null

),

truth as (

    select * from {{ answer_key('orders') }}

),

scored as (

    select
        count(*) as orders_compared,
        sum(case when promised.promised_delivery_date = truth.true_promised_delivery_date
            then 1 else 0 end) as orders_agreeing
    from promised
    inner join truth
        on promised.order_id = truth.order_id

)

select
    orders_compared,
    orders_agreeing,
    cast(orders_agreeing as double) / nullif(orders_compared, 0) as agreement
from scored
where orders_compared = 0
    or cast(orders_agreeing as double) / orders_compared
    < {{ var('answer_key_min_agreement') }}
