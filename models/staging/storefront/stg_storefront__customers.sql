-- One row per registered storefront account.
with

source as (

    select * from {{ source('storefront', 'customers') }}

),

renamed as (

    select
        -- ids
        trim(cast(customer_id as varchar)) as customer_id,

        -- contact as typed, and lightly cleaned
        cast(email as varchar) as email_raw,
        lower(trim(cast(email as varchar))) as email,
        cast(phone as varchar) as phone_raw,
        {{ normalize_phone_e164('phone', 'country') }} as phone_e164,
        trim(cast(first_name as varchar)) as first_name,
        trim(cast(last_name as varchar)) as last_name,
        trim(cast(date_of_birth as varchar)) as date_of_birth_raw,

        -- address
        trim(cast(address_line1 as varchar)) as address_line1,
        trim(cast(address_line2 as varchar)) as address_line2,
        trim(cast(city as varchar)) as city,
        upper(trim(cast(postal_code as varchar))) as postal_code,
        upper(trim(cast(region as varchar))) as region,
        upper(trim(cast(country as varchar))) as country,

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
