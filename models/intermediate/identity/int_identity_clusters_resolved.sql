-- One row per source record (record_key) with the cluster it belongs to: connected
-- components over the accepted pairs, by label propagation with pointer jumping.
--
-- Each record starts labelled with its own seniority rank (earliest seen first); each
-- round takes the smallest label among its neighbours, then jumps to its label's own
-- label. Pointer jumping halves the remaining path every round, so chains of up to
-- 2^rounds records settle in var('identity_label_rounds') rounds; a dbt test fails if any
-- accepted pair still ends in two clusters.
{%- set rounds = var('identity_label_rounds') %}
with

records as (

    select
        record_key,
        row_number() over (order by record_seen_at, record_key) as seniority
    from {{ ref('int_person_records_normalized') }}

),

accepted as (

    select
        record_key_a,
        record_key_b
    from {{ ref('int_identity_pairs_scored') }}
    where is_accepted

),

edges as (

    select
        record_key_a as src,
        record_key_b as dst
    from accepted
    union all
    select
        record_key_b as src,
        record_key_a as dst
    from accepted

),

labels_0 as (

    select
        record_key,
        seniority as label
    from records

),
{% for i in range(1, rounds + 1) %}
neighbour_min_{{ i }} as (

    select
        edges.src as record_key,
        min(labels_{{ i - 1 }}.label) as label
    from edges
    inner join labels_{{ i - 1 }}
        on edges.dst = labels_{{ i - 1 }}.record_key
    group by edges.src

),

propagated_{{ i }} as (

    select
        labels_{{ i - 1 }}.record_key,
        least(labels_{{ i - 1 }}.label, coalesce(
            neighbour_min_{{ i }}.label,
            labels_{{ i - 1 }}.label
        )) as label
    from labels_{{ i - 1 }}
    left join neighbour_min_{{ i }}
        on labels_{{ i - 1 }}.record_key = neighbour_min_{{ i }}.record_key

),

labels_{{ i }} as (

    -- pointer jumping: adopt the label of the record my label points at
    select
        propagated_{{ i }}.record_key,
        least(
            propagated_{{ i }}.label,
            coalesce(pointed.label, propagated_{{ i }}.label)
        )
            as label
    from propagated_{{ i }}
    inner join records as own
        on propagated_{{ i }}.record_key = own.record_key
    left join records as target_record
        on propagated_{{ i }}.label = target_record.seniority
    left join propagated_{{ i }} as pointed
        on target_record.record_key = pointed.record_key

),
{% endfor %}
final as (

    select
        labels_{{ rounds }}.record_key,
        anchor.record_key as anchor_record_key,
        'cus_'
        || substr({{ dbt.hash('anchor.record_key') }}, 1, 16) as customer_id
    from labels_{{ rounds }}
    inner join records as anchor
        on labels_{{ rounds }}.label = anchor.seniority

)

select * from final
