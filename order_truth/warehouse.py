"""Read side of the published warehouse, for the dashboard and the report.

Every query opens its own short-lived read-only connection: DuckDB lets one writer lock
out readers, and the published file is replaced by an atomic rename, so a cached
connection would pin an old file and a long-lived one could block nothing but also see
nothing new. Opening per query keeps readers on the newest complete warehouse.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb
import pandas as pd


def published_dir() -> Path:
    return Path(os.environ.get("ORDER_TRUTH_PUBLISHED", "published"))


def warehouse_path() -> Path:
    return published_dir() / "warehouse.duckdb"


def manifest() -> dict | None:
    path = published_dir() / "manifest.json"
    if not path.exists():
        return None
    return json.loads(path.read_text())


def build_id() -> str:
    m = manifest()
    return m["build_id"] if m else "none"


def query(sql: str, params: list | None = None) -> pd.DataFrame:
    con = duckdb.connect(str(warehouse_path()), read_only=True)
    try:
        return con.execute(sql, params or []).fetch_df()
    finally:
        con.close()
