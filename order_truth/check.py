"""`order-truth check`: compare the latest complete day's KPIs with their targets.

Prints one line per breach and exits 1 when any target is breached, so a scheduler can
alert on the exit code. A KPI measured on too few events that day is skipped (and said
so), because a P95 over five syncs is noise, not a breach.
"""

from __future__ import annotations

import argparse
import operator
from datetime import date, datetime, timedelta

from order_truth import warehouse
from order_truth.errors import UserError

COMPARATORS = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--day", type=date.fromisoformat, default=None,
                        help="day to check, YYYY-MM-DD (default: the latest complete day)")
    parser.add_argument("--min-sample", type=int, default=20,
                        help="skip KPIs measured on fewer events than this (default 20)")


def latest_complete_day() -> date:
    """The day before the data's as-of date: the last day whose events have all arrived."""
    manifest = warehouse.read_manifest() or {}
    as_of = manifest.get("data_as_of")
    if as_of:
        moment = datetime.fromisoformat(str(as_of).replace("Z", "+00:00"))
        return moment.date() - timedelta(days=1)
    latest = warehouse.query(
        "select max(kpi_date) as d from marts.kpi_daily where kpi = 'orders_placed'")
    if latest.empty or latest["d"].iloc[0] is None:
        raise UserError("the published warehouse has no KPI rows: rebuild it")
    return latest["d"].iloc[0] - timedelta(days=1)


def run(args: argparse.Namespace) -> int:
    day = args.day or latest_complete_day()
    rows = warehouse.query(
        """
        select kpi, kpi_value, denominator, unit, target_comparator, target_value
        from marts.kpi_daily
        where kpi_date = ? and channel = 'all' and carrier = 'all' and fc_id = 'all'
            and target_value is not null and target_comparator is not null
        order by kpi
        """,
        [day],
    )
    if rows.empty:
        raise UserError(f"no KPIs with targets on {day}: pick a day inside the data "
                        "with --day YYYY-MM-DD")
    breaches, checked, skipped = [], 0, []
    for row in rows.itertuples(index=False):
        if row.unit != "count" and (row.denominator or 0) < args.min_sample:
            skipped.append(row.kpi)
            continue
        checked += 1
        if row.kpi_value is None or not COMPARATORS[row.target_comparator](
                row.kpi_value, row.target_value):
            breaches.append(row)
    for row in breaches:
        print(f"BREACH {row.kpi} on {day}: {_fmt(row.kpi_value, row.unit)} "
              f"(target {row.target_comparator} {_fmt(row.target_value, row.unit)})")
    if skipped:
        print(f"skipped on {day} (fewer than {args.min_sample} events): {', '.join(skipped)}")
    if breaches:
        print(f"{len(breaches)} of {checked} KPIs breached their target on {day}")
        return 1
    print(f"all {checked} KPIs within target on {day}")
    return 0


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "n/a"
    if unit == "rate":
        return f"{value:.2%}"
    if unit in ("seconds", "hours"):
        return f"{value:.1f} {unit}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")
