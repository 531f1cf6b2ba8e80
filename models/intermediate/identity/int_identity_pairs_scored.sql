-- One row per candidate pair of source records (record_key_a < record_key_b) that
-- share a blocking key: every comparison level, the Fellegi-Sunter match weight (the
-- sum of log2(m/u) per level, seeds/identity_fs_weights.csv), the threshold in force,
-- the rule that explains the link, any veto, and whether it was accepted.
--
-- Order of evidence: an identifier (email, then phone) with the first name links on
-- its own; name + date of birth and name + address name the link but need the weight
-- to reach the threshold, var('identity_fs_threshold') plus the Fellegi-Sunter prior:
-- one bit per doubling of the records past var('identity_fs_reference_records').
-- Precision comes first: vetoes reject a pair whatever its weight when the dates of
-- birth conflict, or when the first names differ without a matching date of birth (a
-- family shares an email, an address and a surname, not a first name and a birthday).
{#- Blocking keys: (type, value, the columns it needs, the largest block it may form,
    counted in distinct profiles). A name token pairs with the date of birth or postal
    code in either position, so swapped first and last names still meet. Keys built
    from quasi-identifiers alone (address, name + place) form smaller blocks: in a
    large population a shared name and town is a coincidence, not a lead. -#}
{{ config(pre_hook=["{{ disable_jit() }}", "{{ prefer_hash_joins() }}"]) }}
{%- set max_block = var('identity_max_block_size') %}
{%- set weak_block = var('identity_max_weak_block_size', 20) %}
{%- set keys = [
    ('email', 'email_norm', ['email_norm'], max_block),
    ('phone', 'phone_norm', ['phone_norm'], max_block),
    ('name_dob', "first_norm || '|' || dob_text", ['first_norm', 'dob_text'],
        max_block),
    ('name_dob', "last_norm || '|' || dob_text", ['last_norm', 'dob_text'],
        max_block),
    ('initials_dob',
        "least(first_initial, last_initial) || greatest(first_initial, last_initial)"
        ~ " || '|' || dob_text",
        ['first_initial', 'last_initial', 'dob_text'], max_block),
    ('dob_postal', "dob_text || '|' || postal_norm", ['dob_text', 'postal_norm'],
        max_block),
    ('address', "postal_norm || '|' || house_no", ['postal_norm', 'house_no'],
        weak_block),
    ('street', "replace(street_key, ' ', '') || '|' || house_no",
        ['street_key', 'house_no'], weak_block),
    ('name_postal', "first_norm || '|' || postal_norm",
        ['first_norm', 'postal_norm'], weak_block),
    ('name_postal', "last_norm || '|' || postal_norm",
        ['last_norm', 'postal_norm'], weak_block),
    ('name_city',
        "least(first_norm, last_norm) || '|' || greatest(first_norm, last_norm)"
        ~ " || '|' || city_norm",
        ['first_norm', 'last_norm', 'city_norm'], weak_block),
    ('full_name',
        "least(first_norm, last_norm) || '|' || greatest(first_norm, last_norm)",
        ['first_norm', 'last_norm'], weak_block),
] %}
{%- set comparisons = [
    ('email', 'email_level'), ('phone', 'phone_level'),
    ('date_of_birth', 'dob_level'), ('first_name', 'first_level'),
    ('last_name', 'last_level'), ('street', 'street_level'),
    ('locality', 'locality_level')] %}
{%- set levels = {
    'email': ['agree', 'disagree', 'missing'],
    'phone': ['agree', 'disagree', 'missing'],
    'date_of_birth': ['agree', 'close', 'near', 'disagree', 'missing'],
    'first_name': ['exact', 'close', 'weak', 'disagree', 'missing'],
    'last_name': ['exact', 'close', 'weak', 'disagree', 'missing'],
    'street': ['exact', 'partial', 'disagree', 'missing'],
    'locality': ['postal', 'city', 'disagree', 'missing'],
} %}
{%- set weight_columns = [] %}
{%- for comparison, names in levels.items() %}
{%- for level in names %}
{%- do weight_columns.append((comparison, level)) %}
{%- endfor %}
{%- endfor %}
{%- set profile_fields = ['email_norm', 'phone_norm', 'first_norm', 'last_norm',
    'dob_text', 'house_no', 'street_key', 'postal_norm', 'city_norm'] %}
with

records as (

    -- record_id numbers the records in record_key order, so the blocking joins and
    -- the pair set work on integers; record_id_a < record_id_b is record_key_a <
    -- record_key_b. Only the fields compared are kept: this is read six times
    select
        row_number() over (order by record_key) as record_id,
        record_key,
        {%- for field in profile_fields %}
        {{ field }},
        {%- endfor %}
        first_initial,
        last_initial
    from {{ ref('int_person_records_normalized') }}

),

