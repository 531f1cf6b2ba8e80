"""Broken raw rows are quarantined with a reason and counted, never silently dropped."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from order_truth.generate import generate
from order_truth.generate.config import GeneratorConfig

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def broken_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("broken") / "data"
    generate(GeneratorConfig(orders=400, seed=5), data)
    orders_dir = data / "raw" / "storefront" / "orders"
    good = pq.read_table(next(orders_dir.glob("part-*.parquet"))).slice(0, 3)
    ids = good.column("order_id").to_pylist()
    broken = good.set_column(good.schema.get_field_index("webhook_id"), "webhook_id",
                             pa.array(["wh_broken_1", "wh_broken_2", "wh_broken_3"]))
    broken = broken.set_column(broken.schema.get_field_index("order_total"), "order_total",
                               pa.array(["twelve dollars", "$1.2.3", "$5.00"]))
    broken = broken.set_column(broken.schema.get_field_index("order_id"), "order_id",
                               pa.array([ids[0], ids[1], None], pa.string()))
    pq.write_table(broken, orders_dir / "part-99999.parquet")
    return data


def _dbt_build(data: Path, db: Path, select: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DBT_PROFILES_DIR": str(ROOT), "ORDER_TRUTH_DATA": str(data),
           "ORDER_TRUTH_DUCKDB_PATH": str(db)}
    dbt = Path(sys.executable).parent / "dbt"
    # cautious: do not pull in tests that also need models outside this selection
    return subprocess.run([str(dbt), "build", "--select", select, "--project-dir", str(ROOT),
                           "--indirect-selection", "cautious",
                           "--target-path", str(db.parent / "dbt-target")],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)


def test_broken_rows_land_in_quarantine_with_reasons(broken_dataset: Path,
                                                     tmp_path: Path) -> None:
    db = tmp_path / "q.duckdb"
    result = _dbt_build(broken_dataset, db,
                        "service_levels base_storefront__orders stg_storefront__orders "
                        "stg_storefront__quarantine")
    assert result.returncode == 0, result.stdout[-3000:]
    con = duckdb.connect(str(db), read_only=True)
    rows = dict(con.execute(
        "select record_key, quarantine_reason from staging.stg_storefront__quarantine "
        "where record_key like 'wh_broken%'").fetchall())
    assert rows == {
        "wh_broken_1": "unparseable_order_total",
        "wh_broken_2": "unparseable_order_total",
        "wh_broken_3": "missing_order_id",
    }
    # the third broken row has a good total but no id; none of them reach staging
    leaked = con.execute(
        "select count(*) from staging.stg_storefront__orders "
        "where webhook_id like 'wh_broken%'").fetchall()[0][0]
    assert leaked == 0
    # nothing is lost: every raw row is either staged, a re-send, or quarantined
    raw = con.execute(
        f"select count(*) from read_parquet('{broken_dataset}/raw/storefront/orders/*.parquet')"
    ).fetchall()[0][0]
    staged, resent = con.execute(
        "select count(*), sum(resent_webhook_count) from staging.stg_storefront__orders"
    ).fetchall()[0]
    quarantined = con.execute(
        "select count(*) from staging.stg_storefront__quarantine "
        "where source_table = 'orders'").fetchall()[0][0]
    assert staged + resent + quarantined == raw


def test_quarantine_share_test_fails_when_too_much_is_broken(broken_dataset: Path,
                                                              tmp_path: Path) -> None:
    db = tmp_path / "q2.duckdb"
    env_vars = '{"quarantine_max_share": 0.0}'
    env = {**os.environ, "DBT_PROFILES_DIR": str(ROOT), "ORDER_TRUTH_DATA": str(broken_dataset),
           "ORDER_TRUTH_DUCKDB_PATH": str(db)}
    dbt = Path(sys.executable).parent / "dbt"
    result = subprocess.run(
        [str(dbt), "build", "--select", "base_storefront__orders", "stg_storefront__quarantine",
         "--vars", env_vars,
         "--project-dir", str(ROOT), "--target-path", str(tmp_path / "dbt-target")],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)
    assert result.returncode != 0
    assert "quarantine_share_below" in result.stdout
