"""Write-audit-publish: only a warehouse whose every model and test passed is published.

DuckDB lets one writer lock out every reader, so the dashboard and the report never read
the file dbt writes (`target/build.duckdb`). After an audited build, `publish()` copies it
next to the published file, fsyncs it and renames it into place with `os.replace`, which is
atomic on one filesystem: a reader that opens `published/warehouse.duckdb` gets either the
old warehouse or the new one, never half of one. A failed build never calls `publish()`, so
the last good copy stays byte-identical.

Every function here takes explicit paths so that it can be unit-tested without dbt.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

MANIFEST_NAME = "manifest.json"
# Statuses in run_results.json that mean "this node did not pass". Warnings pass.
FAILED_STATUSES = frozenset({"error", "fail", "runtime error", "skipped"})
MARTS_PREFIX = "models/marts/"


class PublishError(Exception):
    """The audited build could not be put in place; the published copy is unchanged."""


@dataclass(frozen=True)
class RunSummary:
    """What one dbt invocation did, reduced to what the publish decision and manifest need."""

    statuses: dict[str, int] = field(default_factory=dict)
    tests: dict[str, int] = field(default_factory=dict)
    failed_nodes: tuple[str, ...] = ()
    generated_at: str | None = None

    @property
    def nodes(self) -> int:
        return sum(self.statuses.values())

    @property
    def passed(self) -> bool:
        """True when at least one node ran and none errored, failed or was skipped."""
        return self.nodes > 0 and not self.failed_nodes


def read_run_results(path: Path) -> RunSummary:
    """Summarise dbt's run_results.json: node statuses, test outcomes, what failed.

    Tests are counted separately (pass / fail / warn / error) because the manifest reports
    test results, while the publish decision looks at every node: a model that errored
    skips its tests, and a skipped node is as unaudited as a failed one.
    """
    data = json.loads(path.read_text())
    statuses: dict[str, int] = {}
    tests: dict[str, int] = {}
    failed: list[str] = []
    for result in data.get("results", []):
        status = str(result.get("status", "unknown")).lower()
        node_id = str(result.get("unique_id", "?"))
        statuses[status] = statuses.get(status, 0) + 1
        if node_id.startswith(("test.", "unit_test.")):
            tests[status] = tests.get(status, 0) + 1
        if status in FAILED_STATUSES:
            failed.append(node_id)
    generated_at = data.get("metadata", {}).get("generated_at")
    return RunSummary(statuses=statuses, tests=tests, failed_nodes=tuple(failed),
                      generated_at=generated_at)


def public_marts(dbt_manifest: Path) -> list[tuple[str, str]]:
    """(schema, relation) of every model under models/marts, from dbt's manifest.json.

    The manifest knows each model's real schema and alias on the target, so this stays right
    if a mart is aliased or the schema macro changes; a folder listing would not.
    """
    data = json.loads(dbt_manifest.read_text())
    marts: list[tuple[str, str]] = []
    for node in data.get("nodes", {}).values():
        if node.get("resource_type") != "model":
            continue
        if not str(node.get("original_file_path", "")).startswith(MARTS_PREFIX):
            continue
        if node.get("config", {}).get("materialized") == "ephemeral":
            continue
        marts.append((node["schema"], node.get("alias") or node["name"]))
    return sorted(marts, key=lambda rel: rel[1])


def row_counts(db_path: Path, relations: list[tuple[str, str]]) -> dict[str, int]:
    """Row count of each relation, read from the copy that is about to be published.

    Counting from the copy is also the audit that the copy opens as a DuckDB database.
    A relation missing from the file is an error: it would be a mart the dashboard cannot
    read.
    """
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        counts: dict[str, int] = {}
        for schema, name in relations:
            sql = f'select count(*) from "{schema}"."{name}"'
            counts[name] = int(con.execute(sql).fetchall()[0][0])
        return counts
    except duckdb.Error as exc:
        raise PublishError(f"audit of the copy failed: {_first_line(exc)}") from exc
    finally:
        con.close()


def git_commit(cwd: Path) -> str | None:
    """The checked-out commit, or None outside a git checkout (e.g. an sdist)."""
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=cwd, capture_output=True,
                             text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    commit = out.stdout.strip()
    return commit if out.returncode == 0 and commit else None


def new_build_id(now: datetime) -> str:
    """Sortable and unique: the UTC build time plus a random suffix."""
    return f"{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"


def checkpoint(db_path: Path) -> None:
    """Fold a leftover write-ahead log into the database file before it is copied.

    dbt closes its connection (and so checkpoints) when it exits, but a crashed writer can
    leave `build.duckdb.wal` behind; copying the main file alone would then lose data.
    """
    wal = db_path.with_name(db_path.name + ".wal")
    if wal.exists():
        con = duckdb.connect(str(db_path))
        try:
            con.execute("checkpoint")
        finally:
            con.close()


@contextlib.contextmanager
def _publish_lock(published_dir: Path) -> Iterator[None]:
    """Serialise publishers: the temporary file name is fixed, so two must not overlap."""
    lock_path = published_dir / ".publish.lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _fsync_dir(path: Path) -> None:
    """Make a rename durable: the directory entry must reach the disk too."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def copy_durably(source: Path, target: Path) -> None:
    """Copy a file and fsync the copy: what a publish costs before its rename."""
    shutil.copyfile(source, target)
    with open(target, "rb+") as fh:
        os.fsync(fh.fileno())


def _write_json_atomically(path: Path, payload: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w") as fh:
        fh.write(json.dumps(payload, indent=2, sort_keys=True) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def publish(build_db: Path, published: Path, *, summary: RunSummary,
            marts: list[tuple[str, str]], project_dir: Path,
            extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Copy the audited build to `published` atomically and write the manifest beside it.

    Steps: copy to `.<name>.tmp` in the published directory (same filesystem, so the
    rename is atomic), fsync, count the public marts in the copy (the audit that it opens),
    `os.replace` over the published file, fsync the directory, then write `manifest.json`
    the same way. Any failure removes the temporary file and leaves the published file as
    it was.
    """
    if not summary.passed:
        raise PublishError("the build did not pass; refusing to publish it")
    if not build_db.is_file():
        raise PublishError(f"{build_db} does not exist; nothing to publish")
    published_dir = published.parent
    published_dir.mkdir(parents=True, exist_ok=True)
    tmp = published_dir / f".{published.name}.tmp"
    now = datetime.now(UTC)
    with _publish_lock(published_dir):
        try:
            checkpoint(build_db)
            copy_durably(build_db, tmp)
            manifest: dict[str, Any] = {
                "build_id": new_build_id(now),
                "built_at": now.isoformat(timespec="seconds"),
                "git_commit": git_commit(project_dir),
                "row_counts": row_counts(tmp, marts),
                "tests": summary.tests,
                "nodes": summary.statuses,
                "warehouse": published.name,
            }
            manifest.update(extra or {})
            os.replace(tmp, published)
            _fsync_dir(published_dir)
            _write_json_atomically(published_dir / MANIFEST_NAME, manifest)
        except OSError as exc:
            raise PublishError(f"could not publish to {published}: {exc.strerror or exc}") \
                from exc
        finally:
            tmp.unlink(missing_ok=True)
    return manifest


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
