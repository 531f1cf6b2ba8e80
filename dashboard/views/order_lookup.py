"""Order lookup: one order's story on one screen, for a "where is my order" call.

Type an order id (storefront or OMS), a tracking number or a customer's email. The page
shows the customer record, the promise and the outcome, then every system's events on one
timeline, ordered by time: storefront, promise, OMS, WMS, carrier scans (raw and canonical
codes), support tickets and exceptions.

Erased customers (GDPR): the marts already dropped their personal data; this page also
never shows a ticket's requester or a scan's location for them, and an email never finds
them.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

import common

# Timeline lanes, top to bottom, in the order an order lives through them.
LANES = ["storefront", "promise", "integration", "OMS", "WMS", "carrier", "support",
         "exception", "outcome"]
MAX_MATCHES = 50

common.page_frame(
    "Order lookup",
    "Type an order id, an OMS order id, a tracking number or a customer email: the "
    "customer, the promise, and every system's events on one timeline. The sidebar "
    "filters do not apply.")

text = st.text_input("Order id, tracking number or email", key="lookup_text",
                     placeholder="e.g. SO-0001234, 1Z999AA10123456784 or "
                                 "jane@example.com").strip()

if not common.has("fct_orders", "order_id", "customer_id", "placed_at",
                  "promised_delivery_date", "current_status"):
    common.placeholder("Order search", ["fct_orders"])
    st.stop()
if not text:
    st.info("Enter an order id, a tracking number or an email to see the order's story.",
            icon=":material/search:")
    st.stop()

orders = common.table("fct_orders")


def normalised_email(column: str) -> str:
    """SQL that compares emails the way identity resolution does: case, spaces, plus-tag."""
    return f"regexp_replace(lower(trim({column})), '[+][^@]*@', '@')"


def find_orders(needle: str) -> pd.DataFrame:
    """Orders matching an email (through the resolved customer) or an id, newest first."""
    columns = "o.order_id, o.placed_at, o.current_status, o.channel"
    if "@" in needle:
        if not common.has("dim_customers", "customer_id", "email", "is_erased"):
            return pd.DataFrame(columns=["order_id", "placed_at", "current_status",
                                         "channel"])
        return common.query(f"""
            select {columns}
            from {orders} as o
            inner join {common.table('dim_customers')} as c
                on o.customer_id = c.customer_id
            where {normalised_email('c.email')} = {normalised_email('?')}
                and not coalesce(c.is_erased, false)
            order by o.placed_at desc
            limit {MAX_MATCHES}""", [needle])
    needle = needle.lstrip("#").upper()
    conditions = ["upper(o.order_id) = ?"]
    params = [needle]
    if common.has("fct_orders", "oms_order_id"):
        conditions.append("upper(o.oms_order_id) = ?")
        params.append(needle)
    tracking = ""
    if common.has("fct_shipments", "order_id", "tracking_number"):
        tracking = (f" or o.order_id in (select order_id from "
                    f"{common.table('fct_shipments')} where upper(tracking_number) = ?)")
        params.append(needle)
    return common.query(f"""
        select {columns}
        from {orders} as o
        where {' or '.join(conditions)}{tracking}
        order by o.placed_at desc
        limit {MAX_MATCHES}""", params)


found = find_orders(text)
if found.empty:
    st.warning(f"No order matches `{text}`. Order ids look like the storefront's "
               "(e.g. SO-0001234); an erased customer's email finds nothing by design.")
    st.stop()

if len(found) > 1:
    labels = {r.order_id: f"{r.order_id} · placed {r.placed_at:%Y-%m-%d} · {r.channel} · "
                          f"{r.current_status}" for r in found.itertuples(index=False)}
    order_id = st.selectbox(f"{len(found)} orders match (newest first)", list(labels),
                            format_func=labels.get, key="lookup_pick")
else:
    order_id = str(found["order_id"].iloc[0])

def flag(row: pd.Series, name: str) -> bool:
    """A boolean column as a bool; NULL or missing is False."""
    item = row.get(name)
    return bool(item) if item is not None and pd.notna(item) else False


order = common.query(f"select * from {orders} where order_id = ?", [order_id]).iloc[0]
erased = flag(order, "is_customer_erased")
customer = pd.Series(dtype=object)
if common.has("dim_customers", "customer_id"):
    rows = common.query(f"select * from {common.table('dim_customers')} "
                        "where customer_id = ?", [order["customer_id"]])
    if not rows.empty:
        customer = rows.iloc[0]
        erased = erased or flag(customer, "is_erased")


def value(row: pd.Series, name: str, default: str = "n/a") -> str:
    """A field as text, with `default` for missing or NULL (older builds lack columns)."""
    item = row.get(name)
    if item is None or (not isinstance(item, (list, tuple)) and pd.isna(item)):
        return default
    if isinstance(item, pd.Timestamp):
        # DuckDB dates arrive as midnight timestamps: a `_date` column is a date
        return f"{item:%Y-%m-%d}" if "_date" in name else f"{item:%Y-%m-%d %H:%M} UTC"
    return str(item)


if pd.notna(order.get("is_on_time")):
    late_days = order.get("business_days_late")
    outcome = "On time" if order["is_on_time"] else (
        f"Late by {int(late_days)} business day{'s' if late_days != 1 else ''}"
        if pd.notna(late_days) else "Late")
    correct = order.get("is_correct")
    outcome += "" if pd.isna(correct) else (", correct items" if correct
                                            else ", wrong items")
else:
    outcome = "Not delivered yet"

st.markdown(f"### Order {order_id}")
summary = {
    "Status": value(order, "current_status").replace("_", " "),
    "Promised by": f"{value(order, 'promised_delivery_date')} "
                   f"({value(order, 'promise_source').replace('_', ' ')})",
    "Delivered": value(order, "delivered_date_local", "not yet"),
    "Outcome": outcome,
    "Root cause": value(order, "root_cause_system", "none (nothing went wrong)"),
}
for col, (label, text) in zip(st.columns(len(summary)), summary.items(), strict=True):
    # small cards, not st.metric: a date or a sentence must not be cut to "2026-1…"
    with col.container(border=True):
        st.caption(label)
        st.markdown(f"**{text}**")

details, person = st.columns([3, 2])
with details:
    facts = {
        "Placed": value(order, "placed_at"),
        "Channel": value(order, "channel"),
        "Service level": value(order, "service_level"),
        "Promo": value(order, "promo_code", "none"),
        "Promise": f"{value(order, 'promised_delivery_date')} "
                   f"({value(order, 'promise_source')}, "
                   f"{value(order, 'promised_business_days')} business days)",
        "FC / carrier": f"{value(order, 'fc_id')} / {value(order, 'carrier')}",
        "Items": value(order, "sku_list"),
        "OMS order": value(order, "oms_order_id", "never reached the OMS"),
        "Exceptions": value(order, "exception_count", "0"),
    }
    st.dataframe(pd.DataFrame(list(facts.items()), columns=["field", "value"]),
                 hide_index=True, width="stretch")
with person:
    if erased:
        st.warning(f"Customer `{value(order, 'customer_id')}` asked to be erased: their "
                   "personal data is not shown.", icon=":material/visibility_off:")
    elif customer.empty:
        st.info(f"Customer `{value(order, 'customer_id')}` is not in dim_customers.")
    else:
        name = " ".join(value(customer, c, "") for c in ("first_name", "last_name"))
        st.markdown(f"**Customer** `{value(customer, 'customer_id')}`  \n"
                    f"{name.strip() or 'name unknown'}  \n"
                    f"{value(customer, 'email', 'no email')} · "
                    f"{value(customer, 'phone_e164', 'no phone')}  \n"
                    f"Ships to: {value(order, 'canonical_address')}  \n"
                    f"VIP tier: {value(customer, 'vip_tier', 'none')} · payment hold: "
                    f"{'yes' if flag(customer, 'has_payment_hold') else 'no'}")


def timeline(order_id: str, erased: bool) -> pd.DataFrame:
    """Every system's events for the order, one row each: at, lane, event, detail, codes.

    One query per source, each filtered by order id in the database.
    """
    parts: list[pd.DataFrame] = []

    def add(sql: str, params: list) -> None:
        frame = common.query(sql, params)
        if not frame.empty:
            parts.append(frame)

    # the order's own milestones come from one read of its row: at 1,000,000 orders each
    # read of fct_orders costs ~50 ms, and there were four
    milestones = ["""
        select placed_at as at, 'storefront' as lane, 'order placed' as event,
            concat_ws(', ', channel, service_level,
                      case when promo_code is not null then 'promo ' || promo_code end)
                as detail,
            null as raw_code, null as canonical_status
        from o""", """
        select placed_at, 'promise', 'promise set',
            'deliver by ' || coalesce(cast(promised_delivery_date as varchar), 'unknown')
                || ' (' || coalesce(promise_source, 'no promise') || ')',
            null, null
        from o"""]
    if common.has("fct_orders", "oms_created_at", "oms_order_id", "fc_id"):
        milestones.append("""
            select oms_created_at, 'OMS', 'OMS received the order',
                concat_ws(', ', oms_order_id, 'FC ' || fc_id,
                          'OMS status now: ' || oms_status),
                null, null
            from o where oms_created_at is not null""")
    if common.has("fct_orders", "delivered_at", "is_on_time"):
        milestones.append("""
            select delivered_at, 'outcome',
                case when is_on_time then 'delivered on time' else 'delivered late' end,
                concat_ws(', ', case when not is_on_time
                    then business_days_late || ' business day(s) late' end,
                    case when is_correct then 'correct items'
                        when not is_correct then 'wrong items' end),
                null, null
            from o where delivered_at is not null""")
    add(f"with o as materialized (select * from {orders} where order_id = ?)"
        + "\n        union all".join(milestones), [order_id])
    if common.has("fct_sync_events", "entity", "entity_id", "source_changed_at",
                  "final_outcome"):
        add(f"""
            select source_changed_at as at, 'integration' as lane,
                'order change sent to ' || target_system as event,
                concat_ws(', ', final_outcome, total_attempts || ' attempt(s)',
                          case when sync_lag_seconds is not null
                              then 'delivered after ' || round(sync_lag_seconds) || ' s'
                          end) as detail,
                null as raw_code, null as canonical_status
            from {common.table('fct_sync_events')}
            where entity = 'order' and entity_id = ?""", [order_id])
    if common.has("fct_shipments", "order_id", "shipped_at", "shipment_id", "carrier"):
        add(f"""
            select shipped_at as at, 'WMS' as lane, 'parcel shipped' as event,
                concat_ws(', ', shipment_id, carrier || ' ' || tracking_number,
                          shipment_reason, 'parcel now: ' || current_status) as detail,
                null as raw_code, null as canonical_status
            from {common.table('fct_shipments')}
            where order_id = ? and shipped_at is not null""", [order_id])
    if common.has("fct_tracking_events", "order_id", "event_at", "raw_code",
                  "canonical_status", "is_duplicate"):
        location = ("null" if erased else
                    "nullif(concat_ws(' ', location_city, location_country), '')")
        add(f"""
            select event_at as at, 'carrier' as lane,
                coalesce(canonical_status, 'unmapped code') as event,
                concat_ws('; ', raw_description, {location},
                          case when exception_reason is not null
                              then 'reason: ' || exception_reason end,
                          case when is_duplicate then 're-sent duplicate' end,
                          'reached us ' || round(arrival_lag_seconds / 60.0, 1)
                              || ' min later') as detail,
                concat_ws(' / ', carrier, code_field, raw_code, raw_qualifier) as raw_code,
                canonical_status
            from {common.table('fct_tracking_events')}
            where order_id = ?""", [order_id])
    if common.has("stg_support__tickets", "order_id", "ticket_id", "category",
                  "created_at", "resolved_at"):
        # never the requester's name or email: the ticket is the order's, not the person's
        add(f"""
            select created_at as at, 'support' as lane, 'ticket opened: ' || category
                as event, ticket_id as detail, null as raw_code, null as canonical_status
            from {common.table('stg_support__tickets')} where order_id = ?
            union all
            select resolved_at, 'support', 'ticket resolved',
                concat_ws(', ', ticket_id, 'CSAT ' || csat), null, null
            from {common.table('stg_support__tickets')}
            where order_id = ? and resolved_at is not null""", [order_id, order_id])
    if common.has("fct_order_exceptions", "order_id", "exception_class", "opened_at"):
        add(f"""
            select opened_at as at, 'exception' as lane,
                'opened: ' || exception_class as event,
                concat_ws('; ', exception_reason, 'root cause ' || root_cause_system)
                    as detail,
                null as raw_code, null as canonical_status
            from {common.table('fct_order_exceptions')} where order_id = ?
            union all
            select resolved_at, 'exception', 'resolved: ' || exception_class,
                round(hours_to_resolve, 1) || ' h after opening', null, null
            from {common.table('fct_order_exceptions')}
            where order_id = ? and resolved_at is not null""", [order_id, order_id])
    if not parts:
        return pd.DataFrame(columns=["at", "lane", "event", "detail", "raw_code",
                                     "canonical_status"])
    frame = pd.concat(parts, ignore_index=True)
    frame["at"] = pd.to_datetime(frame["at"])
    frame["lane_order"] = frame["lane"].map({lane: i for i, lane in enumerate(LANES)})
    return frame.sort_values(["at", "lane_order"], kind="stable").drop(
        columns=["lane_order"]).reset_index(drop=True)


events = timeline(order_id, erased)
st.subheader("Timeline")
if events.empty:
    st.info("No event recorded for this order yet.")
    st.stop()

fig = go.Figure()
lanes = [lane for lane in LANES if lane in set(events["lane"])]
for index, lane in enumerate(lanes):
    part = events[events["lane"] == lane]
    fig.add_trace(go.Scatter(
        x=part["at"], y=part["lane"], mode="markers", name=lane,
        marker={"size": 11, "color": common.PALETTE[index % len(common.PALETTE)],
                "symbol": ["x" if str(e).startswith(("opened", "unmapped")) else "circle"
                           for e in part["event"]]},
        customdata=part[["event", "detail"]].fillna("").to_numpy(),
        hovertemplate="%{x|%Y-%m-%d %H:%M} UTC<br><b>%{customdata[0]}</b>"
                      "<br>%{customdata[1]}<extra>%{y}</extra>"))
promised = order.get("promised_delivery_date")
if pd.notna(promised):
    deadline = pd.Timestamp(promised) + pd.Timedelta(days=1)
    fig.add_shape(type="line", x0=deadline, x1=deadline, y0=0, y1=1, yref="paper",
                  line={"color": common.TARGET_COLOR, "dash": "dash"})
    fig.add_annotation(x=deadline, y=1, yref="paper",
                       text=f"promised by {pd.Timestamp(promised):%Y-%m-%d}",
                       showarrow=False, xanchor="left", yanchor="bottom",
                       font={"color": common.TARGET_COLOR})
fig.update_yaxes(categoryorder="array", categoryarray=list(reversed(lanes)),
                 title_text="system")
fig.update_xaxes(title_text="time (UTC)")
fig.update_layout(title={"text": f"Order {order_id}: every system's events over time"},
                  height=120 + 42 * len(lanes), showlegend=False,
                  margin={"l": 10, "r": 10, "t": 60, "b": 10})
common.show(fig)

table = events[["at", "lane", "event", "raw_code", "detail"]].fillna("")
st.dataframe(table, hide_index=True, width="stretch",
             height=min(38 + 35 * len(table), 38 + 35 * 25), column_config={
                 "at": st.column_config.DatetimeColumn("time (UTC)",
                                                       format="YYYY-MM-DD HH:mm"),
                 "lane": "system",
                 "raw_code": "raw code (carrier / field / code / qualifier)"})
st.caption("For a carrier scan, the event is the canonical status the warehouse mapped "
           "its raw code to; the raw code is shown as the carrier sent it.")
unmapped = int((events["event"] == "unmapped code").sum())
if unmapped:
    st.caption(f"{unmapped} carrier scan{'s carry' if unmapped != 1 else ' carries'} a "
               "code no map row or pattern knows: shown as sent, never guessed.")
if erased:
    st.caption("Scan locations and ticket requesters are hidden for an erased customer.")
