{#- Fails with every accepted pair whose two records ended in different clusters. -#}
{% test identity_clusters_converged(model) %}

select
    pairs.record_key_a,
    pairs.record_key_b,
    a.customer_id as customer_a,
    b.customer_id as customer_b
from {{ ref('int_identity_pairs_scored') }} as pairs
inner join {{ model }} as a
    on pairs.record_key_a = a.record_key
inner join {{ model }} as b
    on pairs.record_key_b = b.record_key
where pairs.is_accepted
    and a.customer_id <> b.customer_id

{% endtest %}
