"""Every dashboard page under Streamlit's AppTest: no exception, numbers equal the marts."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from order_truth import warehouse

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "dashboard" / "app.py"
PAGES = {
    "views/overview.py": "Overview",
    "views/order_accuracy.py": "Order accuracy",
    "views/promo_feasibility.py": "Promo feasibility",
    "views/exceptions.py": "Exceptions",
    "views/sync_lag.py": "Sync lag",
    "views/status_sync.py": "Status sync",
    "views/reconciliation.py": "Reconciliation",
    "views/order_lookup.py": "Order lookup",
}


def open_page(page: str | None = None) -> AppTest:
    app = AppTest.from_file(str(APP), default_timeout=60).run()
    if page is not None:
        app.switch_page(page).run()
    return app


def metrics(app: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in app.metric}


def test_the_app_lists_every_page_file() -> None:
    """A page file that is not in the navigation (or the reverse) is a broken link."""
    on_disk = {f"views/{p.name}" for p in (APP.parent / "views").glob("*.py")}
    assert on_disk == set(PAGES)
    source = APP.read_text()
    for page in PAGES:
        assert f'"{page}"' in source


@pytest.mark.parametrize("page, title", PAGES.items())
def test_every_page_renders_on_a_published_warehouse(
        page: str, title: str, tiny_published: Path,
        use_published: Callable[[Path], None]) -> None:
    use_published(tiny_published)
    app = open_page(page)
    assert not app.exception, app.exception
    assert [t.value for t in app.title] == [title]
    assert not app.error
    # the freshness banner and the global filters frame every page
    assert any("build `" in c.value for c in app.caption)
    assert app.sidebar.date_input(key="filter_dates") is not None
    # the tiny warehouse has every mart the pages read: no "appears once ..." placeholder
    assert not [i.value for i in app.info if "appears once" in i.value]


@pytest.mark.parametrize("page", [None, *PAGES])
def test_empty_state_without_a_published_warehouse(
        page: str | None, tmp_path: Path, use_published: Callable[[Path], None]) -> None:
    use_published(tmp_path / "published" / "warehouse.duckdb")
    app = open_page(page)
    assert not app.exception, app.exception
    assert any("No published warehouse yet" in i.value for i in app.info)
    assert any("order-truth build" in c.value for c in app.code)


def default_window(published: Path) -> tuple[date, date]:
    """The pages' default date range: the last 90 days of orders placed."""
    frame = warehouse.query("""
        select cast(min(placed_at) as date) as lo, cast(max(placed_at) as date) as hi
        from marts.fct_orders""", warehouse=published).iloc[0]
    lo, hi = pd.Timestamp(frame["lo"]).date(), pd.Timestamp(frame["hi"]).date()
    return max(lo, hi - timedelta(days=90)), hi


def kpi_value(published: Path, kpi: str, start: date, end: date, *, channel: str = "all",
              carrier: str = "all", fc_id: str = "all") -> float:
    """sum(numerator) / sum(denominator) of one KPI's kpi_daily rows, per its unit."""
    row = warehouse.query("""
        select sum(numerator) as n, sum(denominator) as d, any_value(unit) as unit
        from marts.kpi_daily
        where kpi = ? and kpi_date between ? and ? and channel = ? and carrier = ?
            and fc_id = ?""", [kpi, start, end, channel, carrier, fc_id],
                          warehouse=published).iloc[0]
    if row["unit"] == "per_1000":
        return 1000.0 * row["n"] / row["d"]
    if row["unit"] == "count":
        return float(row["n"])
    return float(row["n"] / row["d"])


