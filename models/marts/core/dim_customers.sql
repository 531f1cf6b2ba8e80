-- One row per resolved person (customer_id): the golden record. Each field takes the
-- value of the highest-priority source that has one (CRM, then storefront account, then
-- guest checkout, then support), the most recent record breaking ties; the CRM decides
-- VIP tier, payment hold and consent. An erased customer keeps only non-personal fields.
with

sources as (

    select * from {{ ref('int_customer_source_ids') }}

),

records as (

    select * from {{ ref('int_person_records_normalized') }}

),

erased as (

    select * from {{ ref('int_customers_erased') }}

),

contacts as (

    select * from {{ ref('stg_crm__contacts') }}

),

changes as (

    select * from {{ ref('stg_crm__contact_changes') }}

),

consent as (

    select * from {{ ref('stg_crm__consent_events') }}

),

ranked_records as (

    -- preference: one number for the survivorship order over all records (source
    -- priority, then the most recent, then record_key), so each golden field is the
    -- customer's smallest preference among the records that have it
    select
        *,
        row_number() over (
            order by source_priority asc, record_seen_at desc, record_key asc
        ) as preference
    from (
        select
            sources.customer_id,
            records.*,
            case records.source_system
                when 'crm' then 1
                when 'storefront' then 2
                when 'storefront_guest' then 3
                else 4
            end as source_priority
        from sources
        inner join records
            on sources.record_key = records.record_key
    ) as sourced

),

