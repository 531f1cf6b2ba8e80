{#-
    Fails with every carrier_event_map (or description pattern) row whose companion
    columns disagree with its state: exceptions need an exception_reason, failed
    attempts are consignee_unavailable, no other state carries a reason, and a delivery
    is always terminal.
-#}
{% test carrier_map_rows_consistent(model) %}

select *
from {{ model }}
where
    (canonical_status = 'exception' and coalesce(exception_reason, '') = '')
    or (
        canonical_status = 'attempted_delivery'
        and coalesce(exception_reason, '') <> 'consignee_unavailable'
    )
    or (
        canonical_status not in ('exception', 'attempted_delivery')
        and coalesce(exception_reason, '') <> ''
    )
    or (canonical_status = 'delivered' and not is_terminal)

{% endtest %}