def test_overview_tiles_equal_the_kpi_table(tiny_published: Path,
                                            use_published: Callable[[Path], None]) -> None:
    """Each headline tile is sum(numerator) / sum(denominator) of kpi_daily's 'all' rows."""
    use_published(tiny_published)
    shown = metrics(open_page())
    start, end = default_window(tiny_published)
    for label, kpi, fmt in (("Order accuracy", "order_accuracy_rate", "{:.2%}"),
                            ("Exceptions per 1k", "exceptions_per_1000_orders", "{:,.1f}"),
                            ("WISMO per 1k", "wismo_per_1000_orders", "{:,.1f}"),
                            ("Sync success rate", "sync_success_rate", "{:.2%}"),
                            ("Orders placed", "orders_placed", "{:,.0f}"),
                            ("On time", "on_time_rate", "{:.2%}")):
        assert shown[label] == fmt.format(kpi_value(tiny_published, kpi, start, end)), label


def test_overview_accuracy_equals_the_facts(tiny_published: Path,
                                            use_published: Callable[[Path], None]) -> None:
    """The KPI table and the facts agree, so the tile is the mart's truth both ways."""
    use_published(tiny_published)
    shown = metrics(open_page())
    start, end = default_window(tiny_published)
    accuracy = warehouse.query("""
        select avg(case when is_accurate then 1.0 else 0.0 end) as acc
        from marts.fct_orders
        where is_delivered and is_accurate is not null
            and delivered_date_local between ? and ?""", [start, end],
                               warehouse=tiny_published)["acc"].iloc[0]
    p95 = warehouse.query("""
        select quantile_cont(arrival_lag_seconds, 0.95) as p95
        from marts.fct_tracking_events
        where not is_duplicate and cast(event_at as date) between ? and ?""",
                          [start, end], warehouse=tiny_published)["p95"].iloc[0]
    assert shown["Order accuracy"] == f"{accuracy:.2%}"
    assert shown["Tracking latency P95"] == f"{p95:,.0f} s"


def test_overview_deltas_compare_with_the_previous_period(
        tiny_published: Path, use_published: Callable[[Path], None]) -> None:
    use_published(tiny_published)
    app = open_page()
    # the default window starts where the data starts: nothing before it, so no deltas
    assert all(m.delta is None or m.delta == "" for m in app.metric)
    _, hi = default_window(tiny_published)
    start = hi - timedelta(days=9)
    app.sidebar.date_input(key="filter_dates").set_value((start, hi)).run()
    before_start, before_end = start - timedelta(days=10), start - timedelta(days=1)
    now = kpi_value(tiny_published, "orders_placed", start, hi)
    before = kpi_value(tiny_published, "orders_placed", before_start, before_end)
    tiles = {m.label: m for m in app.metric}
    assert tiles["Orders placed"].value == f"{now:,.0f}"
    assert tiles["Orders placed"].delta == f"{now - before:+,.0f}"
    acc_now = kpi_value(tiny_published, "order_accuracy_rate", start, hi)
    acc_before = kpi_value(tiny_published, "order_accuracy_rate", before_start, before_end)
    assert tiles["Order accuracy"].delta == f"{(acc_now - acc_before) * 100:+.2f} pp"


def test_overview_compares_rates_but_not_counts_with_a_partial_previous_period(
        tiny_published: Path, use_published: Callable[[Path], None]) -> None:
    """A previous period cut by the start of the data would show every count "down"."""
    use_published(tiny_published)
    app = open_page()
    lo = warehouse.query("select cast(min(placed_at) as date) as lo from marts.fct_orders",
                         warehouse=tiny_published)["lo"].iloc[0]
    lo = pd.Timestamp(lo).date()
    _, hi = default_window(tiny_published)
    start = lo + timedelta(days=20)  # 20 days of data before a longer range
    app.sidebar.date_input(key="filter_dates").set_value((start, hi)).run()
    assert not app.exception
    tiles = {m.label: m for m in app.metric}
    assert tiles["Orders placed"].delta in (None, "")
    acc_now = kpi_value(tiny_published, "order_accuracy_rate", start, hi)
    acc_before = kpi_value(tiny_published, "order_accuracy_rate", lo,
                           start - timedelta(days=1))
    assert tiles["Order accuracy"].delta == f"{(acc_now - acc_before) * 100:+.2f} pp"
    assert any("rates are compared" in c.value for c in app.caption)


