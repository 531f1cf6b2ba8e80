-- One row per registered storefront account.
--
-- Incremental (latest wins): a run parses only the raw rows of the lookback window. An
-- account's latest row is the latest of its stored row and those rows, so only accounts
-- with a row in the window are rebuilt (delete+insert on customer_id). The order covers
-- every column, so ties resolve the same way in a full refresh and in a run.
{{ config(
    materialized=incremental_materialization(),
    unique_key='customer_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail'
) }}

with

source as (

    select * from {{ source('storefront', 'customers') }}
    where customer_id is not null
    {% if is_incremental() -%}
        and _loaded_at >= {{ incremental_cutoff() }}
    {%- endif %}

),

renamed as (

    select
        -- ids
        trim(cast(customer_id as varchar)) as customer_id,

        -- contact and address
        {{ person_columns() }}

        -- timestamps
        cast(created_at as timestamp) as created_at,
        cast(_loaded_at as timestamp) as loaded_at
    from source

),

{% if is_incremental() -%}
-- the stored row of every account with a row in the window competes with those rows
{%- set columns = [
    'customer_id', 'email', 'email_raw', 'phone_raw', 'phone_e164',
    'first_name', 'last_name', 'date_of_birth_raw', 'address_line1',
    'address_line2', 'city', 'postal_code', 'region', 'country',
    'created_at', 'loaded_at'
] %}
candidates as (

    select {{ columns | join(', ') }} from renamed
    union all
    select {{ columns | join(', ') }}
    from {{ this }} as stored
    where stored.customer_id in (select renamed.customer_id from renamed)

),
{%- else -%}
candidates as (

    select * from renamed

),
{%- endif %}

ranked as (

    select
        *,
        row_number() over (
            partition by customer_id
            order by
                loaded_at desc, created_at desc, email asc, email_raw asc,
                phone_raw asc, phone_e164 asc, first_name asc, last_name asc,
                date_of_birth_raw asc, address_line1 asc, address_line2 asc,
                city asc, postal_code asc, region asc, country asc
        ) as recency_rank
    from candidates

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
    from ranked
    where recency_rank = 1

)

select * from final
