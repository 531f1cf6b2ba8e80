-- One row: the moment the data describes (data_as_of), the newest arrival in the busiest
-- feeds. Computed once here so the models that judge staleness read one value instead of
-- re-scanning the raw feeds each time (see macros/data_as_of.sql).
with

arrivals as (

    select max(loaded_at) as latest_at
    from {{ ref('stg_carrier__tracking_events') }}
    union all
    select max(attempted_at) as latest_at
    from {{ ref('stg_integration__sync_attempts') }}
    union all
    select max(loaded_at) as latest_at
    from {{ ref('stg_storefront__orders') }}

),

final as (

    select max(latest_at) as data_as_of
    from arrivals

)

select * from final
