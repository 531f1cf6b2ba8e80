-- One row per cross-system change (change_id): when it happened at the source, when it
-- first arrived, how many attempts that took, and whether it ended in the dead-letter
-- queue. Replays reuse the change's idempotency key, so a replay of a change that had
-- already arrived changes nothing here: the first success wins.
--
-- Incremental: a run rebuilds every change with an attempt that arrived in the lookback
-- window, from all of that change's attempts (delete+insert on change_id).
{{ config(
    materialized=incremental_materialization(),
    unique_key='change_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail'
) }}

with

all_attempts as (

    select * from {{ ref('stg_integration__sync_attempts') }}

),

{% if is_incremental() -%}
changed as (

    select distinct change_id
    from all_attempts
    where loaded_at >= {{ incremental_cutoff('last_loaded_at') }}

),

attempts as (

    select all_attempts.*
    from all_attempts
    inner join changed
        on all_attempts.change_id = changed.change_id

),
{%- else -%}
attempts as (

    select * from all_attempts

),
{%- endif %}

firsts as (

    select
        change_id,
        min(case when is_success then attempted_at end) as first_success_at,
        min(case when outcome = 'dead_letter' then attempted_at end)
            as dead_lettered_at
    from attempts
    group by change_id

),

ordered as (

    select
        attempts.*,
        firsts.first_success_at,
        firsts.dead_lettered_at,
        row_number() over (
            partition by attempts.change_id
            order by attempts.attempted_at desc, attempts.attempt_number desc
        ) as recency_rank
    from attempts
    inner join firsts
        on attempts.change_id = firsts.change_id

),

rolled as (

    select
        change_id,
        max(entity) as entity,
        max(entity_id) as entity_id,
        max(source_system) as source_system,
        max(target_system) as target_system,
        max(idempotency_key) as idempotency_key,
        min(source_changed_at) as source_changed_at,
        min(attempted_at) as first_attempted_at,
        max(loaded_at) as last_loaded_at,
        max(first_success_at) as first_success_at,
        max(dead_lettered_at) as dead_lettered_at,
        count(*) as total_attempts,
        sum(
            case when first_success_at is null
                    or attempted_at <= first_success_at
                    then 1
                else 0
            end
        ) as attempts_to_deliver,
        sum(case when is_replay then 1 else 0 end) as replay_attempts,
        sum(
            case
                when is_replay and attempted_at > first_success_at then 1 else 0
            end
        )
            as duplicate_replays,
        sum(case when is_rate_limited then 1 else 0 end)
            as rate_limited_attempts,
        sum(case when http_status = 401 then 1 else 0 end)
            as unauthorized_attempts,
        sum(case when is_error then 1 else 0 end) as error_attempts,
        max(case when recency_rank = 1 then http_status end)
            as last_http_status,
        max(case when recency_rank = 1 then outcome end) as last_outcome
    from ordered
    group by change_id

),

final as (

    select
        -- ids
        change_id,
        entity,
        entity_id,
        source_system,
        target_system,
        idempotency_key,

        -- outcome
        case
            when first_success_at is not null then 'delivered'
            when dead_lettered_at is not null then 'dead_letter'
            else 'pending'
        end as final_outcome,
        last_outcome,
        last_http_status,

        -- numbers
        cast(total_attempts as bigint) as total_attempts,
        cast(attempts_to_deliver as bigint) as attempts_to_deliver,
        cast(replay_attempts as bigint) as replay_attempts,
        cast(duplicate_replays as bigint) as duplicate_replays,
        cast(rate_limited_attempts as bigint) as rate_limited_attempts,
        cast(unauthorized_attempts as bigint) as unauthorized_attempts,
        cast(error_attempts as bigint) as error_attempts,
        {{ seconds_between('source_changed_at', 'first_success_at') }}
            as sync_lag_seconds,

        -- booleans
        first_success_at is not null as is_delivered,
        dead_lettered_at is not null as is_dead_lettered,
        dead_lettered_at is not null and first_success_at is null as is_in_dlq,

        -- timestamps
        source_changed_at,
        first_attempted_at,
        first_success_at,
        dead_lettered_at,
        last_loaded_at
    from rolled

)

select * from final
