-- One row per registered storefront account.
with

source as (

    select * from {{ source('storefront', 'customers') }}

),

renamed as (

    select
        -- ids
        trim(cast(customer_id as varchar)) as customer_id,

        -- contact and address
        {{ person_columns() }}

        -- timestamps
        cast(created_at as timestamp) as created_at,
        cast(_loaded_at as timestamp) as loaded_at,
        row_number()
            over (partition by customer_id order by _loaded_at desc)
            as recency_rank
    from source
    where customer_id is not null

),

final as (

    select
        customer_id,
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
        created_at,
        loaded_at
    from renamed
    where recency_rank = 1

)

select * from final
