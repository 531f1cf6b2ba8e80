-- One row per country and calendar date, with that country's business-day numbering.
-- business_day_number counts business days up to and including the date, so "n business
-- days after d" is the business day numbered business_day_number(d) + n.
with

days as (

    {{ dbt.date_spine(
        datepart='day',
        start_date="cast('2025-01-01' as date)",
        end_date="cast('2029-01-01' as date)"
    ) }}

),

countries as (

    select * from {{ ref('countries') }}

),

holidays as (

    select * from {{ ref('holidays') }}

),

classified as (

    select
        countries.country,
        cast(days.date_day as date) as calendar_date,
        {{ iso_day_of_week('cast(days.date_day as date)') }} as iso_day_of_week,
        holidays.holiday_name
    from days
    cross join countries
    left join holidays
        on countries.country = holidays.country
            and cast(days.date_day as date)
            = cast(holidays.holiday_date as date)

),

flagged as (

    select
        classified.*,
        (
            classified.holiday_name is null
            and not (
                (
                    classified.iso_day_of_week = 6
                    and countries.weekend_days like '%sat%'
                )
                or (
                    classified.iso_day_of_week = 7
                    and countries.weekend_days like '%sun%'
                )
            )
        ) as is_business_day
    from classified
    inner join countries
        on classified.country = countries.country

),

final as (

    select
        country,
        calendar_date,
        iso_day_of_week,
        holiday_name,
        is_business_day,
        sum(case when is_business_day then 1 else 0 end) over (
            partition by country
            order by calendar_date
            rows between unbounded preceding and current row
        ) as business_day_number
    from flagged

)

select * from final
