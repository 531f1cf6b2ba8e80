"""`order-truth bench`: the performance contract of DESIGN §8, measured in one run.

Steps, each a child process so its memory is counted with the tree and a crash in one
cannot hide in another:
  1. generate (or reuse) a pristine dataset under target/bench/<orders>-s<seed>/base
  2. the floor: DuckDB reads every raw column of every source table once
  3. a full `order-truth build` (dbt build with every test, then publish)
  4. one appended day (`generate --append-days 1` on a copy) and an incremental build
The memory peak covers steps 2-5 without the generator (steps 1 and the append in 4),
which is reported apart: it makes the test data and is not part of the warehouse.
  5. every dashboard page rendered with AppTest against the published warehouse
  6. the fixed costs: steps 3-4 again on a 1,000-order dataset (dbt's work per node and
     every test, with next to no data) and one copy of the full warehouse file (what a
     publish costs at this size). Together they are what no incremental run can go under.
It prints one JSON line and appends it to target/bench.jsonl. Times are wall-clock
seconds on whatever the machine is doing, so compare the ratios measured in one run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from order_truth import publish, warehouse
from order_truth.build import PROJECT_DIR, dbt_threads, duckdb_threads
from order_truth.errors import UserError

BENCH_DIR = PROJECT_DIR / "target" / "bench"
BENCH_LOG = PROJECT_DIR / "target" / "bench.jsonl"
FIXED_ORDERS = 1000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--orders", type=int, required=True,
                        help="orders in the generated dataset (e.g. 100000, 1000000)")
    parser.add_argument("--seed", type=int, default=42, help="generator seed (default 42)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="timed renders of each dashboard page after its first (default 3)")
    parser.add_argument("--regenerate", action="store_true",
                        help="generate the dataset even if a matching one exists")


class TreeMemory:
    """Peak resident memory of this process and all its descendants, sampled from /proc.

    The sum over the tree is what the machine has to hold (dbt, DuckDB inside it, and the
    streamlit app test), which `ru_maxrss` cannot give: it reports one process at a time.
    """

    def __init__(self, interval_s: float = 0.1) -> None:
        self.interval_s = interval_s
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @staticmethod
    def _children() -> dict[int, list[int]]:
        tree: dict[int, list[int]] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat", "rb") as fh:
                    stat = fh.read().decode(errors="replace")
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            tree.setdefault(ppid, []).append(int(entry))
        return tree

    @staticmethod
    def _rss_kb(pid: int) -> int:
        try:
            with open(f"/proc/{pid}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1])
        except OSError:
            return 0
        return 0

    def take_peak(self) -> int:
        """The peak so far, in kB; the next phase's peak starts from zero."""
        peak, self.peak_kb = self.peak_kb, 0
        return peak

    def sample(self) -> int:
        tree = self._children()
        todo, total = [os.getpid()], 0
        while todo:
            pid = todo.pop()
            total += self._rss_kb(pid)
            todo.extend(tree.get(pid, ()))
        self.peak_kb = max(self.peak_kb, total)
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval_s)


def _run(cmd: list[str], env: dict[str, str], what: str, log: Path) -> float:
    """Run one step, its output to a log file; its wall time, or a one-line error."""
    started = time.perf_counter()
    with log.open("w") as out:
        proc = subprocess.run(cmd, env=env, cwd=PROJECT_DIR, stdout=out,
                              stderr=subprocess.STDOUT, check=False)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        tail = log.read_text().strip().splitlines()[-1:] or ["(no output)"]
        raise UserError(f"bench: {what} failed (exit {proc.returncode}): {tail[0]}; "
                        f"full output in {log}")
    return elapsed


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "order_truth", *args]


def _work_env(env: dict[str, str], work: Path) -> dict[str, str]:
    """`env` with the build database, published copy and dbt artifacts under `work`."""
    return {**env,
            "ORDER_TRUTH_DUCKDB_PATH": str(work / "build.duckdb"),
            "ORDER_TRUTH_PUBLISHED": str(work / "published" / "warehouse.duckdb"),
            "DBT_TARGET_PATH": str(work / "dbt"),
            "DBT_LOG_PATH": str(work / "dbt" / "logs")}


def _generate(base: Path, orders: int, seed: int, env: dict[str, str], what: str,
              log: Path) -> float:
    """A pristine dataset in `base`, replacing whatever was there; its wall time."""
    shutil.rmtree(base, ignore_errors=True)
    return _run(_cli("generate", "--orders", str(orders), "--seed", str(seed),
                     "--out", str(base)), env, what, log)


