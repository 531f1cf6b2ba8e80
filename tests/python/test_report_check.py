"""`order-truth report` and `order-truth check` against real, freshly built warehouses.

Two small datasets are generated and built end to end (dbt build, tests included, then
publish): one with the default fault rates and one clean (`--fault-rate 0`). `check` must
alert on the first and stay quiet on the second; the report must have numbers in every
section.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def _cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "order_truth", *args], capture_output=True,
                          text=True, env=env, timeout=1500)


def _built(tmp: Path, fault_rate: str) -> dict[str, str]:
    data = tmp / "data"
    env = {**os.environ,
           "ORDER_TRUTH_PUBLISHED": str(tmp / "published" / "warehouse.duckdb"),
           "ORDER_TRUTH_DUCKDB_PATH": str(tmp / "build.duckdb"),
           "DBT_TARGET_PATH": str(tmp / "dbt-target")}
    gen = _cli(["generate", "--orders", "2500", "--seed", "11", "--out", str(data),
                "--fault-rate", fault_rate], env)
    assert gen.returncode == 0, gen.stderr
    build = _cli(["build", "--data", str(data)], env)
    assert build.returncode == 0, (build.stdout[-4000:], build.stderr[-2000:])
    return env


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return _built(tmp_path_factory.mktemp("faulty"), "1.0")


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return _built(tmp_path_factory.mktemp("clean"), "0")


class _Sections(HTMLParser):
    """Collects the text of each <section id=...> so every section can be inspected."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: dict[str, list[str]] = {}
        self.tables: dict[str, int] = {}
        self._current: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "section":
            self._current = dict(attrs).get("id")
            self.sections[self._current or ""] = []
            self.tables[self._current or ""] = 0
        elif tag == "table" and self._current:
            self.tables[self._current] += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "section":
            self._current = None

    def handle_data(self, data: str) -> None:
        if self._current:
            self.sections[self._current].append(data)


def test_report_writes_every_section_with_numbers(faulty: dict[str, str],
                                                  tmp_path: Path) -> None:
    out = tmp_path / "report"
    result = _cli(["report", "--month", "2026-09", "--out", str(out)], faulty)
    assert result.returncode == 0, result.stderr
    page = out / "sla_report_2026-09.html"
    text = page.read_text(encoding="utf-8")
    assert "<script>" in text and "Plotly" in text, "charts must be embedded for offline use"
    assert "cdn" not in text.lower().split("<body>")[1], "the report must not load remote assets"
    parser = _Sections()
    parser.feed(text)
    expected = ["headline", "promise-vs-outcome", "worst-promos", "worst-fcs", "exceptions",
                "sync-lag"]
    for section in expected:
        assert section in parser.sections, f"section {section} missing"
        assert parser.tables[section] >= 1, f"section {section} has no table"
        body = " ".join(parser.sections[section])
        assert re.search(r"\d+\.\d+|\d{2,}", body), f"section {section} has no numbers"
    for name in ("headline", "promise_vs_outcome", "worst_promos", "worst_fcs",
                 "exceptions_by_root_cause", "sync_lag"):
        csv = out / f"2026-09_{name}.csv"
        assert csv.exists() and len(csv.read_text().splitlines()) >= 2, name


@pytest.mark.parametrize("month, message", [
    ("2026-9", "is not YYYY-MM"),
    ("2024-01", "no data for 2024-01"),
    ("2026-13", "has no month 13"),
])
def test_report_rejects_bad_months_in_one_line(faulty: dict[str, str], tmp_path: Path,
                                              month: str, message: str) -> None:
    result = _cli(["report", "--month", month, "--out", str(tmp_path)], faulty)
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_check_alerts_on_faulty_data(faulty: dict[str, str]) -> None:
    result = _cli(["check"], faulty)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "BREACH" in result.stdout


def test_check_is_quiet_on_clean_data(clean: dict[str, str]) -> None:
    result = _cli(["check"], clean)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BREACH" not in result.stdout
    assert re.search(r"all \d+ KPIs within target", result.stdout)
