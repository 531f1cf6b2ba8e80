"""Exceptions: how many per 1,000 orders, why, which system caused them, how fast fixed."""

from __future__ import annotations

import common

f = common.page_frame(
    "Exceptions",
    "An exception is anything that needed action on an order, attributed to the "
    "system that caused it (marketing, CRM, OMS, WMS, carrier, integration).")

if common.has("fct_orders", "placed_at", "exception_count", "channel"):
    sql_where, params = common.where(f, date_col="placed_at", channel_col="channel")
    weekly = common.query(f"""
        select
            cast(date_trunc('week', placed_at) as date) as week,
            1000.0 * sum(exception_count) / nullif(count(*), 0) as exceptions_per_1000
        from {common.table('fct_orders')}
        {sql_where}
        group by 1
        order by 1""", params)
    common.show(common.line_chart(
        weekly, "week", "exceptions_per_1000",
        title="Exceptions per 1,000 orders, by week placed",
        y_title="exceptions per 1,000 orders"))
    if common.has("fct_orders", "root_cause_system"):
        causes = common.query(f"""
            select coalesce(root_cause_system, '(none)') as root_cause_system,
                count(*) as orders
            from {common.table('fct_orders')}
            {sql_where}{' and' if sql_where else 'where'} exception_count > 0
            group by 1
            order by 2 desc""", params)
        common.show(common.bar_chart(
            causes, "root_cause_system", "orders", horizontal=True,
            title="Orders with exceptions by root-cause system", y_title="orders"))
else:
    common.placeholder("Exceptions per 1,000 orders over time", ["fct_orders"])

common.placeholder("Exceptions by class, time to resolve (P50/P95) and the open list",
                   ["fct_order_exceptions"])
common.mart_summary("fct_order_exceptions")
