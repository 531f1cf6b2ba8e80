-- One row per month, carrier, service level and promo (sla_month, carrier, service_level,
-- promo_code; 'none' when absent): promise against outcome for the orders placed in the
-- month, lateness in business-day buckets, lost or returned parcels, and the share of
-- failures each system caused. is_complete_month marks months the data fully covers.
with

orders as (

    select * from {{ ref('fct_orders') }}
    where not is_cancelled

),

coverage as (

    select
        cast(min(placed_at) as date) as first_order_date,
        cast({{ data_as_of() }} as date) as as_of_date
    from {{ ref('fct_orders') }}

),

bucketed as (

    select
        cast({{ dbt.date_trunc('month', 'placed_at') }} as date) as sla_month,
        orders.*
    from orders

),

final as (

    select
        bucketed.sla_month,
        coalesce(bucketed.carrier, 'none') as carrier,
        coalesce(bucketed.service_level, 'none') as service_level,
        coalesce(bucketed.promo_code, 'none') as promo_code,
        cast(count(*) as bigint) as orders,
        {{ count_if('is_delivered') }} as delivered,
        {{ count_if('is_on_time') }} as on_time,
        {{ count_if('is_accurate') }} as accurate,
        {{ count_if('business_days_late = 1') }} as late_1_business_day,
        {{ count_if('business_days_late = 2') }} as late_2_business_days,
        {{ count_if('business_days_late between 3 and 5') }}
            as late_3_to_5_business_days,
        {{ count_if('business_days_late > 5') }} as late_over_5_business_days,
        {{ count_if(
            "current_status = 'returned_to_sender' or is_overdue_lost"
        ) }}
            as lost_or_returned,
        {{ count_if('went_wrong') }} as went_wrong,
        {% for system in [
            'marketing', 'crm', 'integration', 'oms', 'wms', 'carrier'
        ] -%}
        {{ count_if("root_cause_system = '" ~ system ~ "'") }}
            as caused_by_{{ system }},
        {% endfor -%}
        cast({{ count_if('bucketed.is_on_time') }} as {{ type_double() }})
        / nullif({{ count_if('bucketed.is_on_time is not null') }}, 0)
            as on_time_rate,
        cast({{ count_if('bucketed.is_accurate') }} as {{ type_double() }})
        / nullif({{ count_if('bucketed.is_accurate is not null') }}, 0)
            as accuracy_rate,
        {{ dbt.bool_or(
            "bucketed.sla_month >= coverage.first_order_date and "
            ~ dbt.dateadd('month', 1, 'bucketed.sla_month')
            ~ ' <= ' ~ dbt.dateadd('day', 1, 'coverage.as_of_date')
        ) }}
            as is_complete_month
    from (
        select
            bucketed.*,
            not is_delivered and current_status in ('exception') and went_wrong
                as is_overdue_lost
        from bucketed
    ) as bucketed
    cross join coverage
    group by
        bucketed.sla_month,
        coalesce(bucketed.carrier, 'none'),
        coalesce(bucketed.service_level, 'none'),
        coalesce(bucketed.promo_code, 'none')

)

select * from final
