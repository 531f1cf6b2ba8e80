-- One row per support ticket (ticket_id) at its latest state, with the order it names.
with

source as (

    select * from {{ source('support', 'tickets') }}

),

renamed as (

    select
        -- ids
        cast(ticket_id as varchar) as ticket_id,
        -- customers write "#SO-0001234", "so-0001234", "Order SO-0001234" or
        -- "SO 0001234": the digits after SO, in the storefront's form SO-<digits>
        'SO-' || {{ regex_replace_all(
            regex_extract(
                'upper(cast(order_reference as varchar))', 'SO[ #-]*[0-9]+'
            ),
            '[^0-9]', ''
        ) }} as order_id,

        -- text
        lower(trim(cast(category as varchar))) as category,
        cast(order_reference as varchar) as order_reference_raw,
        cast(requester_email as varchar) as requester_email_raw,
        lower(trim(cast(requester_email as varchar))) as requester_email,
        trim(cast(requester_name as varchar)) as requester_name,

        -- numbers
        cast(csat as integer) as csat,

        -- timestamps
        cast(created_at as timestamp) as created_at,
        cast(resolved_at as timestamp) as resolved_at,
        cast(_loaded_at as timestamp) as loaded_at,
        row_number()
            over (partition by ticket_id order by _loaded_at desc)
            as recency_rank
    from source
    where ticket_id is not null

),

final as (

    select
        ticket_id,
        order_id,
        category,
        order_reference_raw,
        requester_email,
        requester_email_raw,
        requester_name,
        csat,
        category = 'wismo' as is_wismo,
        created_at,
        resolved_at,
        loaded_at
    from renamed
    where recency_rank = 1

)

select * from final
