"""How long each dashboard page takes to render, for `order-truth bench` (`page_p95_s`).

Every page under `dashboard/views/` runs through Streamlit's `AppTest`, the same script
runner the dashboard tests use, against one published warehouse. The first run of each
page fills the query cache of that build and is not counted: the performance contract is
about a page people come back to, not the first visit after a publish. Then each page runs
`rounds` more times in the same session (the sidebar's default filters), and each run is
timed from start to the last element drawn.

A page that raises is an error, not a timing: a page that fails fast must never make the
benchmark look good.
"""

from __future__ import annotations

import logging
import math
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from order_truth import warehouse
from order_truth.dashboard import APP

if TYPE_CHECKING:
    from streamlit.testing.v1 import AppTest

# Generous: a first load at 1,000,000 orders on a loaded 2-core machine is slow by design.
RUN_TIMEOUT_S = 600.0
# AppTest warns on every run that it has no browser session; the bench's output stays clean.
QUIET_LOGGER = "streamlit.runtime.scriptrunner_utils.script_run_context"


class PageError(RuntimeError):
    """A dashboard page raised an exception while it was being timed."""


def page_files(app: Path = APP) -> dict[str, str]:
    """Page name (the file's stem) -> path relative to the app, in the app's menu order.

    The pages are the files the app's `st.navigation` lists (the dashboard tests check
    that these are exactly the files under `views/`).
    """
    listed = re.findall(r'st\.Page\(\s*"(views/\w+\.py)"', app.read_text())
    return {Path(page).stem: page for page in listed}


class _AtLeast(logging.Filter):
    def __init__(self, level: int) -> None:
        super().__init__()
        self.level = level

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= self.level


@contextmanager
def _reading(published: Path) -> Iterator[None]:
    """Point the dashboard at `published` for the duration, then restore the setting."""
    before = os.environ.get(warehouse.ENV_PUBLISHED)
    os.environ[warehouse.ENV_PUBLISHED] = str(published.resolve())
    quiet = logging.getLogger(QUIET_LOGGER)
    # a filter, not a level: Streamlit resets its loggers' levels when it reads its config
    only_errors = _AtLeast(logging.ERROR)
    quiet.addFilter(only_errors)
    try:
        yield
    finally:
        quiet.removeFilter(only_errors)
        if before is None:
            os.environ.pop(warehouse.ENV_PUBLISHED, None)
        else:
            os.environ[warehouse.ENV_PUBLISHED] = before


def _open_page(page: str, name: str, app: Path) -> AppTest:
    """A new session showing `page`, after its first (uncounted) run."""
    from streamlit.testing.v1 import AppTest

    session = AppTest.from_file(str(app), default_timeout=RUN_TIMEOUT_S)
    session.switch_page(page)
    _timed_run(session, name)
    return session


def _timed_run(session: AppTest, name: str) -> float:
    """Run the session's page once; seconds from start to the last element drawn."""
    started = time.perf_counter()
    session.run()
    elapsed = time.perf_counter() - started
    if session.exception:
        messages = "; ".join(str(e.message) for e in session.exception)
        raise PageError(f"dashboard page {name} raised: {messages}")
    return elapsed


def time_pages(published: Path, rounds: int = 3) -> dict[str, list[float]]:
    """Seconds per run, per page, after one uncounted first load of each page.

    `published` is a published warehouse file (the dashboard reads it read-only). Raises
    `PageError` when any page raised, `FileNotFoundError` when there is no such file.

    Each page gets its own session; its first run is the first load and is not counted.
    The timed runs rerun the page in that session, as a reader coming back to it does.
    They are not fresh `AppTest`s: each new one scans every installed package for
    Streamlit components (about 0.5 s here), which a served dashboard does once at start.
    """
    if rounds < 1:
        raise ValueError(f"rounds must be at least 1, not {rounds}")
    if not published.is_file():
        raise FileNotFoundError(f"no published warehouse at {published}")
    times: dict[str, list[float]] = {}
    with _reading(published):
        for name, page in page_files().items():
            session = _open_page(page, name, APP)
            times[name] = [_timed_run(session, name) for _ in range(rounds)]
    return times


def p95(values: list[float]) -> float:
    """The 95th percentile by linear interpolation (numpy's default method)."""
    if not values:
        raise ValueError("no timings")
    ordered = sorted(values)
    rank = 0.95 * (len(ordered) - 1)
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def page_p95(times: dict[str, list[float]]) -> float:
    """The slowest page's 95th percentile run time, in seconds."""
    if not times:
        raise ValueError("no pages were timed")
    return max(p95(runs) for runs in times.values())
