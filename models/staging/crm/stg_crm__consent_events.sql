-- One row per consent grant or withdrawal.
with

source as (

    select * from {{ source('crm', 'consent_events') }}

),

renamed as (

    select
        cast(consent_event_id as varchar) as consent_event_id,
        trim(cast(contact_id as varchar)) as contact_id,
        lower(trim(cast(channel as varchar))) as consent_channel,
        cast(is_granted as boolean) as is_granted,
        cast(occurred_at as timestamp) as occurred_at,
        cast(_loaded_at as timestamp) as loaded_at,
        row_number()
            over (partition by consent_event_id order by _loaded_at)
            as arrival_rank
    from source

),

final as (

    select
        consent_event_id,
        contact_id,
        consent_channel,
        is_granted,
        occurred_at,
        loaded_at
    from renamed
    where arrival_rank = 1
        and is_granted is not null

)

select * from final
