"""Status sync: do the storefront, the OMS and the carrier tell the same story?

Two handovers can break the story of an order. The storefront's changes must reach the
OMS (order sync success, dated by the change, from `kpi_daily`), and the OMS status must
follow the carrier's scans (status sync accuracy, from `fct_orders`). Status sync accuracy
is a point-in-time KPI: it grades the orders in flight at the data's as-of moment, so it
has no history of its own; this page shows it by carrier, FC and channel, and by the day
the in-flight orders were placed.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

import common

NEEDED = ("is_in_flight", "is_status_in_sync", "first_parcel_status", "oms_status",
          "placed_at", "channel", "carrier", "fc_id")
KPI = "status_sync_accuracy"
SYNC_KPI = "order_sync_success_rate"
# A day placed with fewer orders still in flight than this is noise on the trend.
MIN_IN_FLIGHT = 20
# ... and a line needs a few such days to be one.
MIN_DAYS = 3
BREAKDOWNS = {"Carrier": "carrier", "FC": "fc_id", "Channel": "channel"}

f = common.page_frame(
    "Status sync",
    "Do the storefront, the OMS and the carrier agree on each order? Order changes must "
    "reach the OMS, and the OMS status must follow the carrier's scans.")
targets = common.kpi_targets()

st.subheader("OMS against carrier: status sync accuracy")
if not common.has("fct_orders", *NEEDED):
    common.placeholder("Status sync accuracy", ["fct_orders"])
else:
    orders = common.table("fct_orders")
    # point in time: every order in flight now, whatever the date range
    scope, params = common.predicate(f, channel_col="channel", carrier_col="carrier",
                                     fc_col="fc_id")
    graded = f"from {orders} where is_in_flight and {scope}"
    IN_SYNC = "case when is_status_in_sync then 1.0 else 0.0 end"
    target = targets.get(KPI)
    total = common.query(f"""
        select count(*) as in_flight, avg({IN_SYNC}) as accuracy,
            count(*) filter (where not is_status_in_sync) as disagreeing
        {graded}""", params).iloc[0]
    as_of = common.data_as_of()
    when = f"{as_of:%Y-%m-%d %H:%M} UTC" if as_of is not None else "the data's as-of time"
    if not total["in_flight"]:
        st.info("No order matching these filters is in flight.")
    else:
        cards = st.columns(3)
        with cards[0]:
            common.kpi_tile(KPI, float(total["accuracy"]), target=target)
        with cards[1]:
            common.card("Orders in flight", f"{int(total['in_flight']):,}",
                        f"Graded at {when}",
                        help="Orders whose first parcel is moving, was scanned in the last "
                             "3 days and whose latest scan carries a known code.")
        with cards[2]:
            common.card("OMS status lags the carrier", f"{int(total['disagreeing']):,}",
                        "In-flight orders the OMS shows in another state",
                        help="Customers and agents reading the OMS see a status the "
                             "carrier has already moved past.")
        st.caption(f"Measured on the orders in flight at {when}, whatever the date range: "
                   "the OMS keeps no status history to grade past days by.")
        label = st.segmented_control("Break down by", list(BREAKDOWNS), default="Carrier",
                                     key="status_sync_dimension") or "Carrier"
        dim = BREAKDOWNS[label]
        by_dim = common.query(f"""
            select coalesce({dim}, '(none)') as dimension, count(*) as in_flight,
                avg({IN_SYNC}) as accuracy
            {graded}
            group by 1
            order by accuracy, dimension""", params)
        by_day = common.query(f"""
            select cast(placed_at as date) as day, count(*) as in_flight,
                avg({IN_SYNC}) as accuracy
            {graded}
            group by 1
            having count(*) >= {MIN_IN_FLIGHT}
            order by 1""", params)
        dim_col, day_col = st.columns(2)
        with dim_col:
            by_dim["series"] = "status sync accuracy"
            by_dim["dimension"] = [f"{d} ({n:,})" for d, n in
                                   zip(by_dim["dimension"], by_dim["in_flight"], strict=True)]
            common.show(common.dot_chart(
                by_dim, "dimension", "accuracy", color="series", y_title=label.lower(),
                title=f"Status sync accuracy by {label.lower()} (orders in flight)",
                x_title="in-flight orders in sync (share)",
                target=target.value if target else None))
        with day_col:
            if len(by_day) < MIN_DAYS:
                st.info(f"Fewer than {MIN_DAYS} days placed have {MIN_IN_FLIGHT} or more "
                        "orders still in flight: too few for a line.")
            else:
                fig = common.line_chart(
                    by_day, "day", "accuracy", percent=True, zero=False,
                    title="Status sync accuracy by day placed (orders in flight now)",
                    y_title="OMS status matches the carrier", x_title="day placed",
                    target=target.value if target else None)
                common.show(fig.update_xaxes(tickformat="%d %b", dtick=86_400_000))
                st.caption(f"Days placed with at least {MIN_IN_FLIGHT} orders still in "
                           "flight; older orders have mostly been delivered.")
        mismatch = common.query(f"""
            select first_parcel_status as carrier_state, oms_status, count(*) as orders
            {graded} and not is_status_in_sync
            group by 1, 2
            order by 3 desc, 1, 2
            limit 20""", params)
        if not mismatch.empty:
            st.markdown("**Where they disagree: the carrier's state against the OMS "
                        "status**")
            for column in ("carrier_state", "oms_status"):
                mismatch[column] = mismatch[column].str.replace("_", " ")
            st.dataframe(mismatch, hide_index=True, column_config={
                "carrier_state": "carrier says", "oms_status": "OMS says",
                "orders": st.column_config.NumberColumn("orders", format="localized")})

st.subheader("Storefront to OMS: order changes delivered, day by day")
if not common.has("kpi_daily", "kpi_date", "kpi", "numerator", "denominator"):
    common.placeholder("Order sync success per day", ["kpi_daily"])
else:
    common.not_filtered(f, "channel", "carrier", "FC")
    daily = common.kpi_trend((SYNC_KPI,), f, common.DAY)
    success, _ = common.kpi_totals((SYNC_KPI,), f, f.start, f.end)
    target = targets.get(SYNC_KPI)
    if daily.empty:
        st.info("No order change was sent to the OMS in these dates.")
    else:
        tile_col, chart_col = st.columns([1, 3])
        with tile_col:
            common.kpi_tile(SYNC_KPI, success.get(SYNC_KPI), target=target)
            below = int((daily["kpi_value"] < target.value).sum()) if target else 0
            common.card("Days below target", f"{below:,} of {len(daily):,}",
                        "Days whose order changes reached the OMS less often than "
                        "the target")
        with chart_col:
            common.show(common.line_chart(
                daily, "period", "kpi_value", percent=True, zero=False,
                title="Order changes that reached the OMS, by day of the change",
                y_title="changes delivered / attempted",
                target=target.value if target else None))
        st.caption("A change that never reached the OMS (dead-lettered) is a storefront "
                   "order the OMS does not know as it is: see Sync lag for the queue and "
                   "Reconciliation for the nightly three-way check.")
        worst = daily.nsmallest(1, "kpi_value")
        if not worst.empty and target and worst["kpi_value"].iloc[0] < target.value:
            day = pd.Timestamp(worst["period"].iloc[0])
            st.caption(f"Worst day: {day:%Y-%m-%d}, "
                       f"{common.fmt_kpi(worst['kpi_value'].iloc[0], 'rate')} delivered.")
