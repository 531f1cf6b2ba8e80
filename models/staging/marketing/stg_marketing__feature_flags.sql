-- One row per feature-flag change. A claim applies only while its flag is on.
with

source as (

    select * from {{ source('marketing', 'feature_flags') }}

),

renamed as (

    select
        cast(flag_event_id as varchar) as flag_event_id,
        lower(trim(cast(flag_key as varchar))) as flag_key,
        upper(trim(cast(promo_code as varchar))) as promo_code,
        cast(is_enabled as boolean) as is_enabled,
        cast(changed_at as timestamp) as changed_at,
        cast(_loaded_at as timestamp) as loaded_at,
        row_number()
            over (partition by flag_event_id order by _loaded_at)
            as arrival_rank
    from source

),

final as (

    select
        flag_event_id,
        flag_key,
        promo_code,
        is_enabled,
        changed_at,
        loaded_at
    from renamed
    where arrival_rank = 1
        and changed_at is not null
        and is_enabled is not null

)

select * from final
