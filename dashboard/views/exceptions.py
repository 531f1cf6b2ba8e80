"""Exceptions: how many per 1,000 orders, why, which system caused them, how fast fixed.

Exceptions are dated by when they opened (resolution times by when they were resolved),
as the KPI tables date them. The channel, carrier and FC filters reach the exceptions through
their order, so every chart here honours all three. Only the open list returns rows, and it
is capped.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

import common

NEEDED = ("exception_id", "exception_class", "order_id", "root_cause_system",
          "exception_reason", "opened_at", "resolved_at", "is_open", "hours_to_resolve")
OPEN_ROWS = 1000
SPLITS = {"Root-cause system": "coalesce(e.root_cause_system, 'not determined')",
          "Class": "e.exception_class"}

f = common.page_frame(
    "Exceptions",
    "An exception is anything that needed action on an order, attributed to the system "
    "that caused it (marketing, CRM, OMS, WMS, carrier, integration).")

if not common.has("fct_order_exceptions", *NEEDED) or \
        not common.has("fct_orders", "order_id", "placed_at", "channel", "carrier",
                       "fc_id"):
    common.placeholder("Exceptions per 1,000 orders, by class and root-cause system",
                       ["fct_order_exceptions", "fct_orders"])
    st.stop()

exceptions, orders = common.table("fct_order_exceptions"), common.table("fct_orders")
targets = common.kpi_targets()


def scoped(date_col: str | None) -> tuple[str, list]:
    """`from ... where ...` for exceptions joined to their order, filtered by date (when
    `date_col` is given), channel, carrier and FC; callers append `and ...` conditions."""
    sql_where, params = common.where(f, date_col=f"e.{date_col}" if date_col else None,
                                     channel_col="o.channel", carrier_col="o.carrier",
                                     fc_col="o.fc_id")
    return (f"from {exceptions} as e left join {orders} as o on e.order_id = o.order_id "
            f"{sql_where or 'where true'}"), params


opened_from, opened_params = scoped("opened_at")
resolved_from, resolved_params = scoped("resolved_at")
order_where, order_params = common.where(f, date_col="placed_at", channel_col="channel",
                                         carrier_col="carrier", fc_col="fc_id")

counts = common.query(f"""
    select count(*) as opened,
        count(*) filter (where e.is_open) as still_open,
        (select count(*) from {orders} {order_where}) as placed
    {opened_from}""", [*order_params, *opened_params]).iloc[0]
resolve = common.query(f"""
    select
        percentile_cont(0.5) within group (order by e.hours_to_resolve) as p50,
        percentile_cont(0.95) within group (order by e.hours_to_resolve) as p95,
        count(e.hours_to_resolve) as resolved
    {resolved_from} and e.hours_to_resolve is not null""", resolved_params).iloc[0]

cards = st.columns(5)
per_1000 = 1000.0 * counts["opened"] / counts["placed"] if counts["placed"] else None
with cards[0]:
    common.kpi_tile("exceptions_per_1000_orders", per_1000,
                    target=targets.get("exceptions_per_1000_orders"))
share = counts["still_open"] / counts["opened"] if counts["opened"] else 0
with cards[1]:
    common.card("Exceptions opened", f"{int(counts['opened']):,}",
                f"Against {int(counts['placed']):,} orders placed",
                help="Exceptions opened in the date range, on orders matching the filters.")
with cards[2]:
    common.card("Still open", f"{int(counts['still_open']):,}", f"{share:.0%} of those opened",
                help="Of the exceptions opened in the date range, those not yet resolved.")
for col, key, p in ((cards[3], "exception_resolve_hours_p50", "p50"),
                    (cards[4], "exception_resolve_hours_p95", "p95")):
    with col:
        common.kpi_tile(key, None if pd.isna(resolve[p]) else float(resolve[p]),
                        target=targets.get(key))
st.caption(f"Time to resolve: {int(resolve['resolved']):,} exceptions resolved in the date "
           "range, from opening to resolution. Mis-picks and short ships are judged at "
           "delivery and never resolve, so they do not count here.")

st.subheader("Exceptions per 1,000 orders, week by week")
split = st.segmented_control("Split by", list(SPLITS), default="Root-cause system",
                             key="exceptions_split") or "Root-cause system"
split_col = SPLITS[split]
weekly = common.query(f"""
    with opened as (
        select cast(date_trunc('week', e.opened_at) as date) as week,
            {split_col} as part,
            count(*) as exceptions
        {opened_from}
        group by 1, 2
    ),
    placed as (
        select cast(date_trunc('week', placed_at) as date) as week, count(*) as orders,
            count(distinct cast(placed_at as date)) as days
        from {orders} {order_where}
        group by 1
    )
    select opened.week, opened.part, placed.days,
        1000.0 * opened.exceptions / placed.orders as per_1000
    from opened
    inner join placed on opened.week = placed.week
    order by 1, 2""", [*opened_params, *order_params])
if common.spans_weeks(f):
    # a week the range touches for a day or two is noise, as on the Overview
    weekly = weekly[weekly["days"] >= common.MIN_WEEK_DAYS]
if weekly.empty:
    st.success("No exception opened in these dates.")
else:
    target = targets.get("exceptions_per_1000_orders")
    fig = common.bar_chart(
        weekly, "week", "per_1000", color="part", colors=common.SYSTEM_COLORS,
        title=f"Exceptions opened per 1,000 orders placed, by week, stacked by "
              f"{split.lower()}",
        y_title="exceptions per 1,000 orders",
        target=target.value if target else None)
    common.show(fig.update_xaxes(type="date"))
    st.caption("Weeks start on Monday; a week the date range touches for under four days "
               "is left out.")

left, right = st.columns(2)
by_class = common.query(f"""
    select e.exception_class,
        coalesce(e.root_cause_system, 'not determined') as root_cause_system,
        count(*) as exceptions
    {opened_from}
    group by 1, 2
    order by 1, 2""", opened_params)
with left:
    if not by_class.empty:
        ranked = by_class.groupby("exception_class")["exceptions"].sum().sort_values(
            ascending=False)
        by_class["rank"] = by_class["exception_class"].map(
            {c: i for i, c in enumerate(ranked.index)})
        common.show(common.bar_chart(
            by_class.sort_values(["rank", "root_cause_system"]), "exception_class",
            "exceptions", color="root_cause_system", horizontal=True,
            colors=common.SYSTEM_COLORS,
            title="Exceptions by class, coloured by root-cause system",
            y_title="exceptions opened", x_title="class"))
resolve_by_class = common.query(f"""
    select e.exception_class,
        percentile_cont(0.5) within group (order by e.hours_to_resolve) as "P50",
        percentile_cont(0.95) within group (order by e.hours_to_resolve) as "P95"
    {resolved_from} and e.hours_to_resolve is not null
    group by 1
    order by "P95" desc""", resolved_params)
with right:
    if resolve_by_class.empty:
        st.info("No exception was resolved in these dates.")
    else:
        common.show(common.bar_chart(
            resolve_by_class.melt(id_vars=["exception_class"], var_name="percentile",
                                  value_name="hours"),
            "exception_class", "hours", color="percentile", horizontal=True,
            barmode="group", title="Time to resolve by class (P50 and P95)",
            y_title="hours from opening to resolution", x_title="class"))

st.subheader("Open exceptions")
as_of = common.data_as_of()
in_range = st.toggle("Only exceptions opened in the date range", value=True,
                     key="open_in_range",
                     help="Off: the whole open backlog, however old, for these filters.")
open_from, open_params = scoped("opened_at" if in_range else None)
joiner = " and"
choices = common.query(f"""
    select distinct e.exception_class as value, 'class' as kind
    {open_from}{joiner} e.is_open
    union
    select distinct coalesce(e.root_cause_system, 'not determined'), 'system'
    {open_from}{joiner} e.is_open
    order by 2, 1""", [*open_params, *open_params])
pick_class, pick_system = st.columns(2)
classes = pick_class.multiselect(
    "Class", choices.loc[choices["kind"] == "class", "value"].tolist(),
    key="open_classes", placeholder="All classes")
systems = pick_system.multiselect(
    "Root-cause system", choices.loc[choices["kind"] == "system", "value"].tolist(),
    key="open_systems", placeholder="All systems")
extra, extra_params = "", []
if classes:
    extra += f" and e.exception_class in ({', '.join('?' * len(classes))})"
    extra_params += classes
if systems:
    extra += (" and coalesce(e.root_cause_system, 'not determined') in "
              f"({', '.join('?' * len(systems))})")
    extra_params += systems
open_rows = common.query(f"""
    select e.opened_at, e.exception_class,
        coalesce(e.root_cause_system, 'not determined') as root_cause_system,
        e.order_id, o.channel, o.carrier, o.fc_id,
        coalesce(e.exception_reason, '') as reason,
        e.exception_id, count(*) over () as total
    {open_from}{joiner} e.is_open {extra}
    order by e.opened_at, e.exception_id
    limit {OPEN_ROWS}""", [*open_params, *extra_params])
if open_rows.empty:
    st.success("No open exception matches these filters.")
else:
    total = int(open_rows["total"].iloc[0])
    if as_of is not None:
        open_rows.insert(1, "open_days",
                         (as_of - open_rows["opened_at"]).dt.total_seconds() / 86400)
    st.caption(f"{total:,} open exception{'s' if total != 1 else ''}, oldest first"
               + (f"; showing the oldest {OPEN_ROWS:,}" if total > OPEN_ROWS else "")
               + (". Age is measured at the data's as-of time." if as_of is not None else ""))
    st.dataframe(open_rows.drop(columns=["total"]), hide_index=True, width="stretch",
                 column_config={
                     "opened_at": st.column_config.DatetimeColumn(
                         "opened (UTC)", format="YYYY-MM-DD HH:mm"),
                     "open_days": st.column_config.NumberColumn("open for (days)",
                                                                format="%.1f"),
                     "exception_class": "class", "root_cause_system": "root cause",
                     "order_id": "order", "exception_id": "exception id", "fc_id": "FC",
                 })
