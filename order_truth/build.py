"""`order-truth build`: `dbt build`, then publish the warehouse only if everything passed.

dbt runs as a subprocess rather than through `dbtRunner`: its output streams to the user
unchanged, a crash or a memory spike in dbt cannot take this process down with it, and
dbt's global state never leaks between invocations (the bench and the tests run several).
The decision to publish is read from `run_results.json`, not from the exit code alone, so
a skipped node (a model downstream of a failure) also blocks publishing.

`dbt build` already loads the seeds in DAG order, before the models that use them, so no
separate `dbt seed` step runs: it would parse the project and load every seed twice.

Unit tests check SQL logic on fixed inputs, so their outcome can only change with the code.
An incremental run skips them when the project's code (and dbt's version) is the same as
in the last build that passed them; a full refresh and any code change run them.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from order_truth import publish, warehouse
from order_truth.errors import UserError

PROJECT_DIR = Path(__file__).resolve().parents[1]
TARGETS = ("duckdb", "postgres", "spark")
# How much clock skew between this process and dbt's run_results timestamp to tolerate.
_RESULTS_SLACK_S = 5.0
# What dbt reads of this project: a change to any of it can change a unit test's outcome.
CODE_PATHS = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "tests/dbt",
              "analyses")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, default=Path("data"),
                        help="generated dataset directory with raw/ (default: data)")
    parser.add_argument("--target", default="duckdb", choices=TARGETS,
                        help="dbt target from profiles.yml (default: duckdb)")
    parser.add_argument("--full-refresh", action="store_true",
                        help="rebuild incremental models from scratch")
    parser.add_argument("--select", nargs="+", metavar="SELECTOR",
                        help="dbt node selection; a partial build is never published")


def check_data(data: Path) -> int:
    """Fail fast, in one line, on a missing dataset or a raw file that cannot be read.

    dbt would otherwise fail deep inside a staging model with a DuckDB stack of messages;
    checking the Parquet footers here costs milliseconds and names the broken file.
    """
    import pyarrow.parquet as pq  # imported here so `order-truth --help` stays fast

    raw = data / "raw"
    if not data.is_dir():
        raise UserError(f"data directory {data} does not exist: run "
                        f"'order-truth generate --orders 20000 --seed 42 --out {data}' first")
    if not raw.is_dir():
        raise UserError(f"{data} has no raw/ folder, so it is not a generated dataset "
                        "(see 'order-truth generate --help')")
    files = sorted(raw.rglob("*.parquet"))
    if not files:
        raise UserError(f"{raw} holds no Parquet files")
    for path in files:
        try:
            pq.read_metadata(path)
        except Exception as exc:  # noqa: BLE001 - any reader failure means the same here
            raise UserError(f"cannot read {path}: {_first_line(exc)}; regenerate the "
                            "dataset or remove the file") from exc
    return len(files)


def _dbt_executable() -> str:
    """The dbt that belongs to this interpreter's environment, not whichever is on PATH."""
    beside = Path(sys.executable).parent / "dbt"
    if beside.exists():
        return str(beside)
    found = shutil.which("dbt")
    if found is None:
        raise UserError("dbt is not installed in this environment: run 'make setup'")
    return found


def _absolute(path: Path) -> Path:
    return path if path.is_absolute() else Path.cwd() / path


def target_dir() -> Path:
    """dbt's artifact directory: `$DBT_TARGET_PATH` (relative to the project) or target/."""
    value = os.environ.get("DBT_TARGET_PATH")
    if not value:
        return PROJECT_DIR / "target"
    path = Path(value)
    return path if path.is_absolute() else PROJECT_DIR / path


def build_db_path() -> Path:
    """The file dbt writes on the duckdb target (profiles.yml reads the same variable)."""
    value = os.environ.get("ORDER_TRUTH_DUCKDB_PATH")
    return _absolute(Path(value)) if value else PROJECT_DIR / "target" / "build.duckdb"


def dbt_command(args: argparse.Namespace, *, unit_tests: bool) -> list[str]:
    cmd = [_dbt_executable(), "build", "--project-dir", str(PROJECT_DIR),
           "--profiles-dir", str(PROJECT_DIR), "--target", args.target]
    if not unit_tests:
        cmd += ["--exclude-resource-type", "unit_test"]
    if args.full_refresh:
        cmd.append("--full-refresh")
    if args.select:
        cmd += ["--select", *args.select]
    return cmd


def dbt_threads(env: Mapping[str, str]) -> int:
    """dbt's threads (models built at once): ORDER_TRUTH_THREADS, else 2 (profiles.yml)."""
    return int(env.get("ORDER_TRUTH_THREADS") or 2)


