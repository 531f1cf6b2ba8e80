"""`order-truth report --month YYYY-MM --out DIR`: the monthly promise-vs-outcome report.

One self-contained HTML file (charts embedded, plotly.js inlined once, so it opens offline
and can be mailed) plus a CSV per section, all read from the published warehouse.
"""

from __future__ import annotations

import argparse
import html
import re
from datetime import date
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from order_truth import warehouse
from order_truth.errors import UserError

HEADLINE_KPIS = [
    "order_accuracy_rate", "on_time_rate", "correct_rate", "exceptions_per_1000_orders",
    "wismo_per_1000_orders", "promo_fulfillment_mismatch_rate", "order_sync_success_rate",
    "sync_latency_p95_s_order", "tracking_latency_p95_s", "csat_after_delivery",
    "exception_resolve_hours_p50", "exception_resolve_hours_p95",
]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--month", required=True, help="month to report, YYYY-MM")
    parser.add_argument("--out", type=Path, default=Path("reports"),
                        help="output directory (default: reports)")


def parse_month(text: str) -> date:
    if not re.fullmatch(r"\d{4}-\d{2}", text or ""):
        raise UserError(f"--month {text!r} is not YYYY-MM (for example 2026-10)")
    year, month = (int(x) for x in text.split("-"))
    if not 1 <= month <= 12:
        raise UserError(f"--month {text!r} has no month {month}")
    return date(year, month, 1)


def previous_month(month: date) -> date:
    return date(month.year - 1, 12, 1) if month.month == 1 else date(month.year, month.month - 1, 1)


def load_sections(month: date) -> dict[str, pd.DataFrame]:
    prev = previous_month(month)
    headline = warehouse.query(
        """
        select kpi, unit, kpi_month, kpi_value, target_comparator, target_value,
               is_complete_month
        from marts.kpi_monthly
        where channel = 'all' and carrier = 'all' and fc_id = 'all'
            and kpi_month in (?, ?)
        """, [month, prev])
    months = pd.to_datetime(headline["kpi_month"]).dt.date
    this = headline[months == month].set_index("kpi")
    before = headline[months == prev].set_index("kpi")
    rows = []
    for kpi in HEADLINE_KPIS:
        if kpi not in this.index:
            continue
        r = this.loc[kpi]
        rows.append({
            "kpi": kpi, "unit": r["unit"], "value": r["kpi_value"],
            "previous_month": before["kpi_value"].get(kpi) if kpi in before.index else None,
            "target": _target_text(r["target_comparator"], r["target_value"]),
            "status": _status(r["kpi_value"], r["target_comparator"], r["target_value"]),
        })
    sections = {"headline": pd.DataFrame(rows)}
    sections["promise_vs_outcome"] = warehouse.query(
        """
        select carrier, service_level, sum(orders) as orders, sum(delivered) as delivered,
               sum(on_time) as on_time,
               round(sum(on_time) * 1.0 / nullif(sum(delivered), 0), 4) as on_time_rate,
               round(sum(accurate) * 1.0 / nullif(sum(delivered), 0), 4) as accuracy_rate,
               sum(late_1_business_day) as late_1_bd, sum(late_2_business_days) as late_2_bd,
               sum(late_3_to_5_business_days) as late_3_to_5_bd,
               sum(late_over_5_business_days) as late_over_5_bd,
               sum(lost_or_returned) as lost_or_returned
        from marts.rpt_monthly_sla
        where sla_month = ?
        group by carrier, service_level
        order by carrier, service_level
        """, [month])
    sections["worst_promos"] = warehouse.query(
        """
        select promo_code, sum(orders) as orders, sum(delivered) as delivered,
               round(sum(accurate) * 1.0 / nullif(sum(delivered), 0), 4) as accuracy_rate,
               round(sum(on_time) * 1.0 / nullif(sum(delivered), 0), 4) as on_time_rate
        from marts.rpt_monthly_sla
        where sla_month = ? and promo_code <> 'none'
        group by promo_code
        having sum(delivered) >= 10
        order by accuracy_rate, orders desc
        limit 10
        """, [month])
    sections["worst_fcs"] = warehouse.query(
        """
        select fc_id, count(*) as orders,
               round(avg(case when is_accurate then 1.0 else 0.0 end)
                     filter (where is_accurate is not null), 4) as accuracy_rate,
               round(avg(case when is_on_time then 1.0 else 0.0 end)
                     filter (where is_on_time is not null), 4) as on_time_rate,
               sum(case when went_wrong then 1 else 0 end) as went_wrong
        from marts.fct_orders
        where date_trunc('month', placed_at) = ? and fc_id is not null
        group by fc_id
        order by accuracy_rate, orders desc
        """, [month])
    sections["exceptions_by_root_cause"] = warehouse.query(
        """
        select root_cause_system, exception_class, count(*) as exceptions,
               sum(case when resolved_at is null then 1 else 0 end) as still_open,
               round(median(hours_to_resolve), 1) as median_hours_to_resolve
        from marts.fct_order_exceptions
        where date_trunc('month', opened_at) = ?
        group by root_cause_system, exception_class
        order by exceptions desc
        """, [month])
    sections["sync_lag"] = warehouse.query(
        """
        select kpi, round(kpi_value, 2) as seconds, cast(denominator as bigint) as changes,
               target_comparator, target_value
        from marts.kpi_monthly
        where kpi_month = ? and kpi like 'sync_latency_%'
        order by kpi
        """, [month])
    return sections


