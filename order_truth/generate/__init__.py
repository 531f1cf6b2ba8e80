"""`order-truth generate`: a deterministic, multi-system retail world with an answer key.

The pipeline: reference seeds -> people and their records -> catalog and promotions ->
orders -> fulfilment (OMS, WMS, carrier) -> the systems' tables -> the answer key. Raw tables
go to `<out>/raw/<system>/<table>/part-<k>.parquet`, the key to `<out>/answer_key/`.
"""

from __future__ import annotations

import json
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from order_truth.generate import reference as ref
from order_truth.generate import systems, truth
from order_truth.generate.catalog import make_catalog, make_promos
from order_truth.generate.config import GeneratorConfig
from order_truth.generate.fulfil import fulfil
from order_truth.generate.orders import simulate_orders
from order_truth.generate.people import make_people
from order_truth.generate.records import make_accounts
from order_truth.generate.tracking import tracking_events
from order_truth.generate.tz import DAY_US

META_FILE = "_generator.json"
RAW_TABLES = {
    "storefront": ["orders", "order_lines", "refunds", "customers", "inventory_levels"],
    "marketing": ["promotions", "feature_flags"],
    "crm": ["contacts", "contact_changes", "consent_events", "erasure_requests"],
    "oms": ["orders", "order_status_history"],
    "wms": ["shipments", "shipment_lines", "inventory_snapshots", "returns"],
    "catalog": ["skus", "bundle_components", "channel_sku_map"],
    "carrier": ["tracking_events"],
    "support": ["tickets"],
    "integration": ["sync_attempts"],
}


def window(cfg: GeneratorConfig) -> tuple[int, int, int]:
    """(first order day, base-window start in us, as-of in us) for a config."""
    end = ref.day_number(cfg.end_date)
    start_day = end - cfg.days + 1
    as_of_us = (end + 1 + cfg.extra_days) * DAY_US
    return start_day, start_day * DAY_US, as_of_us


