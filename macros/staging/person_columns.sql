{#-
    The contact and address columns every person-bearing source (storefront accounts, CRM
    contacts) carries, renamed and cleaned the same way: raw values kept beside cleaned
    ones, email lower-cased and trimmed, phone in E.164 for the record's country.
-#}
{% macro person_columns() -%}
        -- contact
        cast(email as varchar) as email_raw,
        lower(trim(cast(email as varchar))) as email,
        cast(phone as varchar) as phone_raw,
        {{ normalize_phone_e164('phone', 'country') }} as phone_e164,
        trim(cast(first_name as varchar)) as first_name,
        trim(cast(last_name as varchar)) as last_name,
        trim(cast(date_of_birth as varchar)) as date_of_birth_raw,

        -- address
        trim(cast(address_line1 as varchar)) as address_line1,
        trim(cast(address_line2 as varchar)) as address_line2,
        trim(cast(city as varchar)) as city,
        upper(trim(cast(postal_code as varchar))) as postal_code,
        upper(trim(cast(region as varchar))) as region,
        upper(trim(cast(country as varchar))) as country,
{%- endmacro %}
