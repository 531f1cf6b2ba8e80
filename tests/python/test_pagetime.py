"""order_truth.pagetime, which `order-truth bench` calls for `page_p95_s`.

Only the mechanics are tested here: every page is timed, the first load is not counted,
and a page that raises fails the measurement. Timing thresholds belong to the bench.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from order_truth import pagetime

ROOT = Path(__file__).resolve().parents[2]


def test_every_dashboard_page_is_timed(tiny_published: Path) -> None:
    times = pagetime.time_pages(tiny_published, rounds=1)
    views = {p.stem for p in (ROOT / "dashboard" / "views").glob("*.py")}
    assert set(times) == views
    assert list(times)[0] == "overview"  # the app's menu order
    assert all(len(runs) == 1 and runs[0] > 0 for runs in times.values())
    assert pagetime.page_p95(times) == max(runs[0] for runs in times.values())


def test_a_page_that_raises_fails_the_measurement(tmp_path: Path) -> None:
    broken = tmp_path / "published" / "warehouse.duckdb"
    broken.parent.mkdir()
    broken.write_bytes(b"not a duckdb file")
    with pytest.raises(pagetime.PageError, match="raised"):
        pagetime.time_pages(broken, rounds=1)


def test_a_missing_warehouse_is_an_error_not_an_empty_timing(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        pagetime.time_pages(tmp_path / "warehouse.duckdb")


def test_page_p95_is_the_slowest_pages_95th_percentile() -> None:
    runs = [float(i) for i in range(1, 21)]  # 1 .. 20 s
    assert pagetime.p95(runs) == pytest.approx(19.05)
    assert pagetime.page_p95({"fast": [0.1, 0.2, 0.3], "slow": runs}) == \
        pytest.approx(19.05)
    with pytest.raises(ValueError):
        pagetime.page_p95({})
