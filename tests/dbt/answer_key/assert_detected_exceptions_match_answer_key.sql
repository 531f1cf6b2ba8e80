{{ config(enabled=answer_key_enabled()) }}

-- For every exception class detected outside the carrier feed, the number opened and
-- the number resolved by the cut-off equal the answer key's. Returns the classes that
-- disagree.
with

measured as (

    select
        exception_class,
        count(*) as opened,
        count(resolved_at) as resolved
    from {{ ref('int_order_exceptions_detected') }}
    where exception_class <> 'wrong_address_version'
    group by exception_class

),

truth as (

    select
        exception_class,
        count(*) as opened,
        count(resolved_at) as resolved
    from {{ answer_key('exceptions') }}
    where exception_class in (select exception_class from measured)
        or exception_class in (
            'backorder', 'never_reached_oms', 'payment_hold', 'promo_claim_infeasible',
            'sync_dead_letter'
        )
    group by exception_class

)

select
    coalesce(measured.exception_class, truth.exception_class) as exception_class,
    measured.opened as mart_opened,
    truth.opened as true_opened,
    measured.resolved as mart_resolved,
    truth.resolved as true_resolved
from measured
full outer join truth
    on measured.exception_class = truth.exception_class
where coalesce(measured.opened, -1) <> coalesce(truth.opened, -1)
    or coalesce(measured.resolved, -1) <> coalesce(truth.resolved, -1)
