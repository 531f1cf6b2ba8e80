-- One row per order at its latest version: the promise in force when it was placed, what
-- every system did, the outcome, and the system to blame when it went wrong.
--
-- Incremental: a run rebuilds every order that (a) has a record in any system that
-- arrived in the lookback window before the newest order already here, (b) is still
-- open (neither delivered nor cancelled), because its overdue, in-flight and staleness
-- readings move with the data's as-of time, or (c) now resolves to another customer or
-- was erased. Everything else is final and kept (delete+insert on order_id).
{{ config(
    materialized=incremental_materialization(),
    unique_key='order_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail'
) }}
-- the incremental branch reads these too (dbt cannot see refs inside it when parsing):
-- depends_on: {{ ref('stg_storefront__orders') }}
-- depends_on: {{ ref('stg_oms__order_status_history') }}
-- depends_on: {{ ref('stg_wms__shipments') }}
-- depends_on: {{ ref('fct_tracking_events') }}
-- depends_on: {{ ref('fct_sync_events') }}

with

all_orders as (

    select * from {{ ref('int_orders_versioned') }}

),

order_customers as (

    -- the customer each order resolves to (a guest order by its own id, a member's by
    -- the storefront account), and whether that customer asked to be erased
    select
        all_orders.order_id,
        coalesce(guest.customer_id, member.customer_id) as customer_id,
        erased.customer_id is not null as is_customer_erased
    from all_orders
    left join {{ ref('int_customer_source_ids') }} as guest
        on guest.source_system = 'storefront_guest'
            and all_orders.order_id = guest.source_record_id
    left join {{ ref('int_customer_source_ids') }} as member
        on member.source_system = 'storefront'
            and all_orders.customer_id = member.source_record_id
    left join {{ ref('int_customers_erased') }} as erased
        on coalesce(guest.customer_id, member.customer_id) = erased.customer_id

),

{% if is_incremental() -%}
{%- set cutoff = incremental_cutoff('placed_at') -%}
changed_orders as (

    select order_id from {{ ref('stg_storefront__orders') }}
    where loaded_at >= {{ cutoff }}
    union
    select order_id from {{ ref('int_oms_orders_applied') }}
    where latest_applied_at >= {{ cutoff }}
    union
    select applied.order_id
    from {{ ref('stg_oms__order_status_history') }} as history
    inner join {{ ref('int_oms_orders_applied') }} as applied
        on history.oms_order_id = applied.oms_order_id
    where history.loaded_at >= {{ cutoff }}
    union
    select applied.order_id
    from {{ ref('stg_wms__shipments') }} as shipments
    inner join {{ ref('int_oms_orders_applied') }} as applied
        on shipments.oms_order_id = applied.oms_order_id
    where shipments.loaded_at >= {{ cutoff }}
    union
    select order_id from {{ ref('fct_tracking_events') }}
    where loaded_at >= {{ cutoff }}
    union
    select order_id from {{ ref('stg_wms__returns') }}
    where loaded_at >= {{ cutoff }}
    union
    select order_id from {{ ref('stg_support__tickets') }}
    where loaded_at >= {{ cutoff }}
    union
    select entity_id from {{ ref('fct_sync_events') }}
    where entity = 'order' and last_loaded_at >= {{ cutoff }}
    union
    select order_id from {{ this }}
    where not coalesce(is_delivered, false) and not coalesce(is_cancelled, false)

),

reassigned as (

    select order_customers.order_id
    from order_customers
    left join {{ this }} as current_rows
        on order_customers.order_id = current_rows.order_id
    where current_rows.order_id is null
        or order_customers.customer_id is distinct from current_rows.customer_id
        or order_customers.is_customer_erased <> current_rows.is_customer_erased

),

orders as (

    select all_orders.*
    from all_orders
    where all_orders.order_id in (
        select changed_orders.order_id from changed_orders
        union
        select reassigned.order_id from reassigned
    )

),
{%- else -%}
orders as (

    select * from all_orders

),
{%- endif %}

promised as (

    select * from {{ ref('int_orders_promised') }}

),

outcomes as (

    select * from {{ ref('int_orders_outcome_derived') }}

),

oms as (

    select * from {{ ref('int_oms_orders_applied') }}

),

exceptions as (

    select
        order_id,
        count(*) as exception_count,
        min({{ root_cause_precedence('root_cause_system') }})
            as best_cause_rank,
        max(case when exception_class = 'never_reached_oms' then 1 else 0 end)
        = 1
            as never_reached_oms,
        max(
            case
                when exception_class = 'promo_claim_infeasible' then 1 else 0
            end
        )
        = 1
            as has_infeasible_claim
    from {{ ref('fct_order_exceptions') }}
    where order_id is not null
    group by order_id

),

tickets as (

    select
        order_id,
        max(case when category = 'wismo' then 1 else 0 end)
        = 1 as has_wismo_ticket
    from {{ ref('stg_support__tickets') }}
    where order_id is not null
    group by order_id

),

returns as (

    select distinct order_id from {{ ref('stg_wms__returns') }}

),

first_parcel as (

    select
        order_id,
        current_status,
        last_event_at
        >= {{ dbt.dateadd(
            'day', '-' ~ var('stale_tracking_days'), data_as_of()
        ) }}
        and not is_latest_scan_unmapped as has_recent_scan
    from {{ ref('fct_shipments') }}
    where package_seq = 1

),

