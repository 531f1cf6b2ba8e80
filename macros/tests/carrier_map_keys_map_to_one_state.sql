{#- Fails with every normalised code key that maps to more than one canonical state. -#}
{% test carrier_map_keys_map_to_one_state(model) %}

select
    carrier,
    code_field,
    {{ normalize_carrier_code('raw_code') }} as code_key,
    {{ normalize_carrier_code('raw_qualifier') }} as qualifier_key,
    count(distinct canonical_status) as states
from {{ model }}
group by 1, 2, 3, 4
having count(distinct canonical_status) > 1

{% endtest %}