weights as (

    select * from {{ ref('identity_fs_weights') }}

),

fs as (

    -- the seed as one row, one column per comparison level (email__agree, ...)
    select
    {% for comparison, level in weight_columns -%}
        max(case
            when comparison = '{{ comparison }}' and level = '{{ level }}'
                then weight
        end) as {{ comparison }}__{{ level }}{% if not loop.last %},{% endif %}
    {% endfor -%}
    from weights

),

population as (

    -- the Fellegi-Sunter prior: the more records, the more chance agreements a true
    -- link must beat, so the threshold rises by one bit each time the population
    -- doubles past the reference size (whole bits, so a day of new records does not
    -- move it and unlink existing customers)
    select
        {{ var('identity_fs_threshold', 15) }}
        + greatest(
            0,
            floor(ln(
                count(*) / {{ var('identity_fs_reference_records', 10000) }}.0
            ) / ln(2.0))
        ) as match_threshold
    from records

),

profiled as (

    -- records whose comparable fields are all equal form one profile; a profile
    -- that would link to itself (email or phone with a first name, or enough weight)
    -- is blocked once, through its first record, and its other records pair with it
    select
        records.record_id,
        {% for field in profile_fields -%}
        coalesce(records.{{ field }}, '')
        {%- if not loop.last %} || '|' || {% endif %}
        {% endfor -%} as profile_key,
        case when records.email_norm is null then 0 else fs.email__agree end
        + case when records.phone_norm is null then 0 else fs.phone__agree end
        + case
            when records.dob_text is null then 0 else fs.date_of_birth__agree
        end
        + case
            when records.first_norm is null then 0 else fs.first_name__exact
        end
        + case
            when records.last_norm is null then 0 else fs.last_name__exact
        end
        + case
            when records.house_no is not null and records.street_key is not null
                then fs.street__exact
            when records.house_no is not null or records.street_key is not null
                then fs.street__partial
            else 0
        end
        + case
            when records.postal_norm is not null then fs.locality__postal
            when records.city_norm is not null then fs.locality__city
            else 0
        end as self_weight,
        records.first_norm is not null
        and (
            records.email_norm is not null or records.phone_norm is not null
        ) as has_identifier
    from records
    cross join fs

),

units as (

    select
        profiled.record_id,
        case
            when
                profiled.has_identifier
                or profiled.self_weight >= population.match_threshold
                then 'profile:' || profiled.profile_key
            else 'record:' || cast(profiled.record_id as varchar)
        end as unit_key
    from profiled
    cross join population

),

representatives as (

    select
        record_id,
        min(record_id) over (partition by unit_key) as representative_id
    from units

),

blocked_records as (

    -- only a unit's representative is blocked (its other records pair with it)
    select records.*
    from records
    inner join representatives
        on
            records.record_id = representatives.record_id
            and records.record_id = representatives.representative_id

),

