"""Overview: the headline KPIs against their targets, with the change on the prior period.

Every number here comes from `kpi_daily` / `kpi_monthly` (sum of numerators over sum of
denominators, the tables' contract), so the Overview can never disagree with `order-truth
check` or the monthly report. Percentile KPIs, which cannot be added up across days, are
recomputed from their facts for the period.
"""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

import common

# The fewest days of data before the range that a rate is compared with.
MIN_PRIOR_DAYS = 7
HEADLINE = ("order_accuracy_rate", "exceptions_per_1000_orders", "wismo_per_1000_orders",
            "sync_success_rate", "tracking_latency_p95_s")
SECONDARY = ("orders_placed", "orders_delivered", "on_time_rate", "correct_rate",
             "promo_fulfillment_mismatch_rate")
# (title, KPIs on one chart, y axis title, percent axis, start the axis at zero)
TRENDS = (
    ("Order accuracy", ("order_accuracy_rate",), "accurate / delivered orders", True, False),
    ("Exceptions per 1,000 orders", ("exceptions_per_1000_orders",),
     "exceptions per 1,000 orders", False, True),
    ("WISMO contacts per 1,000 orders", ("wismo_per_1000_orders",),
     "WISMO tickets per 1,000 orders", False, True),
    ("Sync success rate", ("sync_success_rate",), "changes delivered / attempted", True,
     False),
    ("Tracking latency (carrier scan to warehouse)",
     ("tracking_latency_p50_s", "tracking_latency_p95_s"), "seconds", False, True),
    ("Orders placed and delivered", ("orders_placed", "orders_delivered"), "orders", False,
     True),
)

f = common.page_frame(
    "Overview",
    "Did we keep the delivery promise, and which system broke it? Headline KPIs against "
    "their targets, with the change on the previous period of the same length.")

if not common.has("kpi_daily", "kpi_date", "kpi", "numerator", "denominator", "kpi_value"):
    common.placeholder("Headline KPI tiles and trends against targets", ["kpi_daily"])
    st.stop()

days = (f.end - f.start).days + 1
prior_start, prior_end = f.start - timedelta(days=days), f.start - timedelta(days=1)
# Rates compare with the previous period of the same length, or with the part of it the
# data covers when that is at least MIN_PRIOR_DAYS; counts only with a whole one, or a
# period cut off by the start of the data would show every count "down".
prior_from = max(prior_start, common.data_window()[0])
covered = (prior_end - prior_from).days + 1
whole_prior = covered == days
kpis = HEADLINE + SECONDARY
now, ignored = common.kpi_totals(kpis, f, f.start, f.end)
before: dict[str, float] = {}
if covered >= MIN_PRIOR_DAYS:
    before = {k: v for k, v in common.kpi_totals(kpis, f, prior_from, prior_end)[0].items()
              if whole_prior or common.kpi_meta(k).unit != "count"}
compared = "vs prior"  # the caption under the period says which days
targets = common.kpi_targets()

left, right = st.columns([3, 1], vertical_alignment="bottom")
left.subheader(f"{f.start:%d %b %Y} to {f.end:%d %b %Y}")
if whole_prior:
    left.caption(f"Changes are against the previous {days} days "
                 f"({prior_start:%d %b} to {prior_end:%d %b}).")
elif before:
    left.caption(f"The data starts on {prior_from:%d %b %Y}: rates are compared with the "
                 f"{covered} days before the range, counts are not compared.")
else:
    left.caption("No change is shown: the data does not reach back before the range.")
grain = right.segmented_control("Trend by", [common.WEEK, common.MONTH],
                                default=common.WEEK, key="overview_grain") or common.WEEK
trend_kpis = tuple(dict.fromkeys(kpis + tuple(k for t in TRENDS for k in t[1])))
trend = common.kpi_trend(trend_kpis, f, grain)
trend_ignored = common.kpi_scope(trend_kpis, f)[2]
# a period the range covers for only a few days is noise in a sparkline
spark_trend = trend[~trend["is_partial"]]


