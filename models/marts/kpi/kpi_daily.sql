-- One row per day, KPI and dimension slice (kpi_date, kpi, channel, carrier, fc_id).
-- Formulas live in macros/kpis.sql, shared with kpi_monthly.
with

kpis as (

    {{ kpi_rows('day') }}  -- noqa: PRS

),

final as (

    select
        kpi_period as kpi_date,
        kpi,
        channel,
        carrier,
        fc_id,
        numerator,
        denominator,
        kpi_value,
        unit,
        target_comparator,
        target_value
    from kpis

)

select * from final
