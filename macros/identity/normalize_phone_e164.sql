{#-
    normalize_phone_e164(phone, country): a phone number as people type it, in E.164
    ("+14155550134"), or NULL when it cannot be one (empty, all zeros, too short or long).
    The record's country decides the calling code for national numbers; without one,
    var('default_phone_country') applies.
-#}
{% macro normalize_phone_e164(phone, country) -%}
    {%- set raw = "trim(cast(" ~ phone ~ " as varchar))" -%}
    {%- set digits = order_truth.regex_replace_all(raw, '[^0-9]', '') -%}
    {%- set ctry = "upper(coalesce(nullif(trim(cast(" ~ country ~ " as varchar)), ''), '"
        ~ var('default_phone_country') ~ "'))" -%}
    {%- set candidate -%}
        case
            when {{ raw }} like '+%' then '+' || {{ digits }}
            when {{ digits }} like '00%' then '+' || substr({{ digits }}, 3)
            when {{ ctry }} in ('US', 'CA') and length({{ digits }}) = 10
                then '+1' || {{ digits }}
            when {{ ctry }} in ('US', 'CA') and length({{ digits }}) = 11
                and {{ digits }} like '1%' then '+' || {{ digits }}
            when {{ ctry }} = 'DE' and {{ digits }} like '0%'
                then '+49' || substr({{ digits }}, 2)
            when {{ ctry }} = 'GB' and {{ digits }} like '0%'
                then '+44' || substr({{ digits }}, 2)
            when {{ ctry }} = 'DE' then '+49' || {{ digits }}
            when {{ ctry }} = 'GB' then '+44' || {{ digits }}
        end
    {%- endset -%}
    case
        when {{ digits }} is null or {{ digits }} = '' then null
        when {{ order_truth.regex_matches(digits, '^0+$') }} then null
        when length({{ candidate }}) between 9 and 16 then {{ candidate }}
    end
{%- endmacro %}
