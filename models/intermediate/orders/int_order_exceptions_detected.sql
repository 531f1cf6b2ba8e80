-- One row per exception found outside the carrier feed: the OMS applying an old address,
-- backorders, promo claims no lane can meet, payment holds, dead-lettered syncs and orders
-- that never reached the OMS. Carrier exceptions are detected from tracking events in
-- int_shipment_exceptions_detected; fct_order_exceptions unions both.
with

orders as (

    select * from {{ ref('int_orders_versioned') }}

),

oms as (

    select * from {{ ref('int_oms_orders_applied') }}

),

promised as (

    select * from {{ ref('int_orders_promised') }}

),

lanes as (

    select * from {{ ref('shipping_lanes') }}

),

shipments as (

    select * from {{ ref('stg_wms__shipments') }}

),

status_history as (

    select * from {{ ref('stg_oms__order_status_history') }}

),

sync_events as (

    select * from {{ ref('fct_sync_events') }}

),

wrong_address as (

    select
        orders.order_id,
        'wrong_address_version' as exception_class,
        'oms' as root_cause_system,
        'OMS ships to ' || coalesce(oms.oms_ship_postal_code, '?')
        || ' but the latest order version says '
        || coalesce(orders.ship_postal_code, '?') as evidence,
        oms.latest_applied_at as opened_at,
        cast(null as timestamp) as resolved_at
    from orders
    inner join oms
        on orders.order_id = oms.order_id
    where oms.oms_ship_postal_code <> orders.ship_postal_code
        or oms.oms_ship_address_line1 <> orders.ship_address_line1

),

first_shipments as (

    select
        oms_order_id,
        min(shipped_at) as first_shipped_at
    from shipments
    group by oms_order_id

),

backorders as (

    select
        oms.order_id,
        'backorder' as exception_class,
        'wms' as root_cause_system,
        'backorder release shipment ' || shipments.shipment_id as evidence,
        first_shipments.first_shipped_at as opened_at,
        shipments.shipped_at as resolved_at
    from shipments
    inner join first_shipments
        on shipments.oms_order_id = first_shipments.oms_order_id
    inner join oms
        on shipments.oms_order_id = oms.oms_order_id
    where shipments.is_backorder_release

),

infeasible_claims as (

    select
        promised.order_id,
        'promo_claim_infeasible' as exception_class,
        'marketing' as root_cause_system,
        promised.promo_code
        || ' promised '
        || promised.delivery_claim
        || ' but '
        || promised.fc_id
        || ' to '
        || promised.dest_country
        || ' takes at least '
        || cast(lanes.min_transit_days as varchar)
        || ' business days' as evidence,
        orders.placed_at as opened_at,
        cast(null as timestamp) as resolved_at
    from promised
    inner join lanes
        on promised.fc_id = lanes.fc_id
            and promised.dest_country = lanes.dest_country
    inner join orders
        on promised.order_id = orders.order_id
    where promised.is_claim_applied
        and promised.claim_business_days < lanes.min_transit_days

),

holds as (

    select
        oms.order_id,
        'payment_hold' as exception_class,
        'crm' as root_cause_system,
        'OMS held the order for payment: '
        || coalesce(held.status_reason, 'no reason')
            as evidence,
        held.status_at as opened_at,
        min(released.status_at) as resolved_at
    from status_history as held
    inner join oms
        on held.oms_order_id = oms.oms_order_id
    left join status_history as released
        on held.oms_order_id = released.oms_order_id
            and released.oms_status = 'released'
            and held.status_at <= released.status_at
    where held.oms_status = 'payment_hold'
    group by oms.order_id, held.status_reason, held.status_at

),

dead_letters as (

    select
        case when entity = 'order' then entity_id end as order_id,
        'sync_dead_letter' as exception_class,
        'integration' as root_cause_system,
        entity || ' change ' || change_id || ' dead-lettered after '
        || cast(attempts_to_deliver as varchar) || ' attempts (last HTTP '
        || coalesce(cast(last_http_status as varchar), 'timeout')
        || ')' as evidence,
        dead_lettered_at as opened_at,
        first_success_at as resolved_at
    from sync_events
    where is_dead_lettered

),

first_order_changes as (

    select
        sync_events.*,
        row_number() over (
            partition by entity_id order by source_changed_at, change_id
        ) as change_rank
    from sync_events
    where entity = 'order'

),

never_reached as (

    select
        first_order_changes.entity_id as order_id,
        'never_reached_oms' as exception_class,
        'integration' as root_cause_system,
        'order '
        || first_order_changes.entity_id
        || ' is in the dead-letter queue and '
        || 'not in the OMS' as evidence,
        first_order_changes.dead_lettered_at as opened_at,
        cast(null as timestamp) as resolved_at
    from first_order_changes
    left join oms
        on first_order_changes.entity_id = oms.order_id
    where first_order_changes.change_rank = 1
        and first_order_changes.is_in_dlq
        and oms.order_id is null

),

unioned as (

    select * from wrong_address
    union all
    select * from backorders
    union all
    select * from infeasible_claims
    union all
    select * from holds
    union all
    select * from dead_letters
    union all
    select * from never_reached

),

final as (

    select
        exception_class,
        order_id,
        root_cause_system,
        evidence,
        opened_at,
        resolved_at
    from unioned

)

select * from final
