"""The read side of the published warehouse, shared by the dashboard and the report.

Readers only ever open `published/warehouse.duckdb` (or `$ORDER_TRUTH_PUBLISHED`), and
only read-only, with one short-lived connection per query:

- the build writes a different file (`target/build.duckdb`), so a running build never
  holds a lock a reader needs;
- publishing replaces the file by an atomic rename, so a connection opened before the
  rename keeps reading the old, complete warehouse and the next query sees the new one. A
  cached connection would pin the old file for ever, which is why there is none.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from order_truth.errors import UserError

ENV_PUBLISHED = "ORDER_TRUTH_PUBLISHED"
DEFAULT_PUBLISHED = Path("published") / "warehouse.duckdb"
MANIFEST_NAME = "manifest.json"


class WarehouseNotPublished(UserError):
    """No build has been published yet: the user has to run `order-truth build`."""


def published_path() -> Path:
    """Where the published warehouse lives: `$ORDER_TRUTH_PUBLISHED` or the default."""
    value = os.environ.get(ENV_PUBLISHED)
    return Path(value) if value else DEFAULT_PUBLISHED


def manifest_path(warehouse: Path | None = None) -> Path:
    """The manifest sits beside the warehouse file it describes."""
    return (warehouse or published_path()).with_name(MANIFEST_NAME)


def is_published(warehouse: Path | None = None) -> bool:
    return (warehouse or published_path()).is_file()


def read_manifest(warehouse: Path | None = None) -> dict[str, Any] | None:
    """The publish manifest, or None when nothing was published (or it is unreadable).

    An unreadable manifest is treated like a missing one because the banner and cache key
    can fall back to the file's own identity; it must never take the dashboard down.
    """
    path = manifest_path(warehouse)
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def build_id(warehouse: Path | None = None) -> str | None:
    manifest = read_manifest(warehouse)
    value = manifest.get("build_id") if manifest else None
    return str(value) if value else None


def cache_key(warehouse: Path | None = None) -> str:
    """A key that changes whenever a new warehouse is published.

    The build id comes from the manifest; the file's inode and mtime are added because the
    manifest is written just after the rename, and a query in between must not be cached
    under the old build's key.
    """
    path = warehouse or published_path()
    try:
        st = path.stat()
    except OSError:
        return "unpublished"
    return f"{build_id(path) or 'unknown'}:{st.st_ino}:{st.st_mtime_ns}"


CATALOG = "warehouse"


def connect(warehouse: Path | None = None) -> duckdb.DuckDBPyConnection:
    """A fresh read-only connection to the published file. Callers close it.

    It is an in-memory DuckDB that ATTACHes the file read-only, not
    `duckdb.connect(path)`: DuckDB caches database instances by path within a process, so
    while any other connection (another Streamlit session's query) still held the old
    instance, a new `connect(path)` after a publish would be handed the replaced file.
    ATTACH opens whatever file the path names now.
    """
    path = warehouse or published_path()
    if not path.is_file():
        raise WarehouseNotPublished(
            f"no published warehouse at {path}: run 'order-truth build' first")
    con = duckdb.connect()
    try:
        quoted = str(path).replace("'", "''")
        con.execute(f"attach '{quoted}' as {CATALOG} (read_only)")
        con.execute(f"use {CATALOG}")
    except BaseException:
        con.close()
        raise
    return con


def query(sql: str, params: Sequence[Any] | dict[str, Any] | None = None,
          warehouse: Path | None = None) -> pd.DataFrame:
    """Run one read-only query on the published warehouse and return a DataFrame."""
    con = connect(warehouse)
    try:
        return con.execute(sql, params if params is not None else []).fetch_df()
    finally:
        con.close()


@dataclass(frozen=True)
class Relation:
    """A published table or view: where it lives and which columns it has."""

    schema: str
    name: str
    columns: tuple[str, ...]

    @property
    def sql(self) -> str:
        """The quoted, schema-qualified name to put in a FROM clause."""
        return f'"{self.schema}"."{self.name}"'


def relations(warehouse: Path | None = None) -> dict[str, Relation]:
    """Every published table and view by name (dbt names are unique across schemas).

    Pages use it to show what exists and a placeholder for what does not, so a warehouse
    built before a mart existed never raises.
    """
    frame = query(
        "select table_schema, table_name, column_name from information_schema.columns "
        f"where table_catalog = '{CATALOG}' "
        "and table_schema not in ('information_schema', 'pg_catalog') "
        "order by table_schema, table_name, ordinal_position", warehouse=warehouse)
    columns: dict[tuple[str, str], list[str]] = {}
    for schema, name, column in frame.itertuples(index=False):
        columns.setdefault((schema, name), []).append(column)
    found: dict[str, Relation] = {}
    for (schema, name), cols in columns.items():
        found.setdefault(name, Relation(schema, name, tuple(cols)))
    return found
