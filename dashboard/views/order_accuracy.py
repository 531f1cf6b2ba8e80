"""Order accuracy: on time and correct, by dimension, and how late the late ones were."""

from __future__ import annotations

import streamlit as st

import common

NEEDED = ("placed_at", "delivered_at", "is_on_time", "is_correct", "is_accurate",
          "business_days_late", "channel", "service_level", "fc_id", "promo_code")
DIMENSIONS = {"Channel": "channel", "Service level": "service_level", "FC": "fc_id",
              "Promo": "promo_code"}

f = common.page_frame(
    "Order accuracy",
    "Accurate = delivered on time (by the promised date, in business days) and "
    "correct (right SKUs and quantities). Denominator: delivered orders whose "
    "correctness is known.")

if common.has("fct_orders", *NEEDED):
    carrier_col = "carrier" if common.has("fct_orders", "carrier") else None
    sql_where, params = common.where(f, date_col="placed_at", channel_col="channel",
                                     carrier_col=carrier_col)
    if carrier_col is None:
        common.not_filtered(f, "carrier")
    label = st.radio("Break down by", list(DIMENSIONS), horizontal=True,
                     key="accuracy_dimension")
    dim = DIMENSIONS[label]
    scope = "delivered_at is not null and is_correct is not null"
    by_dim = common.query(f"""
        select
            coalesce(cast({dim} as varchar), '(none)') as dimension,
            count(*) filter (where {scope}) as delivered_orders,
            avg(case when is_accurate then 1.0 else 0.0 end) filter (where {scope})
                as accuracy_rate,
            avg(case when is_on_time then 1.0 else 0.0 end) filter (where {scope})
                as on_time_rate,
            avg(case when is_correct then 1.0 else 0.0 end) filter (where {scope})
                as correct_rate
        from {common.table('fct_orders')}
        {sql_where}
        group by 1
        order by accuracy_rate""", params)
    common.show(common.bar_chart(
        by_dim.melt(id_vars=["dimension"], value_vars=["on_time_rate", "correct_rate"],
                    var_name="measure", value_name="rate"),
        "dimension", "rate", color="measure", title=f"On time and correct by {label.lower()}",
        y_title="share of delivered orders", percent=True).update_layout(barmode="group"))
    st.dataframe(by_dim, hide_index=True, column_config={
        name: st.column_config.NumberColumn(format="percent")
        for name in ("accuracy_rate", "on_time_rate", "correct_rate")})

    late = common.query(f"""
        select business_days_late, count(*) as orders
        from {common.table('fct_orders')}
        {sql_where}{' and' if sql_where else 'where'} delivered_at is not null
        group by 1
        order by 1""", params)
    common.show(common.bar_chart(
        late.assign(business_days_late=late["business_days_late"].astype("string")),
        "business_days_late", "orders",
        title="Promise vs outcome: business days late (0 = on time)",
        y_title="delivered orders"))
else:
    common.placeholder("On-time and correct rates by carrier, service level, FC, channel "
                       "and promo", ["fct_orders"])
common.placeholder("Promise vs outcome by carrier", ["fct_shipments", "rpt_monthly_sla"])
