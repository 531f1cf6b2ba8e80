-- One row per OMS order and applied storefront version: what the OMS acted on.
--
-- Incremental (first arrival wins, like stg_carrier__tracking_events): a run parses only
-- the raw rows of the lookback window and ranks them per order and version, leaving out
-- keys whose stored row stays (see has_stored_first_arrival). delete+insert on the key.
{{ config(
    materialized=incremental_materialization(),
    unique_key=['oms_order_id', 'applied_order_version'],
    incremental_strategy='delete+insert',
    on_schema_change='fail'
) }}

with

source as (

    select * from {{ source('oms', 'orders') }}
    {% if is_incremental() -%}
    where _loaded_at >= {{ incremental_cutoff('applied_at') }}
    {%- endif %}

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
        cast(_loaded_at as timestamp) as applied_at
    from source

),

-- unusable rows (in stg_oms__quarantine) take no part in the ranking
usable as (

    select * from renamed
    where oms_order_id is not null
        and order_id is not null
        and applied_order_version is not null
    {% if is_incremental() -%}
        and not {{ has_stored_first_arrival(
            ['oms_order_id', 'applied_order_version'], 'renamed', 'applied_at'
        ) }}
    {%- endif %}

),

-- the first arrival of a version wins; the extra keys make ties deterministic
ranked as (

    select
        *,
        row_number() over (
            partition by oms_order_id, applied_order_version
            order by
                applied_at, created_at, order_id, fc_id, carrier,
                service_level, ship_address_line1, ship_city,
                ship_postal_code, ship_country
        ) as arrival_rank
    from usable

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
        applied_at
    from ranked
    where arrival_rank = 1

)

select * from final