def test_overview_says_which_filters_a_kpi_cannot_honour(
        tiny_published: Path, use_published: Callable[[Path], None]) -> None:
    """KPI tables slice one dimension at a time, and sync KPIs not at all: say so."""
    use_published(tiny_published)
    app = open_page()
    app.sidebar.multiselect(key="filter_channels").select("web").run()
    app.sidebar.multiselect(key="filter_carriers").select("ups").run()
    assert not app.exception
    start, end = default_window(tiny_published)
    shown = metrics(app)
    # channel wins on sliced KPIs; the carrier filter is named as not applied
    web = kpi_value(tiny_published, "orders_placed", start, end, channel="web")
    assert shown["Orders placed"] == f"{web:,.0f}"
    captions = [c.value for c in app.caption]
    assert any("Carrier filter not applied" in c for c in captions)
    assert any("Channel and carrier filter not applied" in c for c in captions)


def test_overview_month_grain_renders(tiny_published: Path,
                                      use_published: Callable[[Path], None]) -> None:
    use_published(tiny_published)
    app = open_page()
    app.segmented_control(key="overview_grain").set_value("Month").run()
    assert not app.exception
    assert any("Trends by month" in s.value for s in app.subheader)


def test_accuracy_page_equals_the_kpi_table(tiny_published: Path,
                                            use_published: Callable[[Path], None]) -> None:
    use_published(tiny_published)
    app = open_page("views/order_accuracy.py")
    assert not app.exception
    shown = metrics(app)
    start, end = default_window(tiny_published)
    assert shown["Order accuracy"] == \
        f"{kpi_value(tiny_published, 'order_accuracy_rate', start, end):.2%}"
    assert shown["Delivered orders"] == \
        f"{kpi_value(tiny_published, 'orders_delivered', start, end):,.0f}"
    # every breakdown adds up to the delivered orders
    for label in ("Carrier", "Service level", "FC", "Channel", "Promo"):
        app.segmented_control(key="accuracy_dimension").set_value(label).run()
        assert not app.exception, label
        table = app.dataframe[0].value
        assert f"{int(table['delivered_orders'].sum()):,}" == shown["Delivered orders"]


def test_exceptions_page_equals_the_mart(tiny_published: Path,
                                         use_published: Callable[[Path], None]) -> None:
    use_published(tiny_published)
    app = open_page("views/exceptions.py")
    assert not app.exception
    shown = metrics(app)
    start, end = default_window(tiny_published)
    truth = warehouse.query("""
        select
            count(*) filter (where cast(opened_at as date) between ? and ?) as opened,
            count(*) filter (where cast(opened_at as date) between ? and ? and is_open)
                as still_open,
            quantile_cont(hours_to_resolve, 0.5)
                filter (where cast(resolved_at as date) between ? and ?) as p50,
            quantile_cont(hours_to_resolve, 0.95)
                filter (where cast(resolved_at as date) between ? and ?) as p95
        from marts.fct_order_exceptions""", [start, end] * 4,
                            warehouse=tiny_published).iloc[0]
    assert shown["Exceptions opened"] == f"{truth['opened']:,.0f}"
    assert shown["Still open"] == f"{truth['still_open']:,.0f}"
    assert shown["Time to resolve P50"] == f"{truth['p50']:,.1f} h"
    assert shown["Time to resolve P95"] == f"{truth['p95']:,.1f} h"
    assert shown["Exceptions per 1k"] == \
        f"{kpi_value(tiny_published, 'exceptions_per_1000_orders', start, end):,.1f}"
    # the open list holds every open exception, and its filter narrows it
    table = app.dataframe[0].value
    assert len(table) == truth["still_open"]
    assert table["opened_at"].is_monotonic_increasing
    app.multiselect(key="open_classes").select("mis_pick").run()
    table = app.dataframe[0].value
    assert set(table["exception_class"]) == {"mis_pick"}
    app.segmented_control(key="exceptions_split").set_value("Class").run()
    assert not app.exception


