-- One row per source record (record_key) with every field normalised for matching and
-- the raw values kept beside them. Placeholders (test@..., 000...) become NULL here.
--
-- Names, cities and addresses repeat across records (at a million orders: about 6,000
-- first names and 160,000 address lines for a million records), so their regex-heavy
-- normalisation runs once per distinct value and records look the result up.
with

unioned as (

    select * from {{ ref('int_person_records_unioned') }}

),

addresses as (

    select
        address_line1,
        house_number,
        street_name,
        street_folded,
        coalesce(
            {{ regex_extract('house_number', '[0-9]+') }},
            {{ house_number('address_line1') }}
        ) as house_no,
        {{ street_key('street_folded') }} as street_key,
        {{ canonical_street('address_line1') }} as street_norm
    from (
        -- the street as folded text first: keeps each expression shallow
        select
            *,
            {{ fold_accents(
                "lower(trim(cast(coalesce(street_name, address_line1) as varchar)))"
            ) }} as street_folded
        from (
            select distinct
                address_line1,
                house_number,
                street_name
            from unioned
        ) as distinct_addresses
    ) as folded

),

names as (

    select
        name_raw,
        {{ normalize_name('name_raw') }} as name_norm
    from (
        select first_name as name_raw from unioned
        union
        select last_name from unioned
        union
        select city from unioned
    ) as distinct_names
    where name_raw is not null

),

normalized as (

    select
        unioned.*,
        addresses.street_folded,
        {{ normalize_email('unioned.email_raw') }} as email_norm,
        case
            when {{ regex_matches(
                "coalesce(unioned.phone_e164, '')", '^[+][0-9]{8,15}$'
            ) }}
                then unioned.phone_e164
        end as phone_norm,
        first_names.name_norm as first_norm,
        last_names.name_norm as last_norm,
        {{ parse_date_of_birth('unioned.date_of_birth_raw') }} as date_of_birth,
        upper({{ regex_replace_all(
            'unioned.postal_code', '[^0-9A-Za-z]', ''
        ) }}) as postal_norm,
        addresses.house_no,
        addresses.street_key,
        cities.name_norm as city_norm,
        addresses.street_norm
    from unioned
    left join addresses
        on {{ null_safe_equals(
            'unioned.address_line1', 'addresses.address_line1'
        ) }}
            and {{ null_safe_equals(
                'unioned.house_number', 'addresses.house_number'
            ) }}
            and {{ null_safe_equals(
                'unioned.street_name', 'addresses.street_name'
            ) }}
    left join names as first_names
        on unioned.first_name = first_names.name_raw
    left join names as last_names
        on unioned.last_name = last_names.name_raw
    left join names as cities
        on unioned.city = cities.name_raw

),

final as (

    select
        *,
        {{ dob_digits('date_of_birth_raw', 'date_of_birth') }} as dob_text,
        substr(first_norm, 1, 1) as first_initial,
        substr(last_norm, 1, 1) as last_initial
    from normalized

)

select * from final
