-- One row per candidate pair of source records (record_key_a < record_key_b) that share a
-- blocking key: every comparison level, the Fellegi-Sunter match weight (sum of log2 m/u
-- weights from seeds/identity_fs_weights.csv), the rule that linked it and whether it was
-- accepted. Precision comes first: a pair whose first names and dates of birth both
-- disagree is never linked (a family sharing an email or an address is not one person).
with

records as (

    select * from {{ ref('int_person_records_normalized') }}

),

weights as (

    select * from {{ ref('identity_fs_weights') }}

),

keys_raw as (

    select
        record_key,
        'email' as key_type,
        email_norm as key_value
    from records
    where email_norm is not null
    union all
    select
        record_key,
        'phone',
        phone_norm
    from records
    where phone_norm is not null
    union all
    select
        record_key,
        'last_dob',
        last_norm || '|' || cast(date_of_birth as varchar)
    from records
    where last_norm is not null and date_of_birth is not null
    union all
    select
        record_key,
        'first_dob',
        first_norm || '|' || cast(date_of_birth as varchar)
    from records
    where first_norm is not null and date_of_birth is not null
    union all
    select
        record_key,
        'address',
        postal_norm || '|' || house_no
    from records
    where postal_norm is not null and house_no is not null
    union all
    select
        record_key,
        'name_postal',
        last_norm || '|' || first_initial || '|' || postal_norm
    from records
    where last_norm is not null and postal_norm is not null
    union all
    select
        record_key,
        'name_pair',
        least(first_norm, last_norm) || '|' || greatest(first_norm, last_norm)
        || '|'
        || coalesce(cast(date_of_birth as varchar), postal_norm, email_norm, '')
    from records
    where first_norm is not null and last_norm is not null

),

keys as (

    select
        keys_raw.record_key,
        keys_raw.key_type,
        keys_raw.key_value,
        coalesce(records.first_norm, '')
        || '|'
        || coalesce(records.last_norm, '')
            as name_signature
    from keys_raw
    inner join records
        on keys_raw.record_key = records.record_key

),

usable_keys as (

    -- a key shared by many *different people* (a shop's phone, a shared inbox) is not
    -- evidence of identity and would chain strangers together; one person's many guest
    -- orders share their email and stay usable
    select
        key_type,
        key_value
    from keys
    group by key_type, key_value
    having count(*) >= 2
        and count(distinct name_signature)
        <= {{ var('identity_max_key_frequency') }}
        and count(*) <= {{ var('identity_max_block_size') }}

),

candidates as (

    select distinct
        key_a.record_key as record_key_a,
        key_b.record_key as record_key_b
    from keys as key_a
    inner join usable_keys
        on key_a.key_type = usable_keys.key_type
            and key_a.key_value = usable_keys.key_value
    inner join keys as key_b
        on key_a.key_type = key_b.key_type
            and key_a.key_value = key_b.key_value
            and key_a.record_key < key_b.record_key

),

compared as (

    select
        candidates.record_key_a,
        candidates.record_key_b,
        case
            when ra.email_norm is null or rb.email_norm is null then 'missing'
            when ra.email_norm = rb.email_norm then 'agree'
            else 'disagree'
        end as email_level,
        case
            when ra.phone_norm is null or rb.phone_norm is null then 'missing'
            when ra.phone_norm = rb.phone_norm then 'agree'
            else 'disagree'
        end as phone_level,
        case
            when
                ra.date_of_birth is null or rb.date_of_birth is null
                then 'missing'
            when ra.date_of_birth = rb.date_of_birth then 'agree'
            else 'disagree'
        end as dob_level,
        {{ name_similarity('ra.first_norm', 'rb.first_norm') }}
            as first_similarity,
        {{ name_similarity('ra.last_norm', 'rb.last_norm') }}
            as last_similarity,
        {{ name_similarity('ra.first_norm', 'rb.last_norm') }}
            as cross_similarity_1,
        {{ name_similarity('ra.last_norm', 'rb.first_norm') }}
            as cross_similarity_2,
        ra.first_norm is null or rb.first_norm is null as first_missing,
        ra.last_norm is null or rb.last_norm is null as last_missing,
        case
            when ra.postal_norm is null or rb.postal_norm is null then 'missing'
            when ra.postal_norm = rb.postal_norm
                and coalesce(ra.house_no = rb.house_no, false) then 'agree'
            when ra.postal_norm = rb.postal_norm then 'postal_only'
            else 'disagree'
        end as address_level
    from candidates
    inner join records as ra
        on candidates.record_key_a = ra.record_key
    inner join records as rb
        on candidates.record_key_b = rb.record_key

),

levelled as (

    select
        compared.*,
        coalesce(
            cross_similarity_1 >= 0.92 and cross_similarity_2 >= 0.92
            and not (first_similarity >= 0.92 and last_similarity >= 0.92),
            false
        )
            as is_name_swapped,
        {{ similarity_level('first_similarity', 'first_missing') }}
            as first_level,
        {{ similarity_level('last_similarity', 'last_missing') }} as last_level
    from compared

),

swapped_fixed as (

    select
        record_key_a,
        record_key_b,
        email_level,
        phone_level,
        dob_level,
        address_level,
        is_name_swapped,
        case when is_name_swapped then 'exact' else first_level end
            as first_level,
        case when is_name_swapped then 'exact' else last_level end as last_level
    from levelled

),

{%- set comparisons = [
    ('email', 'email', 'email_level'),
    ('phone', 'phone', 'phone_level'),
    ('dob', 'date_of_birth', 'dob_level'),
    ('first', 'first_name', 'first_level'),
    ('last', 'last_name', 'last_level'),
    ('address', 'address', 'address_level'),
] %}

scored as (

    -- the match weight: one weight per comparison, looked up by the pair's level
    select
        swapped_fixed.*,
        {% for alias, _, _ in comparisons -%}
        w_{{ alias }}.weight{{ ' +' if not loop.last }}
        {% endfor -%}
            as match_weight
    from swapped_fixed
    {% for alias, comparison, level in comparisons -%}
    inner join weights as w_{{ alias }}
        on w_{{ alias }}.comparison = '{{ comparison }}'
            and swapped_fixed.{{ level }} = w_{{ alias }}.level
    {% endfor %}

),

final as (

    select
        record_key_a,
        record_key_b,
        email_level,
        phone_level,
        dob_level,
        first_level,
        last_level,
        address_level,
        is_name_swapped,
        match_weight,
        -- the deterministic rule that explains the link, in cascade order
        case
            when
                email_level = 'agree' and first_level <> 'disagree'
                then 'email'
            when phone_level = 'agree' and last_level <> 'disagree' then 'phone'
            when dob_level = 'agree' and first_level in ('exact', 'close')
                and last_level in ('exact', 'close') then 'name_dob'
            when address_level = 'agree' and first_level in ('exact', 'close')
                and last_level in ('exact', 'close') then 'name_address'
            else 'fellegi_sunter'
        end as link_rule,
        match_weight >= {{ var('identity_match_threshold') }}
        and not (first_level = 'disagree' and dob_level <> 'agree')
        and not (last_level = 'disagree' and dob_level = 'disagree')
            as is_accepted
    from scored

)

select * from final
