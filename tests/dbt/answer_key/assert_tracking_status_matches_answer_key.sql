{{ config(enabled=answer_key_enabled()) }}

-- fct_tracking_events' canonical status must equal the generator's truth on at least
-- var('answer_key_min_agreement') of events (an unmapped event counts as a miss).
with

scored as (

    select
        count(*) as events,
        sum(case when events.canonical_status = truth.true_canonical_status
            then 1 else 0 end) as agreeing
    from {{ ref('fct_tracking_events') }} as events
    inner join {{ answer_key('tracking_events') }} as truth
        on events.event_id = truth.event_id

)

select
    events,
    agreeing,
    cast(agreeing as double) / nullif(events, 0) as agreement
from scored
where events = 0
    or cast(agreeing as double) / events < {{ var('answer_key_min_agreement') }}
