"""Run a slice of the warehouse's own dbt models over a user's file, in a scratch DuckDB.

`classify-carrier-events` and `resolve-identities` must give the warehouse's answer, not
a Python look-alike, so they write the input where a source or var expects it and build
the same models into a throwaway database.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd

from order_truth.errors import UserError

PROJECT_DIR = Path(__file__).resolve().parents[1]


def read_table(path: Path, kinds: tuple[str, ...] = (".csv", ".parquet")) -> pd.DataFrame:
    """Read a CSV (every value as text, leading zeros kept) or Parquet file, or fail in one
    line that says what is wrong with it."""
    if not path.exists():
        raise UserError(f"input file {path} does not exist")
    suffix = path.suffix.lower()
    if suffix not in kinds:
        raise UserError(f"input file {path} must be one of {', '.join(kinds)}")
    try:
        if suffix == ".parquet":
            frame = pd.read_parquet(path).astype("string")
        else:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    except Exception as exc:  # noqa: BLE001 - any parser failure means "unreadable"
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UserError(f"cannot read {path}: {first}") from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


@contextmanager
def scratch_dir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="order-truth-") as tmp:
        yield Path(tmp)


def run_models(scratch: Path, selection: list[str], variables: dict | None = None,
               data_dir: Path | None = None) -> Path:
    """Build `selection` (no tests) into scratch/work.duckdb and return its path."""
    db = scratch / "work.duckdb"
    env = dict(os.environ)
    env.update({
        "DBT_PROFILES_DIR": str(PROJECT_DIR),
        "ORDER_TRUTH_DUCKDB_PATH": str(db),
        "ORDER_TRUTH_TARGET": "duckdb",
        "ORDER_TRUTH_DATA": str(data_dir or scratch),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    })
    dbt = Path(sys.executable).parent / "dbt"
    cmd = [str(dbt) if dbt.exists() else "dbt", "build", "--project-dir", str(PROJECT_DIR),
           "--target", "duckdb", "--target-path", str(scratch / "dbt-target"),
           "--log-path", str(scratch / "logs"), "--exclude", "resource_type:test",
           "resource_type:unit_test", "--select", *selection, "--quiet"]
    if variables:
        cmd += ["--vars", json.dumps(variables)]
    proc = subprocess.run(cmd, env=env, cwd=PROJECT_DIR, capture_output=True, text=True)
    if proc.returncode != 0:
        detail = (proc.stdout + proc.stderr).strip().splitlines()
        hint = next((line.strip() for line in detail if "Error" in line), "dbt failed")
        raise UserError(f"the warehouse models failed on this input: {hint}")
    return db


def fetch(db: Path, sql: str) -> pd.DataFrame:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetch_df()
    finally:
        con.close()
