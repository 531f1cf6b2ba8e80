{{ config(materialized='view') }}

-- One row per raw CRM row that could not be used, with the reason.
with

contacts as (

    select
        'contacts' as source_table,
        coalesce(cast(contact_id as varchar), '(no id)') as record_key,
        {{ quarantine_reason([('missing_contact_id', 'contact_id is null')]) }}
            as quarantine_reason,
        cast(_loaded_at as timestamp) as loaded_at
    from {{ source('crm', 'contacts') }}

),

changes as (

    select
        'contact_changes' as source_table,
        coalesce(cast(change_id as varchar), '(no id)') as record_key,
        {{ quarantine_reason([
            ('missing_contact_id', 'contact_id is null'),
            ('missing_changed_at', 'changed_at is null'),
        ]) }} as quarantine_reason,
        cast(_loaded_at as timestamp) as loaded_at
    from {{ source('crm', 'contact_changes') }}

),

consent as (

    select
        'consent_events' as source_table,
        coalesce(cast(consent_event_id as varchar), '(no id)') as record_key,
        {{ quarantine_reason([('missing_is_granted', 'is_granted is null')]) }}
            as quarantine_reason,
        cast(_loaded_at as timestamp) as loaded_at
    from {{ source('crm', 'consent_events') }}

),

final as (

    select * from contacts
    where quarantine_reason is not null
    union all
    select * from changes
    where quarantine_reason is not null
    union all
    select * from consent
    where quarantine_reason is not null

)

select * from final
