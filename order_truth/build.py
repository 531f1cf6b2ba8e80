"""`order-truth build`: dbt build, then publish the warehouse only if everything passed."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq

from order_truth import publish
from order_truth.errors import UserError

PROJECT_DIR = Path(__file__).resolve().parents[1]
TARGETS = ("duckdb", "postgres", "spark")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, default=Path("data"),
                        help="generated dataset directory (default: data)")
    parser.add_argument("--target", default="duckdb", choices=TARGETS,
                        help="dbt target (default: duckdb)")
    parser.add_argument("--full-refresh", action="store_true",
                        help="rebuild incremental models from scratch")
    parser.add_argument("--select", default=None, help="dbt node selection (default: all)")
    parser.add_argument("--published", type=Path, default=publish.PUBLISHED_DIR,
                        help="where the audited warehouse is published (default: published)")


def check_raw(data: Path) -> int:
    """Fail fast, in one line, on a missing dataset or a file DuckDB could not read."""
    raw = data / "raw"
    if not data.is_dir():
        raise UserError(f"data directory {data} does not exist: run "
                        f"'order-truth generate --orders 20000 --out {data}' first")
    if not raw.is_dir():
        raise UserError(f"{data} has no raw/ folder: it is not a generated dataset")
    files = sorted(raw.rglob("*.parquet"))
    if not files:
        raise UserError(f"{raw} holds no Parquet files")
    for path in files:
        try:
            pq.read_metadata(path)
        except Exception as exc:  # noqa: BLE001 - any reader failure means the same to the user
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise UserError(f"cannot read {path}: {reason}; regenerate or remove it") from exc
    return len(files)


def dbt_env(data: Path, target: str, db_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "DBT_PROFILES_DIR": str(PROJECT_DIR),
        "ORDER_TRUTH_DATA": str(data.resolve()),
        "ORDER_TRUTH_TARGET": target,
        "ORDER_TRUTH_DUCKDB_PATH": str(db_path),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    })
    return env


def dbt_executable() -> str:
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else "dbt"


def run(args: argparse.Namespace) -> int:
    data: Path = args.data
    check_raw(data)
    target_dir = PROJECT_DIR / "target"
    target_dir.mkdir(exist_ok=True)
    db_path = target_dir / "build.duckdb"
    cmd = [dbt_executable(), "build", "--project-dir", str(PROJECT_DIR), "--target",
           args.target]
    if args.full_refresh:
        cmd.append("--full-refresh")
    if args.select:
        cmd += ["--select", args.select]
    proc = subprocess.run(cmd, env=dbt_env(data, args.target, db_path), cwd=PROJECT_DIR)
    results = target_dir / "run_results.json"
    counts = publish.run_summary(results) if results.exists() else {}
    published = args.published if args.published.is_absolute() else Path.cwd() / args.published
    if proc.returncode != 0 or not publish.all_passed(counts):
        failed = sum(counts.get(k, 0) for k in ("error", "fail", "skipped"))
        raise UserError(f"dbt build failed ({failed} nodes errored, failed or skipped); "
                        f"the published warehouse in {published} was left unchanged")
    if args.target != "duckdb":
        print(f"order-truth build: {args.target} build passed ({sum(counts.values())} nodes)")
        return 0
    if args.select:
        print("order-truth build: partial build passed; not published (publish needs a "
              "full build)")
        return 0
    manifest = publish.publish(db_path, published, counts, data, PROJECT_DIR)
    print(f"order-truth build: published {published / publish.WAREHOUSE_NAME} "
          f"(build {manifest['build_id'][:8]}, {sum(counts.values())} nodes passed)")
    return 0
