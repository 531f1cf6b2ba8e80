{{ config(materialized='view') }}

-- One row per raw catalog row that could not be used, with the reason.
with

skus as (

    select
        'skus' as source_table,
        coalesce(cast(sku as varchar), '(no sku)') as record_key,
        {{ quarantine_reason([('missing_sku', 'sku is null')]) }}
            as quarantine_reason,
        cast(_loaded_at as timestamp) as loaded_at
    from {{ source('catalog', 'skus') }}

),

bundles as (

    select
        'bundle_components' as source_table,
        coalesce(cast(bundle_sku as varchar), '?') || '/'
        || coalesce(cast(component_sku as varchar), '?') as record_key,
        {{ quarantine_reason([
            ('non_positive_component_qty', 'coalesce(component_qty, 0) <= 0'),
        ]) }} as quarantine_reason,
        cast(_loaded_at as timestamp) as loaded_at
    from {{ source('catalog', 'bundle_components') }}

),

maps as (

    select
        'channel_sku_map' as source_table,
        coalesce(cast(channel as varchar), '?') || '/'
        || coalesce(cast(channel_sku as varchar), '?') as record_key,
        {{ quarantine_reason([('missing_internal_sku', 'sku is null')]) }}
            as quarantine_reason,
        cast(_loaded_at as timestamp) as loaded_at
    from {{ source('catalog', 'channel_sku_map') }}

),

final as (

    select * from skus
    where quarantine_reason is not null
    union all
    select * from bundles
    where quarantine_reason is not null
    union all
    select * from maps
    where quarantine_reason is not null

)

select * from final
