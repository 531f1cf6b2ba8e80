"""The bench's own parts: argument errors, the memory sampler and the floor query.

Nothing here asserts a time: timings belong to `order-truth bench`, not to the tests.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from order_truth import bench
from order_truth.cli import main


@pytest.mark.parametrize(("args", "needle"), [
    (["bench", "--orders", "5"], "--orders must be at least 100"),
    (["bench", "--orders", "1000", "--rounds", "0"], "--rounds must be at least 1"),
])
def test_bad_arguments_are_one_line(args: list[str], needle: str,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert main(args) == 1
    err = capsys.readouterr().err
    assert needle in err
    assert len(err.strip().splitlines()) == 1


def test_tree_memory_counts_a_child_process() -> None:
    """A child holding 300 MB shows in the tree's peak; this process alone does not."""
    hold = ("import sys, time; block = bytearray(300 * 1024 * 1024); "
            "block[::4096] = b'x' * len(block[::4096]); print('ready', flush=True); "
            "sys.stdin.readline()")
    alone = bench.TreeMemory().sample()
    child = subprocess.Popen([sys.executable, "-c", hold], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        with bench.TreeMemory(interval_s=0.05) as memory:
            time.sleep(0.3)
        assert memory.peak_kb - alone > 250 * 1024
    finally:
        assert child.stdin is not None
        child.stdin.close()
        child.wait(timeout=30)


def test_floor_reads_every_row_of_every_table(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    expected = 0
    for system, table, rows in [("carrier", "tracking_events", 700), ("crm", "contacts", 300)]:
        folder = raw / system / table
        folder.mkdir(parents=True)
        for part in range(2):
            n = rows + part
            pq.write_table(pa.table({"id": [f"{table}-{part}-{i}" for i in range(n)],
                                     "value": list(range(n))}),
                           folder / f"part-{part:05d}.parquet")
            expected += n
    seconds, rows_read = bench.floor_seconds(raw, threads=1, memory_limit="1GB")
    assert rows_read == expected
    assert seconds > 0


@pytest.mark.parametrize(("cores", "dbt_threads", "expected"), [
    (2, "2", 1),   # the 2-core machine: two models at once, one thread each
    (8, "2", 7),
    (2, "4", 1),   # never below one
    (4, None, 3),  # dbt's default of two threads
])
def test_duckdb_threads_fill_the_cores_without_oversubscribing(
        cores: int, dbt_threads: str | None, expected: int,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from order_truth import build

    monkeypatch.setattr(build.os, "sched_getaffinity", lambda pid: set(range(cores)),
                        raising=False)
    env = {} if dbt_threads is None else {"ORDER_TRUTH_THREADS": dbt_threads}
    assert build.duckdb_threads(env) == expected
    # an incremental run is mostly one chain of models: each query may use every core
    assert build.duckdb_threads(env, full_refresh=False) == cores


def test_an_explicit_duckdb_thread_count_is_kept(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from order_truth import build

    monkeypatch.setenv("ORDER_TRUTH_DUCKDB_THREADS", "5")
    env = build.dbt_env(tmp_path, "duckdb", tmp_path / "w.duckdb")
    assert env["ORDER_TRUTH_DUCKDB_THREADS"] == "5"
    assert build.duckdb_threads(env, full_refresh=False) == 5
    monkeypatch.delenv("ORDER_TRUTH_DUCKDB_THREADS", raising=False)
    computed = build.duckdb_threads(dict(os.environ))
    env = build.dbt_env(tmp_path, "duckdb", tmp_path / "w.duckdb")
    assert env["ORDER_TRUTH_DUCKDB_THREADS"] == str(computed)


def test_copy_seconds_copies_the_file_and_leaves_nothing_behind(tmp_path: Path) -> None:
    """The publish-copy timing reads the whole file and removes its copy afterwards."""
    db = tmp_path / "build.duckdb"
    db.write_bytes(os.urandom(3 * 1024 * 1024))
    before = db.read_bytes()
    seen: list[bytes] = []
    real_fsync = os.fsync

    def spy(fd: int) -> None:  # the copy is complete when it is fsynced
        seen.append(Path(f"/proc/self/fd/{fd}").resolve().read_bytes())
        real_fsync(fd)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(os, "fsync", spy)
        seconds = bench.copy_seconds(db, tmp_path)
    assert seconds > 0
    assert seen == [before]
    assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build.duckdb"]