def test_sync_lag_tiles_equal_the_mart(tiny_published: Path,
                                       use_published: Callable[[Path], None]) -> None:
    use_published(tiny_published)
    shown = metrics(open_page("views/sync_lag.py"))
    start, end = default_window(tiny_published)
    truth = warehouse.query("""
        select entity, median(p95) as p95 from (
            select entity, cast(source_changed_at as date) as day,
                percentile_cont(0.95) within group (order by sync_lag_seconds) as p95
            from marts.fct_sync_events
            where cast(source_changed_at as date) between ? and ?
            group by 1, 2)
        group by 1""", [start, end], warehouse=tiny_published)
    assert len(truth) == 3
    for entity, p95 in truth.itertuples(index=False):
        assert shown[f"{entity.capitalize()} sync P95"] == f"{p95:,.1f} s"
    tracking = warehouse.query("""
        select percentile_cont(0.5) within group (order by arrival_lag_seconds) as p50,
            percentile_cont(0.95) within group (order by arrival_lag_seconds) as p95,
            count(*) as scans
        from marts.fct_tracking_events
        where not is_duplicate and cast(event_at as date) between ? and ?""",
                               [start, end], warehouse=tiny_published).iloc[0]
    assert shown["Tracking latency P50"] == f"{tracking['p50']:,.0f} s"
    assert shown["Tracking latency P95"] == f"{tracking['p95']:,.0f} s"
    assert shown["Scans received"] == f"{tracking['scans']:,.0f}"


def test_reconciliation_page_equals_the_reports(
        tiny_published: Path, use_published: Callable[[Path], None]) -> None:
    use_published(tiny_published)
    app = open_page("views/reconciliation.py")
    assert not app.exception
    shown = metrics(app)
    start, end = default_window(tiny_published)
    recon = warehouse.query("""
        select disagreement_class, sum(orders_disagreeing) / sum(orders_checked) as rate
        from marts.rpt_reconciliation_daily
        where recon_date between ? and ?
        group by 1""", [start, end], warehouse=tiny_published)
    labels = {"address_storefront_vs_oms": "Address: storefront vs OMS",
              "address_crm_vs_oms": "Address: CRM vs OMS",
              "status_oms_vs_carrier": "Status: OMS vs carrier",
              "customer_missing_in_crm": "Customer missing in CRM"}
    for cls, rate in recon.itertuples(index=False):
        assert shown[labels[cls]] == f"{rate:.2%}"
    variance = warehouse.query("""
        select sum(absolute_variance) / sum(wms_available_qty) as v
        from marts.rpt_inventory_reconciliation
        where snapshot_date between ? and ?""", [start, end],
                               warehouse=tiny_published)["v"].iloc[0]
    assert shown["Inventory variance"] == f"{variance:.2%}"


def test_channel_filter_applies_and_persists_across_pages(
        tiny_published: Path, use_published: Callable[[Path], None]) -> None:
    use_published(tiny_published)
    app = open_page()
    app.sidebar.multiselect(key="filter_channels").select("web").run()
    web = warehouse.query("select count(*) as n from marts.fct_orders where channel = 'web'",
                          warehouse=tiny_published)
    assert metrics(app)["Orders placed"] == f"{int(web['n'].iloc[0]):,}"
    # AppTest's first run of a switched-to page still sees the widget's default; its
    # second run, like every run in the browser (the browser test checks it), has "web"
    app.switch_page("views/order_accuracy.py").run().run()
    assert not app.exception
    assert app.sidebar.multiselect(key="filter_channels").value == ["web"]
    web_delivered = warehouse.query("""
        select count(*) as n from marts.fct_orders where channel = 'web' and is_delivered
            and delivered_date_local between ? and ?""", list(default_window(tiny_published)),
                                    warehouse=tiny_published)
    assert metrics(app)["Delivered orders"] == f"{int(web_delivered['n'].iloc[0]):,}"
    app.switch_page("views/overview.py").run()
    assert metrics(app)["Orders placed"] == f"{int(web['n'].iloc[0]):,}"


