"""The dashboard in a real browser: `order-truth dashboard` served on loopback, every page
opened in Debian's chromium through Playwright, key text and charts asserted, an order
looked up, a filter carried across pages, and a full-height PNG of each page kept under
target/screenshots/ for people to look at, with timings.json: each page's first and
second load (a fresh page load each) and its render after a sidebar click.

Playwright drives the system chromium (`executable_path`); `playwright install` is never
run. Without chromium the test is skipped with the command that installs it, except under
CI, where `.ci/run` installs it, so a missing browser there is a failure, not a skip.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("ORDER_TRUTH_CHROMIUM", "/usr/bin/chromium"))
INSTALL_HINT = "install chromium: apt-get install chromium"
SCREENSHOTS = ROOT / "target" / "screenshots"
VIEWPORT = {"width": 1440, "height": 1000}
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
# url path -> (page title, the mart whose presence makes the page draw plotly charts,
# a heading the page shows when it has data)
PAGES = {
    "": ("Overview", "kpi_daily", "Trends by week, against targets"),
    "order_accuracy": ("Order accuracy", "fct_orders", "Where the promise breaks"),
    "promo_feasibility": ("Promo feasibility", "rpt_promo_feasibility",
                          "Campaigns: the claim against the lanes"),
    "exceptions": ("Exceptions", "fct_order_exceptions", "Open exceptions"),
    "sync_lag": ("Sync lag", "fct_sync_events", "Tracking updates: carrier scan to warehouse"),
    "status_sync": ("Status sync", "fct_orders",
                    "Storefront to OMS: order changes delivered, day by day"),
    "reconciliation": ("Reconciliation", "rpt_reconciliation_daily",
                       "Three-way check: CRM, OMS and carrier"),
    "order_lookup": ("Order lookup", None, None),
}
# Streamlit marks its root with the script's run state; "notRunning" = the page is drawn.
DONE = "[data-testid='stApp'][data-test-script-state='notRunning']"

pytestmark = pytest.mark.browser


def _require_chromium() -> None:
    if CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK):
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{CHROMIUM} is missing under CI; .ci/run should have installed it "
                    f"({INSTALL_HINT})")
    pytest.skip(f"{CHROMIUM} not found; {INSTALL_HINT}")


def _wait_healthy(url: str, server: subprocess.Popen, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"the dashboard exited early with code {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"the dashboard did not answer on {url} within {timeout_s:.0f} s")


@pytest.fixture(scope="module")
def browser_warehouse(tmp_path_factory: pytest.TempPathFactory,
                      tiny_factory: Callable[[Path], Path]) -> Path:
    """The real test build when `make test` made one (screenshots with real data), else the
    tiny warehouse."""
    real = os.environ.get("ORDER_TRUTH_TEST_PUBLISHED")
    if real and Path(real).is_file():
        return Path(real)
    return tiny_factory(tmp_path_factory.mktemp("browser"))


@contextlib.contextmanager
def serve(published: Path) -> Iterator[str]:
    """`order-truth dashboard` on a free loopback port; stopped by its own process group."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "ORDER_TRUTH_PUBLISHED": str(published),
           "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none"}
    server = subprocess.Popen([sys.executable, "-m", "order_truth", "dashboard", "--port",
                               str(port)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, server)
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=20)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless chromium for the module (Playwright's sync API cannot nest)."""
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                      headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


def _settle(page: Page, chart_expected: bool) -> None:
    """Wait until Streamlit finished the run and every plotly chart is drawn."""
    from playwright.sync_api import expect

    expect(page.locator(DONE)).to_have_count(1, timeout=60_000)
    if chart_expected:
        expect(page.locator(".js-plotly-plot").first).to_be_visible(timeout=60_000)
        page.wait_for_function(
            "() => document.querySelectorAll('.js-plotly-plot .main-svg').length >= "
            "document.querySelectorAll('[data-testid=\"stPlotlyChart\"]').length",
            timeout=60_000)


def _photograph(page: Page, name: str) -> None:
    """A PNG of the whole page: Streamlit scrolls inside its main block, not the window,
    so the viewport is stretched to the content before the shot."""
    height = page.evaluate(
        "() => document.querySelector('[data-testid=\"stMain\"]')?.scrollHeight || 1000")
    page.set_viewport_size({"width": VIEWPORT["width"], "height": max(1000, height)})
    page.wait_for_timeout(500)  # plotly re-lays out to the new size
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    page.set_viewport_size(VIEWPORT)


def _open(page: Page, url: str, path: str, chart_expected: bool) -> float:
    """Load a page by URL and wait until it is drawn; returns the seconds it took."""
    from playwright.sync_api import expect

    title = PAGES[path][0]
    started = time.monotonic()
    page.goto(f"{url}/{path}", wait_until="domcontentloaded")
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible(timeout=60_000)
    _settle(page, chart_expected)
    return round(time.monotonic() - started, 3)


def test_every_page_renders_in_a_real_browser(browser: Browser,
                                               browser_warehouse: Path) -> None:
    from playwright.sync_api import expect

    from order_truth import warehouse

    published_marts = warehouse.relations(browser_warehouse)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    timings: dict[str, dict[str, float]] = {}
    with serve(browser_warehouse) as url:
        page = browser.new_page(viewport=VIEWPORT)
        try:
            for path, (title, chart_mart, heading) in PAGES.items():
                name = path or "overview"
                charts = chart_mart in published_marts
                timings[name] = {"first_load_s": _open(page, url, path, charts)}
                expect(page.get_by_text("Date range", exact=True)).to_be_visible()
                if charts and heading:
                    expect(page.get_by_role("heading", name=heading)).to_be_visible()
                assert page.locator("[data-testid='stException']").count() == 0, title
                assert "Traceback" not in page.inner_text("body")
                assert "appears once" not in page.inner_text("body"), title
                _photograph(page, name)
            # the same pages again: queries now come from the cache of this build
            for path in PAGES:
                name = path or "overview"
                charts = PAGES[path][1] in published_marts
                timings[name]["second_load_s"] = _open(page, url, path, charts)
            # and as people move around: a click in the sidebar, no page reload
            for path in [*list(PAGES)[1:], ""]:
                timings[path or "overview"]["navigation_s"] = _navigate(
                    page, path, PAGES[path][1] in published_marts)
            _look_up_an_order(page, url, browser_warehouse)
            _filters_persist_across_pages(page, url, browser_warehouse)
        finally:
            page.close()
    (SCREENSHOTS / "timings.json").write_text(json.dumps(timings, indent=2) + "\n")
    for path in PAGES:
        assert (SCREENSHOTS / f"{path or 'overview'}.png").stat().st_size > 10_000


def _navigate(page: Page, path: str, chart_expected: bool) -> float:
    """Click a page's link in the sidebar and wait until it is drawn; returns seconds."""
    from playwright.sync_api import expect

    title = PAGES[path][0]
    started = time.monotonic()
    page.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible(timeout=60_000)
    _settle(page, chart_expected)
    return round(time.monotonic() - started, 3)


def _look_up_an_order(page: Page, url: str, published: Path) -> None:
    """Type an order id: its timeline (chart and table) appears; photograph it."""
    from playwright.sync_api import expect

    from order_truth import warehouse

    order_id = str(warehouse.query(
        "select order_id from marts.fct_orders where is_delivered order by order_id "
        "limit 1", warehouse=published)["order_id"].iloc[0])
    _open(page, url, "order_lookup", chart_expected=False)
    box = page.get_by_label("Order id, tracking number or email")
    box.fill(order_id.lower())
    box.press("Enter")
    expect(page.get_by_role("heading", name=f"Order {order_id}")).to_be_visible(
        timeout=60_000)
    _settle(page, chart_expected=True)
    expect(page.get_by_text("Timeline", exact=True)).to_be_visible()
    assert page.locator("[data-testid='stException']").count() == 0
    _photograph(page, "order_lookup_timeline")


def _filters_persist_across_pages(page: Page, url: str, published: Path) -> None:
    """Pick a channel on the Overview, move through the sidebar: the filter holds and the
    next page's numbers are for that channel."""
    from playwright.sync_api import expect

    from order_truth import warehouse

    frame = warehouse.query("""
        with bounds as (
            select cast(max(placed_at) as date) as hi,
                cast(min(placed_at) as date) as lo
            from marts.fct_orders
        ),
        first_channel as (select min(channel) as channel from marts.fct_orders)
        select first_channel.channel, count(o.order_id) as delivered
        from first_channel
        cross join bounds
        left join marts.fct_orders as o
            on o.channel = first_channel.channel and o.is_delivered
            and o.delivered_date_local between greatest(bounds.lo, bounds.hi - 90)
                and bounds.hi
        group by 1""", warehouse=published).iloc[0]
    channel, delivered = str(frame["channel"]), int(frame["delivered"])
    _open(page, url, "", chart_expected=True)
    page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").first.click()
    page.get_by_role("option", name=channel, exact=True).click()
    page.keyboard.press("Escape")
    _settle(page, chart_expected=True)
    page.get_by_role("link", name="Order accuracy").click()
    expect(page.get_by_role("heading", name="Order accuracy", level=1)).to_be_visible(
        timeout=30_000)
    _settle(page, chart_expected=True)
    sidebar = page.locator("[data-testid='stSidebar']")
    expect(sidebar.get_by_text(channel, exact=True)).to_be_visible()
    tile = page.locator("[data-testid='stMetric']").filter(has_text="Delivered orders")
    expect(tile.locator("[data-testid='stMetricValue']")).to_have_text(f"{delivered:,}")
    # the sidebar navigation works, and the banner says which build is shown
    page.get_by_role("link", name="Sync lag").click()
    expect(page.get_by_role("heading", name="Sync lag", level=1)).to_be_visible(
        timeout=30_000)
    expect(page.get_by_text("build ", exact=False).first).to_be_visible()


def test_empty_state_in_a_real_browser(browser: Browser, tmp_path: Path) -> None:
    """With nothing published, the browser shows how to build, not a traceback."""
    from playwright.sync_api import expect

    with serve(tmp_path / "published" / "warehouse.duckdb") as url:
        page = browser.new_page()
        try:
            # a first visit straight to a page URL gets the app's own navigation
            page.goto(f"{url}/sync_lag", wait_until="domcontentloaded")
            expect(page.get_by_text("No published warehouse yet")).to_be_visible(
                timeout=30_000)
            expect(page.get_by_text("order-truth build --data data")).to_be_visible()
            expect(page.get_by_role("link", name="Order lookup")).to_be_visible()
            assert page.get_by_role("link", name="app", exact=True).count() == 0
            assert page.locator("[data-testid='stException']").count() == 0
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / "empty_state.png"))
        finally:
            page.close()
