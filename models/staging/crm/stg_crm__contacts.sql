-- One row per CRM contact (contact_id), contact fields kept raw beside their cleaned form.
with

source as (

    select * from {{ source('crm', 'contacts') }}

),

renamed as (

    select
        -- ids
        trim(cast(contact_id as varchar)) as contact_id,

        -- contact and address
        {{ person_columns() }}

        -- attributes
        lower(trim(cast(vip_tier as varchar))) as vip_tier,

        -- timestamps
        cast(created_at as timestamp) as created_at,
        cast(updated_at as timestamp) as updated_at,
        cast(_loaded_at as timestamp) as loaded_at,
        row_number()
            over (partition by contact_id order by _loaded_at desc)
            as recency_rank
    from source
    where contact_id is not null

),

final as (

    select
        contact_id,
        email,
        email_raw,
        phone_raw,
        phone_e164,
        first_name,
        last_name,
        date_of_birth_raw,
        address_line1,
        address_line2,
        city,
        postal_code,
        region,
        country,
        vip_tier,
        created_at,
        updated_at,
        loaded_at
    from renamed
    where recency_rank = 1

)

select * from final
