"""Carrier tracking events in each carrier's own vocabulary, with the feed faults real
integrations see: duplicates, late arrivals, missing UTC offsets and unmapped codes."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa

from order_truth.generate import textops as t
from order_truth.generate.config import GeneratorConfig
from order_truth.generate.fulfil import (
    KINDS,
    REASONS,
    SENDS_OFFSET,
    SLOT,
    SLOT_KIND,
    SLOTS,
    STATUSES,
    Fulfilment,
)
from order_truth.generate.keyed import Keyed
from order_truth.generate.orders import HOUR_US, Orders
from order_truth.generate.tz import US, local_offset_str, to_local

UNMAPPED_CODES = ["ZX17", "Q9", "999", "XQ", "UNK42"]


def _vocabulary(rows: list[dict[str, str]]) -> dict[tuple[str, str, str], list[dict]]:
    """Seed rows grouped by (carrier, canonical status, exception reason)."""
    vocab: dict[tuple[str, str, str], list[dict]] = {}
    for r in rows:
        key = (r["carrier"], r["canonical_status"], r.get("exception_reason", "") or "")
        vocab.setdefault(key, []).append(r)
        vocab.setdefault((r["carrier"], r["canonical_status"], "*"), []).append(r)
    return vocab


SENDER = re.compile(r"sender|shipper|origin|return", re.I)
ACCESS = re.compile(r"access|locker|parcel ?shop|pick ?up|post office|collect|packstation|"
                    r"retail|counter|service ?point", re.I)


def _candidates(vocab: dict, carrier: str, status: str, reason: str) -> list[dict]:
    if reason == "sender":
        rows = [r for r in vocab.get((carrier, status, "*"), []) if SENDER.search(
            r.get("description", ""))]
        return rows or vocab.get((carrier, status, "*"), [])
    if reason.startswith("delay"):
        rows = vocab.get((carrier, status, reason), []) or [
            r for r in vocab.get((carrier, status, "*"), [])
            if (r.get("exception_reason") or "").startswith("delay")]
        return rows or vocab.get((carrier, status, "*"), [])
    if reason:
        rows = vocab.get((carrier, status, reason), [])
        if rows:
            return rows
    rows = vocab.get((carrier, status, ""), []) or vocab.get((carrier, status, "*"), [])
    if status == "delivered":
        # a plain delivery: not a collection from an access point
        plain = [r for r in rows if not ACCESS.search(r.get("description", ""))]
        rows = plain or rows
    return rows


def tracking_events(cfg: GeneratorConfig, o: Orders, f: Fulfilment, as_of_us: int,
                    code_rows: list[dict[str, str]]) -> tuple[pa.Table, pa.Table, dict]:
    vocab = _vocabulary(code_rows)
    valid = f.slot_us >= 0
    pi, si = np.nonzero(valid)
    ev_key = (o.order_no[f.pkg_order[pi]] * 10 + f.pkg_seq[pi]) * 32 + si
    rng = Keyed(ev_key, cfg.seed, 40)
    ev_us = f.slot_us[pi, si]
    status_code = f.slot_status[pi, si]
    reason_code = f.slot_reason[pi, si]
    carriers, carrier_code = np.unique(o.carrier, return_inverse=True)
    ev_carrier = carrier_code[f.pkg_order[pi]]
    n = ev_us.size
    p_n = f.pkg_order.size

    # Pick each event's code from the carrier's vocabulary for that state: an index into
    # the seed rows (plus a few codes no map knows, appended at the end).
    row_of = {id(r): i for i, r in enumerate(code_rows)}
    row_idx = np.zeros(n, dtype=np.int32)
    pick_u = rng.random(n)
    keys = (ev_carrier.astype(np.int64) * 16 + status_code) * 16 + reason_code
    uniq, inv = np.unique(keys, return_inverse=True)
    order = np.argsort(inv, kind="stable")
    bounds = np.searchsorted(inv[order], np.arange(uniq.size + 1))
    missing = []
    for j, key in enumerate(uniq.tolist()):
        c = str(carriers[key // 256])
        rows = _candidates(vocab, c, STATUSES[(key // 16) % 16], REASONS[key % 16])
        m = order[bounds[j]:bounds[j + 1]]
        if not rows:
            missing.append(f"{c}/{STATUSES[(key // 16) % 16]}/{REASONS[key % 16]}")
            continue
        # The first listed code is the common one (80%); the others share the rest, each
        # rarer than the one before, as real feeds are dominated by a few codes.
        tail = 0.2 * 0.5 ** np.arange(len(rows) - 1)
        w = np.concatenate([[0.8], tail / max(tail.sum(), 1e-9) * 0.2])
        w /= w.sum()
        k = np.minimum(np.searchsorted(np.cumsum(w), pick_u[m]), len(rows) - 1)
        row_idx[m] = np.array([row_of[id(r)] for r in rows], dtype=np.int32)[k]
    if missing:
        raise ValueError("carrier_event_map has no code for: " + ", ".join(sorted(missing)))
    # A few events carry codes that no map knows (a carrier added a code last week).
    unmapped = rng.random(n) < cfg.rate("unmapped_code")
    code_idx = np.where(unmapped, len(code_rows) + rng.integers(0, len(UNMAPPED_CODES), n),
                        row_idx).astype(np.int32)
    fields = pa.array([r["code_field"] for r in code_rows], pa.string())
    codes = pa.array([r["raw_code"] for r in code_rows] + UNMAPPED_CODES, pa.string())
    quals = pa.array([r.get("raw_qualifier") or None for r in code_rows]
                     + [None] * len(UNMAPPED_CODES), pa.string())
    descs = pa.array([r["description"] for r in code_rows]
                     + [f"Carrier status {c}" for c in UNMAPPED_CODES], pa.string())

    # Where each scan happened: the per-package location of the slot's kind.
    loc_i = pa.array(SLOT_KIND[si].astype(np.int64) * p_n + pi)
    # carriers write city names their own way: upper case for some feeds
    city_codes, city_names = pd.factorize(np.concatenate([f.loc[k][0] for k in KINDS]))
    city_i = pa.array(city_codes.astype(np.int32)).take(loc_i)
    upper_names = pa.array([str(c).upper() for c in city_names], pa.string())
    title_names = pa.array([str(c).title() for c in city_names], pa.string())
    postal = pa.array(np.concatenate([f.loc[k][1] for k in KINDS]), pa.string()).take(loc_i)
    ctry = pa.array(np.concatenate([f.loc[k][2] for k in KINDS]), pa.string()).take(loc_i)
    zone = np.concatenate([f.loc[k][3] for k in KINDS]).astype(np.int16)[
        loc_i.to_numpy()]
    local = to_local(ev_us, zone)
    sends = np.array([SENDS_OFFSET[str(c)] for c in carriers])[ev_carrier] > rng.random(n)
    offset = t.null_where(~sends, pa.array(local_offset_str(ev_us, zone), pa.string()))
    latency = (rng.lognormal(np.log(55), 0.6, n) * US).astype(np.int64)
    late = rng.random(n) < cfg.rate("late_event")
    latency = np.where(late, ((2 + rng.random(n) * 10) * HOUR_US).astype(np.int64), latency)
    loaded = ev_us + latency
    loaded -= loaded % 1000
    order_no = o.order_no[f.pkg_order[pi]]
    event_id = t.cat("EV", t.num(order_no * 1000 + f.pkg_seq[pi] * 100 + si, 11))
    upper_feed = np.isin(carriers, ["ups", "usps", "dhl_express", "canada_post"])[ev_carrier]
    city_out = t.where(upper_feed, upper_names.take(city_i), title_names.take(city_i))
    ci = pa.array(code_idx)
    events = {
        "event_id": event_id,
        "carrier": pa.array(carriers.astype(object), pa.string()).take(pa.array(ev_carrier)),
        "tracking_number": pa.array(f.pkg_tracking, pa.string()).take(pa.array(pi)),
        "code_field": fields.take(pa.array(row_idx)),
        "raw_code": codes.take(ci),
        "raw_qualifier": quals.take(ci),
        "raw_description": descs.take(ci),
        "event_time_local": t.fmt_ts(local),
        "utc_offset": offset,
        "location_city": city_out,
        "location_postal_code": postal,
        "location_country": ctry,
        "_loaded_at": pa.array(loaded.astype("datetime64[us]"), pa.timestamp("us")),
    }
    status = pa.array(STATUSES, pa.string()).take(pa.array(status_code.astype(np.int64)))
    table = pa.table(events)
    truth = pa.table({"event_id": event_id, "true_canonical_status": status})
    # Re-sent events: the same payload under a new id, arriving later.
    dup = rng.random(n) < cfg.rate("duplicate_event")
    dup_idx = np.flatnonzero(dup)
    again_u = rng.random(n)[dup_idx]
    if dup_idx.size:
        d = table.take(pa.array(dup_idx))
        new_ids = t.cat(d.column("event_id").combine_chunks(), "-R")
        d = d.set_column(0, "event_id", new_ids)
        again = (loaded[dup_idx] + ((0.2 + again_u * 3) * HOUR_US).astype(
            np.int64))
        d = d.set_column(d.schema.get_field_index("_loaded_at"), "_loaded_at",
                         pa.array(again.astype("datetime64[us]"), pa.timestamp("us")))
        table = pa.concat_tables([table, d])
        truth = pa.concat_tables([truth, pa.table({
            "event_id": new_ids, "true_canonical_status": status.take(pa.array(dup_idx))})])
        loaded = np.concatenate([loaded, again])
        ev_us_all = np.concatenate([ev_us, ev_us[dup_idx]])
    else:
        ev_us_all = ev_us
    keep = loaded < as_of_us
    table = table.filter(pa.array(keep))
    truth = truth.filter(pa.array(keep))
    info = {
        "event_pkg": pi, "event_slot": si, "event_us": ev_us, "event_status": status_code,
        "event_loaded": loaded[:n], "unmapped": unmapped, "zone_assumed": ~sends,
        "all_event_us": ev_us_all[keep],
        "slot_names": [s[0] for s in SLOTS], "slot_index": SLOT,
    }
    return table, truth, info