joined as (

    select
        orders.*,
        order_customers.customer_id as resolved_customer_id,
        order_customers.is_customer_erased,
        promised.fc_id as promised_fc_id,
        promised.dest_country,
        promised.promised_delivery_date,
        promised.promise_source,
        promised.promised_business_days,
        promised.is_claim_applied,
        promised.claim_delivery_date,
        oms.fc_id,
        oms.oms_order_id,
        oms.oms_created_at,
        outcomes.carrier,
        outcomes.shipment_count,
        outcomes.first_shipped_at,
        outcomes.delivered_at,
        outcomes.delivered_date_local,
        outcomes.current_status,
        outcomes.is_cancelled,
        outcomes.is_delivered,
        outcomes.is_on_time,
        outcomes.is_correct,
        outcomes.business_days_late,
        outcomes.has_unmapped_sku,
        outcomes.has_pickup_point_parcel,
        outcomes.is_overdue,
        outcomes.sku_list,
        coalesce(exceptions.exception_count, 0) as exception_count,
        exceptions.best_cause_rank,
        coalesce(exceptions.never_reached_oms, false) as never_reached_oms,
        coalesce(exceptions.has_infeasible_claim, false)
            as has_infeasible_claim,
        outcomes.oms_status,
        first_parcel.current_status as first_parcel_status,
        coalesce(first_parcel.has_recent_scan, false)
            as first_parcel_has_recent_scan,
        coalesce(tickets.has_wismo_ticket, false) as has_wismo_ticket,
        returns.order_id is not null as is_returned
    from orders
    left join promised
        on orders.order_id = promised.order_id
    left join outcomes
        on orders.order_id = outcomes.order_id
    left join oms
        on orders.order_id = oms.order_id
    left join order_customers
        on orders.order_id = order_customers.order_id
    left join exceptions
        on orders.order_id = exceptions.order_id
    left join tickets
        on orders.order_id = tickets.order_id
    left join returns
        on orders.order_id = returns.order_id
    left join first_parcel
        on orders.order_id = first_parcel.order_id

),

judged as (

    select
        joined.*,
        case
            when not is_delivered or is_on_time is null then null
            when not is_on_time then false
            when is_correct is null then null
            else is_correct
        end as is_accurate
    from joined

),

final as (

    select
        -- ids
        order_id,
        resolved_customer_id as customer_id,
        order_version,
        oms_order_id,
        fc_id,
        carrier,

        -- attributes
        channel,
        promo_code,
        service_level,
        dest_country,
        promise_source,
        current_status,
        sku_list,
        -- an erased customer's address is removed; the order itself stays for the KPIs
        case
            when is_customer_erased then null
            else {{ dbt.concat([
                "coalesce(ship_address_line1, '')", "', '", "coalesce(ship_postal_code, '')",
                "' '", "coalesce(ship_city, '')", "', '", "coalesce(ship_country, '')"]) }}
        end as raw_address,
        case
            when is_customer_erased then null
            else {{ canonical_address_line(
                'ship_address_line1', 'ship_postal_code', 'ship_city', 'ship_country') }}
        end as canonical_address,
        currency,
        root_cause_system,
        oms_status,
        first_parcel_status,

        -- numbers
        order_total_amount,
        promised_business_days,
        cast(business_days_late as integer) as business_days_late,
        cast(exception_count as bigint) as exception_count,
        cast(shipment_count as bigint) as shipment_count,

        -- booleans
        is_guest,
        is_cancelled,
        is_delivered,
        is_on_time,
        is_correct,
        is_accurate,
        went_wrong,
        is_claim_applied,
        has_infeasible_claim,
        has_unmapped_sku,
        is_in_flight,
        is_status_in_sync,
        has_wismo_ticket,
        is_returned,
        is_customer_erased,

        -- dates and timestamps
        promised_delivery_date,
        claim_delivery_date,
        delivered_date_local,
        placed_at,
        oms_created_at,
        first_shipped_at,
        delivered_at
    from (
        select
            judged.*,
            coalesce(is_accurate = false and not has_unmapped_sku, false)
            or coalesce(is_overdue, false) or never_reached_oms as went_wrong,
            -- in flight: the first parcel is moving and its latest scan is recent (within
            -- the stale window) and readable (a mapped code): only then is the carrier's
            -- status known well enough to grade the OMS against it
            coalesce(first_parcel_status in (
                'shipped',
                'in_transit',
                'out_for_delivery',
                'attempted_delivery',
                'available_for_pickup', 'exception'
            ), false) and first_parcel_has_recent_scan as is_in_flight,
            coalesce(oms_status = case
                when first_parcel_status in (
                        'out_for_delivery',
                        'attempted_delivery',
                        'available_for_pickup',
                        'exception'
                    ) then 'in_transit'
                else first_parcel_status
            end, false) as is_status_in_sync,
            case
                when coalesce(
                        is_accurate = false and not has_unmapped_sku, false
                    )
                    or coalesce(is_overdue, false) or never_reached_oms
                    then coalesce(
                            {{ root_cause_from_precedence('best_cause_rank') }},
                            -- late with no upstream evidence: the carrier's leg
                            case
                                when
                                    is_delivered and not is_on_time
                                    then 'carrier'
                            end
                        )
            end as root_cause_system
        from judged
    ) as scored

)

select * from final
