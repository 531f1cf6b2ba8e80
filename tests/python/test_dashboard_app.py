"""Every dashboard page under Streamlit's AppTest: no exception, numbers equal the marts."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from order_truth import warehouse

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "dashboard" / "app.py"
PAGES = {
    "views/overview.py": "Overview",
    "views/order_accuracy.py": "Order accuracy",
    "views/exceptions.py": "Exceptions",
    "views/sync_lag.py": "Sync lag",
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


@pytest.mark.parametrize("page", [None, *PAGES])
def test_empty_state_without_a_published_warehouse(
        page: str | None, tmp_path: Path, use_published: Callable[[Path], None]) -> None:
    use_published(tmp_path / "published" / "warehouse.duckdb")
    app = open_page(page)
    assert not app.exception, app.exception
    assert any("No published warehouse yet" in i.value for i in app.info)
    assert any("order-truth build" in c.value for c in app.code)


def test_overview_numbers_equal_the_marts(tiny_published: Path,
                                          use_published: Callable[[Path], None]) -> None:
    use_published(tiny_published)
    app = open_page()
    shown = metrics(app)
    # the default window is the last 90 days of data, which covers all of the tiny marts
    truth = warehouse.query("""
        select count(*) as orders,
            avg(case when is_accurate then 1.0 else 0.0 end)
                filter (where delivered_at is not null and is_correct is not null) as acc,
            1000.0 * sum(exception_count) / count(*) as exc,
            1000.0 * count(*) filter (where has_wismo_ticket) / count(*) as wismo
        from marts.fct_orders""", warehouse=tiny_published).iloc[0]
    assert shown["Orders placed"] == f"{truth['orders']:,.0f}"
    assert shown["Order accuracy (target ≥ 98%)"] == f"{truth['acc']:.2%}"
    assert shown["Exceptions per 1,000 orders"] == f"{truth['exc']:,.1f}"
    assert shown["WISMO contacts per 1,000 orders"] == f"{truth['wismo']:,.1f}"


def test_overview_deltas_compare_with_a_whole_prior_period(
        tiny_published: Path, use_published: Callable[[Path], None]) -> None:
    use_published(tiny_published)
    app = open_page()
    # the default window starts where the data starts: no prior period, so no deltas
    assert all(m.delta is None or m.delta == "" for m in app.metric)
    hi = warehouse.query("select cast(max(placed_at) as date) as hi from marts.fct_orders",
                         warehouse=tiny_published)["hi"].iloc[0]
    hi = hi.date() if hasattr(hi, "date") else hi
    start = hi - timedelta(days=9)
    app.sidebar.date_input(key="filter_dates").set_value((start, hi)).run()
    counts = warehouse.query("""
        select count(*) filter (where cast(placed_at as date) between ? and ?) as now,
            count(*) filter (where cast(placed_at as date) between ? and ?) as before
        from marts.fct_orders""", [start, hi, start - timedelta(days=10),
                                   start - timedelta(days=1)], warehouse=tiny_published)
    now, before = int(counts["now"].iloc[0]), int(counts["before"].iloc[0])
    tile = next(m for m in app.metric if m.label == "Orders placed")
    assert tile.value == f"{now:,}"
    assert tile.delta == f"{now - before:,}"


def test_sync_lag_tiles_equal_the_mart(tiny_published: Path,
                                       use_published: Callable[[Path], None]) -> None:
    use_published(tiny_published)
    shown = metrics(open_page("views/sync_lag.py"))
    # the default date window is the last 90 days of orders (the filters' date source)
    truth = warehouse.query("""
        select entity, median(p95) as p95 from (
            select entity, cast(source_changed_at as date) as day,
                percentile_cont(0.95) within group (order by sync_lag_seconds) as p95
            from marts.fct_sync_events
            where cast(source_changed_at as date) between (
                    select greatest(cast(min(placed_at) as date),
                                    cast(max(placed_at) as date) - 90)
                    from marts.fct_orders)
                and (select cast(max(placed_at) as date) from marts.fct_orders)
            group by 1, 2)
        group by 1""", warehouse=tiny_published)
    assert len(truth) == 3
    for entity, p95 in truth.itertuples(index=False):
        assert shown[f"{entity}: P95 lag (median day)"] == f"{p95:,.1f} s"


def test_channel_filter_applies_and_persists_across_pages(
        tiny_published: Path, use_published: Callable[[Path], None]) -> None:
    use_published(tiny_published)
    app = open_page()
    app.sidebar.multiselect(key="filter_channels").select("web").run()
    web = warehouse.query("select count(*) as n from marts.fct_orders where channel = 'web'",
                          warehouse=tiny_published)
    assert metrics(app)["Orders placed"] == f"{int(web['n'].iloc[0]):,}"
    app.switch_page("views/order_accuracy.py").run()
    assert not app.exception
    assert app.sidebar.multiselect(key="filter_channels").value == ["web"]
    app.switch_page("views/overview.py").run()
    assert metrics(app)["Orders placed"] == f"{int(web['n'].iloc[0]):,}"


def test_order_lookup_finds_an_order_by_id(tiny_published: Path,
                                           use_published: Callable[[Path], None]) -> None:
    use_published(tiny_published)
    app = open_page("views/order_lookup.py")
    app.text_input(key="lookup_text").input("sf-000014").run()
    assert not app.exception
    assert any("Order SF-000014" in m.value for m in app.markdown)
    app.text_input(key="lookup_text").input("SF-999999").run()
    assert any("No order matches" in w.value for w in app.warning)


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
