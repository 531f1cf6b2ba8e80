-- One row per exception: what went wrong, the system that caused it, when it opened and
-- when it was resolved (NULL while open), and the evidence that decided the cause.
with

detected as (

    select * from {{ ref('int_order_exceptions_detected') }}

),

carrier_detected as (

    select * from {{ ref('int_shipment_exceptions_detected') }}

),

shipments as (

    select * from {{ ref('fct_shipments') }}

),

outcomes as (

    select * from {{ ref('int_orders_outcome_derived') }}

),

compared as (

    select * from {{ ref('int_orders_fulfilment_compared') }}

),

from_carrier as (

    select
        carrier_detected.exception_class,
        shipments.order_id,
        shipments.shipment_id,
        'carrier' as root_cause_system,
        carrier_detected.exception_reason,
        carrier_detected.evidence,
        carrier_detected.opened_at,
        carrier_detected.resolved_at
    from carrier_detected
    inner join shipments
        on carrier_detected.carrier = shipments.carrier
            and carrier_detected.tracking_number = shipments.tracking_number

),

from_systems as (

    select
        detected.exception_class,
        detected.order_id,
        cast(null as varchar) as shipment_id,
        detected.root_cause_system,
        cast(null as varchar) as exception_reason,
        detected.evidence,
        detected.opened_at,
        -- the OMS's wrong address is resolved when the parcel finally arrives
        case
            when detected.exception_class = 'wrong_address_version'
                then outcomes.delivered_at
            else detected.resolved_at
        end as resolved_at
    from detected
    left join outcomes
        on detected.order_id = outcomes.order_id

),

from_picking as (

    select
        case when compared.has_mis_pick then 'mis_pick' else 'short_ship' end
            as exception_class,
        compared.order_id,
        cast(null as varchar) as shipment_id,
        'wms' as root_cause_system,
        cast(null as varchar) as exception_reason,
        cast(compared.wrong_sku_units as varchar)
        || ' unit(s) of unordered SKUs, '
        || cast(compared.missing_units as varchar) || ' ordered unit(s) missing'
            as evidence,
        outcomes.last_shipped_at as opened_at,
        cast(null as timestamp) as resolved_at
    from compared
    inner join outcomes
        on compared.order_id = outcomes.order_id
    where outcomes.is_delivered
        and not compared.has_unmapped_sku
        and (compared.has_mis_pick or compared.has_short_ship)

),

unioned as (

    select * from from_carrier
    union all
    select * from from_systems
    union all
    select * from from_picking

),

final as (

    select
        {{ dbt.hash(dbt.concat([
            'exception_class', "'|'", "coalesce(order_id, '')", "'|'",
            "coalesce(shipment_id, '')", "'|'", 'evidence', "'|'",
            'cast(opened_at as varchar)'])) }} as exception_id,
        exception_class,
        order_id,
        shipment_id,
        root_cause_system,
        exception_reason,
        evidence,
        opened_at,
        resolved_at,
        resolved_at is null as is_open,
        {{ seconds_between('opened_at', 'resolved_at') }}
        / 3600.0 as hours_to_resolve
    from unioned
    where opened_at <= {{ data_as_of() }}

)

select * from final
