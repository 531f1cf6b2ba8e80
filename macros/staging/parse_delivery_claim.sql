{#-
    parse_delivery_claim(expr): the business days a marketing claim promises ("2-day
    delivery" -> 2, "next-day delivery" -> 1), NULL when the text makes no speed claim.
-#}
{% macro parse_delivery_claim(expr) -%}
    case
        when lower({{ expr }}) like 'next%day%' or lower({{ expr }}) like '%overnight%'
            then 1
        when lower({{ expr }}) like 'same%day%' then 0
        else {{ order_truth.safe_cast(
            order_truth.regex_extract('lower(' ~ expr ~ ')', '^[0-9]+'), 'integer') }}
    end
{%- endmacro %}
