-- One row per source record (source_system, source_record_id) with the customer it
-- resolved to and the rule that placed it there (its strongest accepted link).
with

records as (

    select * from {{ ref('int_person_records_normalized') }}

),

clusters as (

    select * from {{ ref('int_identity_clusters_resolved') }}

),

pairs as (

    select * from {{ ref('int_identity_pairs_scored') }}
    where is_accepted

),

links as (

    select
        record_key_a as record_key,
        link_rule,
        match_weight
    from pairs
    union all
    select
        record_key_b as record_key,
        link_rule,
        match_weight
    from pairs

),

strongest as (

    select
        record_key,
        link_rule,
        match_weight,
        row_number() over (
            partition by record_key order by match_weight desc, link_rule asc
        ) as strength_rank
    from links

),

final as (

    select
        records.source_system,
        records.source_record_id,
        records.record_key,
        clusters.customer_id,
        clusters.anchor_record_key,
        coalesce(strongest.link_rule, 'singleton') as link_rule,
        strongest.match_weight,
        records.record_seen_at
    from records
    inner join clusters
        on records.record_key = clusters.record_key
    left join strongest
        on records.record_key = strongest.record_key
            and strongest.strength_rank = 1

)

select * from final
