-- One row per field-level change of a CRM contact.
with

source as (

    select * from {{ source('crm', 'contact_changes') }}

),

renamed as (

    select
        cast(change_id as varchar) as change_id,
        trim(cast(contact_id as varchar)) as contact_id,
        lower(trim(cast(field_name as varchar))) as field_name,
        cast(old_value as varchar) as old_value,
        cast(new_value as varchar) as new_value,
        cast(changed_at as timestamp) as changed_at,
        cast(_loaded_at as timestamp) as loaded_at,
        row_number()
            over (partition by change_id order by _loaded_at)
            as arrival_rank
    from source

),

final as (

    select
        change_id,
        contact_id,
        field_name,
        old_value,
        new_value,
        changed_at,
        loaded_at
    from renamed
    where arrival_rank = 1
        and contact_id is not null
        and changed_at is not null

)

select * from final
