-- One row per person-bearing source record: storefront accounts, guest orders, CRM
-- contacts and support requesters, in one shape. `resolve-identities` points this model
-- at a file instead (var identity_input) so the CLI runs the very same identity models.
{%- set input_file = var('identity_input', none) %}
with

{% if input_file %}

file_records as (

    select * from {{ identity_input_relation(input_file) }}

),

final as (

    select
        coalesce(cast(source_system as varchar), 'input')
        || ':' || cast(record_id as varchar) as record_key,
        coalesce(cast(source_system as varchar), 'input') as source_system,
        cast(record_id as varchar) as source_record_id,
        cast(email as varchar) as email_raw,
        {{ normalize_phone_e164('phone', 'country') }} as phone_e164,
        coalesce(
            cast(first_name as varchar),
            {{ full_name_part('full_name', 'first') }}
        ) as first_name,
        coalesce(
            cast(last_name as varchar),
            {{ full_name_part('full_name', 'last') }}
        ) as last_name,
        cast(date_of_birth as varchar) as date_of_birth_raw,
        coalesce(
            cast(address_line1 as varchar),
            nullif(trim(
                coalesce(cast(house_number as varchar), '') || ' '
                || coalesce(cast(street as varchar), '')
            ), '')
        ) as address_line1,
        cast(house_number as varchar) as house_number,
        cast(street as varchar) as street_name,
        cast(postal_code as varchar) as postal_code,
        cast(city as varchar) as city,
        cast(country as varchar) as country,
        cast(updated_at as timestamp) as record_seen_at
    from file_records

)

{% else %}

customers as (

    select * from {{ ref('stg_storefront__customers') }}

),

guest_orders as (

    -- each guest order at its latest version, the row int_orders_versioned keeps; read
    -- from staging so that identity resolution, the longest path of the build, starts
    -- as soon as staging is done instead of after the order models
    select *
    from (
        select
            *,
            {{ newest_version_rank() }} as newest_rank
        from {{ ref('stg_storefront__orders') }}
    ) as versions
    where newest_rank = 1 and is_guest

),

contacts as (

    select * from {{ ref('stg_crm__contacts') }}

),

tickets as (

    select * from {{ ref('stg_support__tickets') }}

),

final as (

    select
        'storefront:' || customer_id as record_key,
        'storefront' as source_system,
        customer_id as source_record_id,
        email_raw,
        phone_e164,
        first_name,
        last_name,
        date_of_birth_raw,
        address_line1,
        cast(null as varchar) as house_number,
        cast(null as varchar) as street_name,
        postal_code,
        city,
        country,
        created_at as record_seen_at
    from customers
    union all
    select
        'storefront_guest:' || order_id,
        'storefront_guest',
        order_id,
        email,
        phone_e164,
        first_name,
        last_name,
        cast(null as varchar),
        ship_address_line1,
        cast(null as varchar),
        cast(null as varchar),
        ship_postal_code,
        ship_city,
        ship_country,
        placed_at
    from guest_orders
    union all
    select
        'crm:' || contact_id,
        'crm',
        contact_id,
        email_raw,
        phone_e164,
        first_name,
        last_name,
        date_of_birth_raw,
        address_line1,
        cast(null as varchar),
        cast(null as varchar),
        postal_code,
        city,
        country,
        created_at
    from contacts
    union all
    select
        'support:' || ticket_id,
        'support',
        ticket_id,
        requester_email_raw,
        cast(null as varchar),
        {{ full_name_part('requester_name', 'first') }},
        {{ full_name_part('requester_name', 'last') }},
        cast(null as varchar),
        cast(null as varchar),
        cast(null as varchar),
        cast(null as varchar),
        cast(null as varchar),
        cast(null as varchar),
        cast(null as varchar),
        created_at
    from tickets

)

{% endif %}

select * from final