def simulate(cfg: GeneratorConfig) -> tuple[dict[str, dict[str, pa.Table]], dict[str, pa.Table],
                                            dict]:
    """Run the whole simulation; returns raw tables, answer-key tables and a summary."""
    t0 = time.perf_counter()
    start_day, start_us, as_of_us = window(cfg)
    cals = ref.load_calendars()
    fcs = ref.load_fcs()
    lanes = ref.load_lanes()
    levels = ref.load_service_levels()
    zones = ref.load_zones()
    codes = ref.load_carrier_codes()

    n_people = max(int(cfg.orders * 0.42), 50)
    people = make_people(n_people, cfg.seed)
    accounts = make_accounts(cfg, people, start_us)
    accounts["true_postal"] = people.postal.to_pylist()
    catalog = make_catalog(cfg.seed)
    promos = make_promos(cfg.seed, start_us, catalog)
    o = simulate_orders(cfg, start_day, people, accounts, catalog, promos, cals, fcs, lanes,
                        levels, zones)
    f = fulfil(cfg, o, catalog, fcs, cals, zones)
    faults = systems.Faults()
    # the carrier attempts a wrong-address parcel at the address the OMS kept
    wrong_pkg = o.wrong_address[f.pkg_order]
    old_postal = systems.previous_postal(pa.array(o.extra["dest_postal"], pa.string()))
    f.loc["attempt"][1][wrong_pkg] = np.asarray(old_postal.to_pylist(), dtype=object)[
        f.pkg_order][wrong_pkg]
    # carrier events are the biggest table and depend on nothing below: build them on the
    # second core meanwhile (numpy and Arrow release the GIL in their kernels)
    pool = ThreadPoolExecutor(max_workers=1)
    events_future = pool.submit(tracking_events, cfg, o, f, as_of_us, codes)
    sf = systems.storefront_orders(cfg, o, people, accounts, catalog, promos, faults)
    crm = systems.crm_tables(cfg, o, f, accounts, start_us, as_of_us, faults)
    inv = systems.inventory_tables(cfg, catalog, promos, fcs, start_day,
                                   cfg.days + cfg.extra_days, faults)
    sync_t, sync = systems.sync_attempts(cfg, o, f, crm, inv, accounts, as_of_us, faults)
    # the OMS received each order when its first version was first delivered
    v0 = sync["order_v0_change"]
    reached_first = sync["first_success"][np.maximum(v0, 0)]
    patch = (v0 >= 0) & f.oms_reached & (o.material != "late_order_sync") & (
        reached_first < np.iinfo(np.int64).max)
    f.oms_created_us[patch] = reached_first[patch] - reached_first[patch] % 1_000_000
    oms = systems.oms_tables(cfg, o, f, sf, fcs, faults)
    wms = systems.wms_tables(cfg, o, f, catalog, fcs, sf, oms, faults)
    support = systems.support_and_returns(cfg, o, f, people, sf, oms, catalog, as_of_us,
                                          faults)
    events_t, events_truth, ev = events_future.result()
    pool.shutdown()
    cat_t = systems.catalog_tables(catalog, start_us)
    mk = systems.marketing_tables(promos, catalog, faults)
    for cls, system in (("carrier_delay", "carrier"), ("failed_attempt", "carrier"),
                        ("access_point_delivery", "carrier"), ("lost_in_transit", "carrier"),
                        ("damaged_in_transit", "carrier"),
                        ("promo_claim_infeasible", "marketing")):
        faults.add(cls, system, "order", systems.order_ids(o, np.flatnonzero(o.material == cls)),
                   True)
    faults.add("stale_tracking", "carrier", "shipment", pa.array(
        np.asarray(f.pkg_tracking)[f.pkg_stale], pa.string()))
    faults.add("unmapped_code", "carrier", "event", events_truth.column("event_id").take(
        pa.array(np.flatnonzero(ev["unmapped"][: min(ev["unmapped"].size,
                                                     events_truth.num_rows)]))))
    faults.add("unmapped_channel_sku", "catalog", "order", systems.order_ids(
        o, np.flatnonzero(o.has_unmapped)))
    faults.add("cancellation", "oms", "order", systems.order_ids(o, np.flatnonzero(o.cancelled)))
    faults.add("guest_checkout", "storefront", "order", systems.order_ids(
        o, np.flatnonzero(o.account < 0)))
    faults.add("order_edit", "storefront", "order", systems.order_ids(
        o, np.flatnonzero(o.n_versions > 1)))

    raw = {
        "storefront": {"orders": sf["orders"], "order_lines": sf["order_lines"],
                       "refunds": support["refunds"], "customers": accounts["customers"],
                       "inventory_levels": inv["inventory_levels"]},
        "marketing": mk,
        "crm": {"contacts": accounts["contacts"], "contact_changes": crm["contact_changes"],
                "consent_events": crm["consent_events"],
                "erasure_requests": crm["erasure_requests"]},
        "oms": {"orders": oms["orders"], "order_status_history": oms["order_status_history"]},
        "wms": {"shipments": wms["shipments"], "shipment_lines": wms["shipment_lines"],
                "inventory_snapshots": inv["inventory_snapshots"], "returns": support["returns"]},
        "catalog": cat_t,
        "carrier": {"tracking_events": events_t},
        "support": {"tickets": support["tickets"]},
        "integration": {"sync_attempts": sync_t},
    }
    as_of_scalar = pa.scalar(np.datetime64(as_of_us, "us"), pa.timestamp("us"))
    for tables in raw.values():
        for name, tab in tables.items():
            keep = pc.less(tab.column("_loaded_at"), as_of_scalar)
            if not pc.all(keep).as_py():  # most tables are already cut; don't copy those
                tables[name] = tab.filter(keep)

    tr = truth.order_truth(cfg, o, f, oms, as_of_us, cals, sf["first_loaded"])
    exc = truth.exceptions(cfg, o, f, oms, sync, sync_t, ev, tr, as_of_us)
    key = {
        "orders": truth.orders_table(o, tr),
        "tracking_events": events_truth,
        "persons": truth.persons(o, accounts, support, raw["storefront"]["orders"]),
        "faults": faults.table(),
        "exceptions": exc,
        "kpis": truth.kpis(cfg, o, f, tr, exc, oms, sync, ev, support, inv, accounts, crm,
                           as_of_us),
    }
    summary = {
        "orders": int(o.n),
        "events": int(events_t.num_rows),
        "sync_attempts": int(sync_t.num_rows),
        "person_records": int(key["persons"].num_rows),
        "simulate_s": round(time.perf_counter() - t0, 2),
    }
    return raw, key, summary