def _target_text(comparator: object, value: object) -> str:
    if comparator is None or value is None or pd.isna(value):
        return ""
    return f"{comparator} {value:g}"


def _status(value: object, comparator: object, target: object) -> str:
    if comparator is None or target is None or pd.isna(target) or value is None:
        return ""
    ops = {">=": lambda a, b: a >= b, "<=": lambda a, b: a <= b,
           ">": lambda a, b: a > b, "<": lambda a, b: a < b}
    return "met" if ops[str(comparator)](float(value), float(target)) else "BREACH"


def _table(df: pd.DataFrame) -> str:
    if df.empty:
        return "<p class='empty'>No data for this month.</p>"
    return df.to_html(index=False, classes="grid", border=0, na_rep="",
                      float_format=lambda x: f"{x:,.4g}")


def _chart(fig: go.Figure) -> str:
    fig.update_layout(height=360, margin={"l": 40, "r": 20, "t": 50, "b": 40},
                      template="plotly_white")
    return fig.to_html(full_html=False, include_plotlyjs=False)


def render(month: date, sections: dict[str, pd.DataFrame], built: dict) -> str:
    pvo = sections["promise_vs_outcome"]
    charts = []
    if not pvo.empty:
        by_carrier = pvo.groupby("carrier", as_index=False)[["delivered", "on_time"]].sum()
        by_carrier["on_time_rate"] = by_carrier["on_time"] / by_carrier["delivered"]
        fig = go.Figure(go.Bar(x=by_carrier["carrier"], y=by_carrier["on_time_rate"]))
        fig.update_layout(title="On-time rate by carrier", yaxis_tickformat=".0%")
        fig.add_hline(y=0.95, line_dash="dash", annotation_text="target 95%")
        charts.append(_chart(fig))
    exc = sections["exceptions_by_root_cause"]
    if not exc.empty:
        by_sys = exc.groupby("root_cause_system", as_index=False)["exceptions"].sum()
        fig = go.Figure(go.Bar(x=by_sys["root_cause_system"], y=by_sys["exceptions"]))
        fig.update_layout(title="Exceptions opened by root-cause system", yaxis_title="exceptions")
        charts.append(_chart(fig))
    title = f"order_truth: promise vs outcome, {month:%B %Y}"
    parts = [
        f"<h1>{html.escape(title)}</h1>",
        f"<p class='meta'>Built {html.escape(str(built.get('built_at', '?')))} from data as of "
        f"{html.escape(str(built.get('data_as_of', '?')))}.</p>",
        "<section id='headline'><h2>Headline KPIs against targets and the previous month</h2>",
        _table(sections["headline"]), "</section>",
        "<section id='promise-vs-outcome'><h2>Promise vs outcome by carrier and service level</h2>",
        charts[0] if charts else "", _table(pvo), "</section>",
        "<section id='worst-promos'><h2>Worst promos</h2>",
        _table(sections["worst_promos"]), "</section>",
        "<section id='worst-fcs'><h2>Worst fulfilment centres</h2>",
        _table(sections["worst_fcs"]), "</section>",
        "<section id='exceptions'><h2>Exceptions by root cause</h2>",
        charts[1] if len(charts) > 1 else "", _table(exc), "</section>",
        "<section id='sync-lag'><h2>Sync lag P50/P95</h2>",
        _table(sections["sync_lag"]), "</section>",
    ]
    style = ("body{font-family:system-ui,sans-serif;margin:2em;color:#222}"
             "table.grid{border-collapse:collapse;margin:1em 0}"
             "table.grid td,table.grid th{padding:4px 10px;border-bottom:1px solid #ddd;"
             "text-align:right}table.grid th{background:#f4f4f4}"
             ".meta{color:#666}.empty{color:#999}")
    return ("<!doctype html><html><head><meta charset='utf-8'>"
            f"<title>{html.escape(title)}</title><style>{style}</style>"
            f"<script>{get_plotlyjs()}</script></head><body>"
            + "\n".join(parts) + "</body></html>")


def run(args: argparse.Namespace) -> int:
    month = parse_month(args.month)
    covered = warehouse.query(
        "select min(kpi_month) as first_month, max(kpi_month) as last_month "
        "from marts.kpi_monthly where kpi = 'orders_placed'")
    first, last = covered["first_month"].iloc[0], covered["last_month"].iloc[0]
    if first is None or pd.isna(first):
        raise UserError("the published warehouse has no orders: rebuild it with more data")
    first, last = pd.Timestamp(first).date(), pd.Timestamp(last).date()
    if not (first <= month <= last):
        raise UserError(f"no data for {args.month}: the warehouse covers "
                        f"{first:%Y-%m} to {last:%Y-%m}")
    sections = load_sections(month)
    out: Path = args.out
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create {out}: {exc.strerror}") from exc
    for name, df in sections.items():
        df.to_csv(out / f"{month:%Y-%m}_{name}.csv", index=False)
    page = out / f"sla_report_{month:%Y-%m}.html"
    page.write_text(render(month, sections, warehouse.read_manifest() or {}), encoding="utf-8")
    print(f"order-truth report: wrote {page} and {len(sections)} CSV files")
    return 0
