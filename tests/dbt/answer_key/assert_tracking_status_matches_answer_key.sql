{{ config(enabled=answer_key_enabled()) }}

-- fct_tracking_events' canonical status must equal the generator's truth on at least
-- var('answer_key_min_agreement') of the answer key's events. An unmapped event, or an
-- event missing from the mart, counts as a miss. When it fails, it returns one row per
-- carrier with that carrier's agreement, so the failure says where to look.
with

truth as (

    select
        event_id,
        true_canonical_status
    from {{ answer_key('tracking_events') }}

),

events as (

    select
        event_id,
        carrier,
        canonical_status
    from {{ ref('fct_tracking_events') }}

),

scored as (

    select
        coalesce(events.carrier, '(missing from the mart)') as carrier,
        count(*) as events,
        sum(
            case
                when
                    events.canonical_status = truth.true_canonical_status
                    then 1
                else 0
            end
        ) as agreeing
    from truth
    left join events
        on truth.event_id = events.event_id
    group by coalesce(events.carrier, '(missing from the mart)')

),

overall as (

    select
        sum(events) as events,
        sum(agreeing) as agreeing
    from scored

),

final as (

    select
        scored.carrier,
        scored.events,
        scored.agreeing,
        cast(scored.agreeing as {{ type_double() }})
        / scored.events as agreement,
        cast(overall.agreeing as {{ type_double() }})
        / nullif(overall.events, 0) as overall_agreement
    from scored
    cross join overall
    where
        cast(overall.agreeing as {{ type_double() }}) / overall.events
        < {{ var('answer_key_min_agreement') }}

    union all

    -- an empty answer key proves nothing: fail
    select
        '(no events in the answer key)' as carrier,
        0 as events,
        0 as agreeing,
        null as agreement,
        null as overall_agreement
    where not exists (select 1 from truth)

)

select * from final
