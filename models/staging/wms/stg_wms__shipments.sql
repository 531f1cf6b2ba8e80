-- One row per parcel the warehouse handed to a carrier.
--
-- Incremental (first arrival wins, like stg_carrier__tracking_events): a run parses only
-- the raw rows of the lookback window and ranks them per shipment_id, leaving out ids
-- whose stored row stays (see has_stored_first_arrival). delete+insert on shipment_id.
{{ config(
    materialized=incremental_materialization(),
    unique_key='shipment_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail'
) }}

with

source as (

    select * from {{ source('wms', 'shipments') }}
    {% if is_incremental() -%}
    where _loaded_at >= {{ incremental_cutoff() }}
    {%- endif %}

),

renamed as (

    select
        -- ids
        upper(trim(cast(shipment_id as varchar))) as shipment_id,
        upper(trim(cast(oms_order_id as varchar))) as oms_order_id,
        upper(trim(cast(fc_id as varchar))) as fc_id,
        lower(trim(cast(carrier as varchar))) as carrier,
        upper(trim(cast(tracking_number as varchar))) as tracking_number,

        -- text and numbers
        cast(package_seq as integer) as package_seq,
        lower(trim(cast(shipment_reason as varchar))) as shipment_reason,

        -- timestamps
        cast(shipped_at as timestamp) as shipped_at,
        cast(_loaded_at as timestamp) as loaded_at
    from source

),

-- unusable rows (in stg_wms__quarantine) take no part in the ranking
usable as (

    select * from renamed
    where shipment_id is not null
        and tracking_number is not null
    {% if is_incremental() -%}
        and not {{ has_stored_first_arrival(['shipment_id'], 'renamed') }}
    {%- endif %}

),

repeated_shipment_ids as (

    {{ repeated_keys('usable', 'shipment_id') }}

),

-- the first arrival of a shipment wins; the extra keys make ties deterministic
ranked as (

    {{ first_arrival_ranked('usable', 'shipment_id', [
        'loaded_at', 'shipped_at', 'tracking_number', 'oms_order_id', 'fc_id',
        'carrier', 'package_seq', 'shipment_reason'
    ], 'repeated_shipment_ids') }}

),

final as (

    select
        shipment_id,
        oms_order_id,
        fc_id,
        carrier,
        tracking_number,
        package_seq,
        shipment_reason,
        shipment_reason = 'backorder_release' as is_backorder_release,
        shipped_at,
        loaded_at
    from ranked
    where arrival_rank = 1

)

select * from final
