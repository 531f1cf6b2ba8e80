-- One row per GDPR erasure request.
with

source as (

    select * from {{ source('crm', 'erasure_requests') }}

),

renamed as (

    select
        cast(request_id as varchar) as request_id,
        trim(cast(contact_id as varchar)) as contact_id,
        lower(trim(cast(email as varchar))) as email,
        cast(requested_at as timestamp) as requested_at,
        cast(_loaded_at as timestamp) as loaded_at,
        row_number()
            over (partition by request_id order by _loaded_at)
            as arrival_rank
    from source

),

final as (

    select
        request_id,
        contact_id,
        email,
        requested_at,
        loaded_at
    from renamed
    where arrival_rank = 1

)

select * from final
