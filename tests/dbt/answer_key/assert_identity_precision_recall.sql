{{ config(enabled=answer_key_enabled()) }}

-- Pairwise precision (>= 0.99) and recall (>= 0.95) of the resolved customers against
-- the generator's true person per source record, counted from group sizes (n records
-- in a group make n * (n - 1) / 2 pairs). Every record of the key must be resolved.
with

truth as (

    select * from {{ answer_key('persons') }}

),

sources as (

    select * from {{ ref('int_customer_source_ids') }}

),

resolved as (

    select
        truth.true_person_id,
        sources.customer_id
    from truth
    left join sources
        on
            truth.source_system = sources.source_system
            and truth.source_record_id = sources.source_record_id

),

by_customer as (

    select count(*) as records
    from resolved
    group by customer_id

),

by_person as (

    select count(*) as records
    from resolved
    group by true_person_id

),

by_both as (

    select count(*) as records
    from resolved
    group by customer_id, true_person_id

),

unresolved as (

    select count(*) as records
    from resolved
    where customer_id is null

),

pair_counts as (

    select
        (select records from unresolved) as unresolved,
        (select sum(records * (records - 1) / 2) from by_customer) as predicted,
        (select sum(records * (records - 1) / 2) from by_person) as actual,
        (select sum(records * (records - 1) / 2) from by_both) as agreed

),

scores as (

    select
        unresolved,
        cast(agreed as double) / nullif(predicted, 0) as pair_precision,
        cast(agreed as double) / nullif(actual, 0) as pair_recall
    from pair_counts

)

select * from scores
where
    unresolved > 0
    or coalesce(pair_precision, 0) < 0.99
    or coalesce(pair_recall, 0) < 0.95