def test_promo_and_status_sync_pages_equal_the_marts(
        tiny_published: Path, use_published: Callable[[Path], None]) -> None:
    use_published(tiny_published)
    start, end = default_window(tiny_published)
    shown = metrics(open_page("views/promo_feasibility.py"))
    truth = warehouse.query("""
        select count(*) as promo_orders,
            count(*) filter (where is_claim_applied and has_infeasible_claim) as infeasible
        from marts.fct_orders
        where promo_code is not null and not is_cancelled
            and cast(placed_at as date) between ? and ?""", [start, end],
                            warehouse=tiny_published).iloc[0]
    assert shown["Promo claim missed"] == \
        f"{kpi_value(tiny_published, 'promo_fulfillment_mismatch_rate', start, end):.2%}"
    assert shown["Promo orders"] == f"{truth['promo_orders']:,.0f}"
    assert shown["Claim no lane could meet"] == f"{truth['infeasible']:,.0f}"
    app = open_page("views/status_sync.py")
    shown = metrics(app)
    ever = (date(2000, 1, 1), date(2100, 1, 1))
    assert shown["Status sync accuracy"] == \
        f"{kpi_value(tiny_published, 'status_sync_accuracy', *ever):.2%}"
    assert shown["Order sync success rate"] == \
        f"{kpi_value(tiny_published, 'order_sync_success_rate', start, end):.2%}"
    for label in ("FC", "Channel"):
        app.segmented_control(key="status_sync_dimension").set_value(label).run()
        assert not app.exception, label


def test_fc_filter_applies_on_every_page_and_persists(
        tiny_published: Path, use_published: Callable[[Path], None]) -> None:
    """Pick an FC once: every page with an FC column shows that FC's numbers, equal to
    the marts filtered the same way; pages without one say the filter does not apply."""
    use_published(tiny_published)
    fc = "FC-LAX"
    start, end = default_window(tiny_published)
    app = open_page()
    app.sidebar.multiselect(key="filter_fcs").select(fc).run()
    assert not app.exception
    shown = metrics(app)
    for label, kpi, fmt in (("Orders placed", "orders_placed", "{:,.0f}"),
                            ("Order accuracy", "order_accuracy_rate", "{:.2%}")):
        assert shown[label] == fmt.format(
            kpi_value(tiny_published, kpi, start, end, fc_id=fc)), label
    assert any("Channel" not in c.value and "FC filter not applied" in c.value
               for c in app.caption)  # sync and tracking KPIs have no FC

    def truth(sql: str, *params: object) -> float:
        return float(warehouse.query(sql, [*params, start, end],
                                     warehouse=tiny_published).iloc[0, 0])

    delivered = truth("""select count(*) from marts.fct_orders where fc_id = ?
        and is_delivered and delivered_date_local between ? and ?""", fc)
    opened = truth("""select count(*) from marts.fct_order_exceptions as e
        inner join marts.fct_orders as o on e.order_id = o.order_id
        where o.fc_id = ? and cast(e.opened_at as date) between ? and ?""", fc)
    variance = truth("""select sum(absolute_variance) / sum(wms_available_qty)
        from marts.rpt_inventory_reconciliation
        where fc_id = ? and snapshot_date between ? and ?""", fc)
    in_sync = warehouse.query("""select avg(case when is_status_in_sync then 1.0 else 0.0
        end) from marts.fct_orders where is_in_flight and fc_id = ?""", [fc],
                              warehouse=tiny_published).iloc[0, 0]
    expected = {
        "views/order_accuracy.py": ("Delivered orders", f"{delivered:,.0f}"),
        "views/exceptions.py": ("Exceptions opened", f"{opened:,.0f}"),
        "views/reconciliation.py": ("Inventory variance", f"{variance:.2%}"),
        "views/status_sync.py": ("Status sync accuracy", f"{in_sync:.2%}"),
        "views/promo_feasibility.py": (
            "Promo claim missed",
            f"{kpi_value(tiny_published, 'promo_fulfillment_mismatch_rate', start, end, fc_id=fc):.2%}"),  # noqa: E501
    }
    for page, (label, value) in expected.items():
        # a switched-to page's second run sees the kept widget value (see above)
        app.switch_page(page).run().run()
        assert not app.exception, page
        assert app.sidebar.multiselect(key="filter_fcs").value == [fc]
        assert metrics(app)[label] == value, page
    # status sync accuracy is the KPI table's FC slice too (one row, on the as-of day)
    ever = (date(2000, 1, 1), date(2100, 1, 1))
    assert f"{kpi_value(tiny_published, 'status_sync_accuracy', *ever, fc_id=fc):.2%}" \
        == expected["views/status_sync.py"][1]
    for page in ("views/sync_lag.py", "views/reconciliation.py"):
        app.switch_page(page).run().run()
        assert any("FC filter does not apply" in c.value or
                   "and FC filters do not apply" in c.value for c in app.caption), page


