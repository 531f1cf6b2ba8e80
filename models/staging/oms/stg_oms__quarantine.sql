{{ config(materialized='view') }}

-- One row per raw OMS row that could not be used, with the reason.
with

orders as (

    select
        'orders' as source_table,
        coalesce(cast(oms_order_id as varchar), '(no id)') || '/'
        || coalesce(cast(applied_order_version as varchar), '?') as record_key,
        {{ quarantine_reason([
            ('missing_oms_order_id', 'oms_order_id is null'),
            ('missing_storefront_order_id', 'storefront_order_id is null'),
            ('missing_applied_version', 'applied_order_version is null'),
        ]) }} as quarantine_reason,
        cast(_loaded_at as timestamp) as loaded_at
    from {{ source('oms', 'orders') }}

),

history as (

    select
        'order_status_history' as source_table,
        coalesce(cast(status_event_id as varchar), '(no id)') as record_key,
        {{ quarantine_reason([
            ('missing_oms_order_id', 'oms_order_id is null'),
            ('missing_status_at', 'status_at is null'),
        ]) }} as quarantine_reason,
        cast(_loaded_at as timestamp) as loaded_at
    from {{ source('oms', 'order_status_history') }}

),

final as (

    select * from orders
    where quarantine_reason is not null
    union all
    select * from history
    where quarantine_reason is not null

)

select * from final
