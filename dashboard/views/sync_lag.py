"""Sync lag: how long a change takes to reach the other system, and what failed on the way."""

from __future__ import annotations

import streamlit as st

import common

NEEDED = ("entity", "source_changed_at", "sync_lag_seconds", "total_attempts",
          "rate_limited_attempts", "unauthorized_attempts", "is_delivered", "is_in_dlq",
          "dead_lettered_at")
# DESIGN section 6: a carrier scan should reach the warehouse within 5 minutes (P95); the
# seed's target wins when the KPI table carries one.
TRACKING_TARGET_SECONDS = 300.0
ENTITY_ORDER = {"order": 0, "customer": 1, "inventory": 2}

f = common.page_frame(
    "Sync lag",
    "From a change in the source system to its first successful delivery in the "
    "target system. Targets: orders and customers ≤ 60 s, inventory ≤ 120 s (P95); "
    "carrier scans reach the warehouse within 5 minutes.")

if common.has("fct_sync_events", *NEEDED):
    common.not_filtered(f, "channel", "carrier", "FC")
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
    targets = common.kpi_targets()
    entities = sorted(daily["entity"].unique(), key=lambda e: (ENTITY_ORDER.get(e, 9), e))
    success, _ = common.kpi_totals(("sync_success_rate",), f, f.start, f.end)
    cards = st.columns(len(entities) + 1)
    for col, entity in zip(cards, entities, strict=False):
        part = daily[daily["entity"] == entity]
        target = targets.get(f"sync_latency_p95_s_{entity}")
        limit = target.value if target else common.SYNC_TARGET_SECONDS.get(entity)
        with col.container(border=True):
            median_day = part["p95_s"].median()
            st.metric(f"{entity.capitalize()} sync P95", f"{median_day:,.1f} s",
                      help=f"The median over the selected days of each day's 95th "
                           f"percentile lag, from the {entity} change in the source "
                           "system to its first successful delivery.")
            note = "Median day"
            if limit is not None:
                good = int((part["p95_s"] <= limit).sum())
                days = int(part["p95_s"].notna().sum())
                colour = ("green" if good == days else
                          "orange" if median_day <= limit else "red")
                note += f" · target ≤ {limit:g} s · :{colour}[met on {good} of {days} days]"
            st.caption(note)
    with cards[-1]:
        common.kpi_tile("sync_success_rate", success.get("sync_success_rate"),
                        target=targets.get("sync_success_rate"))
    columns = st.columns(len(entities))
    for col, entity in zip(columns, entities, strict=True):
        part = daily[daily["entity"] == entity].rename(
            columns={"p50_s": "P50", "p95_s": "P95"}).melt(
            id_vars=["day"], value_vars=["P50", "P95"], var_name="percentile",
            value_name="seconds")
        target = targets.get(f"sync_latency_p95_s_{entity}")
        with col:
            common.show(common.line_chart(
                part, "day", "seconds", color="percentile", unit_suffix=" s",
                title=f"{entity.capitalize()} sync lag per day",
                y_title="seconds", clip_outliers=True,
                target=target.value if target else common.SYNC_TARGET_SECONDS.get(entity),
                target_label="P95 target"))
    rates = daily.groupby("day", as_index=False)[["attempts", "rate_limited",
                                                   "unauthorized"]].sum()
    rates["429 rate limited"] = rates["rate_limited"] / rates["attempts"]
    rates["401 unauthorized"] = rates["unauthorized"] / rates["attempts"]
    retry_col, dlq_col = st.columns(2)
    with retry_col:
        common.show(common.line_chart(
            rates.melt(id_vars=["day"], value_vars=["429 rate limited", "401 unauthorized"],
                       var_name="response", value_name="share"),
            "day", "share", color="response", percent=True,
            title="Retries forced by 429 and 401 responses, per day",
            y_title="share of sync attempts"))
    dlq = common.query(f"""
        select cast(dead_lettered_at as date) as day, entity, count(*) as dead_lettered
        from {events}
        {sql_where}{' and' if sql_where else 'where'} is_in_dlq
        group by 1, 2
        order by 1, 2""", params)
    with dlq_col:
        if dlq.empty:
            st.success("Dead-letter queue: empty for the selected dates.")
        else:
            # depth = changes dead-lettered so far that were never delivered since
            dlq["dlq_depth"] = dlq.groupby("entity")["dead_lettered"].cumsum()
            common.show(common.line_chart(
                dlq, "day", "dlq_depth", color="entity",
                title="Dead-letter queue depth (changes never delivered)",
                y_title="changes in the queue"))
            depth = dlq.groupby("entity")["dead_lettered"].sum()
            st.caption("In the queue from these dates: " + ", ".join(
                f"{n:,} {e} change{'s' if n != 1 else ''}" for e, n in depth.items())
                + ". Each step up is growth.")
