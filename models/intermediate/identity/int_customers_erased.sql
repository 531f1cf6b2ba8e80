-- One row per customer who asked to be forgotten (customer_id): a GDPR erasure request on
-- any of their CRM contacts, or naming one of their emails, tombstones the whole person.
-- Marts hash or drop this customer's PII; their orders stay, anonymised, so KPIs keep
-- their counts. Records that arrive later resolve to the same customer and stay erased.
with

requests as (

    -- normalised once here, so the match below is a plain equi-join
    select
        *,
        {{ normalize_email('email') }} as email_norm
    from {{ ref('stg_crm__erasure_requests') }}

),

sources as (

    select * from {{ ref('int_customer_source_ids') }}

),

records as (

    select * from {{ ref('int_person_records_normalized') }}

),

by_contact as (

    select
        sources.customer_id,
        requests.requested_at
    from requests
    inner join sources
        on sources.source_system = 'crm'
            and requests.contact_id = sources.source_record_id

),

by_email as (

    select
        sources.customer_id,
        requests.requested_at
    from requests
    inner join records
        on requests.email_norm = records.email_norm
    inner join sources
        on records.record_key = sources.record_key

),

final as (

    select
        customer_id,
        min(requested_at) as erasure_requested_at
    from (
        select * from by_contact
        union all
        select * from by_email
    ) as matched
    group by customer_id

)

select * from final