def _fresh_copy(base: Path, data: Path) -> None:
    """The dataset the builds write to: a copy, so appended days never touch `base`."""
    shutil.rmtree(data, ignore_errors=True)
    shutil.copytree(base, data)


def _matching_dataset(base: Path, orders: int, seed: int) -> bool:
    try:
        meta = json.loads((base / "_generator.json").read_text())
    except (OSError, ValueError):
        return False
    return (meta.get("orders") == orders and meta.get("seed") == seed
            and meta.get("extra_days", 0) == 0)


def floor_seconds(raw: Path, threads: int, memory_limit: str) -> tuple[float, int]:
    """DuckDB reading every column of every raw table once: the cost no build can avoid.

    Each column is hashed and summed, which forces every value to be read and decoded
    (a bare count(*) would be answered from the Parquet footers).
    """
    import duckdb

    tables = sorted({p.parent for p in raw.rglob("*.parquet")})
    con = duckdb.connect(config={"threads": threads, "memory_limit": memory_limit})
    rows = 0
    try:
        started = time.perf_counter()
        for table in tables:
            glob = str(table / "*.parquet").replace("'", "''")
            result = con.execute(
                f"select count(*), sum(hash(columns(*)) % 1024) "
                f"from read_parquet('{glob}', union_by_name = true)").fetchall()
            rows += int(result[0][0])
        return time.perf_counter() - started, rows
    finally:
        con.close()


def copy_seconds(db_path: Path, scratch: Path) -> float:
    """Copy the warehouse file and fsync the copy, as a publish does; the copy is removed."""
    copy = scratch / f".copy-{os.getpid()}.duckdb"
    started = time.perf_counter()
    try:
        publish.copy_durably(db_path, copy)
        return time.perf_counter() - started
    finally:
        copy.unlink(missing_ok=True)


def fixed_costs(seed: int, env: dict[str, str], logs: Path) -> dict[str, float]:
    """A full build, one appended day and an incremental build of 1,000 orders.

    With next to no data, these times are what dbt spends on its 260-odd nodes (compile,
    statements, every test) and a process start-up, whatever the size of the data.
    """
    work = BENCH_DIR / f"{FIXED_ORDERS}-s{seed}-fixed"
    base, data = work / "base", work / "data"
    fixed_env = _work_env(env, work)
    if not _matching_dataset(base, FIXED_ORDERS, seed):
        _generate(base, FIXED_ORDERS, seed, fixed_env, "generate (fixed costs)",
                  logs / "fixed-generate.log")
    _fresh_copy(base, data)
    build_s = _run(_cli("build", "--data", str(data), "--full-refresh"), fixed_env,
                   "full build (fixed costs)", logs / "fixed-build.log")
    _run(_cli("generate", "--append-days", "1", "--out", str(data)), fixed_env,
         "append one day (fixed costs)", logs / "fixed-append.log")
    incremental_s = _run(_cli("build", "--data", str(data)), fixed_env,
                         "incremental build (fixed costs)", logs / "fixed-incremental.log")
    return {"build_s": build_s, "incremental_s": incremental_s}


def _slowest_models(run_results: Path, n: int = 3) -> list[dict[str, Any]]:
    results = json.loads(run_results.read_text())["results"]
    models = [r for r in results if r["unique_id"].startswith("model.")]
    models.sort(key=lambda r: -r["execution_time"])
    return [{"model": r["unique_id"].rsplit(".", 1)[-1], "s": round(r["execution_time"], 2)}
            for r in models[:n]]