def lookup(app: AppTest, text: str) -> AppTest:
    app.text_input(key="lookup_text").input(text).run()
    assert not app.exception, app.exception
    return app


def everything_shown(app: AppTest) -> str:
    """All text the page shows, tables included, to search for personal data."""
    parts = [e.value for kind in (app.markdown, app.caption, app.warning, app.info,
                                  app.metric) for e in kind if isinstance(e.value, str)]
    parts += [d.value.to_csv() for d in app.dataframe]
    return "\n".join(parts)


def test_order_lookup_finds_an_order_by_id(tiny_published: Path,
                                           use_published: Callable[[Path], None]) -> None:
    use_published(tiny_published)
    # order 91: a carrier exception and a WISMO ticket
    app = lookup(open_page("views/order_lookup.py"), "sf-000091")
    assert any("Order SF-000091" in m.value for m in app.markdown)
    timeline = app.dataframe[-1].value
    assert timeline["at"].is_monotonic_increasing
    # carrier scans with raw and canonical codes, the exception and the WISMO ticket
    scans = timeline[timeline["lane"] == "carrier"]
    truth = warehouse.query("""
        select count(*) as n from marts.fct_tracking_events where order_id = 'SF-000091'""",
                            warehouse=tiny_published)
    assert len(scans) == int(truth["n"].iloc[0])
    assert any("DE" in code for code in scans["raw_code"])
    assert "exception" in set(scans["event"])
    assert "opened: carrier_exception" in set(timeline["event"])
    assert any(e.startswith("ticket opened: wismo") for e in timeline["event"])
    assert {"storefront", "promise", "OMS", "WMS", "outcome"} <= set(timeline["lane"])
    lookup(app, "SF-999999")
    assert any("No order matches" in w.value for w in app.warning)


def test_order_lookup_by_email_and_tracking_number(
        tiny_published: Path, use_published: Callable[[Path], None]) -> None:
    use_published(tiny_published)
    app = lookup(open_page("views/order_lookup.py"), " Customer14+promo@Example.COM ")
    # customer C-14 placed orders 14 and 164: both offered, the newest shown first
    assert app.selectbox(key="lookup_pick").options[0].startswith("SF-000164")
    assert len(app.selectbox(key="lookup_pick").options) == 2
    assert any("Order SF-000164" in m.value for m in app.markdown)
    app.selectbox(key="lookup_pick").set_value("SF-000014").run()
    assert any("Order SF-000014" in m.value for m in app.markdown)
    lookup(app, "1Z000021")
    assert any("Order SF-000021" in m.value for m in app.markdown)


