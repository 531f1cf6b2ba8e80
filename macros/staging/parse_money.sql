{#-
    parse_money(expr): a price typed by a storefront ("$1,234.50", "CA$20.00", "12,50 €",
    "£9.99") as decimal(18, 2), or NULL when the text is not a price ("N/A", "$12.3.4").
    A comma followed by one or two final digits is a decimal comma; otherwise commas group
    thousands.
-#}
{% macro parse_money(expr) -%}
    {%- set digits = order_truth.regex_replace_all(expr, '[^0-9,.-]', '') -%}
    {{ order_truth.safe_cast(
        "case when " ~ order_truth.regex_matches(digits, '^-?[0-9.]*,[0-9]{1,2}$')
        ~ " then replace(replace(" ~ digits ~ ", '.', ''), ',', '.')"
        ~ " else replace(" ~ digits ~ ", ',', '') end",
        order_truth.type_money()) }}
{%- endmacro %}

{#- The currency a price string names by its symbol, when it names one. -#}
{% macro money_currency(expr) -%}
    case
        when {{ expr }} like 'CA$%' then 'CAD'
        when {{ expr }} like '$%' then 'USD'
        when {{ expr }} like '%€%' then 'EUR'
        when {{ expr }} like '£%' then 'GBP'
    end
{%- endmacro %}
