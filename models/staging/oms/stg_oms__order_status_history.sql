-- One row per OMS status change.
--
-- Incremental (first arrival wins, like stg_carrier__tracking_events): a run parses only
-- the raw rows of the lookback window and ranks them per status_event_id, leaving out ids
-- whose stored row stays (see has_stored_first_arrival). delete+insert on the id.
{{ config(
    materialized=incremental_materialization(),
    unique_key='status_event_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail'
) }}

with

source as (

    select * from {{ source('oms', 'order_status_history') }}
    {% if is_incremental() -%}
    where _loaded_at >= {{ incremental_cutoff() }}
    {%- endif %}

),

renamed as (

    select
        cast(status_event_id as varchar) as status_event_id,
        upper(trim(cast(oms_order_id as varchar))) as oms_order_id,
        lower(trim(cast(status as varchar))) as oms_status,
        nullif(lower(trim(cast(reason as varchar))), '') as status_reason,
        cast(status_at as timestamp) as status_at,
        cast(_loaded_at as timestamp) as loaded_at
    from source

),

-- unusable rows (in stg_oms__quarantine) take no part in the ranking
usable as (

    select * from renamed
    where oms_order_id is not null
        and status_at is not null
    {% if is_incremental() -%}
        and not {{ has_stored_first_arrival(['status_event_id'], 'renamed') }}
    {%- endif %}

),

-- the first arrival of an id wins; the extra keys make ties deterministic
ranked as (

    select
        *,
        row_number() over (
            partition by status_event_id
            order by
                loaded_at, status_at, oms_order_id, oms_status, status_reason
        ) as arrival_rank
    from usable

),

final as (

    select
        status_event_id,
        oms_order_id,
        oms_status,
        status_reason,
        status_at,
        loaded_at
    from ranked
    where arrival_rank = 1

)

select * from final
