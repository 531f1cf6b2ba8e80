"""Order lookup: one order's story on one screen, for a "where is my order" call."""

from __future__ import annotations

import streamlit as st

import common

common.page_frame(
    "Order lookup",
    "Type an order id or a customer email: promise, OMS, shipments, carrier events with "
    "raw and canonical codes, tickets and exceptions. The sidebar filters do not apply.")

text = st.text_input("Order id or email", key="lookup_text",
                     placeholder="e.g. SF-000123 or jane@example.com").strip()

if not common.has("fct_orders", "order_id"):
    common.placeholder("Order search", ["fct_orders"])
elif text:
    orders = common.table("fct_orders")
    if "@" in text and common.has("dim_customers", "customer_id", "email") and \
            common.has("fct_orders", "customer_id"):
        found = common.query(f"""
            select o.*
            from {orders} as o
            inner join {common.table('dim_customers')} as c
                on o.customer_id = c.customer_id
            where lower(c.email) = lower(?)
            order by o.order_id""", [text])
    else:
        found = common.query(f"select * from {orders} where upper(order_id) = upper(?)",
                             [text])
    if found.empty:
        st.warning(f"No order matches `{text}`.")
    else:
        st.subheader(f"{len(found)} order{'s' if len(found) != 1 else ''}")
        for record in found.to_dict("records"):
            with st.container(border=True):
                st.markdown(f"**Order {record['order_id']}**")
                st.dataframe(
                    [{"field": key, "value": str(value)} for key, value in record.items()],
                    hide_index=True)
        ids = found["order_id"].tolist()
        marks = ", ".join("?" * len(ids))
        for mart, title in (("fct_tracking_events", "Carrier events"),
                            ("fct_order_exceptions", "Exceptions")):
            if common.has(mart, "order_id"):
                st.subheader(title)
                st.dataframe(common.query(
                    f"select * from {common.table(mart)} where order_id in ({marks})",
                    ids), hide_index=True)
        common.placeholder("The full timeline (CRM, WMS, carrier, tickets)",
                           ["fct_tracking_events", "fct_order_exceptions", "dim_customers"])
else:
    st.info("Enter an order id or an email to see the order's story.")
