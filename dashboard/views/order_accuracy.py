"""Order accuracy: on time and correct, by dimension, and how late the late ones were.

Orders are counted on the day they were delivered (the destination's local date), as the
`order_accuracy_rate` KPI is, so the rate at the top of this page is the Overview's. Every
breakdown is one grouped query over `fct_orders`: nothing row-level leaves the database.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

import common

NEEDED = ("delivered_date_local", "is_delivered", "is_on_time", "is_correct", "is_accurate",
          "business_days_late", "channel", "carrier", "service_level", "fc_id",
          "promo_code")
DIMENSIONS = {"Carrier": "carrier", "Service level": "service_level", "FC": "fc_id",
              "Channel": "channel", "Promo": "promo_code"}
# Business days late, bucketed the way rpt_monthly_sla reports lateness.
LATENESS = """case
    when business_days_late is null or business_days_late <= 0 then 'on time'
    when business_days_late = 1 then '1 day late'
    when business_days_late = 2 then '2 days late'
    when business_days_late <= 5 then '3-5 days late'
    else 'over 5 days late'
end"""
BUCKETS = ["on time", "1 day late", "2 days late", "3-5 days late", "over 5 days late"]

f = common.page_frame(
    "Order accuracy",
    "Accurate = delivered on time (by the promised date, in business days) and correct "
    "(right SKUs and quantities). Orders count on the day they were delivered; each "
    "rate's denominator is the delivered orders whose outcome it judges is known.")

if not common.has("fct_orders", *NEEDED):
    common.placeholder("On-time and correct rates by carrier, service level, FC, channel "
                       "and promo", ["fct_orders"])
    st.stop()

orders = common.table("fct_orders")
sql_where, params = common.where(f, date_col="delivered_date_local", channel_col="channel",
                                 carrier_col="carrier", fc_col="fc_id")
scope = f"{sql_where} and is_delivered"
# each rate over the orders whose part of the outcome is known, as the KPIs count them
RATES = """
        avg(case when is_accurate then 1.0 else 0.0 end) filter (where is_accurate is not null)
            as {accuracy},
        avg(case when is_on_time then 1.0 else 0.0 end) filter (where is_on_time is not null)
            as {on_time},
        avg(case when is_correct then 1.0 else 0.0 end) filter (where is_correct is not null)
            as {correct}"""
targets = common.kpi_targets()
accuracy_target = targets.get("order_accuracy_rate")

totals = common.query(f"""
    select
        count(*) as delivered,
        {RATES.format(accuracy="order_accuracy_rate", on_time="on_time_rate",
                      correct="correct_rate")},
        median(business_days_late) filter (where business_days_late > 0) as median_late
    from {orders}
    {scope}""", params).iloc[0]

if not totals["delivered"]:
    st.info("No delivered order matches these dates and filters.")
    st.stop()

cards = st.columns(5)
for col, key in zip(cards, ("order_accuracy_rate", "on_time_rate", "correct_rate"),
                    strict=False):
    with col:
        common.kpi_tile(key, float(totals[key]), target=targets.get(key))
with cards[3]:
    common.card("Delivered orders", f"{int(totals['delivered']):,}",
                "Rates count the orders whose outcome is known",
                help="Orders whose every parcel was delivered in the date range.")
median_late = totals["median_late"]
with cards[4]:
    common.card("Median lateness",
                "n/a" if pd.isna(median_late) else
                f"{median_late:,.0f} day{'' if median_late == 1 else 's'}",
                "Late orders only, in destination business days",
                help="Of the late deliveries: business days after the promised date.")

st.subheader("Where the promise breaks")
label = st.segmented_control("Break down by", list(DIMENSIONS), default="Carrier",
                             key="accuracy_dimension") or "Carrier"
dim = DIMENSIONS[label]
by_dim = common.query(f"""
    select
        coalesce(cast({dim} as varchar), '(none)') as dimension,
        count(*) as delivered_orders,
        {RATES.format(accuracy="accuracy_rate", on_time="on_time_rate",
                      correct="correct_rate")},
        count(*) filter (where not is_on_time) as late_orders
    from {orders}
    {scope}
    group by 1
    order by accuracy_rate, dimension""", params)
if dim == "promo_code":
    st.caption("Orders without a promo code are the `(none)` row.")
chart_col, table_col = st.columns([3, 2])
with chart_col:
    long = by_dim.melt(id_vars=["dimension"],
                       value_vars=["accuracy_rate", "on_time_rate", "correct_rate"],
                       var_name="measure", value_name="rate")
    long["measure"] = long["measure"].map({"accuracy_rate": "accurate",
                                           "on_time_rate": "on time",
                                           "correct_rate": "correct"})
    common.show(common.dot_chart(
        long, "dimension", "rate", color="measure",
        title=f"Accurate, on time and correct by {label.lower()} (worst first)",
        x_title="share of delivered orders", y_title=label.lower(),
        target=accuracy_target.value if accuracy_target else None,
        target_label="accuracy target"))
with table_col:
    st.dataframe(by_dim, hide_index=True, width="stretch",
                 height=min(38 + 35 * len(by_dim), 560), column_config={
        "dimension": st.column_config.TextColumn(label),
        "delivered_orders": st.column_config.NumberColumn("delivered", format="localized"),
        "accuracy_rate": st.column_config.NumberColumn("accurate", format="percent"),
        "on_time_rate": st.column_config.NumberColumn("on time", format="percent"),
        "correct_rate": st.column_config.NumberColumn("correct", format="percent"),
        "late_orders": st.column_config.NumberColumn("late", format="localized")})
    st.caption("Worst first. Rates are shares of delivered orders in each row.")

st.subheader("Promise vs outcome, in business days")
late = common.query(f"""
    select {LATENESS} as lateness,
        coalesce(cast({dim} as varchar), '(none)') as dimension,
        count(*) as orders
    from {orders}
    {sql_where} and is_delivered and is_on_time is not null
    group by 1, 2""", params)
overall = late.groupby("lateness", as_index=False)["orders"].sum()
overall["share"] = overall["orders"] / overall["orders"].sum()
overall["order"] = overall["lateness"].map(BUCKETS.index)
overall = overall.sort_values("order")
dist_col, split_col = st.columns(2)
with dist_col:
    common.show(common.bar_chart(
        overall, "lateness", "share", percent=True, text=True,
        title="Delivered orders by business days after the promised date",
        y_title="share of delivered orders", x_title="delivery vs promise"))
with split_col:
    shares = late[late["lateness"] != "on time"].copy()
    sizes = late.groupby("dimension")["orders"].transform("sum")
    shares["share"] = late.loc[shares.index, "orders"] / sizes.loc[shares.index]
    shares["order"] = shares["lateness"].map(BUCKETS.index)
    # worst first: the row with the largest late share on top
    worst = shares.groupby("dimension")["share"].sum().rank(ascending=False, method="first")
    shares["rank"] = shares["dimension"].map(worst)
    shares = shares.sort_values(["rank", "order"])
    if shares.empty:
        st.success("Every delivered order in these dates met its promise.")
    else:
        common.show(common.bar_chart(
            shares, "dimension", "share", color="lateness", horizontal=True, percent=True,
            title=f"Late deliveries by {label.lower()}, by how late",
            y_title="share of the row's delivered orders", x_title=label.lower()))

if common.has("rpt_monthly_sla", "sla_month", "carrier", "orders", "delivered", "on_time",
              "accurate", "is_complete_month"):
    st.subheader("Month by month: the promise kept, by carrier")
    common.not_filtered(f, "channel", "FC")
    sla_where, sla_params = common.where(f, carrier_col="carrier")
    sla = common.query(f"""
        select sla_month, carrier,
            sum(on_time) / nullif(sum(delivered), 0) as on_time_rate,
            sum(accurate) / nullif(sum(delivered), 0) as accuracy_rate,
            bool_and(not is_complete_month) as is_partial
        from {common.table('rpt_monthly_sla')}
        {sla_where}{' and' if sla_where else 'where'} sla_month between ? and ?
            and carrier <> 'none'
        group by 1, 2
        order by 1, 2""", [*sla_params, f.start.replace(day=1), f.end])
    if sla.empty:
        st.info("No month in the date range has delivered orders for these carriers.")
    else:
        on_time_target = targets.get("on_time_rate")
        partial = set(sla.loc[sla["is_partial"], "sla_month"])
        common.show(common.heatmap(
            sla, "sla_month", "carrier", "on_time_rate",
            x_label=lambda m: f"{m:%b %Y}" + (" (partial)" if m in partial else ""),
            title="On-time rate by carrier and month placed (rpt_monthly_sla)",
            target=on_time_target.value if on_time_target else None))
        target_text = (f" Green is above the on-time target "
                       f"({common.fmt_kpi(on_time_target.value, 'rate', short=True)}), "
                       "red below." if on_time_target else "")
        st.caption("Months of placement that the date range touches; a partial month is "
                   f"one the data covers only in part.{target_text}")
else:
    common.placeholder("Month by month: the promise kept, by carrier", ["rpt_monthly_sla"])
