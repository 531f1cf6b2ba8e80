{#-
    Which system broke the order when several left evidence: the earliest in the order's
    life wins (marketing's promise, then the CRM, the integration layer, the OMS, the WMS,
    and last the carrier), because an upstream fault makes everything downstream late.
-#}
{% macro root_cause_precedence(system) -%}
    case {{ system }}
        when 'marketing' then 1
        when 'crm' then 2
        when 'integration' then 3
        when 'oms' then 4
        when 'wms' then 5
        when 'carrier' then 6
    end
{%- endmacro %}

{% macro root_cause_from_precedence(rank) -%}
    case {{ rank }}
        when 1 then 'marketing'
        when 2 then 'crm'
        when 3 then 'integration'
        when 4 then 'oms'
        when 5 then 'wms'
        when 6 then 'carrier'
    end
{%- endmacro %}
