{#- The canonical state's rank (DESIGN §5): ties between events go to the higher rank. -#}
{% macro canonical_status_rank(expr) -%}
    case {{ expr }}
        when 'ordered' then 0
        when 'picked' then 1
        when 'shipped' then 2
        when 'in_transit' then 3
        when 'out_for_delivery' then 4
        when 'attempted_delivery' then 5
        when 'available_for_pickup' then 6
        when 'exception' then 7
        when 'delivered' then 8
        when 'returned_to_sender' then 9
    end
{%- endmacro %}

{#- The canonical state named by a rank (the inverse of canonical_status_rank). -#}
{% macro canonical_status_from_rank(expr) -%}
    case {{ expr }}
        when 0 then 'ordered'
        when 1 then 'picked'
        when 2 then 'shipped'
        when 3 then 'in_transit'
        when 4 then 'out_for_delivery'
        when 5 then 'attempted_delivery'
        when 6 then 'available_for_pickup'
        when 7 then 'exception'
        when 8 then 'delivered'
        when 9 then 'returned_to_sender'
    end
{%- endmacro %}