else:
    common.placeholder("CRM, order and inventory sync lag", ["fct_sync_events"])

st.subheader("Tracking updates: carrier scan to warehouse")
TRACKING = ("tracking_latency_p50_s", "tracking_latency_p95_s")
if common.has("fct_tracking_events", "event_at", "arrival_lag_seconds", "is_duplicate",
              "carrier"):
    common.not_filtered(f, "channel", "FC")
    targets = common.kpi_targets()
    target = targets.get("tracking_latency_p95_s")
    limit_s = target.value if target else TRACKING_TARGET_SECONDS
    track_where, track_params = common.where(f, date_col="event_at", carrier_col="carrier")
    # per carrier and over all carriers in one scan of the carrier events (7 per order);
    # the tiles' P50 and P95 are the kpi_daily formula recomputed for the whole range
    scanned = common.query(f"""
        select carrier, grouping(carrier) = 1 as is_total,
            count(*) as scans,
            percentile_cont(0.5) within group (order by arrival_lag_seconds) as "P50",
            percentile_cont(0.95) within group (order by arrival_lag_seconds) as "P95",
            avg(case when arrival_lag_seconds > ? then 1.0 else 0.0 end) as late_share
        from {common.table('fct_tracking_events')}
        {track_where} and not is_duplicate and arrival_lag_seconds is not null
        group by grouping sets ((carrier), ())
        order by "P95" desc""", [limit_s, *track_params])
    by_carrier = scanned[~scanned["is_total"]]
    total = scanned[scanned["is_total"]]
    overall = total.iloc[0] if not total.empty and total["scans"].iloc[0] else None
    cards = st.columns(4)
    for col, key, column in zip(cards, TRACKING, ("P50", "P95"), strict=False):
        with col:
            common.kpi_tile(key, None if overall is None else float(overall[column]),
                            target=targets.get(key))
    scans = 0 if overall is None else int(overall["scans"])
    late = None if overall is None else float(overall["late_share"])
    with cards[2]:
        common.card("Scans received", f"{scans:,}", "Each scan counted once",
                    help="Carrier scans with an event time in the date range, re-sent "
                         "duplicates excluded.")
    with cards[3]:
        common.card(f"Scans later than {limit_s / 60:g} min",
                    "n/a" if late is None else f"{late:.2%}",
                    "Drives stale tracking and WISMO calls",
                    help="Share of scans that reached the warehouse after the target.")
    daily = common.kpi_trend(TRACKING, f, common.DAY)
    if daily.empty:
        st.info("No carrier scan in these dates.")
    else:
        daily["percentile"] = daily["kpi"].map({"tracking_latency_p50_s": "P50",
                                                "tracking_latency_p95_s": "P95"})
        chart_col, carrier_col = st.columns([3, 2])
        with chart_col:
            common.show(common.line_chart(
                daily, "period", "kpi_value", color="percentile", unit_suffix=" s",
                title="Tracking update latency per day (P50 and P95)", y_title="seconds",
                target=limit_s, target_label="target", clip_outliers=True))
        with carrier_col:
            common.show(common.bar_chart(
                by_carrier.melt(id_vars=["carrier"], value_vars=["P50", "P95"],
                                var_name="percentile", value_name="seconds"),
                "carrier", "seconds", color="percentile", horizontal=True,
                barmode="group", target=limit_s,
                title="Tracking latency by carrier feed, whole date range",
                y_title="seconds from scan to warehouse", x_title="carrier"))
else:
    common.placeholder("Tracking update latency (carrier event to warehouse)",
                       ["fct_tracking_events"])
