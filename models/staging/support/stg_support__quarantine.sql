{{ config(materialized='view') }}

-- One row per raw ticket row that could not be used, with the reason.
with

tickets as (

    select
        'tickets' as source_table,
        coalesce(cast(ticket_id as varchar), '(no id)') || '/'
        || coalesce(cast(_loaded_at as varchar), '?') as record_key,
        {{ quarantine_reason([
            ('missing_ticket_id', 'ticket_id is null'),
            ('missing_created_at', 'created_at is null'),
            ('csat_out_of_range', 'csat is not null and (csat < 1 or csat > 5)'),
        ]) }} as quarantine_reason,
        cast(_loaded_at as timestamp) as loaded_at
    from {{ source('support', 'tickets') }}

),

final as (

    select * from tickets
    where quarantine_reason is not null

)

select * from final