def duckdb_threads(env: Mapping[str, str], *, full_refresh: bool = True) -> int:
    """DuckDB's thread count for a build: fill the cores, do not oversubscribe them.

    An explicit ORDER_TRUTH_DUCKDB_THREADS wins.

    Every dbt thread runs its query on its own thread, and DuckDB adds `threads - 1`
    shared workers. A full build has two big models ready nearly all the time, so on C
    cores with T dbt threads it gets C - T + 1 (1 on the 2-core machine: two models at
    once, one thread each). An incremental run is mostly one chain of models with little
    beside it, so each query may use every core. Measured at 1M orders (DECISIONLOG):
    the full build took 115-119 s of dbt at 1 thread and 127-128 s at 2; the incremental
    run 97-106 s at 2 and 106-114 s at 1.
    """
    if env.get("ORDER_TRUTH_DUCKDB_THREADS"):
        return int(env["ORDER_TRUTH_DUCKDB_THREADS"])
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    cores = cores or 1
    if not full_refresh:
        return cores
    return max(1, cores - dbt_threads(env) + 1)


def dbt_env(data: Path, target: str, db_path: Path, *,
            full_refresh: bool = True) -> dict[str, str]:
    env = dict(os.environ)
    env["ORDER_TRUTH_DUCKDB_THREADS"] = str(duckdb_threads(env, full_refresh=full_refresh))
    env.update({
        "DBT_PROFILES_DIR": str(PROJECT_DIR),
        "ORDER_TRUTH_DATA": str(_absolute(data)),
        "ORDER_TRUTH_TARGET": target,
        "ORDER_TRUTH_DUCKDB_PATH": str(db_path),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    })
    if target == "spark":
        from order_truth.load import spark_env  # the local Spark's directory, absolute

        env.update(spark_env())
    return env


def _fresh_results(path: Path, started: float) -> publish.RunSummary | None:
    """run_results.json of this invocation, or None if dbt did not write one.

    dbt leaves the previous run's file in place when it fails before running anything
    (a parse error, a locked database), so its timestamp is checked against our start.
    """
    if not path.is_file():
        return None
    try:
        summary = publish.read_run_results(path)
    except (OSError, ValueError):
        return None
    if summary.generated_at is None:
        return None
    try:
        generated = datetime.fromisoformat(summary.generated_at.replace("Z", "+00:00"))
    except ValueError:
        return None
    if generated.tzinfo is None:
        generated = generated.replace(tzinfo=UTC)
    return summary if generated.timestamp() >= started - _RESULTS_SLACK_S else None


def _describe_published(published: Path) -> str:
    manifest = warehouse.read_manifest(published)
    if not published.is_file():
        return "nothing was published (there was no published warehouse before either)"
    build = f"build {manifest['build_id']}" if manifest and "build_id" in manifest else ""
    return f"{published} was left unchanged ({build or 'previous build'})"


def _data_facts(data: Path) -> dict[str, object]:
    """What the freshness banner needs about the data: where it came from and its as-of."""
    facts: dict[str, object] = {"data_dir": str(data)}
    try:
        meta = json.loads((data / "_generator.json").read_text())
    except (OSError, ValueError):
        return facts
    for key in ("as_of", "end_date", "seed", "orders", "extra_days"):
        if key in meta:
            facts[f"data_{key}"] = meta[key]
    return facts


def dataset_identity(data: Path) -> dict[str, object]:
    """What makes a dataset the same one across builds: where it is and how it began.

    Appended days keep the identity (that is what incremental runs are for); another
    directory, seed or start date does not.
    """
    identity: dict[str, object] = {"data_dir": str(_absolute(data).resolve())}
    try:
        meta = json.loads((data / "_generator.json").read_text())
    except (OSError, ValueError):
        return identity
    for key in ("seed", "orders", "first_order_date", "fault_rate"):
        if key in meta:
            identity[key] = meta[key]
    return identity


def needs_full_refresh(db_path: Path, data: Path) -> bool:
    """True when the build database holds another dataset's rows (or none yet).

    Incremental models only add what is new, so a database built from one dataset and
    then pointed at another would mix the two. The identity of the dataset a database was
    built from is kept beside it, in `<db>.dataset.json`.
    """
    stamp = db_path.with_name(db_path.name + ".dataset.json")
    if not db_path.is_file() or not stamp.is_file():
        return db_path.is_file()
    try:
        return json.loads(stamp.read_text()) != dataset_identity(data)
    except (OSError, ValueError):
        return True


def _stamp_dataset(db_path: Path, data: Path) -> None:
    stamp = db_path.with_name(db_path.name + ".dataset.json")
    stamp.write_text(json.dumps(dataset_identity(data), indent=2) + "\n")