def _write(table: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, compression="zstd", row_group_size=1_000_000,
                   write_statistics=True, store_schema=True)


def _write_all(jobs: list[tuple[pa.Table, Path]]) -> None:
    """Write files on two threads (Parquet encoding releases the GIL); biggest first."""
    jobs = sorted(jobs, key=lambda j: -j[0].nbytes)
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda j: _write(*j), jobs))


def generate(cfg: GeneratorConfig, out: Path) -> dict:
    """Write a fresh dataset (replacing raw/ and answer_key/ under `out`)."""
    t0 = time.perf_counter()
    raw, key, summary = simulate(cfg)
    for sub in ("raw", "answer_key"):
        if (out / sub).exists():
            shutil.rmtree(out / sub)
    jobs = [(tab, out / "raw" / system / name / "part-00000.parquet")
            for system, tables in raw.items() for name, tab in tables.items()]
    jobs += [(tab, out / "answer_key" / f"{name}.parquet") for name, tab in key.items()]
    _write_all(jobs)
    _write_meta(cfg, out, parts=1)
    summary["generate_s"] = round(time.perf_counter() - t0, 2)
    return summary


def append_days(out: Path, days: int) -> dict:
    """Add `days` more days to an existing dataset as new parts; earlier rows stay as they are."""
    t0 = time.perf_counter()
    meta = read_meta(out)
    old = config_from_meta(meta)
    new = config_from_meta(meta)
    new.extra_days = old.extra_days + days
    _, _, old_as_of = window(old)
    raw, key, summary = simulate(new)
    part = int(meta.get("parts", 1))
    lo = pa.scalar(np.datetime64(old_as_of, "us"), pa.timestamp("us"))
    jobs = [(tab.filter(pc.greater_equal(tab.column("_loaded_at"), lo)),
             out / "raw" / system / name / f"part-{part:05d}.parquet")
            for system, tables in raw.items() for name, tab in tables.items()]
    jobs += [(tab, out / "answer_key" / f"{name}.parquet") for name, tab in key.items()]
    _write_all(jobs)
    _write_meta(new, out, parts=part + 1)
    summary["generate_s"] = round(time.perf_counter() - t0, 2)
    return summary


def _write_meta(cfg: GeneratorConfig, out: Path, parts: int) -> None:
    start_day, _, as_of_us = window(cfg)
    meta = {
        "orders": cfg.orders, "seed": cfg.seed, "end_date": cfg.end_date.isoformat(),
        "days": cfg.days, "extra_days": cfg.extra_days, "fault_rate": cfg.fault_rate,
        "first_order_date": str(ref.date_from_day(start_day)),
        "as_of": str(np.datetime64(as_of_us, "us")) + "Z",
        "parts": parts,
        "material_faults": {k: list(v) for k, v in asdict(cfg)["material"].items()},
        "noise": asdict(cfg)["noise"],
    }
    (out / META_FILE).write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")


def read_meta(out: Path) -> dict:
    return json.loads((out / META_FILE).read_text())


def config_from_meta(meta: dict) -> GeneratorConfig:
    return GeneratorConfig(orders=int(meta["orders"]), seed=int(meta["seed"]),
                           end_date=date.fromisoformat(meta["end_date"]), days=int(meta["days"]),
                           fault_rate=float(meta["fault_rate"]),
                           extra_days=int(meta.get("extra_days", 0)))
