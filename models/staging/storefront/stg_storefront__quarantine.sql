{{ config(materialized='view') }}

-- One row per raw storefront row that could not be parsed, with the reason.
with

orders as (

    select
        'orders' as source_table,
        coalesce(webhook_id, '(no webhook id)') as record_key,
        quarantine_reason,
        order_total_raw as raw_value,
        loaded_at
    from {{ ref('base_storefront__orders') }}
    where quarantine_reason is not null

),

lines as (

    select
        'order_lines' as source_table,
        coalesce(cast(order_id as varchar), '(no order id)') || '/'
        || coalesce(cast(order_version as varchar), '?') || '/'
        || coalesce(cast(line_number as varchar), '?') as record_key,
        {{ quarantine_reason([
            ('missing_order_id', 'order_id is null'),
            ('non_positive_quantity', 'coalesce(quantity, 0) <= 0'),
            ('unparseable_unit_price',
             parse_money('cast(unit_price as varchar)') ~ ' is null'),
        ]) }} as quarantine_reason,
        cast(unit_price as varchar) as raw_value,
        cast(_loaded_at as timestamp) as loaded_at
    from {{ source('storefront', 'order_lines') }}

),

final as (

    select * from orders
    union all
    select * from lines
    where quarantine_reason is not null

)

select * from final
