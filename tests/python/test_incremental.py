"""An incremental run after one more day of data equals a full refresh on the same data.

Two warehouses are built from one generated dataset:
  - "incremental": a full build, then `--append-days 1`, then an incremental run;
  - "refreshed": a full refresh over the appended dataset.
Every table either build wrote (seeds, intermediate models and marts, incremental or not)
is then compared row by row with EXCEPT ALL in both directions, so a missing row, an
extra row or one changed value fails the test. Views are not compared: they are queries
over the same raw files, not stored results.

The dbt runs skip tests (the main build of `make test` runs them); this test is about the
rows. It runs in `make test`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[2]
ORDERS = 1500
SEED = 23

pytestmark = pytest.mark.slow


def _dbt_run(data: Path, db: Path, artifacts: Path, *, full_refresh: bool) -> None:
    dbt = Path(sys.executable).parent / "dbt"
    cmd = [str(dbt), "build", "--project-dir", str(ROOT), "--profiles-dir", str(ROOT),
           "--target", "duckdb", "--exclude-resource-type", "test", "unit_test"]
    if full_refresh:
        cmd.append("--full-refresh")
    env = dict(os.environ)
    env.update({
        "ORDER_TRUTH_DATA": str(data),
        "ORDER_TRUTH_DUCKDB_PATH": str(db),
        "DBT_TARGET_PATH": str(artifacts),
        "DBT_LOG_PATH": str(artifacts / "logs"),
        "ORDER_TRUTH_TARGET": "duckdb",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    })
    result = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def _generate(data: Path, *extra: str) -> None:
    cmd = [sys.executable, "-m", "order_truth", "generate", "--out", str(data), *extra]
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr[-2000:]


# Copies of each feed's oldest row, arriving again after the appended day: far behind the
# lookback window, so only the stored rows can say what a full refresh keeps. The generator
# re-sends within minutes, which never reaches that far back.
LATE_COPIES = {
    # a re-sent webhook: the first arrival stays, its delivery count grows
    "storefront/orders": ("webhook_id", ""),
    # a re-sent status change whose copy differs: the first arrival stays
    "oms/order_status_history": ("status_event_id", "status_at + interval 1 hour as status_at, "),
    # an account changed since: the latest row wins
    "storefront/customers": ("customer_id", "upper(last_name) || 'X' as last_name, "),
}


def _append_late_copies(data: Path) -> None:
    con = duckdb.connect()
    try:
        for table, (key, change) in LATE_COPIES.items():
            rows = f"read_parquet('{data}/raw/{table}/*.parquet', union_by_name = true)"
            con.execute(
                f"copy (select * replace ({change}"
                f"  (select max(_loaded_at) from {rows}) + interval 1 minute as _loaded_at)"
                f" from {rows} order by _loaded_at, {key} limit 1)"
                f" to '{data}/raw/{table}/late-copies.parquet' (format parquet)")
    finally:
        con.close()


def _tables(con: duckdb.DuckDBPyConnection, catalog: str) -> set[tuple[str, str]]:
    rows = con.execute(
        "select table_schema, table_name from information_schema.tables "
        "where table_catalog = ? and table_type = 'BASE TABLE'", [catalog]).fetchall()
    return {(schema, name) for schema, name in rows}


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    root = tmp_path_factory.mktemp("incremental")
    data = root / "data"
    _generate(data, "--orders", str(ORDERS), "--seed", str(SEED))
    incremental_db = root / "incremental.duckdb"
    refreshed_db = root / "refreshed.duckdb"
    artifacts = root / "dbt-incremental"
    _dbt_run(data, incremental_db, artifacts, full_refresh=True)
    con = duckdb.connect(str(incremental_db), read_only=True)
    try:
        before = con.execute("select max(placed_at), count(*) from marts.fct_orders").fetchone()
    finally:
        con.close()
    _generate(data, "--append-days", "1")
    _append_late_copies(data)
    _dbt_run(data, incremental_db, artifacts, full_refresh=False)
    _dbt_run(data, refreshed_db, root / "dbt-refreshed", full_refresh=True)
    return {"incremental": incremental_db, "refreshed": refreshed_db, "artifacts": artifacts,
            "newest_order_before": before[0], "orders_before": before[1]}


INCREMENTAL_MODELS = {
    "base_carrier__tracking_events": "_loaded_at > (select max(loaded_at)",
    "stg_carrier__tracking_events": "earlier.event_id",
    "int_tracking_events_mapped": "changed_parcels",
    "int_shipments_status_derived": "changed_parcels",
    "int_shipment_exceptions_detected": "changed_parcels",
    "fct_orders": "changed_orders",
    "fct_tracking_events": "changed_parcels",
    "fct_sync_events": "changed as (",
    # staging: the raw source is read from the lookback window (or the newest row) on
    "base_storefront__orders": "_loaded_at > (select max(loaded_at)",
    "stg_storefront__orders": "stored_first as (",
    "stg_storefront__customers": "_loaded_at >= (select",
    "stg_storefront__order_lines": "_loaded_at >= (select",
    "stg_oms__orders": "_loaded_at >= (select",
    "stg_oms__order_status_history": "_loaded_at >= (select",
    "stg_integration__sync_attempts": "_loaded_at >= (select",
    "stg_wms__shipments": "_loaded_at >= (select",
}


def test_the_second_run_took_the_incremental_path(two_builds: dict[str, object]) -> None:
    """The compiled SQL of the second run is the incremental branch, not a rebuild."""
    run_dir = Path(two_builds["artifacts"]) / "compiled" / "order_truth" / "models"
    for model, marker in INCREMENTAL_MODELS.items():
        sql = next(run_dir.rglob(f"{model}.sql")).read_text()
        assert marker in sql, f"{model} was rebuilt in full, not incrementally"


def test_the_appended_day_reached_the_incremental_facts(two_builds: dict[str, object]) -> None:
    """Guards the comparison below against a vacuous pass: the new day is really there."""
    con = duckdb.connect(str(two_builds["incremental"]), read_only=True)
    try:
        newer, total = con.execute(
            "select count(*) filter (where placed_at > ?), count(*) from marts.fct_orders",
            [two_builds["newest_order_before"]]).fetchone()
    finally:
        con.close()
    assert newer > 0
    assert total == two_builds["orders_before"] + newer


def test_incremental_run_equals_full_refresh_table_by_table(
        two_builds: dict[str, object]) -> None:
    incremental_db, refreshed_db = two_builds["incremental"], two_builds["refreshed"]
    con = duckdb.connect()
    try:
        con.execute(f"attach '{incremental_db}' as inc (read_only)")
        con.execute(f"attach '{refreshed_db}' as ref (read_only)")
        inc_tables, ref_tables = _tables(con, "inc"), _tables(con, "ref")
        assert inc_tables == ref_tables
        assert ("marts", "fct_orders") in inc_tables
        differences = {}
        compared_rows = 0
        for schema, name in sorted(inc_tables):
            left, right = f"inc.{schema}.{name}", f"ref.{schema}.{name}"
            only_inc = con.execute(
                f"select count(*) from (select * from {left} except all "
                f"select * from {right})").fetchone()[0]
            only_ref = con.execute(
                f"select count(*) from (select * from {right} except all "
                f"select * from {left})").fetchone()[0]
            compared_rows += con.execute(f"select count(*) from {right}").fetchone()[0]
            if only_inc or only_ref:
                differences[f"{schema}.{name}"] = (only_inc, only_ref)
        assert not differences, (
            "tables differ (rows only in the incremental build, rows only in the full "
            f"refresh): {differences}")
        assert compared_rows > ORDERS
    finally:
        con.close()