def tiles(keys: tuple[str, ...], *, sparklines: bool) -> None:
    """One row of KPI cards; the headline row carries sparklines (the trend at the chosen
    grain). Each sparkline is a chart the browser draws, so the second row goes without:
    ten of them cost the page about 0.4 s in the browser."""
    for col, key in zip(st.columns(len(keys)), keys, strict=True):
        spark = (spark_trend.loc[spark_trend["kpi"] == key, "kpi_value"].tolist()
                 if sparklines else None)
        with col:
            common.kpi_tile(key, now.get(key), before.get(key), target=targets.get(key),
                            compared_with=compared, spark=spark,
                            ignored=ignored.get(key, ()))


tiles(HEADLINE, sparklines=True)
tiles(SECONDARY, sparklines=False)

st.subheader(f"Trends by {grain.lower()}, against targets")
if grain == common.MONTH:
    st.caption("Whole months that the date range touches; a month the data covers only "
               "in part is drawn with a hollow marker.")
else:
    st.caption("Weeks start on Monday. A week the date range cuts is drawn with a hollow "
               "marker; one it touches for under four days is left out.")
columns = st.columns(2)
for index, (title, keys, y_title, percent, zero) in enumerate(TRENDS):
    part = trend[trend["kpi"].isin(keys)].copy()
    part["series"] = part["kpi"].map(lambda k: common.kpi_meta(k).label)
    target = next((targets[k] for k in keys if k in targets), None)
    skipped = list(dict.fromkeys(n for k in keys for n in trend_ignored.get(k, ())))
    note = f" ({common.listing(skipped)} filter not applied)" if skipped else ""
    with columns[index % 2]:
        if part.empty:
            st.info(f"{title}: no data for these dates and filters.")
            continue
        common.show(common.line_chart(
            part, "period", "kpi_value", color="series" if len(keys) > 1 else None,
            title=f"{title}, by {grain.lower()}{note}", y_title=y_title, percent=percent,
            target=target.value if target else None, partial="is_partial", zero=zero,
            unit_suffix=" s" if y_title == "seconds" else ""))

if common.has("fct_orders", "placed_at", "went_wrong", "root_cause_system", "channel",
              "carrier", "fc_id"):
    sql_where, params = common.where(f, date_col="placed_at", channel_col="channel",
                                     carrier_col="carrier", fc_col="fc_id")
    causes = common.query(f"""
        select coalesce(root_cause_system, 'not determined') as root_cause_system,
            count(*) as orders
        from {common.table('fct_orders')}
        {sql_where} and went_wrong
        group by 1
        order by 2 desc""", params)
    placed = now.get("orders_placed")
    st.subheader("Which system broke the promise")
    if causes.empty:
        st.success("No order placed in these dates went wrong.")
    else:
        wrong = int(causes["orders"].sum())
        share = f" ({wrong / placed:.1%} of orders placed)" if placed else ""
        st.caption(f"{wrong:,} orders placed in these dates went wrong{share}: delivered "
                   "late or incorrect, overdue, or stuck before the OMS. Each is blamed on "
                   "the earliest system with evidence against it.")
        common.show(common.bar_chart(
            causes, "root_cause_system", "orders", horizontal=True, text=True,
            color="root_cause_system", colors=common.SYSTEM_COLORS,
            title="Orders that went wrong, by root-cause system", y_title="orders",
            x_title="root-cause system"))

with st.expander("About this build: what is published"):
    info = common.manifest()
    counts = pd.DataFrame(sorted(info.get("row_counts", {}).items()),
                          columns=["mart", "rows"])
    table_col, tests_col = st.columns([2, 1])
    table_col.dataframe(counts, hide_index=True, column_config={
        "rows": st.column_config.NumberColumn("rows", format="localized")})
    tests = info.get("tests", {})
    tests_col.metric("dbt tests passed", f"{tests.get('pass', 0):,}", border=True)
    tests_col.metric("dbt tests warning", f"{tests.get('warn', 0):,}", border=True)
