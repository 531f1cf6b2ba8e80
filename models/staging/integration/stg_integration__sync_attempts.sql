-- One row per attempt to deliver a change from one system to another.
--
-- Incremental (first arrival wins, like stg_carrier__tracking_events): a run parses only
-- the raw rows of the lookback window and ranks them per attempt_id, leaving out ids
-- whose stored row stays (see has_stored_first_arrival). delete+insert on attempt_id.
{{ config(
    materialized=incremental_materialization(),
    unique_key='attempt_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail'
) }}

with

source as (

    select * from {{ source('integration', 'sync_attempts') }}
    {% if is_incremental() -%}
    where _loaded_at >= {{ incremental_cutoff() }}
    {%- endif %}

),

renamed as (

    select
        -- ids
        cast(attempt_id as varchar) as attempt_id,
        cast(change_id as varchar) as change_id,
        cast(idempotency_key as varchar) as idempotency_key,
        lower(trim(cast(entity as varchar))) as entity,
        cast(entity_id as varchar) as entity_id,
        lower(trim(cast(source_system as varchar))) as source_system,
        lower(trim(cast(target_system as varchar))) as target_system,

        -- numbers and text
        cast(attempt_number as integer) as attempt_number,
        cast(http_status as integer) as http_status,
        lower(trim(cast(outcome as varchar))) as outcome,

        -- booleans
        coalesce(cast(is_replay as boolean), false) as is_replay,

        -- timestamps
        cast(source_changed_at as timestamp) as source_changed_at,
        cast(attempted_at as timestamp) as attempted_at,
        cast(_loaded_at as timestamp) as loaded_at
    from source

),

-- unusable rows (in stg_integration__quarantine) take no part in the ranking
usable as (

    select * from renamed
    where attempt_id is not null
        and change_id is not null
        and attempted_at is not null
    {% if is_incremental() -%}
        and not {{ has_stored_first_arrival(['attempt_id'], 'renamed') }}
    {%- endif %}

),

repeated_attempt_ids as (

    {{ repeated_keys('usable', 'attempt_id') }}

),

-- the first arrival of an attempt wins; the extra keys make ties deterministic
ranked as (

    {{ first_arrival_ranked('usable', 'attempt_id', [
        'loaded_at', 'attempted_at', 'change_id', 'attempt_number',
        'http_status', 'outcome', 'is_replay', 'idempotency_key', 'entity',
        'entity_id', 'source_system', 'target_system', 'source_changed_at'
    ], 'repeated_attempt_ids') }}

),

final as (

    select
        attempt_id,
        change_id,
        idempotency_key,
        entity,
        entity_id,
        source_system,
        target_system,
        attempt_number,
        http_status,
        outcome,
        is_replay,
        outcome = 'success' as is_success,
        http_status is null or http_status >= 400 as is_error,
        http_status = 429 as is_rate_limited,
        source_changed_at,
        attempted_at,
        loaded_at
    from ranked
    where arrival_rank = 1

)

select * from final
