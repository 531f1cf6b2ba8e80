-- One row per order (order_id): what happened to it, judged against its promise. Split
-- and backorder shipments are judged by the last parcel; correctness is judged once the
-- order is delivered and only when every channel SKU was mapped.
with

orders as (

    select * from {{ ref('int_orders_versioned') }}

),

promised as (

    select * from {{ ref('int_orders_promised') }}

),

shipments as (

    select * from {{ ref('fct_shipments') }}

),

compared as (

    select * from {{ ref('int_orders_fulfilment_compared') }}

),

mapped_lines as (

    select
        order_id,
        max(case when is_unmapped then 1 else 0 end) = 1 as has_unmapped_sku,
        {{ string_agg_ordered(
            "sku_key || 'x' || cast(ordered_quantity as varchar)", '|', 'sku_key'
        ) }}
            as sku_list
    from {{ ref('int_order_lines_mapped') }}
    group by order_id

),

oms_status as (

    select
        oms.order_id,
        max(case when history.oms_status = 'cancelled' then 1 else 0 end) = 1
            as is_cancelled
    from {{ ref('stg_oms__order_status_history') }} as history
    inner join {{ ref('int_oms_orders_applied') }} as oms
        on history.oms_order_id = oms.oms_order_id
    group by oms.order_id

),

oms_latest as (

    -- the OMS status in force at the data cut-off, in the canonical vocabulary
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

calendar as (

    select * from {{ ref('int_calendar_days_numbered') }}

),

parcels as (

    select
        order_id,
        count(*) as shipment_count,
        sum(case when delivered_at is not null then 1 else 0 end)
            as delivered_count,
        max(case when returned_at is not null then 1 else 0 end)
        = 1 as has_returned_parcel,
        max(
            case
                when first_available_for_pickup_at is not null then 1 else 0
            end
        )
        = 1
            as has_pickup_point_parcel,
        max(case when is_stale then 1 else 0 end) = 1 as has_stale_parcel,
        min(shipped_at) as first_shipped_at,
        max(shipped_at) as last_shipped_at,
        max(delivered_at) as last_delivered_at,
        min(
            case
                when
                    delivered_at is null
                    then {{ canonical_status_rank('current_status') }}
            end
        )
            as lowest_open_rank,
        max(carrier) as carrier
    from shipments
    where order_id is not null
    group by order_id

),

judged as (

    select
        orders.order_id,
        promised.dest_country,
        promised.dest_time_zone,
        promised.promised_delivery_date,
        parcels.carrier,
        coalesce(parcels.shipment_count, 0) as shipment_count,
        parcels.first_shipped_at,
        parcels.last_shipped_at,
        coalesce(oms_status.is_cancelled, false) as is_cancelled,
        coalesce(mapped_lines.has_unmapped_sku, false) as has_unmapped_sku,
        mapped_lines.sku_list,
        oms_latest.oms_status,
        coalesce(parcels.has_pickup_point_parcel, false)
            as has_pickup_point_parcel,
        coalesce(parcels.has_stale_parcel, false) as has_stale_parcel,
        coalesce(parcels.has_returned_parcel, false) as has_returned_parcel,
        parcels.shipment_count > 0
        and parcels.delivered_count = parcels.shipment_count
        and not parcels.has_returned_parcel as is_delivered,
        parcels.lowest_open_rank,
        compared.has_mis_pick,
        compared.has_short_ship,
        parcels.last_delivered_at
    from orders
    left join promised
        on orders.order_id = promised.order_id
    left join parcels
        on orders.order_id = parcels.order_id
    left join compared
        on orders.order_id = compared.order_id
    left join mapped_lines
        on orders.order_id = mapped_lines.order_id
    left join oms_status
        on orders.order_id = oms_status.order_id
    left join oms_latest
        on orders.order_id = oms_latest.order_id

),

dated as (

    select
        judged.*,
        case when is_delivered then last_delivered_at end as delivered_at,
        case
            when is_delivered
                then cast(
                        {{ utc_to_local(
                            'last_delivered_at', 'dest_time_zone'
                        ) }} as date
                    )
        end as delivered_date_local,
        cast(
            {{ utc_to_local(
                dbt.dateadd('second', -1, data_as_of()), 'dest_time_zone'
            ) }}
            as date
        ) as as_of_date_local
    from judged

),

final as (

    select
        dated.order_id,
        dated.carrier,
        dated.shipment_count,
        dated.first_shipped_at,
        dated.last_shipped_at,
        dated.delivered_at,
        dated.delivered_date_local,
        case
            when dated.is_cancelled then 'cancelled'
            when dated.has_returned_parcel then 'returned_to_sender'
            when dated.is_delivered then 'delivered'
            when dated.shipment_count = 0 then 'ordered'
            else {{ canonical_status_from_rank('dated.lowest_open_rank') }}
        end as current_status,
        dated.is_cancelled,
        dated.is_delivered,
        dated.has_unmapped_sku,
        dated.has_pickup_point_parcel,
        dated.has_stale_parcel,
        dated.sku_list,
        dated.oms_status,
        case
            when dated.is_delivered and dated.promised_delivery_date is not null
                then dated.delivered_date_local <= dated.promised_delivery_date
        end as is_on_time,
        case
            when dated.is_delivered and not dated.has_unmapped_sku
                then not (
                        coalesce(dated.has_mis_pick, false)
                        or coalesce(dated.has_short_ship, false)
                    )
        end as is_correct,
        case
            when dated.is_delivered
                and dated.delivered_date_local > dated.promised_delivery_date
                then greatest(
                        delivered_day.business_day_number
                        - promised_day.business_day_number,
                        1
                    )
            when
                dated.is_delivered and dated.promised_delivery_date is not null
                then 0
        end as business_days_late,
        not dated.is_delivered and not dated.is_cancelled
        and dated.promised_delivery_date
        < {{ dbt.dateadd('day', -1, 'dated.as_of_date_local') }}
            as is_overdue
    from dated
    left join calendar as delivered_day
        on dated.delivered_date_local = delivered_day.calendar_date
            and dated.dest_country = delivered_day.country
    left join calendar as promised_day
        on dated.promised_delivery_date = promised_day.calendar_date
            and dated.dest_country = promised_day.country

)

select * from final
