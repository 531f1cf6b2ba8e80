-- One row per OMS order and applied storefront version: what the OMS acted on.
with

source as (

    select * from {{ source('oms', 'orders') }}

),

renamed as (

    select
        -- ids
        upper(trim(cast(oms_order_id as varchar))) as oms_order_id,
        upper(trim(cast(storefront_order_id as varchar))) as order_id,
        cast(applied_order_version as integer) as applied_order_version,
        upper(trim(cast(fc_id as varchar))) as fc_id,

        -- text
        trim(cast(ship_address_line1 as varchar)) as ship_address_line1,
        trim(cast(ship_city as varchar)) as ship_city,
        upper(trim(cast(ship_postal_code as varchar))) as ship_postal_code,
        upper(trim(cast(ship_country as varchar))) as ship_country,
        lower(trim(cast(carrier as varchar))) as carrier,
        lower(trim(cast(service_level as varchar))) as service_level,

        -- timestamps
        cast(created_at as timestamp) as created_at,
        cast(_loaded_at as timestamp) as loaded_at,
        row_number() over (
            partition by oms_order_id, applied_order_version order by _loaded_at
        ) as arrival_rank
    from source

),

final as (

    select
        oms_order_id,
        order_id,
        applied_order_version,
        fc_id,
        ship_address_line1,
        ship_city,
        ship_postal_code,
        ship_country,
        carrier,
        service_level,
        created_at,
        loaded_at as applied_at
    from renamed
    where arrival_rank = 1
        and oms_order_id is not null
        and order_id is not null
        and applied_order_version is not null

)

select * from final