keys as (

    {%- for key_type, expr, required, block_limit in keys %}
    select
        record_id,
        '{{ key_type }}' as key_type,
        {{ expr }} as key_value,
        {{ block_limit }} as block_limit,
        coalesce(first_norm, '') || '|' || coalesce(last_norm, '')
            as name_signature
    from blocked_records
    where {{ required | join(' is not null and ') }} is not null
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

usable_keys as (

    -- a key shared by many *different people* (a shop's phone, a shared inbox) is not
    -- evidence of identity and would chain strangers together; one person's many
    -- guest orders are one profile here and do not count against the cap
    select
        key_type,
        key_value,
        -- a number per block, so the pairing self-join is on one integer
        row_number() over (order by key_type, key_value) as block_id
    from keys
    group by key_type, key_value
    having
        count(*) >= 2
        and count(distinct name_signature)
        <= {{ var('identity_max_key_frequency') }}
        and count(*) <= max(block_limit)

),

blocked as (

    select
        keys.record_id,
        usable_keys.block_id
    from keys
    inner join usable_keys
        on
            keys.key_type = usable_keys.key_type
            and keys.key_value = usable_keys.key_value

),

candidates as (

    select distinct
        block_a.record_id as record_id_a,
        block_b.record_id as record_id_b
    from blocked as block_a
    inner join blocked as block_b
        on
            block_a.block_id = block_b.block_id
            and block_a.record_id < block_b.record_id
    union all
    select
        representative_id as record_id_a,
        record_id as record_id_b
    from representatives
    where record_id <> representative_id

),

coded as (

    -- the compared fields as equality codes (macros/identity/compare.sql)
    select
        record_id,
        {%- for field in profile_fields %}
        {{ equality_code(field) }} as {{ field }}{% if not loop.last %},
        {% endif %}
        {%- endfor %}
    from records

),

screened as (

    -- a pair found only through a weak key (a shared surname and postcode, a full
    -- name in the same city) is usually two strangers. Before the fuzzy comparisons
    -- run, each pair gets the most its weight could be: the levels an equality or a
    -- missing value leaves possible, at their best weight. A pair that shares no
    -- identifier and cannot reach the threshold even then can never be accepted, so
    -- it is not compared and not kept: the accepted pairs, and so the clusters, are
    -- exactly those of comparing every candidate. Codes that are equal count as
    -- "maybe equal", which only ever keeps more pairs. (Each list in `levels` starts
    -- with the level an equality decides and ends with missing; the slices below
    -- leave out the levels a case rules out.)
    select
        candidates.record_id_a,
        candidates.record_id_b
    from candidates
    inner join coded as ra
        on candidates.record_id_a = ra.record_id
    inner join coded as rb
        on candidates.record_id_b = rb.record_id
    cross join fs
    cross join population
    where
        ra.email_norm = rb.email_norm
        or ra.phone_norm = rb.phone_norm
        or case
            when ra.email_norm is null or rb.email_norm is null
                then fs.email__missing
            else fs.email__disagree
        end
        + case
            when ra.phone_norm is null or rb.phone_norm is null
                then fs.phone__missing
            else fs.phone__disagree
        end
        + case
            when ra.dob_text is null or rb.dob_text is null
                then fs.date_of_birth__missing
            {%- set dob_levels = levels['date_of_birth'] %}
            when ra.dob_text = rb.dob_text
                then {{ best_weight('date_of_birth', dob_levels[:-1]) }}
            else {{ best_weight('date_of_birth', dob_levels[1:-1]) }}
        end
        {%- for part, other in [('first', 'last'), ('last', 'first')] %}
        + case
            -- exact needs the same name, straight or swapped
            when
                ra.{{ part }}_norm = rb.{{ part }}_norm
                or ra.{{ part }}_norm = rb.{{ other }}_norm
                then {{ best_weight(part ~ '_name', levels[part ~ '_name']) }}
            else {{ best_weight(part ~ '_name', levels[part ~ '_name'][1:]) }}
        end
        {%- endfor %}
        + case
            when
                (ra.house_no is null and ra.street_key is null)
                or (rb.house_no is null and rb.street_key is null)
                then fs.street__missing
            -- exact needs the same house number
            when ra.house_no = rb.house_no
                then {{ best_weight('street', levels['street']) }}
            else {{ best_weight('street', levels['street'][1:]) }}
        end
        + case
            when ra.postal_norm = rb.postal_norm
                then {{ best_weight('locality', levels['locality']) }}
            -- city needs both cities
            when ra.city_norm is null or rb.city_norm is null
                then {{ best_weight('locality', levels['locality'][2:]) }}
            else {{ best_weight('locality', levels['locality'][1:]) }}
        end
        >= population.match_threshold

),

measured as (

    select
        ra.record_key as record_key_a,
        rb.record_key as record_key_b,
        ra.email_norm as email_a,
        rb.email_norm as email_b,
        ra.phone_norm as phone_a,
        rb.phone_norm as phone_b,
        ra.dob_text as dob_a,
        rb.dob_text as dob_b,
        ra.house_no as house_a,
        rb.house_no as house_b,
        ra.street_key as street_a,
        rb.street_key as street_b,
        ra.postal_norm as postal_a,
        rb.postal_norm as postal_b,
        ra.city_norm as city_a,
        rb.city_norm as city_b,
        ra.first_norm as first_a,
        rb.first_norm as first_b,
        ra.last_norm as last_a,
        rb.last_norm as last_b,
        {{ name_level('ra.first_norm', 'rb.first_norm') }} as first_straight,
        {{ name_level('ra.last_norm', 'rb.last_norm') }} as last_straight,
        {{ name_level('ra.street_key', 'rb.street_key') }} as street_match,
        {{ name_similarity('ra.city_norm', 'rb.city_norm') }} as city_similarity
    from screened
    inner join records as ra
        on screened.record_id_a = ra.record_id
    inner join records as rb
        on screened.record_id_b = rb.record_id

),

compared as (

    select
        record_key_a,
        record_key_b,
        first_straight,
        last_straight,
        -- crosswise only when neither name already agrees (it cannot be a swap)
        case
            when
                first_straight in ('exact', 'close')
                or last_straight in ('exact', 'close')
                then 'not_compared'
            else {{ name_level('first_a', 'last_b') }}
        end as first_crossed,
        case
            when
                first_straight in ('exact', 'close')
                or last_straight in ('exact', 'close')
                then 'not_compared'
            else {{ name_level('last_a', 'first_b') }}
        end as last_crossed,
        case
            when email_a is null or email_b is null then 'missing'
            when email_a = email_b then 'agree'
            else 'disagree'
        end as email_level,
        case
            when phone_a is null or phone_b is null then 'missing'
            when phone_a = phone_b then 'agree'
            else 'disagree'
        end as phone_level,
        {{ dob_level('dob_a', 'dob_b') }} as dob_level,
        case
            when
                (house_a is null and street_a is null)
                or (house_b is null and street_b is null)
                then 'missing'
            when
                house_a = house_b and street_match in ('exact', 'close')
                then 'exact'
            when
                house_a = house_b and street_match in ('missing', 'weak')
                then 'partial'
            when
                street_match in ('exact', 'close')
                and (
                    house_a is null or house_b is null
                    or {{ edit_distance('house_a', 'house_b') }} <= 1
                )
                then 'partial'
            else 'disagree'
        end as street_level,
        case
            when postal_a = postal_b then 'postal'
            when city_similarity >= 0.92 then 'city'
            when
                (postal_a is null or postal_b is null)
                and (city_a is null or city_b is null)
                then 'missing'
            else 'disagree'
        end as locality_level
    from measured

),

levelled as (

    -- first and last name typed the other way round compare crosswise: both crossed
    -- names resemble each other (one of them closely) while the straight ones do not
    select
        *,
        first_crossed in ('exact', 'close', 'weak')
        and last_crossed in ('exact', 'close', 'weak')
        and (
            first_crossed in ('exact', 'close')
            or last_crossed in ('exact', 'close')
        )
        and first_straight not in ('exact', 'close')
        and last_straight not in ('exact', 'close') as is_name_swapped
    from compared

),

named as (

    select
        record_key_a,
        record_key_b,
        email_level,
        phone_level,
        dob_level,
        case
            when is_name_swapped then first_crossed else first_straight
        end as first_level,
        case
            when is_name_swapped then last_crossed else last_straight
        end as last_level,
        street_level,
        locality_level,
        is_name_swapped
    from levelled

),

scored as (

    select
        named.*,
        {%- for comparison, level in comparisons %}
        case named.{{ level }}
            {%- for name in levels[comparison] %}
            when '{{ name }}' then fs.{{ comparison }}__{{ name }}
            {%- endfor %}
        end{% if not loop.last %} +{% endif %}
        {%- endfor %} as match_weight
    from named
    cross join fs

),

ruled as (

    select
        *,
        -- the deterministic rule that explains the link, in cascade order
        case
            when
                email_level = 'agree'
                and first_level in ('exact', 'close')
                then 'email'
            when
                phone_level = 'agree'
                and first_level in ('exact', 'close')
                and last_level <> 'disagree'
                then 'phone'
            when
                dob_level = 'agree'
                and first_level in ('exact', 'close')
                and last_level in ('exact', 'close')
                then 'name_dob'
            when
                street_level = 'exact'
                and locality_level in ('postal', 'city')
                and first_level in ('exact', 'close')
                and last_level in ('exact', 'close')
                then 'name_address'
            else 'fellegi_sunter'
        end as link_rule,
        case
            when dob_level = 'disagree' then 'date_of_birth_conflict'
            when first_level = 'disagree' and dob_level <> 'agree'
                then 'first_name_conflict'
            when
                first_level in ('weak', 'close')
                and dob_level <> 'agree'
                and phone_level = 'disagree'
                then 'first_name_unproven'
        end as veto_reason
    from scored

),

final as (

    select
        ruled.record_key_a,
        ruled.record_key_b,
        ruled.email_level,
        ruled.phone_level,
        ruled.dob_level,
        ruled.first_level,
        ruled.last_level,
        ruled.street_level,
        ruled.locality_level,
        ruled.is_name_swapped,
        ruled.match_weight,
        population.match_threshold,
        ruled.link_rule,
        ruled.veto_reason,
        -- an identifier (email, phone) with the first name links on its own; name
        -- with date of birth or address only explains a link the weight accepts,
        -- since two people can share a name and a birthday in a large population
        ruled.veto_reason is null
        and (
            ruled.link_rule in ('email', 'phone')
            or ruled.match_weight >= population.match_threshold
        ) as is_accepted
    from ruled
    cross join population

)

select * from final
