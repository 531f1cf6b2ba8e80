{{ config(enabled=answer_key_enabled()) }}

-- Pairwise precision (>= 0.99) and recall (>= 0.95) of the resolved customers against the
-- generator's true person per source record.
with

resolved as (

    select
        sources.record_key,
        sources.customer_id,
        truth.true_person_id
    from {{ ref('int_customer_source_ids') }} as sources
    inner join {{ answer_key('persons') }} as truth
        on sources.source_system = truth.source_system
            and sources.source_record_id = truth.source_record_id

),

predicted as (

    select count(*) as pairs
    from resolved as a
    inner join resolved as b
        on a.customer_id = b.customer_id and a.record_key < b.record_key

),

actual as (

    select count(*) as pairs
    from resolved as a
    inner join resolved as b
        on a.true_person_id = b.true_person_id and a.record_key < b.record_key

),

both_agree as (

    select count(*) as pairs
    from resolved as a
    inner join resolved as b
        on a.customer_id = b.customer_id
            and a.true_person_id = b.true_person_id
            and a.record_key < b.record_key

),

scores as (

    select
        cast(both_agree.pairs as double) / nullif(predicted.pairs, 0) as pair_precision,
        cast(both_agree.pairs as double) / nullif(actual.pairs, 0) as pair_recall
    from both_agree
    cross join predicted
    cross join actual

)

select * from scores
where coalesce(pair_precision, 0) < 0.99 or coalesce(pair_recall, 0) < 0.95
