-- One row per source record (record_key) with every field normalised for matching and
-- the raw values kept beside them. Placeholders (test@..., 000...) become NULL here.
with

unioned as (

    select * from {{ ref('int_person_records_unioned') }}

),

records as (

    -- the street as folded text first: keeps each expression shallow
    select
        *,
        {{ fold_accents(
            "lower(trim(cast(coalesce(street_name, address_line1) as varchar)))"
        ) }} as street_folded
    from unioned

),

normalized as (

    select
        records.*,
        {{ normalize_email('email_raw') }} as email_norm,
        case
            when {{ regex_matches(
                "coalesce(phone_e164, '')", '^[+][0-9]{8,15}$'
            ) }}
                then phone_e164
        end as phone_norm,
        {{ normalize_name('first_name') }} as first_norm,
        {{ normalize_name('last_name') }} as last_norm,
        {{ parse_date_of_birth('date_of_birth_raw') }} as date_of_birth,
        upper({{ regex_replace_all('postal_code', '[^0-9A-Za-z]', '') }})
            as postal_norm,
        coalesce(
            {{ regex_extract('house_number', '[0-9]+') }},
            {{ house_number('address_line1') }}
        ) as house_no,
        {{ street_key('street_folded') }} as street_key,
        {{ normalize_name('city') }} as city_norm,
        {{ canonical_street('address_line1') }} as street_norm
    from records

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
