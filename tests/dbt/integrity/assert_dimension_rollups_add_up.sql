-- Integrity: for every additive KPI and day, the channel, carrier and FC slices each add
-- up to the 'all' row. Returns the slices that do not.
with

kpis as (

    select * from {{ ref('kpi_daily') }}
    where numerator is not null

),

totals as (

    select kpi_date, kpi, numerator, denominator
    from kpis
    where channel = 'all' and carrier = 'all' and fc_id = 'all'

),

slices as (

    select kpi_date, kpi, 'channel' as dimension, sum(numerator) as numerator,
        sum(denominator) as denominator
    from kpis where channel <> 'all' group by kpi_date, kpi
    union all
    select kpi_date, kpi, 'carrier', sum(numerator), sum(denominator)
    from kpis where carrier <> 'all' group by kpi_date, kpi
    union all
    select kpi_date, kpi, 'fc_id', sum(numerator), sum(denominator)
    from kpis where fc_id <> 'all' group by kpi_date, kpi

)

select
    slices.*,
    totals.numerator as total_numerator,
    totals.denominator as total_denominator
from slices
inner join totals
    on slices.kpi_date = totals.kpi_date and slices.kpi = totals.kpi
where abs(slices.numerator - totals.numerator) > 1e-6
    or abs(slices.denominator - totals.denominator) > 1e-6
