{{ config(materialized='view') }}

-- One row per raw marketing row that could not be used, with the reason.
with

promotions as (

    select
        'promotions' as source_table,
        coalesce(cast(promo_code as varchar), '(no code)') as record_key,
        {{ quarantine_reason([
            ('missing_promo_code', 'promo_code is null'),
            ('missing_start', 'starts_at is null'),
            ('window_ends_before_start', 'not (ends_at > starts_at)'),
        ]) }} as quarantine_reason,
        cast(_loaded_at as timestamp) as loaded_at
    from {{ source('marketing', 'promotions') }}

),

flags as (

    select
        'feature_flags' as source_table,
        coalesce(cast(flag_event_id as varchar), '(no id)') as record_key,
        {{ quarantine_reason([
            ('missing_changed_at', 'changed_at is null'),
            ('missing_is_enabled', 'is_enabled is null'),
        ]) }} as quarantine_reason,
        cast(_loaded_at as timestamp) as loaded_at
    from {{ source('marketing', 'feature_flags') }}

),

final as (

    select * from promotions
    where quarantine_reason is not null
    union all
    select * from flags
    where quarantine_reason is not null

)

select * from final
