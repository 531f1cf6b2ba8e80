-- One row per source record (record_key) with the cluster it belongs to: connected
-- components over the accepted pairs, found by label propagation with pointer jumping
-- in macros/identity/connected_components.sql, iterated until no label changes.
--
-- Seniority ranks records by when they were first seen (record_key breaks ties), so a
-- cluster's anchor is its earliest record and customer_id, a hash of the anchor's
-- record_key, does not change when unrelated records arrive or the rows come in
-- another order.
{{ config(post_hook="{{ connected_components_cleanup() }}") }}

{%- set nodes_sql %}
    select
        record_key as node_key,
        row_number() over (order by record_seen_at, record_key) as seniority
    from {{ ref('int_person_records_normalized') }}
{%- endset %}

{%- set edges_sql %}
    select
        record_key_a as node_key_a,
        record_key_b as node_key_b
    from {{ ref('int_identity_pairs_scored') }}
    where is_accepted
{%- endset %}

{%- set labels_relation = connected_components(nodes_sql, edges_sql) %}

with

records as (

    select
        record_key,
        row_number() over (order by record_seen_at, record_key) as seniority
    from {{ ref('int_person_records_normalized') }}

),

labels as (

    select * from {{ labels_relation }}

),

labelled as (

    select
        records.record_key,
        coalesce(labels.label, records.seniority) as label
    from records
    left join labels
        on records.record_key = labels.node_key

),

final as (

    select
        labelled.record_key,
        anchor.record_key as anchor_record_key,
        'cus_'
        || substr({{ dbt.hash('anchor.record_key') }}, 1, 16) as customer_id
    from labelled
    inner join records as anchor
        on labelled.label = anchor.seniority

)

select * from final
