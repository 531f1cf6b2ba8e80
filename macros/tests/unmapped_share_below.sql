{#-
    Fails for each group (e.g. carrier) whose share of unmapped events (canonical_status
    NULL) is above var('unmapped_event_max_share'). Duplicates are counted once.
-#}
{% test unmapped_share_below(model, group_by, max_share=none) %}

{%- set limit = max_share if max_share is not none else var('unmapped_event_max_share') -%}

select
    {{ group_by }},
    count(*) as events,
    sum(case when canonical_status is null then 1 else 0 end) as unmapped_events,
    cast(sum(case when canonical_status is null then 1 else 0 end) as {{ type_double() }})
    / count(*) as unmapped_share
from {{ model }}
where not is_duplicate
group by {{ group_by }}
having cast(sum(case when canonical_status is null then 1 else 0 end) as {{ type_double() }})
    / count(*) > {{ limit }}

{% endtest %}
