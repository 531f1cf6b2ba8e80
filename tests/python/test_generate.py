"""The generator: deterministic, complete, append-stable, and honest about its faults."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from order_truth.generate import RAW_TABLES, generate, simulate, window
from order_truth.generate.config import GeneratorConfig

ANSWER_KEY_COLUMNS = {
    "persons": {"source_system", "source_record_id", "true_person_id"},
    "tracking_events": {"event_id", "true_canonical_status"},
    "orders": {"order_id", "true_is_delivered", "true_is_on_time", "true_is_correct",
               "true_is_accurate", "true_root_cause_system", "true_promised_delivery_date"},
    "faults": {"fault_id", "fault_class", "system", "entity_id"},
    "kpis": {"kpi", "value"},
}


def _hashes(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*.parquet"))}


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "order_truth", *args], capture_output=True,
                          text=True, timeout=300)


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("gen") / "a"
    result = _cli("generate", "--orders", "2000", "--seed", "7", "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


def test_same_seed_gives_identical_files_and_another_seed_does_not(small: Path,
                                                                   tmp_path: Path) -> None:
    again = tmp_path / "b"
    assert _cli("generate", "--orders", "2000", "--seed", "7", "--out", str(again)
                ).returncode == 0
    first, second = _hashes(small), _hashes(again)
    assert first and first == second
    other = tmp_path / "c"
    assert _cli("generate", "--orders", "2000", "--seed", "8", "--out", str(other)
                ).returncode == 0
    third = _hashes(other)
    assert set(third) == set(first)
    changed = [k for k in first if first[k] != third[k]]
    assert "raw/storefront/orders/part-00000.parquet" in changed
    assert "raw/carrier/tracking_events/part-00000.parquet" in changed


def test_every_raw_table_and_answer_key_file_exists_with_its_columns(small: Path) -> None:
    for system, tables in RAW_TABLES.items():
        for table in tables:
            files = list((small / "raw" / system / table).glob("*.parquet"))
            assert files, f"{system}.{table} missing"
            schema = pq.read_schema(files[0])
            assert "_loaded_at" in schema.names, f"{system}.{table} has no _loaded_at"
    for name, columns in ANSWER_KEY_COLUMNS.items():
        schema = pq.read_schema(small / "answer_key" / f"{name}.parquet")
        assert columns <= set(schema.names), f"{name}: missing {columns - set(schema.names)}"


def test_injected_faults_are_recorded_with_their_system(small: Path) -> None:
    faults = pq.read_table(small / "answer_key" / "faults.parquet")
    by_class = dict(zip(*np.unique(faults.column("fault_class").to_numpy(zero_copy_only=False),
                                   return_counts=True), strict=True))
    for cls in ("duplicate_webhook", "malformed_row", "order_edit", "guest_checkout",
                "duplicate_contact", "stale_crm_address", "payment_hold", "late_order_sync",
                "never_reached_oms", "wrong_address_version", "mis_pick", "short_ship",
                "backorder", "inventory_disagreement", "unmapped_channel_sku",
                "carrier_delay", "unmapped_code", "stale_tracking", "rate_limited",
                "expired_token", "dead_letter", "ticket_without_order_reference",
                "flag_toggled_mid_campaign", "promo_on_out_of_stock_sku", "erasure_request"):
        assert by_class.get(cls, 0) > 0, f"no {cls} fault injected"
    systems = set(faults.column("system").to_pylist())
    assert {"marketing", "crm", "oms", "wms", "carrier", "integration"} <= systems


def test_raw_data_shows_the_faults_it_claims(small: Path) -> None:
    raw = small / "raw"
    con = duckdb.connect()
    resent = con.execute(
        f"select count(*) - count(distinct webhook_id) from "
        f"read_parquet('{raw}/storefront/orders/*.parquet')").fetchall()[0][0]
    assert resent > 0, "no re-sent webhooks"
    carriers = {r[0] for r in con.execute(
        f"select distinct carrier from read_parquet('{raw}/carrier/tracking_events/*.parquet')"
    ).fetchall()}
    assert len(carriers) >= 6
    no_offset = con.execute(
        f"select count(*) from read_parquet('{raw}/carrier/tracking_events/*.parquet') "
        "where utc_offset is null").fetchall()[0][0]
    assert no_offset > 0
    fcs = con.execute(f"select count(distinct fc_id) "
                      f"from read_parquet('{raw}/oms/orders/*.parquet')").fetchall()[0][0]
    assert 6 <= fcs <= 10
    statuses = {r[0] for r in con.execute(
        f"select distinct http_status "
        f"from read_parquet('{raw}/integration/sync_attempts/*.parquet')"
    ).fetchall()}
    assert {429, 401, 200} <= statuses


def test_clean_dataset_has_no_material_faults(tmp_path: Path) -> None:
    out = tmp_path / "clean"
    generate(GeneratorConfig(orders=1500, seed=3, fault_rate=0.0), out)
    kpis = dict(zip(*pq.read_table(out / "answer_key" / "kpis.parquet").select(
        ["kpi", "value"]).to_pydict().values(), strict=True))
    assert kpis["order_accuracy_rate"] == 1.0
    orders = pq.read_table(out / "answer_key" / "orders.parquet")
    assert orders.column("true_root_cause_system").null_count == orders.num_rows


def test_appending_a_day_never_changes_earlier_rows() -> None:
    base = GeneratorConfig(orders=1500, seed=11)
    longer = GeneratorConfig(orders=1500, seed=11, extra_days=2)
    raw_a, _, _ = simulate(base)
    raw_b, _, _ = simulate(longer)
    _, _, as_of = window(base)
    cut = pa.scalar(np.datetime64(as_of, "us"), pa.timestamp("us"))
    new_rows = 0
    for system, tables in raw_a.items():
        for name, table in tables.items():
            b = raw_b[system][name]
            before = b.filter(pc.less(b.column("_loaded_at"), cut))
            order = [(c, "ascending") for c in table.column_names]
            assert table.sort_by(order).equals(before.sort_by(order)), f"{system}.{name}"
            new_rows += b.num_rows - before.num_rows
    assert new_rows > 0


def test_append_days_cli_adds_a_part(small: Path, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "app"
    shutil.copytree(small, copy)
    result = _cli("generate", "--append-days", "1", "--out", str(copy))
    assert result.returncode == 0, result.stderr
    parts = list((copy / "raw" / "storefront" / "orders").glob("part-*.parquet"))
    assert len(parts) == 2
    meta = json.loads((copy / "_generator.json").read_text())
    assert meta["extra_days"] == 1 and meta["parts"] == 2


@pytest.mark.parametrize("args, message", [
    (["generate", "--seed", "1"], "--orders is required"),
    (["generate", "--orders", "10"], "at least 100"),
    (["generate", "--orders", "abc"], "invalid int value"),
    (["generate", "--append-days", "1", "--out", "/nonexistent/dir"], "no generated dataset"),
])
def test_wrong_arguments_get_one_clear_line(args: list[str], message: str) -> None:
    result = _cli(*args)
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
