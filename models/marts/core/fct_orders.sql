-- One row per order at its latest version: the promise in force when it was placed, what
-- every system did, the outcome, and the system to blame when it went wrong.
with

orders as (

    select * from {{ ref('int_orders_versioned') }}

),

promised as (

    select * from {{ ref('int_orders_promised') }}

),

outcomes as (

    select * from {{ ref('int_orders_outcome_derived') }}

),

oms as (

    select * from {{ ref('int_oms_orders_applied') }}

),

lines as (

    select
        order_id,
        {{ string_agg_ordered(
            "sku_key || 'x' || cast(ordered_quantity as varchar)", '|', 'sku_key'
        ) }}
            as sku_list
    from {{ ref('int_order_lines_mapped') }}
    group by order_id

),

customers as (

    select * from {{ ref('int_customer_source_ids') }}

),

erased as (

    select * from {{ ref('int_customers_erased') }}

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

oms_latest as (

    select
        oms.order_id,
        status_map.canonical_status as oms_status
    from (
        select
            history.*,
            row_number() over (
                partition by history.oms_order_id
                order by history.status_at desc, history.status_event_id desc
            ) as recency_rank
        from {{ ref('stg_oms__order_status_history') }} as history
        where history.status_at <= {{ data_as_of() }}
    ) as latest
    inner join {{ ref('int_oms_orders_applied') }} as oms
        on latest.oms_order_id = oms.oms_order_id
    left join {{ ref('oms_status_map') }} as status_map
        on latest.oms_status = status_map.oms_status
    where latest.recency_rank = 1

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
        coalesce(
            guest_customer.customer_id, member_customer.customer_id
        ) as resolved_customer_id,
        erased.customer_id is not null as is_customer_erased,
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
        lines.sku_list,
        coalesce(exceptions.exception_count, 0) as exception_count,
        exceptions.best_cause_rank,
        coalesce(exceptions.never_reached_oms, false) as never_reached_oms,
        coalesce(exceptions.has_infeasible_claim, false)
            as has_infeasible_claim,
        oms_latest.oms_status,
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
    left join lines
        on orders.order_id = lines.order_id
    left join customers as guest_customer
        on guest_customer.source_system = 'storefront_guest'
            and orders.order_id = guest_customer.source_record_id
    left join customers as member_customer
        on member_customer.source_system = 'storefront'
            and orders.customer_id = member_customer.source_record_id
    left join erased
        on coalesce(guest_customer.customer_id, member_customer.customer_id)
            = erased.customer_id
    left join exceptions
        on orders.order_id = exceptions.order_id
    left join tickets
        on orders.order_id = tickets.order_id
    left join returns
        on orders.order_id = returns.order_id
    left join oms_latest
        on orders.order_id = oms_latest.order_id
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
