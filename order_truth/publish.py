"""Write-audit-publish: only a warehouse whose every model and test passed is published.

The dashboard and the report read `published/warehouse.duckdb`. A build writes
`target/build.duckdb`; publishing copies it beside the published file and renames it into
place atomically, so a reader sees either the old warehouse or the new one, never half of
one. A failed build never reaches this module, so the last good copy stays as it was.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import uuid
from datetime import UTC, datetime
from pathlib import Path

import duckdb

PUBLISHED_DIR = Path("published")
WAREHOUSE_NAME = "warehouse.duckdb"
MANIFEST_NAME = "manifest.json"


def run_summary(run_results: Path) -> dict[str, int]:
    """Counts of dbt node statuses from run_results.json (pass, error, fail, warn, skip...)."""
    data = json.loads(run_results.read_text())
    counts: dict[str, int] = {}
    for result in data.get("results", []):
        status = str(result.get("status", "unknown")).lower()
        counts[status] = counts.get(status, 0) + 1
    return counts


def all_passed(counts: dict[str, int]) -> bool:
    """True when nothing errored, failed or was skipped (warnings are allowed)."""
    bad = {"error", "fail", "skipped", "runtime error"}
    return not any(counts.get(k, 0) for k in bad) and sum(counts.values()) > 0


def mart_row_counts(db_path: Path) -> dict[str, int]:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema = 'marts' order by table_name").fetchall()
        return {name: int(con.execute(f'select count(*) from "{schema}"."{name}"')
                          .fetchall()[0][0]) for schema, name in tables}
    finally:
        con.close()


def git_commit(cwd: Path) -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=cwd, capture_output=True,
                             text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() or None


def publish(build_db: Path, published_dir: Path, tests: dict[str, int], data_dir: Path,
            project_dir: Path) -> dict:
    """Copy the audited build into place atomically and write the manifest beside it."""
    published_dir.mkdir(parents=True, exist_ok=True)
    target = published_dir / WAREHOUSE_NAME
    tmp = published_dir / f".{WAREHOUSE_NAME}.{uuid.uuid4().hex}.tmp"
    try:
        shutil.copyfile(build_db, tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        manifest = {
            "build_id": uuid.uuid4().hex,
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "git_commit": git_commit(project_dir),
            "data_dir": str(data_dir),
            "data_as_of": _data_as_of(data_dir),
            "tests": tests,
            "row_counts": mart_row_counts(tmp),
        }
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()
    manifest_tmp = published_dir / f".{MANIFEST_NAME}.tmp"
    manifest_tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    os.replace(manifest_tmp, published_dir / MANIFEST_NAME)
    return manifest


def _data_as_of(data_dir: Path) -> str | None:
    meta = data_dir / "_generator.json"
    if meta.exists():
        return json.loads(meta.read_text()).get("as_of")
    return None
