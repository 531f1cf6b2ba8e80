{{ config(materialized='view') }}

-- One row per raw sync-attempt row that could not be used, with the reason.
with

attempts as (

    select
        'sync_attempts' as source_table,
        coalesce(cast(attempt_id as varchar), '(no id)') as record_key,
        {{ quarantine_reason([
            ('missing_attempt_id', 'attempt_id is null'),
            ('missing_change_id', 'change_id is null'),
            ('missing_attempted_at', 'attempted_at is null'),
            ('unknown_outcome',
             "lower(outcome) not in ('success', 'retry', 'failed', 'dead_letter')"),
        ]) }} as quarantine_reason,
        cast(_loaded_at as timestamp) as loaded_at
    from {{ source('integration', 'sync_attempts') }}

),

final as (

    select * from attempts
    where quarantine_reason is not null

)

select * from final
