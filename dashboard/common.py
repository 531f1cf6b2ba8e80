"""What every dashboard page shares: data access, global filters, banner, charts.

Pages stay short and read like a report: they call `query()` for data, `filters()` for
the sidebar selection, `where()` to turn it into SQL, `kpi_totals()` / `kpi_trend()` for
the KPI tables (sum of numerators over sum of denominators, percentiles recomputed from
the facts), `kpi_tile()` for a KPI card judged against its target, and the chart helpers
for plotly figures with titles, units and target lines. Every query aggregates in
DuckDB, so a page pulls a few hundred rows at most, whatever the warehouse's size.
Nothing here holds a DuckDB connection: `order_truth.warehouse` opens one per query, and
results are cached per published build.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import streamlit as st

from order_truth import warehouse

# Warn when the published build is older than this many hours (a daily build plus slack).
STALE_AFTER_HOURS = float(os.environ.get("ORDER_TRUTH_STALE_HOURS", "26"))
# Default width of the date filter, ending at the newest data.
DEFAULT_WINDOW_DAYS = 90
# Marts that supply the filters' choices, in order of preference.
DATE_SOURCES = (("fct_orders", "placed_at"), ("fct_sync_events", "source_changed_at"))
CHANNEL_SOURCES = (("fct_orders", "channel"),)
CARRIER_SOURCES = (("fct_shipments", "carrier"), ("fct_tracking_events", "carrier"),
                   ("fct_orders", "carrier"))
FC_SOURCES = (("fct_orders", "fc_id"), ("fct_shipments", "fc_id"))
# Sync latency targets (P95 seconds), DESIGN section 6.
SYNC_TARGET_SECONDS = {"order": 60.0, "customer": 60.0, "inventory": 120.0}

ALL = "All"


# --------------------------------------------------------------------------- data access

@st.cache_data(show_spinner=False, max_entries=512)
def _cached_query(key: str, sql: str, params: tuple[Any, ...]) -> pd.DataFrame:
    """`key` is the published build's identity: a new build is a new cache entry."""
    del key  # only part of the cache key
    return warehouse.query(sql, list(params))


@st.cache_data(show_spinner=False, max_entries=8)
def _cached_relations(key: str) -> dict[str, warehouse.Relation]:
    del key
    return warehouse.relations()


