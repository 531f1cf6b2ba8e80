-- One row per order: the delivery promise in force when it was placed.
--
-- The promise is point-in-time: the service level's terms valid on the placement date,
-- the promo's delivery claim only if the campaign was live, the order's region eligible and
-- the claim's feature flag on at placed_at, and the dispatch day set by the FC's cut-off in
-- the FC's own time zone. Business days follow each country's weekends and holidays.
with

orders as (

    select * from {{ ref('int_orders_versioned') }}

),

oms as (

    select * from {{ ref('int_oms_orders_applied') }}

),

fcs as (

    select * from {{ ref('fulfillment_centers') }}

),

service_levels as (

    select * from {{ ref('service_levels') }}

),

promotions as (

    select * from {{ ref('stg_marketing__promotions') }}

),

flags as (

    select * from {{ ref('stg_marketing__feature_flags') }}

),

calendar as (

    select * from {{ ref('int_calendar_days_numbered') }}

),

zones as (

    select * from {{ ref('geo_time_zones') }}

),

countries as (

    select * from {{ ref('countries') }}

),

located as (

    select
        orders.order_id,
        orders.placed_at,
        orders.service_level,
        orders.promo_code,
        orders.ship_country as dest_country,
        coalesce(city_zone.time_zone, countries.default_time_zone)
            as dest_time_zone,
        oms.fc_id,
        fcs.country as fc_country,
        fcs.time_zone as fc_time_zone,
        cast(substr(fcs.cutoff_local_time, 1, 2) as integer) * 60
        + cast(substr(fcs.cutoff_local_time, 4, 2) as integer) as cutoff_minute
    from orders
    left join oms
        on orders.order_id = oms.order_id
    left join fcs
        on oms.fc_id = fcs.fc_id
    left join zones as city_zone
        on orders.ship_country = city_zone.country
            and lower(orders.ship_city) = city_zone.city
    left join countries
        on orders.ship_country = countries.country

),

localised as (

    select
        located.*,
        {{ utc_to_local('located.placed_at', 'located.fc_time_zone') }}
            as placed_at_fc_local,
        cast(
            {{ utc_to_local(
                'located.placed_at', 'located.dest_time_zone'
            ) }} as date
        )
            as placed_date_dest
    from located

),

clocked as (

    select
        localised.*,
        cast(placed_at_fc_local as date) as placed_date_fc,
        {{ dbt.datediff(
            'cast(cast(placed_at_fc_local as date) as timestamp)',
            'placed_at_fc_local', 'minute') }} as placed_minute_fc
    from localised

),

dispatch as (

    select
        clocked.*,
        case
            when placed_day.is_business_day
                and clocked.placed_minute_fc < clocked.cutoff_minute
                then clocked.placed_date_fc
            else next_day.calendar_date
        end as planned_ship_date
    from clocked
    left join calendar as placed_day
        on clocked.fc_country = placed_day.country
            and clocked.placed_date_fc = placed_day.calendar_date
    left join calendar as next_day
        on clocked.fc_country = next_day.country
            and next_day.business_day_number
            = placed_day.business_day_number + 1
            and next_day.is_business_day

),

flag_state as (

    select
        dispatch.order_id,
        flags.is_enabled,
        row_number() over (
            partition by dispatch.order_id order by flags.changed_at desc
        ) as recency_rank
    from dispatch
    inner join flags
        on dispatch.promo_code = flags.promo_code
            and dispatch.placed_at >= flags.changed_at

),

terms as (

    select
        dispatch.*,
        service_levels.business_days as service_level_days,
        promotions.claim_business_days,
        promotions.delivery_claim,
        (
            promotions.claim_business_days is not null
            and dispatch.placed_at >= promotions.starts_at
            and dispatch.placed_at < promotions.ends_at
            and ',' || promotions.eligible_regions || ','
            like '%,' || dispatch.dest_country || ',%'
            and coalesce(flag_state.is_enabled, true)
        ) as is_claim_applied
    from dispatch
    left join service_levels
        on dispatch.service_level = service_levels.service_level
            and dispatch.placed_date_dest
            >= cast(service_levels.valid_from as date)
            and dispatch.placed_date_dest
            < cast(service_levels.valid_to as date)
    left join promotions
        on dispatch.promo_code = promotions.promo_code
    left join flag_state
        on dispatch.order_id = flag_state.order_id
            and flag_state.recency_rank = 1

),

promised_days as (

    select
        terms.*,
        case
            when is_claim_applied and claim_business_days < service_level_days
                then claim_business_days
            else service_level_days
        end as promised_business_days,
        case
            when is_claim_applied and claim_business_days < service_level_days
                then 'promo'
            else 'service_level'
        end as promise_source
    from terms

),

final as (

    select
        promised_days.order_id,
        promised_days.fc_id,
        promised_days.dest_country,
        promised_days.dest_time_zone,
        promised_days.service_level,
        promised_days.promo_code,
        promised_days.delivery_claim,
        promised_days.service_level_days,
        promised_days.claim_business_days,
        promised_days.promised_business_days,
        promised_days.promise_source,
        promised_days.is_claim_applied,
        promised_days.planned_ship_date,
        promise_day.calendar_date as promised_delivery_date,
        claim_day.calendar_date as claim_delivery_date
    from promised_days
    left join calendar as ship_day
        on promised_days.dest_country = ship_day.country
            and promised_days.planned_ship_date = ship_day.calendar_date
    left join calendar as promise_day
        on promised_days.dest_country = promise_day.country
            and promise_day.business_day_number
            = ship_day.business_day_number
            + promised_days.promised_business_days
            and promise_day.is_business_day
    left join calendar as claim_day
        on promised_days.is_claim_applied
            and promised_days.dest_country = claim_day.country
            and claim_day.business_day_number
            = ship_day.business_day_number + promised_days.claim_business_days
            and claim_day.is_business_day

)

select * from final