{#- (golden field, its value, when a record has one), over ranked_records -#}
{% set golden_fields = [
    ('email', 'lower(trim(ranked_records.email_raw))',
        'ranked_records.email_norm is not null'),
    ('phone_e164', 'ranked_records.phone_norm',
        'ranked_records.phone_norm is not null'),
    ('first_name', 'ranked_records.first_name',
        'ranked_records.first_norm is not null'),
    ('last_name', 'ranked_records.last_name',
        'ranked_records.last_norm is not null'),
    ('date_of_birth', 'ranked_records.date_of_birth',
        'ranked_records.date_of_birth is not null'),
    ('address_line1', 'ranked_records.address_line1',
        'ranked_records.address_line1 is not null'),
    ('postal_code', 'ranked_records.postal_code',
        'ranked_records.postal_code is not null'),
    ('city', 'ranked_records.city', 'ranked_records.city is not null'),
    ('country', 'ranked_records.country', 'ranked_records.country is not null'),
] %}

rolled as (

    select
        customer_id,
        -- per golden field, the preference of the record that supplies it
        {%- for name, expr, present in golden_fields %}
        min(case when {{ present }} then preference end)
            as {{ name }}_preference,
        {%- endfor %}
        min(record_seen_at) as first_seen_at,
        max(record_seen_at) as last_seen_at,
        count(*) as source_record_count,
        sum(case when source_system = 'crm' then 1 else 0 end)
            as crm_contact_count,
        sum(case when source_system = 'storefront' then 1 else 0 end)
            as storefront_account_count
    from ranked_records
    group by customer_id

),

record_lists as (

    -- the ordered list in an aggregate of its own: beside the others, DuckDB kept and
    -- sorted every argument of every aggregate per customer (6 s instead of 2 at 1M)
    select
        customer_id,
        {{ string_agg_ordered('record_key', ',', 'record_key') }}
            as source_record_keys
    from sources
    group by customer_id

),

golden as (

    select
        {%- for name, expr, present in golden_fields %}
        max(
            case
                when ranked_records.preference = rolled.{{ name }}_preference
                    then {{ expr }}
            end
        ) as {{ name }},
        {%- endfor %}
        ranked_records.customer_id
    from ranked_records
    inner join rolled
        on ranked_records.customer_id = rolled.customer_id
    group by ranked_records.customer_id

),

crm_contacts as (

    select
        sources.customer_id,
        contacts.contact_id,
        contacts.vip_tier,
        contacts.postal_code,
        contacts.updated_at
    from sources
    inner join contacts
        on sources.source_system = 'crm'
            and sources.source_record_id = contacts.contact_id

),

latest_change as (

    select
        crm_contacts.customer_id,
        changes.field_name,
        changes.new_value,
        changes.changed_at,
        row_number() over (
            partition by crm_contacts.customer_id, changes.field_name
            order by changes.changed_at desc, changes.change_id desc
        ) as recency_rank
    from changes
    inner join crm_contacts
        on changes.contact_id = crm_contacts.contact_id
    where changes.changed_at <= {{ data_as_of() }}

),

latest_consent as (

    select
        crm_contacts.customer_id,
        consent.consent_channel,
        consent.is_granted,
        consent.occurred_at,
        row_number() over (
            partition by crm_contacts.customer_id, consent.consent_channel
            order by consent.occurred_at desc, consent.consent_event_id desc
        ) as recency_rank
    from consent
    inner join crm_contacts
        on consent.contact_id = crm_contacts.contact_id

),

vip_from_contacts as (

    select
        customer_id,
        vip_tier,
        row_number()
            over (
                partition by customer_id
                order by updated_at desc, contact_id asc
            )
            as recency_rank
    from crm_contacts

),

latest_order_postal as (

    select
        customer_id,
        postal_code
    from (
        select
            ranked_records.customer_id,
            ranked_records.postal_code,
            row_number() over (
                partition by ranked_records.customer_id
                order by ranked_records.record_seen_at desc
            ) as recency_rank
        from ranked_records
        where source_system in ('storefront_guest', 'storefront')
            and postal_code is not null
    ) as latest
    where recency_rank = 1

),

crm_postal as (

    -- the CRM's current postal code for the customer: its latest contact, with the
    -- latest address change applied
    select
        customer_id,
        postal_code
    from (
        select
            crm_contacts.customer_id,
            coalesce(
                postal_change.new_value, crm_contacts.postal_code
            ) as postal_code,
            row_number() over (
                partition by crm_contacts.customer_id
                order by crm_contacts.updated_at desc
            ) as recency_rank
        from crm_contacts
        left join latest_change as postal_change
            on crm_contacts.customer_id = postal_change.customer_id
                and postal_change.field_name = 'postal_code'
                and postal_change.recency_rank = 1
    ) as crm_latest
    where recency_rank = 1

),

final as (

    select
        -- ids
        rolled.customer_id,
        record_lists.source_record_keys,

        -- golden record (removed for erased customers)
        case when erased.customer_id is null then golden.email end
            as email,
        case
            when erased.customer_id is null then golden.phone_e164
        end
            as phone_e164,
        case
            when erased.customer_id is null then golden.first_name
        end
            as first_name,
        case when erased.customer_id is null then golden.last_name end
            as last_name,
        case
            when
                erased.customer_id is null
                then golden.date_of_birth
        end
            as date_of_birth,
        case
            when erased.customer_id is null
                then {{ canonical_address_line(
                    'golden.address_line1', 'golden.postal_code',
                    'golden.city', 'golden.country') }}
        end as canonical_address,
        golden.country,

        -- CRM-owned attributes
        coalesce(vip_change.new_value, vip_from_contacts.vip_tier, 'none')
            as vip_tier,
        vip_change.changed_at as vip_tier_changed_at,
        coalesce(hold_change.new_value = 'true', false) as has_payment_hold,
        hold_change.changed_at as payment_hold_changed_at,
        coalesce(email_consent.is_granted, false) as has_email_consent,
        email_consent.occurred_at as email_consent_changed_at,
        coalesce(sms_consent.is_granted, false) as has_sms_consent,
        sms_consent.occurred_at as sms_consent_changed_at,

        -- quality flags
        coalesce(
            crm_postal.postal_code <> latest_order_postal.postal_code, false
        ) as has_address_conflict,
        erased.customer_id is not null as is_erased,
        erased.erasure_requested_at,

        -- numbers
        cast(rolled.source_record_count as bigint) as source_record_count,
        cast(rolled.crm_contact_count as bigint) as crm_contact_count,
        cast(rolled.storefront_account_count as bigint)
            as storefront_account_count,

        -- timestamps
        rolled.first_seen_at,
        rolled.last_seen_at
    from rolled
    inner join record_lists on rolled.customer_id = record_lists.customer_id
    left join erased on rolled.customer_id = erased.customer_id
    left join golden on rolled.customer_id = golden.customer_id
    left join latest_change as vip_change
        on rolled.customer_id = vip_change.customer_id
            and vip_change.field_name = 'vip_tier'
            and vip_change.recency_rank = 1
    left join latest_change as hold_change
        on rolled.customer_id = hold_change.customer_id
            and hold_change.field_name = 'payment_hold'
            and hold_change.recency_rank = 1
    left join latest_consent as email_consent
        on rolled.customer_id = email_consent.customer_id
            and email_consent.consent_channel = 'email'
            and email_consent.recency_rank = 1
    left join latest_consent as sms_consent
        on rolled.customer_id = sms_consent.customer_id
            and sms_consent.consent_channel = 'sms'
            and sms_consent.recency_rank = 1
    left join vip_from_contacts
        on rolled.customer_id = vip_from_contacts.customer_id
            and vip_from_contacts.recency_rank = 1
    left join crm_postal
        on rolled.customer_id = crm_postal.customer_id
    left join latest_order_postal
        on rolled.customer_id = latest_order_postal.customer_id

)

select * from final