def query(sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
    """Run a read-only query on the published warehouse, cached per build.

    Callers get a copy, so a page that adds a column cannot corrupt the cached frame.
    """
    return _cached_query(warehouse.cache_key(), sql, tuple(params)).copy()


def relations() -> dict[str, warehouse.Relation]:
    """Published relations by name; empty while nothing is published."""
    if not warehouse.is_published():
        return {}
    return _cached_relations(warehouse.cache_key())


def has(name: str, *columns: str) -> bool:
    """True when the mart `name` is published with every column in `columns`."""
    rel = relations().get(name)
    return rel is not None and all(col in rel.columns for col in columns)


def table(name: str) -> str:
    """Schema-qualified SQL name of a published relation (check `has()` first)."""
    return relations()[name].sql


def manifest() -> dict[str, Any]:
    """The publish manifest (build id, time, as-of, row counts); {} when unreadable."""
    return warehouse.read_manifest() or {}


def data_as_of() -> pd.Timestamp | None:
    """The extract's as-of moment (naive UTC), against which ages are judged.

    Ages are measured at the data's cut-off, never the wall clock, as the marts judge
    staleness: generated data ends on a fixed date.
    """
    value = manifest().get("data_as_of")
    try:
        moment = pd.Timestamp(value) if value else None
    except ValueError:
        return None
    if moment is None or pd.isna(moment):
        return None
    return moment.tz_convert(None) if moment.tzinfo is not None else moment


# --------------------------------------------------------------------------- filters

@dataclass(frozen=True)
class Filters:
    """The sidebar selection. Empty channel/carrier/FC tuples mean "all"."""

    start: date
    end: date
    channels: tuple[str, ...] = ()
    carriers: tuple[str, ...] = ()
    fcs: tuple[str, ...] = ()

    def chosen(self) -> dict[str, tuple[str, ...]]:
        """The dimension filters by the name a page uses for them (in `not_filtered`)."""
        return {"channel": self.channels, "carrier": self.carriers, "FC": self.fcs}


def _distinct(sources: Sequence[tuple[str, str]]) -> list[str]:
    for name, column in sources:
        if has(name, column):
            frame = query(f'select distinct "{column}" as v from {table(name)} '
                          f'where "{column}" is not null order by 1')
            return [str(v) for v in frame["v"]]
    return []


def data_window() -> tuple[date, date]:
    """First and last date with data, from the first mart that has a date to offer."""
    for name, column in DATE_SOURCES:
        if has(name, column):
            frame = query(f'select cast(min("{column}") as date) as lo, '
                          f'cast(max("{column}") as date) as hi from {table(name)}')
            lo, hi = frame.iloc[0]["lo"], frame.iloc[0]["hi"]
            if pd.notna(lo) and pd.notna(hi):
                return pd.Timestamp(lo).date(), pd.Timestamp(hi).date()
    today = datetime.now(UTC).date()
    return today - timedelta(days=DEFAULT_WINDOW_DAYS), today


def sidebar_filters() -> Filters:
    """Draw the global filters in the sidebar; the values persist across pages.

    The widgets live in the entry point, which runs on every page, and keep their value in
    `st.session_state` under fixed keys, so switching pages never resets them.
    """
    lo, hi = data_window()
    default = (max(lo, hi - timedelta(days=DEFAULT_WINDOW_DAYS)), hi)
    kept = st.session_state.get("filter_dates")
    if isinstance(kept, (tuple, list)) and not all(lo <= d <= hi for d in kept):
        # A new build can move the data window; a kept range outside it would be rejected.
        del st.session_state["filter_dates"]
    with st.sidebar:
        st.subheader("Filters")
        picked = st.date_input("Date range", value=default, min_value=lo, max_value=hi,
                               key="filter_dates", persist_state="session")
        chosen_channels = _pick("Channel", CHANNEL_SOURCES, "filter_channels", "channels")
        chosen_carriers = _pick("Carrier", CARRIER_SOURCES, "filter_carriers", "carriers")
        chosen_fcs = _pick("Fulfilment centre", FC_SOURCES, "filter_fcs", "FCs")
        st.caption("A page says when one of these filters cannot apply to its data.")
    start, end = _date_pair(picked, default)
    selected = Filters(start=start, end=end, channels=chosen_channels,
                       carriers=chosen_carriers, fcs=chosen_fcs)
    st.session_state["filters"] = selected
    return selected


def _pick(label: str, sources: Sequence[tuple[str, str]], key: str,
          plural: str) -> tuple[str, ...]:
    """One multiselect filter over the values a mart has; its value persists per session."""
    options = _distinct(sources)
    return tuple(st.multiselect(label, options, key=key,
                                placeholder=ALL if options else f"no {plural} yet",
                                disabled=not options, persist_state="session"))


def _date_pair(picked: Any, default: tuple[date, date]) -> tuple[date, date]:
    """A date_input range is a 0-, 1- or 2-tuple while the user is still picking."""
    if isinstance(picked, (tuple, list)):
        if len(picked) == 2:
            return picked[0], picked[1]
        if len(picked) == 1:
            return picked[0], picked[0]
        return default
    if isinstance(picked, date):
        return picked, picked
    return default


def filters() -> Filters:
    """The current selection (`page_frame()` draws the widgets and stores it first)."""
    found = st.session_state.get("filters")
    if isinstance(found, Filters):
        return found
    lo, hi = data_window()
    return Filters(start=max(lo, hi - timedelta(days=DEFAULT_WINDOW_DAYS)), end=hi)


def predicate(f: Filters, *, date_col: str | None = None, channel_col: str | None = None,
              carrier_col: str | None = None,
              fc_col: str | None = None) -> tuple[str, list[Any]]:
    """A SQL condition (with `?` parameters) for the filters a mart can honour; "true"
    when none applies.

    Pass only the columns the mart has: a filter without a column is not applied, and the
    page should say so with `not_filtered()`.
    """
    clauses: list[str] = []
    params: list[Any] = []
    if date_col:
        clauses.append(f"cast({date_col} as date) between ? and ?")
        params += [f.start, f.end]
    for column, values in ((channel_col, f.channels), (carrier_col, f.carriers),
                           (fc_col, f.fcs)):
        if column and values:
            clauses.append(f"{column} in ({', '.join('?' * len(values))})")
            params += list(values)
    return " and ".join(clauses) or "true", params


def where(f: Filters, *, date_col: str | None = None, channel_col: str | None = None,
          carrier_col: str | None = None, fc_col: str | None = None) -> tuple[str, list[Any]]:
    """`predicate()` as a `where` clause, or "" when no filter applies."""
    sql, params = predicate(f, date_col=date_col, channel_col=channel_col,
                            carrier_col=carrier_col, fc_col=fc_col)
    return ("" if sql == "true" else f"where {sql}"), params


def listing(names: Sequence[str]) -> str:
    """"a", "a and b", "a, b and c": names as a sentence lists them."""
    names = list(names)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def not_filtered(f: Filters, *names: str) -> None:
    """Say which active filters a view ignores, instead of silently showing unfiltered data.

    `names` are the filters the view's data has no column for: "channel", "carrier", "FC".
    """
    active = [n for n in names if f.chosen().get(n)]
    if active:
        verb = "does" if len(active) == 1 else "do"
        st.caption(f":material/filter_alt_off: The {listing(active)} "
                   f"filter{'s' if len(active) > 1 else ''} {verb} not apply to this view: "
                   "its data has no such column.")


# --------------------------------------------------------------------------- page frame

def page_frame(title: str, caption: str) -> Filters:
    """Start a page: empty state (and stop) or title, freshness banner and filters.

    Every page calls this first, so each page file says plainly what frames it, and a page
    renders the same whether Streamlit reaches it through `st.navigation` or runs it on
    its own.
    """
    if not warehouse.is_published():
        empty_state()
        st.stop()
    st.title(title)
    st.caption(caption)
    freshness_banner()
    return sidebar_filters()


# --------------------------------------------------------------------------- banner & states

def empty_state() -> None:
    """Shown instead of any page while nothing has been published."""
    path = warehouse.published_path()
    st.title("order_truth")
    st.info(f"No published warehouse yet (looked for `{path}`). Build one, then reload "
            "this page. A build is published only when every dbt model and test passed.",
            icon=":material/info:")
    st.code("order-truth generate --orders 20000 --seed 42 --out data\n"
            "order-truth build --data data", language="bash")
    st.caption("Or run `make demo`, which does both and starts this dashboard.")


def build_age_hours(built_at: str | None, now: datetime | None = None) -> float | None:
    if not built_at:
        return None
    try:
        built = datetime.fromisoformat(built_at)
    except ValueError:
        return None
    if built.tzinfo is None:
        built = built.replace(tzinfo=UTC)
    return ((now or datetime.now(UTC)) - built).total_seconds() / 3600.0


def freshness_banner(now: datetime | None = None) -> None:
    """When the published data was built and from which extract; warn when it is stale."""
    info = manifest()
    age = build_age_hours(info.get("built_at"), now)
    as_of = info.get("data_as_of") or "unknown"
    build = info.get("build_id", "unknown")
    if age is None:
        st.warning("The published warehouse has no readable manifest: its build time is "
                   "unknown. Rebuild with `order-truth build`.", icon=":material/warning:")
        return
    text = (f"Data built {_age_text(age)} ago ({_utc_text(info.get('built_at'))}), "
            f"extract as of {_utc_text(as_of)}, build `{build}`.")
    if age > STALE_AFTER_HOURS:
        st.warning(f"Stale data: {text} The last successful build is older than "
                   f"{STALE_AFTER_HOURS:g} h; a newer build may have failed its tests.",
                   icon=":material/warning:")
    else:
        st.caption(text)


def _utc_text(value: object) -> str:
    """An ISO timestamp as "YYYY-MM-DD HH:MM UTC"; anything else as it is."""
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return str(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def _age_text(hours: float) -> str:
    if hours < 1:
        return f"{max(hours * 60, 0):.0f} min"
    if hours < 48:
        return f"{hours:.1f} h"
    return f"{hours / 24:.0f} days"


def placeholder(view: str, marts: Sequence[str]) -> None:
    """Say what a view will show and which marts it waits for (none of them published)."""
    missing = [m for m in marts if m not in relations()]
    if missing:
        st.info(f"{view}: appears once {', '.join(f'`{m}`' for m in missing)} "
                f"{'is' if len(missing) == 1 else 'are'} published by `order-truth build`.",
                icon=":material/construction:")


# --------------------------------------------------------------------------- KPIs

@dataclass(frozen=True)
class Kpi:
    """How the dashboard names, formats and judges one `kpi` of kpi_daily / kpi_monthly.

    Targets are not here: they come from the KPI rows themselves (the `kpi_targets` seed),
    so a target changed in the seed shows on the next build without touching the app.
    """

    key: str
    label: str
    unit: str  # rate, per_1000, seconds, hours, count, score (as in the seed)
    higher_is_better: bool
    definition: str


KPIS: dict[str, Kpi] = {k.key: k for k in (
    Kpi("order_accuracy_rate", "Order accuracy", "rate", True,
        "Delivered orders that were on time and correct, over delivered orders whose "
        "correctness is known. Dated by the delivery's local date."),
    Kpi("exceptions_per_1000_orders", "Exceptions per 1k", "per_1000", False,
        "Exceptions opened per 1,000 orders placed in the same days."),
    Kpi("wismo_per_1000_orders", "WISMO per 1k", "per_1000", False,
        "\"Where is my order\" contacts: tickets opened per 1,000 orders placed in the "
        "same days."),
    Kpi("sync_success_rate", "Sync success rate", "rate", True,
        "Cross-system changes (orders, customers, inventory) that reached the target "
        "system in the end, over changes attempted."),
    Kpi("tracking_latency_p95_s", "Tracking latency P95", "seconds", False,
        "95th percentile of the time from a carrier scan to its arrival in the "
        "warehouse (re-sent duplicates excluded)."),
    Kpi("tracking_latency_p50_s", "Tracking latency P50", "seconds", False,
        "Median time from a carrier scan to its arrival in the warehouse."),
    Kpi("orders_placed", "Orders placed", "count", True,
        "Orders whose first version reached the warehouse, by placement day."),
    Kpi("orders_delivered", "Orders delivered", "count", True,
        "Orders whose every parcel was delivered, by delivery day."),
    Kpi("on_time_rate", "On time", "rate", True,
        "Delivered orders delivered by the promised date (business days)."),
    Kpi("correct_rate", "Correct", "rate", True,
        "Delivered orders with the right SKUs and quantities."),
    Kpi("promo_fulfillment_mismatch_rate", "Promo claim missed", "rate", False,
        "Promo orders whose delivery claim was missed or could not be met."),
    Kpi("status_sync_accuracy", "Status sync accuracy", "rate", True,
        "In-flight orders whose OMS status equals the carrier's canonical status "
        "(measured on the data's as-of day)."),
    Kpi("order_sync_success_rate", "Order sync success rate", "rate", True,
        "Order changes that reached the OMS in the end, over order changes."),
    Kpi("inventory_variance", "Inventory variance", "rate", False,
        "Sum of |storefront - WMS available| over the sum of WMS available."),
    Kpi("dlq_entries", "Dead-lettered changes", "count", False,
        "Changes that went to the dead-letter queue."),
    Kpi("exception_resolve_hours_p50", "Time to resolve P50", "hours", False,
        "Median hours from an exception opening to its resolution, by resolution day."),
    Kpi("exception_resolve_hours_p95", "Time to resolve P95", "hours", False,
        "95th percentile hours from an exception opening to its resolution."),
)}


@dataclass(frozen=True)
class Percentile:
    """Where a percentile KPI comes from in the facts.

    Percentiles cannot be added up across days, so a period longer than the KPI tables'
    grain is recomputed from the fact rows, the way kpi_daily computes one day.
    """

    mart: str
    measure: str
    date_col: str
    p: float
    condition: str = "true"
    carrier_col: str | None = None

    def honours(self, f: Filters) -> list[str]:
        """The active filters the facts can apply (tracking events carry a carrier; no
        percentile fact carries a channel or an FC)."""
        return ["carrier"] if f.carriers and self.carrier_col else []


PERCENTILES: dict[str, Percentile] = {
    "tracking_latency_p50_s": Percentile("fct_tracking_events", "arrival_lag_seconds",
                                         "event_at", 0.5, "not is_duplicate", "carrier"),
    "tracking_latency_p95_s": Percentile("fct_tracking_events", "arrival_lag_seconds",
                                         "event_at", 0.95, "not is_duplicate", "carrier"),
    "exception_resolve_hours_p50": Percentile("fct_order_exceptions", "hours_to_resolve",
                                              "resolved_at", 0.5),
    "exception_resolve_hours_p95": Percentile("fct_order_exceptions", "hours_to_resolve",
                                              "resolved_at", 0.95),
}


def kpi_meta(key: str) -> Kpi:
    """The catalogue entry, or a plain one for a KPI the catalogue does not know yet."""
    return KPIS.get(key) or Kpi(key, key.replace("_", " ").capitalize(), "count", True, "")


@dataclass(frozen=True)
class Target:
    comparator: str
    value: float

    def met(self, value: float) -> bool:
        """True when `value` satisfies the target (comparators as in the seed)."""
        return {">=": value >= self.value, ">": value > self.value,
                "<=": value <= self.value, "<": value < self.value}.get(
                    self.comparator, True)

    def text(self, unit: str) -> str:
        sign = {">=": "≥", "<=": "≤"}.get(self.comparator, self.comparator)
        return f"target {sign} {fmt_kpi(self.value, unit, short=True)}"


def kpi_targets() -> dict[str, Target]:
    """Target per KPI, as the KPI table carries it from the `kpi_targets` seed."""
    if not has("kpi_daily", "kpi", "target_comparator", "target_value"):
        return {}
    frame = query(f"""
        select kpi, any_value(target_comparator) as comparator,
            any_value(target_value) as target
        from {table('kpi_daily')}
        where target_value is not null and target_comparator is not null
        group by kpi""")
    return {row.kpi: Target(str(row.comparator), float(row.target))
            for row in frame.itertuples(index=False)}


# The KPI tables' dimension columns, by the name the filters use, in order of precedence.
KPI_DIMENSIONS = {"channel": "channel", "carrier": "carrier", "FC": "fc_id"}


def _kpi_dimensions() -> dict[str, set[str]]:
    """Per KPI: the dimensions the KPI table slices it by ("channel", "carrier", "FC").

    Sync, tracking and percentile KPIs have only the rolled-up 'all' row: a channel,
    carrier or FC filter cannot apply to them, and the page must say so.
    """
    checks = ", ".join(f"bool_or({col} <> 'all') as \"{name}\""
                       for name, col in KPI_DIMENSIONS.items())
    frame = query(f"select kpi, {checks} from {table('kpi_daily')} group by kpi")
    return {row["kpi"]: {name for name in KPI_DIMENSIONS if row[name]}
            for row in frame.to_dict("records")}


def kpi_scope(kpis: Sequence[str], f: Filters) -> tuple[str, list[Any], dict[str, list[str]]]:
    """A SQL predicate picking, for each KPI, the KPI-table rows that match the filters.

    The KPI tables roll up one dimension at a time (channel, carrier or FC, else 'all'),
    so a KPI honours one of the filters: the first active one in the order channel,
    carrier, FC. Percentile KPIs are recomputed from their facts, which honour what their
    columns allow. Returns the predicate, its parameters and, per KPI, the filters it
    could not honour.
    """
    sliced_by = _kpi_dimensions()
    active = [name for name, values in f.chosen().items() if values]
    clauses: list[str] = []
    params: list[Any] = []
    ignored: dict[str, list[str]] = {}
    for kpi in kpis:
        spec = PERCENTILES.get(kpi)
        if spec is not None:
            used = None  # the 'all' rows; the facts apply what they can
            honoured = spec.honours(f)
        else:
            used = next((n for n in active if n in sliced_by.get(kpi, set())), None)
            honoured = [used] if used else []
        missed = [name for name in active if name not in honoured]
        if missed:
            ignored[kpi] = missed
        clause = "(kpi = ?"
        params.append(kpi)
        for name, column in KPI_DIMENSIONS.items():
            if name == used:
                values = f.chosen()[name]
                clause += f" and {column} in ({', '.join('?' * len(values))})"
                params += list(values)
            else:
                clause += f" and {column} = 'all'"
        clauses.append(clause + ")")
    return "(" + " or ".join(clauses or ["false"]) + ")", params, ignored


def _value_sql(unit_col: str = "unit") -> str:
    """kpi_value of summed rows: the KPI tables' own formula per unit."""
    return f"""case
            when bool_or(numerator is null) then any_value(kpi_value)
            when any_value({unit_col}) = 'per_1000'
                then 1000.0 * sum(numerator) / nullif(sum(denominator), 0)
            when any_value({unit_col}) in ('rate', 'score')
                then sum(numerator) / nullif(sum(denominator), 0)
            else sum(numerator)
        end"""


def percentiles(kpis: Sequence[str], f: Filters, start: date, end: date,
                period: str | None = None) -> pd.DataFrame:
    """Percentile KPIs from their facts over [start, end]: period, kpi, kpi_value.

    KPIs that read the same measure of the same fact (tracking P50 and P95) come from one
    scan of it: at 1,000,000 orders a scan of the carrier events costs ~0.4 s. `period`
    is a PERIOD_SQL template; without it, one row per KPI with a NULL period.
    """
    shared: dict[Percentile, list[str]] = {}
    for kpi in kpis:
        spec = PERCENTILES[kpi]
        if has(spec.mart, spec.measure):
            shared.setdefault(replace(spec, p=0.0), []).append(kpi)
    parts: list[pd.DataFrame] = []
    for spec, members in shared.items():
        sql_where, params = where(replace(f, start=start, end=end), date_col=spec.date_col,
                                  carrier_col=spec.carrier_col)
        bucket = period.format(ts=spec.date_col) if period else "null"
        values = ", ".join(f"percentile_cont({PERCENTILES[k].p}) within group "
                           f'(order by {spec.measure}) as "{k}"' for k in members)
        frame = query(f"""
            select {bucket} as period, {values}
            from {table(spec.mart)}
            {sql_where} and {spec.condition} and {spec.measure} is not null
            group by 1""", params)
        parts.append(frame.melt(id_vars=["period"], value_vars=members, var_name="kpi",
                                value_name="kpi_value"))
    if not parts:
        return pd.DataFrame(columns=["period", "kpi", "kpi_value"])
    return pd.concat(parts, ignore_index=True)


def kpi_totals(kpis: Sequence[str], f: Filters, start: date,
               end: date) -> tuple[dict[str, float], dict[str, list[str]]]:
    """Each KPI over [start, end] for the filters, and the filters each KPI ignored.

    Rates and counts are sum(numerator) / sum(denominator) of the kpi_daily rows, as the
    table's contract says; percentile KPIs are recomputed from their facts.
    """
    if not has("kpi_daily", "kpi_date", "kpi", "numerator", "denominator", "kpi_value"):
        return {}, {}
    scope, params, ignored = kpi_scope(kpis, f)
    rates = [k for k in kpis if k not in PERCENTILES]
    values: dict[str, float] = {}
    if rates:
        frame = query(f"""
            select kpi, {_value_sql()} as kpi_value
            from {table('kpi_daily')}
            where kpi_date between ? and ? and {scope}
            group by kpi""", [start, end, *params])
        values.update({r.kpi: r.kpi_value for r in frame.itertuples(index=False)
                       if r.kpi in rates})
    recomputed = percentiles([k for k in kpis if k in PERCENTILES], f, start, end)
    values.update(zip(recomputed["kpi"], recomputed["kpi_value"], strict=True))
    return {k: float(v) for k, v in values.items() if v is not None and pd.notna(v)}, ignored


# A week the date range covers for fewer days than this is left out of weekly trends.
MIN_WEEK_DAYS = 4
WEEK = "Week"
MONTH = "Month"


def spans_weeks(f: Filters) -> bool:
    """True when the range is long enough (two weeks) to leave out stub weeks at its ends.

    A shorter range would lose most of its data that way, so it keeps them (drawn as
    partial).
    """
    return (f.end - f.start).days + 1 >= 14

DAY = "Day"
PERIOD_SQL = {DAY: "cast({ts} as date)",
              WEEK: "cast(date_trunc('week', {ts}) as date)",
              MONTH: "cast(date_trunc('month', {ts}) as date)"}


def kpi_trend(kpis: Sequence[str], f: Filters, grain: str = WEEK) -> pd.DataFrame:
    """One row per period and KPI: period, kpi, kpi_value, is_partial.

    Day and week come from kpi_daily (weeks summed from days), month from kpi_monthly
    (whole months: the date filter is widened to the months it touches). A period the
    data or the filter covers only in part is flagged `is_partial`, so a chart can say so
    instead of showing a half week as a drop.
    """
    columns = ["period", "kpi", "kpi_value", "is_partial"]
    monthly = grain == MONTH and has("kpi_monthly", "kpi_month", "is_complete_month")
    source = "kpi_monthly" if monthly else "kpi_daily"
    if not has(source, "kpi", "numerator", "denominator", "kpi_value"):
        return pd.DataFrame(columns=columns)
    start, end = f.start, f.end
    if monthly:
        start = start.replace(day=1)
        end = (pd.Timestamp(end) + pd.offsets.MonthEnd(0)).date()
    scope, params, _ = kpi_scope(kpis, f)
    date_col = "kpi_month" if monthly else "kpi_date"
    period = "kpi_month" if monthly else PERIOD_SQL[grain].format(ts="kpi_date")
    complete = "bool_and(is_complete_month)" if monthly else "true"
    frame = query(f"""
        select {period} as period, kpi, {_value_sql()} as kpi_value,
            not {complete} as is_partial
        from {table(source)}
        where {date_col} between ? and ? and {scope}
        group by 1, 2
        order by 1, 2""", [start, end, *params])
    # percentiles cannot be summed across days: a week is recomputed from the facts
    recompute = [k for k in kpis
                 if k in PERCENTILES and (grain == WEEK or PERCENTILES[k].honours(f))]
    if recompute:
        frame = frame[~frame["kpi"].isin(recompute)]
        parts = [frame]
        part = percentiles(recompute, f, start, end, PERIOD_SQL[grain])
        part["is_partial"] = False
        parts.append(part[columns])
        frame = pd.concat([p for p in parts if not p.empty] or [frame], ignore_index=True)
    if not frame.empty and grain == WEEK:
        first = pd.to_datetime(frame["period"]).clip(lower=pd.Timestamp(f.start))
        last = (pd.to_datetime(frame["period"]) + pd.Timedelta(days=6)).clip(
            upper=pd.Timestamp(f.end))
        covered = (last - first).dt.days + 1
        frame["is_partial"] = covered < 7
        if spans_weeks(f):
            # a week the range touches for a day or two is noise, not a trend point
            frame = frame[covered >= MIN_WEEK_DAYS]
    frame["period"] = pd.to_datetime(frame["period"])
    return frame[columns].sort_values(["kpi", "period"]).reset_index(drop=True)


def fmt_kpi(value: float | None, unit: str, *, short: bool = False) -> str:
    """A KPI value in its unit, as leadership reads it (98.31%, 42.0, 95 s, 3.2 h).

    `short` drops trailing zeros, for targets: "98%", "99.5%", not "98.00%".
    """
    if value is None or pd.isna(value):
        return "n/a"
    if unit == "rate":
        if short:
            return f"{value * 100:.2f}".rstrip("0").rstrip(".") + "%"
        return f"{value:.2%}"
    if unit == "per_1000":
        return f"{value:,.1f}" if not short else f"{value:,.4g}"
    if unit == "seconds":
        return f"{value:,.0f} s" if value >= 10 else f"{value:,.1f} s"
    if unit == "hours":
        return f"{value:,.1f} h"
    if unit == "score":
        return f"{value:.2f}"
    return f"{value:,.0f}"


def fmt_delta(delta: float, unit: str) -> str:
    """A change between periods in the KPI's unit; rates move in percentage points."""
    if unit == "rate":
        return f"{delta * 100:+.2f} pp"
    if unit == "per_1000":
        return f"{delta:+,.1f}"
    if unit == "seconds":
        return f"{delta:+,.0f} s" if abs(delta) >= 10 else f"{delta:+,.1f} s"
    if unit == "hours":
        return f"{delta:+,.1f} h"
    if unit == "score":
        return f"{delta:+.2f}"
    return f"{delta:+,.0f}"


def kpi_tile(key: str, value: float | None, prior: float | None = None, *,
             target: Target | None = None, compared_with: str | None = None,
             spark: Sequence[float] | None = None, ignored: Sequence[str] = ()) -> None:
    """One KPI card: value, change on the previous period, a sparkline and the target.

    The card says in words whether the target is met, so nobody has to compare two
    numbers in their head; a filter the KPI cannot honour is named on the card.
    """
    meta = kpi_meta(key)
    delta = None
    if value is not None and prior is not None and pd.notna(value) and pd.notna(prior):
        delta = fmt_delta(value - prior, meta.unit)
    with st.container(border=True):
        st.metric(meta.label, fmt_kpi(value, meta.unit), delta,
                  delta_color="normal" if meta.higher_is_better else "inverse",
                  delta_description=compared_with if delta else None,
                  help=meta.definition or None,
                  chart_data=list(spark) if spark is not None and len(spark) > 1 else None,
                  chart_type="line")
        notes: list[str] = []
        if target is not None and value is not None and pd.notna(value):
            verdict = (":green[:material/check_circle: met]" if target.met(value)
                       else ":red[:material/error: missed]")
            notes.append(f"{target.text(meta.unit).capitalize()} · {verdict}")
        elif target is not None:
            notes.append(target.text(meta.unit).capitalize())
        else:
            notes.append("No target set")
        if ignored:
            text = f"{listing(ignored)} filter not applied"
            notes.append(text[0].upper() + text[1:])
        st.caption(" · ".join(notes))


def card(label: str, value: str, note: str, *, help: str | None = None) -> None:
    """A bordered figure without a target: a count or share with one line under it."""
    with st.container(border=True):
        st.metric(label, value, help=help)
        st.caption(note)


# --------------------------------------------------------------------------- charts

# Every figure's template, set once: `template="plotly_white"` on each figure made plotly
# copy and validate the whole template per chart, about 15 ms each, a tenth of a page's
# render; the default is applied when the figure is serialised, for the same output.
pio.templates.default = "plotly_white"
TARGET_COLOR = "#d62728"
# A series with more points than this (a quarter of days) is drawn without markers.
DENSE_POINTS = 40
PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22", "#17becf", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5",
           "#c49c94"]
# One colour per source system on every page, so "carrier" is the same colour everywhere.
SYSTEM_COLORS = {"marketing": "#9467bd", "crm": "#ff7f0e", "integration": "#17becf",
                 "oms": "#8c564b", "wms": "#2ca02c", "carrier": "#1f77b4",
                 "not determined": "#7f7f7f"}


def line_chart(frame: pd.DataFrame, x: str, y: str, *, title: str, y_title: str,
               color: str | None = None, target: float | None = None,
               target_label: str = "target", percent: bool = False,
               partial: str | None = None, zero: bool = True,
               x_title: str | None = None, unit_suffix: str = "",
               clip_outliers: bool = False) -> go.Figure:
    """A titled line chart with a labelled y axis and an optional dashed target line.

    `partial` names a boolean column: those points (a week or month the data or the
    filter covers only in part) are drawn hollow and said so on hover, so a half period
    is not read as a drop. `zero=False` lets rates near 100% use the chart's height.
    `clip_outliers` caps the axis when one day is many times the rest (a P95 of 6,800 s
    among days of 200 s would flatten every other day): such points sit on the top edge
    as triangles labelled with their true value.
    """
    fig = go.Figure()
    groups = frame.groupby(color, sort=True) if color else [(None, frame)]
    value_format = ".2%" if percent else ",.1f"
    for index, (key, part) in enumerate(groups):
        name = key[0] if isinstance(key, tuple) else key
        symbols = (["circle-open" if p else "circle" for p in part[partial]]
                   if partial else "circle")
        notes = ([" (partial period)" if p else "" for p in part[partial]]
                 if partial else [""] * len(part))
        dense = len(part) > DENSE_POINTS and not partial
        fig.add_trace(go.Scatter(
            x=part[x], y=part[y], mode="lines" if dense else "lines+markers",
            name=str(name) if name is not None else y, customdata=notes,
            line={"color": PALETTE[index % len(PALETTE)], "width": 1.5 if dense else 2},
            marker={"size": 6, "symbol": symbols},
            hovertemplate=(f"%{{x|%Y-%m-%d}}: %{{y:{value_format}}}{unit_suffix}"
                           "%{customdata}<extra>%{fullData.name}</extra>")))
    cap = _outlier_cap(frame[y], target) if clip_outliers and not frame.empty else None
    if cap is not None:
        high = frame[frame[y] > cap]
        fig.add_trace(go.Scatter(
            x=high[x], y=[cap] * len(high), mode="markers+text", name="off the scale",
            marker={"symbol": "triangle-up", "size": 12, "color": TARGET_COLOR},
            text=[f"{v:,.0f}{unit_suffix}" for v in high[y]], textposition="bottom right",
            textfont={"color": TARGET_COLOR, "size": 11},
            customdata=high[y],
            hovertemplate=(f"%{{x|%Y-%m-%d}}: %{{customdata:{value_format}}}{unit_suffix}"
                           " (off the scale)<extra></extra>")))
    if target is not None:
        fig.add_hline(y=target, line_dash="dash", line_color=TARGET_COLOR,
                      annotation_text=f"{target_label} {_fmt(target, percent)}{unit_suffix}",
                      annotation_position="top left",
                      annotation_font_color=TARGET_COLOR,
                      annotation_bgcolor="rgba(255,255,255,0.8)")
    fig = _layout(fig, title, y_title, percent, zero=zero)
    if cap is not None:
        fig.update_yaxes(range=[0, cap * 1.08])
        return fig
    if x_title:
        fig.update_xaxes(title_text=x_title)
    if target is not None and not zero and not frame.empty:
        # keep the target line in view even when every point is far from it
        low = min(float(frame[y].min()), target)
        high = max(float(frame[y].max()), target)
        pad = (high - low) * 0.08 or abs(target) * 0.01 or 1.0
        fig.update_yaxes(range=[low - pad, high + pad])
    elif target is not None and not frame.empty:
        high = max(float(frame[y].max()), target)
        fig.update_yaxes(range=[0, high * 1.1 or 1.0])
    return fig


def _outlier_cap(values: pd.Series, target: float | None) -> float | None:
    """The axis top that keeps ordinary points readable, or None when none stands out."""
    clean = values.dropna()
    if len(clean) < 5:
        return None
    typical = float(clean.quantile(0.9))
    cap = max(typical * 3, (target or 0.0) * 2)
    return cap if float(clean.max()) > cap else None


def bar_chart(frame: pd.DataFrame, x: str, y: str, *, title: str, y_title: str,
              color: str | None = None, percent: bool = False,
              horizontal: bool = False, target: float | None = None,
              target_label: str = "target", text: bool = False,
              x_title: str | None = None, barmode: str = "stack",
              colors: dict[str, str] | None = None) -> go.Figure:
    """A titled bar chart; stacked when `color` splits the bars, with an optional target.

    `text` prints each bar's value on it, for charts people read off, not just compare;
    `colors` pins a colour per series (e.g. SYSTEM_COLORS) so pages agree.
    """
    fig = go.Figure()
    groups = frame.groupby(color, sort=True) if color else [(None, frame)]
    value_format = ".1%" if percent else ",.0f"
    for index, (key, part) in enumerate(groups):
        name = key[0] if isinstance(key, tuple) else key
        xs, ys = (part[y], part[x]) if horizontal else (part[x], part[y])
        fig.add_trace(go.Bar(
            x=xs, y=ys, name=str(name) if name is not None else y,
            orientation="h" if horizontal else "v",
            marker_color=(colors or {}).get(str(name), PALETTE[index % len(PALETTE)]),
            texttemplate=(f"%{{{'x' if horizontal else 'y'}:{value_format}}}"
                          if text else None),
            textposition="auto" if text else None,
            hovertemplate=(f"%{{{'y' if horizontal else 'x'}}}: "
                           f"%{{{'x' if horizontal else 'y'}:{value_format}}}"
                           "<extra>%{fullData.name}</extra>")))
    fig.update_layout(barmode=barmode)
    if target is not None:
        line = {"line_dash": "dash", "line_color": TARGET_COLOR,
                "annotation_text": f"{target_label} {_fmt(target, percent)}",
                "annotation_font_color": TARGET_COLOR,
                "annotation_bgcolor": "rgba(255,255,255,0.8)"}
        if horizontal:
            fig.add_vline(x=target, annotation_position="top", **line)
        else:
            fig.add_hline(y=target, annotation_position="top right", **line)
    fig = _layout(fig, title, y_title, percent, horizontal=horizontal)
    if x_title:
        (fig.update_yaxes if horizontal else fig.update_xaxes)(title_text=x_title)
        if not horizontal:
            fig.update_layout(legend_y=-0.32)  # below the axis title, not on it
    # categories keep the order of the frame's rows (callers sort: worst first)
    order = [str(v) for v in dict.fromkeys(frame[x])]
    if horizontal:
        fig.update_yaxes(type="category", autorange="reversed", categoryorder="array",
                         categoryarray=order)
        fig.update_layout(height=max(340, 60 + 28 * frame[x].nunique()))
    elif frame[x].dtype == object:
        fig.update_xaxes(type="category", categoryorder="array", categoryarray=order)
    if color == x:
        fig.update_layout(showlegend=False)  # the axis already names every bar
    return fig


def dot_chart(frame: pd.DataFrame, category: str, value: str, *, title: str,
              x_title: str, color: str, target: float | None = None,
              target_label: str = "target", y_title: str | None = None) -> go.Figure:
    """Rates by category as dots on a zoomed axis, with an optional target line.

    Rates that all sit between 93% and 99% look identical as bars from zero, and a bar
    with a cut baseline lies about size; dots on a zoomed axis show the differences
    honestly.
    """
    fig = go.Figure()
    for index, (key, part) in enumerate(frame.groupby(color, sort=False)):
        name = key[0] if isinstance(key, tuple) else key
        fig.add_trace(go.Scatter(
            x=part[value], y=part[category], mode="markers", name=str(name),
            marker={"size": 11, "color": PALETTE[index % len(PALETTE)],
                    "line": {"width": 1, "color": "white"}},
            hovertemplate="%{y}: %{x:.2%}<extra>%{fullData.name}</extra>"))
    if target is not None:
        fig.add_vline(x=target, line_dash="dash", line_color=TARGET_COLOR,
                      annotation_text=f"{target_label} {_fmt(target, True)}",
                      annotation_position="top", annotation_font_color=TARGET_COLOR)
    values = frame[value].dropna()
    if not values.empty:
        low = min(float(values.min()), target if target is not None else 1.0)
        high = max(float(values.max()), target if target is not None else 0.0)
        pad = max((high - low) * 0.06, 0.002)
        fig.update_xaxes(range=[low - pad, min(high + pad, 1.0 + pad)])
    fig.update_yaxes(type="category", autorange="reversed", title_text=y_title,
                     showgrid=True)
    fig.update_layout(title={"text": title, "font": {"size": 16}},
                      height=max(340, 90 + 30 * frame[category].nunique()),
                      margin={"l": 10, "r": 10, "t": 50, "b": 10},
                      legend={"orientation": "h", "y": -0.15})
    fig.update_xaxes(title_text=x_title, tickformat=".1%")
    return fig


def heatmap(frame: pd.DataFrame, x: str, y: str, z: str, *, title: str,
            target: float | None = None, x_label: Callable[[Any], str] = str,
            higher_is_better: bool = True, text_format: str = ".1%") -> go.Figure:
    """A rate per (row, column) as a coloured table, centred on the target.

    Twelve carriers over four months are twelve tangled lines; a grid with the value
    printed in each cell reads at a glance, and the colour says above or below target.
    """
    grid = frame.pivot_table(index=y, columns=x, values=z, aggfunc="first")
    grid = grid.reindex(list(dict.fromkeys(frame[y])))  # rows in the caller's order
    columns = [x_label(c) for c in grid.columns]  # pivot sorted them by value
    text = [[("" if pd.isna(v) else format(v, text_format)) for v in row]
            for row in grid.to_numpy()]
    scale = "RdYlGn" if higher_is_better else "RdYlGn_r"
    fig = go.Figure(go.Heatmap(
        z=grid.to_numpy(), x=columns, y=[str(i) for i in grid.index], text=text,
        texttemplate="%{text}", colorscale=scale, zmid=target, showscale=False,
        xgap=2, ygap=2, hovertemplate="%{y}, %{x}: %{z:.2%}<extra></extra>"))
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(type="category", side="top")
    fig.update_layout(title={"text": title, "font": {"size": 16}},
                      height=max(300, 110 + 30 * len(grid.index)),
                      margin={"l": 10, "r": 10, "t": 80, "b": 10})
    return fig


def _layout(fig: go.Figure, title: str, y_title: str, percent: bool,
            horizontal: bool = False, zero: bool = True) -> go.Figure:
    """Title, height, legend below, and a value axis with its unit: one look for all."""
    fig.update_layout(title={"text": title, "font": {"size": 16}}, height=340,
                      margin={"l": 10, "r": 10, "t": 50, "b": 10},
                      legend={"orientation": "h", "y": -0.2},
                      hovermode="closest")
    axis = fig.update_xaxes if horizontal else fig.update_yaxes
    axis(title_text=y_title, tickformat=".1%" if percent else None,
         rangemode="tozero" if zero else "normal")
    return fig


def show(fig: go.Figure, key: str | None = None) -> None:
    """Draw a figure full width, without plotly's logo in the toolbar."""
    st.plotly_chart(fig, width="stretch", config={"displaylogo": False}, key=key)


def _fmt(value: float, percent: bool) -> str:
    if percent:
        return f"{value * 100:.2f}".rstrip("0").rstrip(".") + "%"
    return f"{value:,.4g}"
