-- One row per OMS status change.
with

source as (

    select * from {{ source('oms', 'order_status_history') }}

),

renamed as (

    select
        cast(status_event_id as varchar) as status_event_id,
        upper(trim(cast(oms_order_id as varchar))) as oms_order_id,
        lower(trim(cast(status as varchar))) as oms_status,
        nullif(lower(trim(cast(reason as varchar))), '') as status_reason,
        cast(status_at as timestamp) as status_at,
        cast(_loaded_at as timestamp) as loaded_at,
        row_number()
            over (partition by status_event_id order by _loaded_at)
            as arrival_rank
    from source

),

final as (

    select
        status_event_id,
        oms_order_id,
        oms_status,
        status_reason,
        status_at,
        loaded_at
    from renamed
    where arrival_rank = 1
        and oms_order_id is not null
        and status_at is not null

)

select * from final