def test_order_lookup_shows_no_personal_data_of_an_erased_customer(
        tiny_published: Path, use_published: Callable[[Path], None]) -> None:
    use_published(tiny_published)
    # order 187 belongs to C-37, who was erased; it has a ticket and carrier scans
    app = lookup(open_page("views/order_lookup.py"), "SF-000187")
    assert any("asked to be erased" in w.value for w in app.warning)
    shown = everything_shown(app)
    for personal in ("customer37@example.com", "Customer37@Example.com", "Pat Doe37",
                     "187 Main St", "187 main st", "Springfield", "+15550000037"):
        assert personal not in shown, personal
    assert "ticket opened: returns" in set(app.dataframe[-1].value["event"])
    # the erased customer's email finds nothing at all
    lookup(app, "customer37@example.com")
    assert any("No order matches" in w.value for w in app.warning)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_handles_a_day_without_data(
        page: str, tiny_published: Path, use_published: Callable[[Path], None]) -> None:
    """The first day of the tiny data has orders but no delivery, scan or exception."""
    use_published(tiny_published)
    app = open_page()
    lo, _ = default_window(tiny_published)
    app.sidebar.date_input(key="filter_dates").set_value((lo, lo)).run()
    # a switched-to page's first AppTest run still sees default widget values
    app.switch_page(page).run().run()
    assert not app.exception, app.exception
    assert not app.error


@pytest.mark.parametrize("page", PAGES)
def test_every_page_waits_for_marts_an_older_build_lacks(
        page: str, tmp_path: Path, tiny_factory: Callable[[Path], Path],
        use_published: Callable[[Path], None]) -> None:
    """A warehouse published before the KPI and report marts existed: placeholders that
    name the missing marts, never a traceback."""
    published = tiny_factory(tmp_path)
    con = duckdb.connect(str(published))
    try:
        for name in ("marts.kpi_daily", "marts.kpi_monthly", "marts.fct_order_exceptions",
                     "marts.fct_tracking_events", "marts.rpt_reconciliation_daily",
                     "marts.rpt_inventory_reconciliation", "marts.rpt_monthly_sla",
                     "marts.rpt_promo_feasibility",
                     "staging.stg_support__tickets"):
            con.execute(f"drop table {name}")
    finally:
        con.close()
    use_published(published)
    app = open_page(page)
    if page == "views/order_lookup.py":
        app = lookup(app, "SF-000014")
        assert any("Order SF-000014" in m.value for m in app.markdown)
    assert not app.exception, app.exception
    assert not app.error
    if page != "views/order_lookup.py":
        assert any("appears once" in i.value for i in app.info)


def _republish_with(tmp_path: Path, source: Path, **changes: object) -> Path:
    target = tmp_path / "published" / "warehouse.duckdb"
    target.parent.mkdir(parents=True)
    shutil.copyfile(source, target)
    manifest = warehouse.read_manifest(source) or {}
    manifest.update(changes)
    warehouse.manifest_path(target).write_text(json.dumps(manifest))
    return target


def test_freshness_banner_warns_when_stale(tmp_path: Path, tiny_published: Path,
                                           use_published: Callable[[Path], None]) -> None:
    old = (datetime.now(UTC) - timedelta(hours=30)).isoformat(timespec="seconds")
    use_published(_republish_with(tmp_path, tiny_published, built_at=old,
                                  build_id="stale-build"))
    app = open_page()
    assert not app.exception
    assert any("Stale data" in w.value and "26 h" in w.value for w in app.warning)


def test_fresh_data_has_no_warning(tiny_published: Path,
                                   use_published: Callable[[Path], None]) -> None:
    use_published(tiny_published)
    app = open_page()
    assert not app.warning


def test_an_unreadable_manifest_is_a_warning_not_a_crash(
        tmp_path: Path, tiny_published: Path, use_published: Callable[[Path], None]) -> None:
    published = _republish_with(tmp_path, tiny_published)
    warehouse.manifest_path(published).write_text("{not json")
    use_published(published)
    app = open_page()
    assert not app.exception
    assert any("no readable manifest" in w.value for w in app.warning)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_on_the_real_test_build(
        page: str, test_build_published: Path,
        use_published: Callable[[Path], None]) -> None:
    """The same pages over the marts dbt really built from generated data."""
    use_published(test_build_published)
    app = open_page(page)
    assert not app.exception, app.exception
    assert not app.error
