"""Overview: the headline KPIs against their targets, with the change on the prior period."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import streamlit as st

import common

ORDER_COLUMNS = ("placed_at", "delivered_at", "is_accurate", "is_correct",
                 "exception_count", "has_wismo_ticket")
ACCURACY_TARGET = 0.98

f = common.page_frame(
    "Overview",
    "Did we keep the delivery promise, and which system broke it?")


def order_where(start: date, end: date) -> tuple[str, list]:
    """The sidebar filters for fct_orders over one period (carrier only if it has one)."""
    carrier_col = "carrier" if common.has("fct_orders", "carrier") else None
    return common.where(common.Filters(start, end, f.channels, f.carriers),
                        date_col="placed_at", channel_col="channel", carrier_col=carrier_col)


def order_kpis(start: date, end: date) -> pd.Series:
    """Orders, delivered, accuracy, exceptions and WISMO per 1,000 for one period."""
    sql_where, params = order_where(start, end)
    frame = common.query(f"""
        select
            count(*) as orders,
            count(delivered_at) as delivered,
            avg(case when is_accurate then 1.0 else 0.0 end)
                filter (where delivered_at is not null and is_correct is not null)
                as accuracy_rate,
            1000.0 * sum(exception_count) / nullif(count(*), 0) as exceptions_per_1000,
            1000.0 * count(*) filter (where has_wismo_ticket) / nullif(count(*), 0)
                as wismo_per_1000
        from {common.table('fct_orders')}
        {sql_where}""", params)
    return frame.iloc[0]


if common.has("fct_orders", *ORDER_COLUMNS):
    days = (f.end - f.start).days + 1
    prior_start = f.start - timedelta(days=days)
    now = order_kpis(f.start, f.end)
    before = order_kpis(prior_start, f.start - timedelta(days=1))
    # compare only with a whole prior period: one cut off by the start of the data
    # would show every count "up"
    has_prior = prior_start >= common.data_window()[0]
    st.subheader(f"{f.start} to {f.end}" + (f", against the previous {days} days"
                                            if has_prior else ""))
    tiles = st.columns(4)

    def tile(col: st.delta_generator.DeltaGenerator, label: str, key: str, fmt: str,
             good_when_up: bool) -> None:
        value, prior = now[key], before[key]
        shown = "n/a" if pd.isna(value) else format(value, fmt)
        comparable = (has_prior and before["orders"] > 0 and not pd.isna(value)
                      and not pd.isna(prior))
        delta = format(value - prior, fmt) if comparable else None
        col.metric(label, shown, delta, delta_color="normal" if good_when_up else "inverse",
                   border=True)

    tile(tiles[0], "Orders placed", "orders", ",.0f", True)
    tile(tiles[1], f"Order accuracy (target ≥ {ACCURACY_TARGET:.0%})", "accuracy_rate",
         ".2%", True)
    tile(tiles[2], "Exceptions per 1,000 orders", "exceptions_per_1000", ",.1f", False)
    tile(tiles[3], "WISMO contacts per 1,000 orders", "wismo_per_1000", ",.1f", False)

    sql_where, params = order_where(f.start, f.end)
    weekly = common.query(f"""
        select
            cast(date_trunc('week', placed_at) as date) as week,
            avg(case when is_accurate then 1.0 else 0.0 end)
                filter (where delivered_at is not null and is_correct is not null)
                as accuracy_rate
        from {common.table('fct_orders')}
        {sql_where}
        group by 1
        order by 1""", params)
    common.show(common.line_chart(
        weekly, "week", "accuracy_rate", title="Order accuracy by week placed",
        y_title="accurate / delivered orders", target=ACCURACY_TARGET, percent=True))
else:
    common.placeholder("Headline KPI tiles (accuracy, exceptions and WISMO per 1,000)",
                       ["fct_orders"])

common.placeholder("KPI trends against targets", ["kpi_daily", "kpi_monthly"])

st.subheader("What is published")
info = common.manifest()
counts = pd.DataFrame(sorted(info.get("row_counts", {}).items()), columns=["mart", "rows"])
left, right = st.columns([2, 1])
left.dataframe(counts, hide_index=True, column_config={
    "rows": st.column_config.NumberColumn("rows", format="localized")})
tests = info.get("tests", {})
right.metric("dbt tests passed", f"{tests.get('pass', 0):,}", border=True)
right.metric("dbt tests warning", f"{tests.get('warn', 0):,}", border=True)
