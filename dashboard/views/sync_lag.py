"""Sync lag: how long a change takes to reach the other system, and what failed on the way."""

from __future__ import annotations

import streamlit as st

import common

NEEDED = ("entity", "source_changed_at", "sync_lag_seconds", "total_attempts",
          "rate_limited_attempts", "unauthorized_attempts", "is_delivered", "is_in_dlq",
          "dead_lettered_at")

f = common.page_frame(
    "Sync lag",
    "From a change in the source system to its first successful delivery in the "
    "target system. Targets: orders and customers ≤ 60 s, inventory ≤ 120 s (P95).")

if common.has("fct_sync_events", *NEEDED):
    common.not_filtered(f, "channel", "carrier")
    sql_where, params = common.where(f, date_col="source_changed_at")
    events = common.table("fct_sync_events")
    daily = common.query(f"""
        select
            cast(source_changed_at as date) as day,
            entity,
            count(*) as changes,
            percentile_cont(0.5) within group (order by sync_lag_seconds) as p50_s,
            percentile_cont(0.95) within group (order by sync_lag_seconds) as p95_s,
            sum(total_attempts) as attempts,
            sum(rate_limited_attempts) as rate_limited,
            sum(unauthorized_attempts) as unauthorized,
            avg(case when is_delivered then 1.0 else 0.0 end) as delivered_rate
        from {events}
        {sql_where}
        group by 1, 2
        order by 1, 2""", params)
    totals = daily.groupby("entity")[["changes"]].sum()
    tiles = st.columns(max(len(totals), 1))
    for col, entity in zip(tiles, totals.index, strict=False):
        part = daily[daily["entity"] == entity]
        target = common.SYNC_TARGET_SECONDS.get(entity)
        col.metric(f"{entity}: P95 lag (median day)", f"{part['p95_s'].median():,.1f} s",
                   help=f"target ≤ {target:g} s" if target else None, border=True)
    for entity in sorted(daily["entity"].unique()):
        part = daily[daily["entity"] == entity].rename(
            columns={"p50_s": "P50", "p95_s": "P95"}).melt(
            id_vars=["day"], value_vars=["P50", "P95"], var_name="percentile",
            value_name="seconds")
        common.show(common.line_chart(
            part, "day", "seconds", color="percentile",
            title=f"{entity.capitalize()} sync lag per day (P50 and P95)",
            y_title="seconds", target=common.SYNC_TARGET_SECONDS.get(entity),
            target_label="P95 target"))
    rates = daily.groupby("day", as_index=False)[["attempts", "rate_limited",
                                                   "unauthorized"]].sum()
    rates["429 rate limited"] = rates["rate_limited"] / rates["attempts"]
    rates["401 unauthorized"] = rates["unauthorized"] / rates["attempts"]
    common.show(common.line_chart(
        rates.melt(id_vars=["day"], value_vars=["429 rate limited", "401 unauthorized"],
                   var_name="response", value_name="share"),
        "day", "share", color="response", title="Retries forced by 429 and 401 responses",
        y_title="share of attempts", percent=True))
    dlq = common.query(f"""
        select cast(dead_lettered_at as date) as day, entity, count(*) as dead_lettered
        from {events}
        {sql_where}{' and' if sql_where else 'where'} is_in_dlq
        group by 1, 2
        order by 1, 2""", params)
    if dlq.empty:
        st.success("Dead-letter queue: empty for the selected dates.")
    else:
        dlq["dlq_depth"] = dlq.groupby("entity")["dead_lettered"].cumsum()
        common.show(common.line_chart(
            dlq, "day", "dlq_depth", color="entity",
            title="Dead-letter queue depth (changes never delivered)", y_title="changes"))
else:
    common.placeholder("CRM, order and inventory sync lag", ["fct_sync_events"])
common.placeholder("Tracking update latency (carrier event to warehouse)",
                   ["fct_tracking_events"])
