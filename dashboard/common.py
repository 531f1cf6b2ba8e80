"""What every dashboard page shares: data access, global filters, banner, charts.

Pages stay short and read like a report: they call `query()` for data, `filters()` for
the sidebar selection, `where()` to turn it into SQL, and the chart helpers for plotly
figures with titles, units and target lines. Nothing here holds a DuckDB connection:
`order_truth.warehouse` opens one per query, and results are cached per published build.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pandas as pd
import plotly.graph_objects as go
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
    return warehouse.read_manifest() or {}


# --------------------------------------------------------------------------- filters

@dataclass(frozen=True)
class Filters:
    """The sidebar selection. Empty channel/carrier tuples mean "all"."""

    start: date
    end: date
    channels: tuple[str, ...] = ()
    carriers: tuple[str, ...] = ()


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
        channels = _distinct(CHANNEL_SOURCES)
        carriers = _distinct(CARRIER_SOURCES)
        chosen_channels = st.multiselect("Channel", channels, key="filter_channels",
                                         placeholder=ALL if channels else "no channels yet",
                                         disabled=not channels, persist_state="session")
        chosen_carriers = st.multiselect("Carrier", carriers, key="filter_carriers",
                                         placeholder=ALL if carriers else "no carriers yet",
                                         disabled=not carriers, persist_state="session")
    start, end = _date_pair(picked, default)
    selected = Filters(start=start, end=end, channels=tuple(chosen_channels),
                       carriers=tuple(chosen_carriers))
    st.session_state["filters"] = selected
    return selected


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


def where(f: Filters, *, date_col: str | None = None, channel_col: str | None = None,
          carrier_col: str | None = None) -> tuple[str, list[Any]]:
    """A SQL `where` clause (with `?` parameters) for the filters a mart can honour.

    Pass only the columns the mart has: a filter without a column is not applied, and the
    page should say so with `not_filtered()`.
    """
    clauses: list[str] = []
    params: list[Any] = []
    if date_col:
        clauses.append(f"cast({date_col} as date) between ? and ?")
        params += [f.start, f.end]
    if channel_col and f.channels:
        clauses.append(f"{channel_col} in ({', '.join('?' * len(f.channels))})")
        params += list(f.channels)
    if carrier_col and f.carriers:
        clauses.append(f"{carrier_col} in ({', '.join('?' * len(f.carriers))})")
        params += list(f.carriers)
    return ("where " + " and ".join(clauses) if clauses else ""), params


def not_filtered(f: Filters, *names: str) -> None:
    """Say which active filters a view ignores, instead of silently showing unfiltered data."""
    active = [n for n in names if (n == "channel" and f.channels) or
              (n == "carrier" and f.carriers)]
    if active:
        st.caption(f"The {' and '.join(active)} filter does not apply to this view.")


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


def mart_summary(name: str) -> None:
    """Row count and a small sample of a published mart whose page is not yet designed."""
    if name not in relations():
        return
    count = int(query(f"select count(*) as n from {table(name)}")["n"].iloc[0])
    st.metric(f"{name} rows", f"{count:,}")
    st.dataframe(query(f"select * from {table(name)} limit 20"), hide_index=True)


# --------------------------------------------------------------------------- charts

def line_chart(frame: pd.DataFrame, x: str, y: str, *, title: str, y_title: str,
               color: str | None = None, target: float | None = None,
               target_label: str = "target", percent: bool = False) -> go.Figure:
    """A titled line chart with a labelled y axis and an optional dashed target line."""
    fig = go.Figure()
    groups = frame.groupby(color, sort=True) if color else [(None, frame)]
    for key, part in groups:
        name = key[0] if isinstance(key, tuple) else key
        fig.add_trace(go.Scatter(x=part[x], y=part[y], mode="lines+markers",
                                 name=str(name) if name is not None else y,
                                 marker={"size": 4}))
    if target is not None:
        fig.add_hline(y=target, line_dash="dash", line_color="#d62728",
                      annotation_text=f"{target_label} {_fmt(target, percent)}",
                      annotation_position="top left")
    return _layout(fig, title, y_title, percent)


def bar_chart(frame: pd.DataFrame, x: str, y: str, *, title: str, y_title: str,
              color: str | None = None, percent: bool = False,
              horizontal: bool = False) -> go.Figure:
    """A titled bar chart; stacked when `color` splits the bars."""
    fig = go.Figure()
    groups = frame.groupby(color, sort=True) if color else [(None, frame)]
    for key, part in groups:
        name = key[0] if isinstance(key, tuple) else key
        xs, ys = (part[y], part[x]) if horizontal else (part[x], part[y])
        fig.add_trace(go.Bar(x=xs, y=ys, name=str(name) if name is not None else y,
                             orientation="h" if horizontal else "v"))
    fig.update_layout(barmode="stack")
    return _layout(fig, title, y_title, percent, horizontal=horizontal)


def _layout(fig: go.Figure, title: str, y_title: str, percent: bool,
            horizontal: bool = False) -> go.Figure:
    fig.update_layout(title={"text": title}, height=340,
                      margin={"l": 10, "r": 10, "t": 50, "b": 10},
                      legend={"orientation": "h", "y": -0.2})
    axis = fig.update_xaxes if horizontal else fig.update_yaxes
    axis(title_text=y_title, tickformat=".1%" if percent else None, rangemode="tozero")
    return fig


def show(fig: go.Figure) -> None:
    st.plotly_chart(fig, width="stretch", config={"displaylogo": False})


def _fmt(value: float, percent: bool) -> str:
    return f"{value:.1%}" if percent else f"{value:,.4g}"