def code_fingerprint(root: Path = PROJECT_DIR) -> str:
    """A hash of every file dbt reads in the project, and of dbt's own version.

    Paths and contents both count, so a renamed, added or removed file changes it too.
    """
    digest = hashlib.sha256()
    for package in ("dbt-core", "dbt-duckdb"):
        try:
            version = metadata.version(package)
        except metadata.PackageNotFoundError:
            version = "absent"
        digest.update(f"{package}=={version}\n".encode())
    for name in CODE_PATHS:
        top = root / name
        files = sorted(top.rglob("*")) if top.is_dir() else [top]
        for path in files:
            if path.is_file():
                digest.update(path.relative_to(root).as_posix().encode() + b"\0")
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _unit_test_stamp(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".unit_tests.json")


def unit_tests_needed(db_path: Path, fingerprint: str, *, full_build: bool) -> bool:
    """False only for an incremental run of code whose unit tests already passed."""
    if full_build:
        return True
    try:
        stamp = json.loads(_unit_test_stamp(db_path).read_text())
    except (OSError, ValueError):
        return True
    return not (isinstance(stamp, dict) and stamp.get("code") == fingerprint)


def _stamp_unit_tests(db_path: Path, fingerprint: str) -> None:
    _unit_test_stamp(db_path).write_text(json.dumps({"code": fingerprint}) + "\n")


def run(args: argparse.Namespace) -> int:
    data: Path = args.data
    check_data(data)
    db_path = build_db_path()
    if (args.target == "duckdb" and not args.full_refresh and not args.select
            and needs_full_refresh(db_path, data)):
        print(f"order-truth build: {db_path.name} was built from another dataset; "
              "rebuilding incremental models from scratch (--full-refresh)")
        args.full_refresh = True
    artifacts = target_dir()
    published = _absolute(warehouse.published_path())
    db_path.parent.mkdir(parents=True, exist_ok=True)

    # a first build into a new database is a full build too
    full_build = args.full_refresh or not db_path.is_file()
    # Unit-test fixtures are DuckDB SQL and test logic, not the engine; the engine
    # equivalence test compares every mart with DuckDB's instead (DECISIONLOG). A partial
    # build runs its unit tests and does not vouch for the others, so it never skips them.
    unit_tests = args.target == "duckdb"
    fingerprint = None
    if unit_tests and not args.select:
        fingerprint = code_fingerprint()
        unit_tests = unit_tests_needed(db_path, fingerprint, full_build=full_build)
        if not unit_tests:
            print("order-truth build: skipping the unit tests: the code is the same as in "
                  "the last build that passed them (a change or --full-refresh runs them)")
    started = time.time()
    proc = subprocess.run(dbt_command(args, unit_tests=unit_tests),
                          env=dbt_env(data, args.target, db_path, full_refresh=full_build),
                          cwd=PROJECT_DIR, check=False)
    summary = _fresh_results(artifacts / "run_results.json", started)

    if proc.returncode != 0 or summary is None or not summary.passed:
        if summary is None:
            what = f"dbt exited with code {proc.returncode} before running any node"
        else:
            first = summary.failed_nodes[0] if summary.failed_nodes else "dbt exit code"
            what = (f"{len(summary.failed_nodes)} of {summary.nodes} nodes did not pass "
                    f"(first: {first})")
        raise UserError(f"build failed: {what}; {_describe_published(published)}")

    if args.target == "duckdb" and not args.select:
        _stamp_dataset(db_path, data)
        if unit_tests and fingerprint is not None:  # every unit test ran and passed
            _stamp_unit_tests(db_path, fingerprint)
    tests = summary.tests
    test_text = ", ".join(f"{n} {status}" for status, n in sorted(tests.items())) or "no tests"
    if args.target != "duckdb":
        print(f"order-truth build: {args.target} build passed ({summary.nodes} nodes, "
              f"tests: {test_text}); only the duckdb target is published")
        return 0
    if args.select:
        print(f"order-truth build: partial build passed ({summary.nodes} nodes); not "
              "published, because only a full build is audited as a whole")
        return 0
    manifest_json = artifacts / "manifest.json"
    if not manifest_json.is_file():
        raise UserError(f"dbt wrote no {manifest_json}; cannot tell which models are marts")
    try:
        manifest = publish.publish(db_path, published, summary=summary,
                                   marts=publish.public_marts(manifest_json),
                                   project_dir=PROJECT_DIR, extra=_data_facts(data))
    except publish.PublishError as exc:
        raise UserError(f"{exc}; {_describe_published(published)}") from exc
    print(f"order-truth build: published {published} (build {manifest['build_id']}, "
          f"{len(manifest['row_counts'])} marts, tests: {test_text})")
    return 0


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
