{{ config(materialized='view') }}

-- One row per raw WMS row that could not be used, with the reason.
with

shipments as (

    select
        'shipments' as source_table,
        coalesce(cast(shipment_id as varchar), '(no id)') as record_key,
        {{ quarantine_reason([
            ('missing_shipment_id', 'shipment_id is null'),
            ('missing_tracking_number', 'tracking_number is null'),
        ]) }} as quarantine_reason,
        cast(_loaded_at as timestamp) as loaded_at
    from {{ source('wms', 'shipments') }}

),

lines as (

    select
        'shipment_lines' as source_table,
        coalesce(cast(shipment_id as varchar), '(no id)') || '/'
        || coalesce(cast(line_number as varchar), '?') as record_key,
        {{ quarantine_reason([
            ('missing_shipment_id', 'shipment_id is null'),
            ('non_positive_quantity', 'coalesce(quantity, 0) <= 0'),
        ]) }} as quarantine_reason,
        cast(_loaded_at as timestamp) as loaded_at
    from {{ source('wms', 'shipment_lines') }}

),

final as (

    select * from shipments
    where quarantine_reason is not null
    union all
    select * from lines
    where quarantine_reason is not null

)

select * from final
