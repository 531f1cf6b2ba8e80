"""Write-audit-publish: only a passing build is published, atomically, and readers never wait."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from order_truth import publish, warehouse

ROOT = Path(__file__).resolve().parents[2]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_run_results(path: Path, statuses: dict[str, str]) -> Path:
    path.write_text(json.dumps({
        "metadata": {"generated_at": "2026-11-23T08:00:00.000000Z"},
        "results": [{"unique_id": node, "status": status} for node, status in statuses.items()],
    }))
    return path


# --------------------------------------------------------------------------- run results

def test_run_results_count_tests_and_block_on_any_failure(tmp_path: Path) -> None:
    summary = publish.read_run_results(write_run_results(tmp_path / "rr.json", {
        "seed.order_truth.holidays": "success",
        "model.order_truth.fct_orders": "success",
        "test.order_truth.unique_fct_orders_order_id": "pass",
        "test.order_truth.not_null_fct_orders_order_id": "warn",
        "test.order_truth.kpi_matches_answer_key": "fail",
        "model.order_truth.kpi_daily": "skipped",
        "unit_test.order_truth.fct_orders.on_time": "pass",
    }))
    assert summary.tests == {"pass": 2, "warn": 1, "fail": 1}
    assert summary.nodes == 7
    assert set(summary.failed_nodes) == {"test.order_truth.kpi_matches_answer_key",
                                         "model.order_truth.kpi_daily"}
    assert not summary.passed


def test_warnings_pass_but_an_empty_run_does_not(tmp_path: Path) -> None:
    ok = publish.read_run_results(write_run_results(tmp_path / "ok.json", {
        "model.order_truth.fct_orders": "success", "test.order_truth.t": "warn"}))
    assert ok.passed
    empty = publish.read_run_results(write_run_results(tmp_path / "empty.json", {}))
    assert not empty.passed


def test_public_marts_are_the_models_under_models_marts(tmp_path: Path) -> None:
    def node(name: str, path: str, materialized: str = "table") -> dict:
        return {"resource_type": "model", "name": name, "alias": name, "schema": "marts",
                "original_file_path": path, "config": {"materialized": materialized}}

    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"nodes": {
        "model.a": node("fct_orders", "models/marts/core/fct_orders.sql"),
        "model.b": node("kpi_daily", "models/marts/kpi/kpi_daily.sql"),
        "model.c": node("int_orders_promised", "models/intermediate/orders/x.sql"),
        "model.d": node("helper", "models/marts/core/helper.sql", "ephemeral"),
        "test.e": {"resource_type": "test", "original_file_path": "models/marts/x.yml"},
    }}))
    assert publish.public_marts(manifest) == [("marts", "fct_orders"), ("marts", "kpi_daily")]


# --------------------------------------------------------------------------- publish()

def test_publish_writes_a_manifest_that_matches_the_copy(tmp_path: Path,
                                                         tiny_factory: Callable) -> None:
    published = tiny_factory(tmp_path)
    manifest = warehouse.read_manifest(published)
    assert manifest is not None
    assert manifest["row_counts"] == {"fct_orders": 200, "fct_sync_events": 500}
    assert manifest["tests"] == {"pass": 5}
    assert manifest["built_at"].endswith("+00:00")
    assert manifest["git_commit"] is None or len(manifest["git_commit"]) == 40
    counted = warehouse.query("select count(*) as n from marts.fct_sync_events",
                              warehouse=published)
    assert int(counted["n"].iloc[0]) == 500
    assert sorted(p.name for p in published.parent.iterdir()) == [
        ".publish.lock", "manifest.json", "warehouse.duckdb"]


def test_publish_refuses_a_failed_build(tmp_path: Path, tiny_factory: Callable) -> None:
    published = tiny_factory(tmp_path)
    before = sha256(published), sha256(warehouse.manifest_path(published))
    failed = publish.RunSummary(statuses={"success": 1, "fail": 1}, tests={"fail": 1},
                                failed_nodes=("test.order_truth.x",))
    with pytest.raises(publish.PublishError):
        publish.publish(tmp_path / "build.duckdb", published, summary=failed,
                        marts=[("marts", "fct_orders")], project_dir=ROOT)
    assert (sha256(published), sha256(warehouse.manifest_path(published))) == before


def test_a_copy_that_fails_its_audit_is_not_published(tmp_path: Path,
                                                      tiny_factory: Callable) -> None:
    """A mart the manifest promises but the file lacks stops the publish; nothing is left."""
    published = tiny_factory(tmp_path)
    before = sha256(published)
    ok = publish.RunSummary(statuses={"success": 1}, tests={})
    with pytest.raises(publish.PublishError, match="audit"):
        publish.publish(tmp_path / "build.duckdb", published, summary=ok,
                        marts=[("marts", "fct_orders"), ("marts", "kpi_daily")],
                        project_dir=ROOT)
    assert sha256(published) == before
    assert not list(published.parent.glob("*.tmp"))


def test_publish_swaps_the_file_under_an_open_reader(
        tmp_path: Path, tiny_factory: Callable, build_db_factory: Callable) -> None:
    """A reader mid-query keeps the old complete warehouse; the next query sees the new."""
    published = tiny_factory(tmp_path / "a")
    old_id = warehouse.build_id(published)
    newer = build_db_factory(tmp_path / "b.duckdb",
                          "insert into marts.fct_orders select * from marts.fct_orders "
                          "limit 1;")
    reader = duckdb.connect(str(published), read_only=True)
    try:
        passing = publish.RunSummary(statuses={"success": 1}, tests={"pass": 1})
        publish.publish(newer, published, summary=passing,
                        marts=[("marts", "fct_orders")], project_dir=ROOT)
        assert reader.execute("select count(*) from marts.fct_orders").fetchall() == [(200,)]
        # the next query sees the new file even while the old one is still open in this
        # process (DuckDB would hand a plain connect(path) the cached, replaced instance)
        frame = warehouse.query("select count(*) as n from marts.fct_orders",
                                warehouse=published)
        assert int(frame["n"].iloc[0]) == 201
    finally:
        reader.close()
    assert warehouse.build_id(published) != old_id
    assert warehouse.read_manifest(published)["row_counts"] == {"fct_orders": 201}


# --------------------------------------------------------------------------- readers vs writer

HOLD_OPEN = """
import sys, duckdb
con = duckdb.connect(sys.argv[1])
con.execute("create table marts.work_in_progress as select 1 as x")
print("holding", flush=True)
sys.stdin.read()
con.close()
"""


def test_dashboard_reads_while_a_build_holds_the_build_file(
        tmp_path: Path, tiny_factory: Callable,
        use_published: Callable[[Path], None]) -> None:
    published = tiny_factory(tmp_path)
    build_db = tmp_path / "build.duckdb"
    writer = subprocess.Popen([sys.executable, "-c", HOLD_OPEN, str(build_db)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "holding"
        # the writer's lock is real: nobody else can open the build file now ...
        with pytest.raises(duckdb.IOException, match="lock"):
            duckdb.connect(str(build_db), read_only=True)
        # ... but the published copy answers, through the reader and through the dashboard
        frame = warehouse.query("select count(*) as n from marts.fct_orders",
                                warehouse=published)
        assert int(frame["n"].iloc[0]) == 200
        from streamlit.testing.v1 import AppTest

        use_published(published)
        app = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60).run()
        assert not app.exception
        assert {m.label: m.value for m in app.metric}["Orders placed"] == "200"
    finally:
        if writer.stdin is not None:
            writer.stdin.close()
        writer.wait(timeout=30)


# --------------------------------------------------------------------------- order-truth build

@pytest.mark.slow
def test_a_failing_build_leaves_the_published_file_byte_identical(
        tmp_path: Path, tiny_factory: Callable) -> None:
    """A real `order-truth build` over data whose schema broke: dbt fails, nothing moves."""
    from order_truth.generate import generate
    from order_truth.generate.config import GeneratorConfig

    data = tmp_path / "data"
    generate(GeneratorConfig(orders=300, seed=11), data)
    # A source changed shape: the storefront orders lost a column that staging needs.
    for part in (data / "raw" / "storefront" / "orders").glob("*.parquet"):
        table = pq.read_table(part)
        pq.write_table(table.drop_columns(["order_total"]), part)

    published = tiny_factory(tmp_path / "pub")
    before = sha256(published), sha256(warehouse.manifest_path(published))
    env = {**os.environ,
           "ORDER_TRUTH_PUBLISHED": str(published),
           "ORDER_TRUTH_DUCKDB_PATH": str(tmp_path / "build.duckdb"),
           "DBT_TARGET_PATH": str(tmp_path / "dbt-target"),
           "DBT_LOG_PATH": str(tmp_path / "dbt-logs"),
           "DBT_FAIL_FAST": "true"}
    result = subprocess.run([sys.executable, "-m", "order_truth", "build", "--data", str(data)],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 1, result.stdout[-2000:]
    assert (sha256(published), sha256(warehouse.manifest_path(published))) == before
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("order-truth build: build failed")
    assert "left unchanged" in last and warehouse.build_id(published) in last
    assert "order_total" in result.stdout  # dbt's own output streamed through


def test_manifest_matches_the_real_test_build(test_build_published: Path) -> None:
    """The warehouse `make test` published: every mart counted, every count right."""
    manifest = warehouse.read_manifest(test_build_published)
    assert manifest is not None and manifest["row_counts"]
    assert manifest["tests"].get("fail", 0) == 0 and manifest["tests"].get("error", 0) == 0
    for mart, rows in manifest["row_counts"].items():
        rel = warehouse.relations(test_build_published)[mart]
        frame = warehouse.query(f"select count(*) as n from {rel.sql}",
                                warehouse=test_build_published)
        assert int(frame["n"].iloc[0]) == rows, mart
