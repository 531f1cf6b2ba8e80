-- One row per order version and line, in the channel's own SKU code.
--
-- Incremental (first arrival wins, like stg_carrier__tracking_events): a run parses only
-- the raw rows of the lookback window and ranks them per order, version and line, leaving
-- out keys whose stored row stays (see has_stored_first_arrival). delete+insert on the key.
{{ config(
    materialized=incremental_materialization(),
    unique_key=['order_id', 'order_version', 'line_number'],
    incremental_strategy='delete+insert',
    on_schema_change='fail'
) }}

with

source as (

    select * from {{ source('storefront', 'order_lines') }}
    {% if is_incremental() -%}
    where _loaded_at >= {{ incremental_cutoff() }}
    {%- endif %}

),

parsed as (

    select
        upper(trim(cast(order_id as varchar))) as order_id,
        cast(order_version as integer) as order_version,
        cast(line_number as integer) as line_number,
        trim(cast(channel_sku as varchar)) as channel_sku,
        cast(quantity as integer) as quantity,
        cast(unit_price as varchar) as unit_price_raw,
        {{ parse_money('cast(unit_price as varchar)') }} as unit_price_amount,
        {{ money_currency('cast(unit_price as varchar)') }} as currency,
        cast(_loaded_at as timestamp) as loaded_at
    from source

),

-- unusable rows (in stg_storefront__quarantine) take no part in the ranking
usable as (

    select * from parsed
    where order_id is not null
        and quantity > 0
        and unit_price_amount is not null
    {% if is_incremental() -%}
        and not {{ has_stored_first_arrival(
            ['order_id', 'order_version', 'line_number'], 'parsed'
        ) }}
    {%- endif %}

),

-- the first arrival of a line wins; the extra keys make ties deterministic
ranked as (

    select
        *,
        row_number() over (
            partition by order_id, order_version, line_number
            order by
                loaded_at, channel_sku, quantity, unit_price_amount, currency
        ) as arrival_rank
    from usable

),

final as (

    select
        order_id,
        order_version,
        line_number,
        channel_sku,
        currency,
        quantity,
        unit_price_amount,
        loaded_at
    from ranked
    where arrival_rank = 1

)

select * from final
