-- One row per month, KPI and dimension slice (kpi_month, kpi, channel, carrier, fc_id).
-- is_complete_month is false for a month the data only partly covers.
with

kpis as (

    {{ kpi_rows('month') }}  -- noqa: PRS

),

coverage as (

    select
        cast(min(placed_at) as date) as first_order_date,
        cast({{ data_as_of() }} as date) as as_of_date
    from {{ ref('fct_orders') }}

),

final as (

    select
        kpis.kpi_period as kpi_month,
        kpis.kpi,
        kpis.channel,
        kpis.carrier,
        kpis.fc_id,
        kpis.numerator,
        kpis.denominator,
        kpis.kpi_value,
        kpis.unit,
        kpis.target_comparator,
        kpis.target_value,
        kpis.kpi_period >= coverage.first_order_date
        and {{ dbt.dateadd('month', 1, 'kpis.kpi_period') }}
        <= {{ dbt.dateadd('day', 1, 'coverage.as_of_date') }}
            as is_complete_month
    from kpis
    cross join coverage

)

select * from final