def run(args: argparse.Namespace) -> int:
    if args.orders < 100:
        raise UserError("--orders must be at least 100 (try --orders 100000)")
    if args.rounds < 1:
        raise UserError("--rounds must be at least 1")
    from order_truth import pagetime  # the dashboard's page timer

    work = BENCH_DIR / f"{args.orders}-s{args.seed}"
    base, data = work / "base", work / "data"
    logs = work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    threads = dbt_threads(os.environ)
    memory_limit = os.environ.get("ORDER_TRUTH_MEMORY_LIMIT", "4GB")

    env = _work_env({**os.environ, "ORDER_TRUTH_THREADS": str(threads),
                     "ORDER_TRUTH_MEMORY_LIMIT": memory_limit}, work)

    record: dict[str, Any] = {"orders": args.orders, "seed": args.seed}
    with TreeMemory() as memory:
        reused = not args.regenerate and _matching_dataset(base, args.orders, args.seed)
        generate_s = None
        if not reused:
            generate_s = _generate(base, args.orders, args.seed, env, "generate",
                                   logs / "generate.log")
            (work / "generate_s.txt").write_text(f"{generate_s:.3f}\n")
        else:
            try:
                generate_s = float((work / "generate_s.txt").read_text())
            except (OSError, ValueError):
                generate_s = None
        generate_peak_kb = memory.take_peak()  # the warehouse figures below start here

        _fresh_copy(base, data)
        for stale in ("build.duckdb", "build.duckdb.wal"):
            (work / stale).unlink(missing_ok=True)

        floor_s, raw_rows = floor_seconds(data / "raw", threads, memory_limit)
        build_s = _run(_cli("build", "--data", str(data), "--full-refresh"), env,
                       "full build", logs / "build.log")
        run_results = work / "dbt" / "run_results.json"
        dbt_build_s = json.loads(run_results.read_text())["elapsed_time"]
        slowest = _slowest_models(run_results)
        tests = publish.read_run_results(run_results).tests

        # appending a day is the generator's work, not the warehouse's: its memory is
        # reported with the generator's, and the warehouse peak resumes after it
        build_peak_kb = memory.take_peak()
        append_s = _run(_cli("generate", "--append-days", "1", "--out", str(data)), env,
                        "append one day", logs / "append.log")
        append_peak_kb = memory.take_peak()
        incremental_s = _run(_cli("build", "--data", str(data)), env, "incremental build",
                             logs / "incremental.log")
        incremental_dbt_s = json.loads(run_results.read_text())["elapsed_time"]

        published = work / "published" / "warehouse.duckdb"
        pages = pagetime.time_pages(published, rounds=args.rounds)
        page_p95_s = pagetime.page_p95(pages)
        events = int(warehouse.query("select count(*) as n from marts.fct_tracking_events",
                                     warehouse=published)["n"].iloc[0])
        memory.sample()

    # measured after the memory window: they are small, and not the warehouse's peak
    copy_s = copy_seconds(work / "build.duckdb", work)
    fixed = fixed_costs(args.seed, env, logs)
    incremental_fixed_s = fixed["incremental_s"] + copy_s

    record.update({
        "events": events,
        "generate_s": None if generate_s is None else round(generate_s, 2),
        "floor_s": round(floor_s, 2),
        "build_s": round(build_s, 2),
        "build_over_floor": round(build_s / floor_s, 2),
        "incremental_s": round(incremental_s, 2),
        "incremental_over_build": round(incremental_s / build_s, 3),
        "peak_rss_mb": round(max(build_peak_kb, memory.take_peak()) / 1024),
        "page_p95_s": round(page_p95_s, 3),
        # what no incremental run of this design goes under: dbt's per-node work and every
        # test (an incremental build of 1,000 orders) plus the publish copy of this size
        "incremental_fixed_over_build": round(incremental_fixed_s / build_s, 3),
        "fixed_s": {
            "orders": FIXED_ORDERS,
            "build": round(fixed["build_s"], 2),
            "incremental": round(fixed["incremental_s"], 2),
            "publish_copy": round(copy_s, 2),
        },
        # context for reading the figures above
        "dataset_reused": reused,
        "generate_peak_rss_mb": round(generate_peak_kb / 1024) if not reused else None,
        "append_peak_rss_mb": round(append_peak_kb / 1024),
        "raw_rows": raw_rows,
        "dbt_build_s": round(dbt_build_s, 2),
        "dbt_incremental_s": round(incremental_dbt_s, 2),
        "append_s": round(append_s, 2),
        "tests": tests,
        "slowest_models": slowest,
        "pages_s": {name: round(max(times), 3) for name, times in pages.items()},
        "threads": threads,
        "duckdb_threads": {
            "build": duckdb_threads(env, full_refresh=True),
            "incremental": duckdb_threads(env, full_refresh=False),
        },
        "memory_limit": memory_limit,
        "cpus": os.cpu_count(),
        "load_avg_1m": round(os.getloadavg()[0], 2),
        "python": platform.python_version(),
        "commit": publish.git_commit(PROJECT_DIR),
        "at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    })
    line = json.dumps(record)
    BENCH_LOG.parent.mkdir(parents=True, exist_ok=True)
    with BENCH_LOG.open("a") as fh:
        fh.write(line + "\n")
    print(line)
    return 0
