"""What physically happened to each order: OMS sync, holds, picking, packages, carrier scans.

Timelines are built as fixed "slots" per package (label, pickup, departure, hub scans,
delivery attempts, exceptions, the return leg), each with a validity mask, so millions of
events are produced with array operations rather than a loop per parcel.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from order_truth.generate import reference as ref
from order_truth.generate import textops as t
from order_truth.generate.catalog import Catalog
from order_truth.generate.config import GeneratorConfig
from order_truth.generate.orders import (
    HOUR_US,
    MIN_US,
    UC,
    Orders,
    add_bdays,
    ship_day_for,
)
from order_truth.generate.tz import DAY_US, US, to_utc, zone_codes

HUBS = {
    "US": [("louisville", "40209"), ("memphis", "38118"), ("indianapolis", "46241"),
           ("newark", "07114"), ("dallas", "75261"), ("ontario", "91761")],
    "CA": [("mississauga", "L5T 2N7"), ("winnipeg", "R3H 0Y6")],
    "DE": [("kassel", "34123"), ("leipzig", "04435")],
    "GB": [("coventry", "CV3 4FJ"), ("birmingham", "B26 3QJ")],
}
FC_POSTAL = {"FC-EWR1": "08837", "FC-ATL1": "30336", "FC-DFW1": "75261", "FC-ORD1": "60431",
             "FC-RNO1": "89506", "FC-YYZ1": "L5T 2N7", "FC-LEJ1": "04435", "FC-BHX1": "NN4 7YJ"}
# Carriers whose feeds send an explicit UTC offset with the local event time.
SENDS_OFFSET = {"ups": 0.0, "fedex": 1.0, "usps": 0.0, "dhl_express": 0.5,
                "dhl_ecommerce": 1.0, "dhl_ecommerce_europe": 1.0, "dhl_parcel_de": 0.0,
                "gls": 0.0, "canada_post": 0.0, "aftership": 1.0, "easypost": 1.0}

SLOTS = [
    # name, canonical status, exception reason, location kind
    ("label", "picked", "", "fc"),
    ("pickup", "shipped", "", "fc"),
    ("depart", "in_transit", "", "fc"),
    ("hub1", "in_transit", "", "hub"),
    ("hub2", "in_transit", "", "hub"),
    ("hub3", "in_transit", "", "hub"),
    ("hub4", "in_transit", "", "hub"),
    ("hub5", "in_transit", "", "hub"),
    ("hub6", "in_transit", "", "hub"),
    ("delay", "exception", "delay", "hub"),
    ("resume", "in_transit", "", "hub"),
    ("ofd1", "out_for_delivery", "", "dest"),
    ("try1", "*", "", "dest"),
    ("redirect", "in_transit", "", "dest"),
    ("ofd2", "out_for_delivery", "", "dest"),
    ("final", "delivered", "", "dest"),
    ("loss", "exception", "*", "hub"),
    ("rts", "returned_to_sender", "", "hub"),
    ("rts_done", "returned_to_sender", "sender", "fc"),
]
SLOT = {s[0]: i for i, s in enumerate(SLOTS)}
STATUSES = ["ordered", "picked", "shipped", "in_transit", "out_for_delivery",
            "attempted_delivery", "available_for_pickup", "exception", "delivered",
            "returned_to_sender"]  # index == rank in DESIGN §5
ST = {name: i for i, name in enumerate(STATUSES)}
REASONS = ["", "delay_weather", "delay_operational", "consignee_unavailable", "address", "lost",
           "damaged", "sender"]
RS = {name: i for i, name in enumerate(REASONS)}
KINDS = ["fc", "hub", "dest", "attempt"]
# where each slot's scan happens; delivery attempts happen at the address the OMS holds
SLOT_KIND = np.array([KINDS.index("attempt") if name in ("ofd1", "try1") else KINDS.index(k)
                      for name, _, _, k in SLOTS], dtype=np.int8)


@dataclass
class Fulfilment:
    # per order
    oms_reached: np.ndarray
    oms_created_us: np.ndarray
    hold_start_us: np.ndarray
    hold_end_us: np.ndarray
    ready_us: np.ndarray
    ship_day: np.ndarray
    # per package
    pkg_order: np.ndarray
    pkg_seq: np.ndarray
    pkg_reason: np.ndarray
    pkg_ship_day: np.ndarray
    pkg_tracking: np.ndarray
    slot_us: np.ndarray  # (P, S) UTC event time, -1 = no event
    slot_status: np.ndarray  # (P, S) int8 index into STATUSES
    slot_reason: np.ndarray  # (P, S) int8 index into REASONS
    loc: dict  # per-package location columns by kind: {kind: (city, postal, country, zone)}
    pkg_delivered_us: np.ndarray  # -1 when not delivered (ever, in the simulation)
    pkg_rts_us: np.ndarray
    pkg_stale: np.ndarray
    # exploded shipped lines
    sl_pkg: np.ndarray
    sl_sku: np.ndarray
    sl_qty: np.ndarray
    # exploded ordered lines (latest version)
    ol_order: np.ndarray
    ol_sku: np.ndarray
    ol_qty: np.ndarray


UPS_SHIPPERS = ["A1B2C3", "X9Y8W7", "R4T5V6", "0E1F2G", "H3J4K5", "M6N7P8", "Q9R0S1",
                "T2U3V4"]


def tracking_number(carrier: np.ndarray, key: np.ndarray) -> np.ndarray:
    """Carrier-shaped tracking numbers, derived from a stable key (leading zeros kept)."""
    k = key.astype(np.uint64)
    with np.errstate(over="ignore"):
        a = ((k * np.uint64(2654435761) + np.uint64(97)) % np.uint64(10**10)).astype(np.int64)
        b = ((k * np.uint64(40503) + np.uint64(12345)) % np.uint64(10**8)).astype(np.int64)
    shapes = {
        "ups": lambda: t.cat("1Z", t.pick(UPS_SHIPPERS, b % len(UPS_SHIPPERS)), "03",
                             t.num(a % 10**8, 8)),
        "fedex": lambda: t.cat(t.num(a % 10**4, 4), t.num(b, 8)),
        "usps": lambda: t.cat("9400", t.num(b, 8), t.num(a, 10)),
        "dhl_express": lambda: t.num(a, 10),
        "dhl_ecommerce": lambda: t.cat("GM", t.num(b, 8), t.num(a, 10)),
        "dhl_ecommerce_europe": lambda: t.cat("LX", t.num(a % 10**9, 9), "DE"),
        "dhl_parcel_de": lambda: t.cat("00340434", t.num(b % 10**4, 4), t.num(a, 10)),
        "gls": lambda: t.num(a % 10**11, 11),
        "canada_post": lambda: t.cat(t.num(b, 8), t.num(a % 10**8, 8)),
        "aftership": lambda: t.cat("AS", t.num(b, 8), t.num(a, 10)),
        "easypost": lambda: t.cat("EZ", t.num(b, 8), t.num(a, 10)),
    }
    out = np.empty(key.size, dtype=object)
    for name, build in shapes.items():
        m = carrier == name
        if m.any():
            out[m] = np.asarray(build().filter(pa.array(m)).to_pylist(), dtype=object)
    return out


def _local_time(day: np.ndarray, hours: np.ndarray, zone: np.ndarray) -> np.ndarray:
    local = day * DAY_US + (hours * HOUR_US).astype(np.int64)
    utc = to_utc(local, zone)
    return utc - utc % US


def fulfil(cfg: GeneratorConfig, o: Orders, catalog: Catalog, fcs: list[ref.FC],
           cals: dict[str, ref.Calendar], zones: dict) -> Fulfilment:
    u = lambda name: o.u[:, UC[name]]  # noqa: E731
    mat = o.material

    # --- OMS sync and payment holds -------------------------------------------------
    oms_reached = ~(mat == "never_reached_oms")
    sync_lag = (0.3 + u("sync_lag") * 8) * US
    late = mat == "late_order_sync"
    sync_lag = np.where(late, (6 + u("late_sync_hours") * 42) * HOUR_US, sync_lag)
    oms_created_us = np.where(oms_reached, o.placed_us + sync_lag.astype(np.int64), -1)
    oms_created_us -= np.where(oms_created_us > 0, oms_created_us % US, 0)
    hold = mat == "payment_hold"
    hold_start = np.where(hold, oms_created_us + MIN_US, -1)
    hold_end = np.where(hold, hold_start + ((40 + u("hold_hours") * 60) * HOUR_US).astype(
        np.int64), -1)
    ready = np.where(hold, hold_end, oms_created_us)
    delayed = hold | late
    ship_day = o.planned_ship_day.copy()
    if delayed.any():
        d = np.flatnonzero(delayed)
        ship_day[d] = ship_day_for(ready[d], o.extra["fc_zone"][d], o.extra["fc_country"][d],
                                   o.extra["cutoff"][d], cals)
        ship_day[d] = np.maximum(ship_day[d], o.planned_ship_day[d])
    shipped = oms_reached & ~o.cancelled

    # --- exploded ordered lines (latest version) --------------------------------------
    ol_order, ol_line, ol_sku, ol_qty = [], [], [], []
    for j in range(4):
        m = o.line_sku[:, j] >= 0
        idx = np.flatnonzero(m)
        sku = o.line_sku[idx, j]
        qty = o.line_qty[idx, j]
        simple = ~catalog.is_bundle[sku]
        ol_order.append(idx[simple])
        ol_line.append(np.full(int(simple.sum()), j))
        ol_sku.append(sku[simple])
        ol_qty.append(qty[simple])
        for b, comps in catalog.components_of.items():
            bm = sku == b
            if not bm.any():
                continue
            for c, cq in comps:
                ol_order.append(idx[bm])
                ol_line.append(np.full(int(bm.sum()), j))
                ol_sku.append(np.full(int(bm.sum()), c))
                ol_qty.append(qty[bm] * cq)
    ol_order = np.concatenate(ol_order)
    ol_line = np.concatenate(ol_line)
    ol_sku = np.concatenate(ol_sku)
    ol_qty = np.concatenate(ol_qty)
    srt = np.lexsort((ol_sku, ol_line, ol_order))
    ol_order, ol_line, ol_sku, ol_qty = ol_order[srt], ol_line[srt], ol_sku[srt], ol_qty[srt]

    # --- packages --------------------------------------------------------------------
    backorder = (mat == "backorder") & shipped
    split = shipped & ~backorder & (o.n_lines >= 2) & (u("split") < cfg.noise["split_shipment"])
    two = backorder | split
    ship_idx = np.flatnonzero(shipped)
    pkg_order = np.concatenate([ship_idx, np.flatnonzero(two)])
    pkg_seq = np.concatenate([np.ones(ship_idx.size, dtype=np.int64),
                              np.full(int(two.sum()), 2)])
    srt = np.lexsort((pkg_seq, pkg_order))
    pkg_order, pkg_seq = pkg_order[srt], pkg_seq[srt]
    p_n = pkg_order.size
    is_bo = backorder[pkg_order] & (pkg_seq == 2)
    pkg_reason = np.where(is_bo, "backorder_release", "initial")
    fc_country = o.extra["fc_country"][pkg_order]
    bo_days = 3 + (u("backorder_days")[pkg_order] * 4).astype(np.int64)
    pkg_ship_day = ship_day[pkg_order].copy()
    for c in np.unique(fc_country):
        m = is_bo & (fc_country == c)
        if m.any():
            pkg_ship_day[m] = cals[c].add(pkg_ship_day[m], bo_days[m])
    carrier = o.carrier[pkg_order]
    pkg_tracking = tracking_number(carrier, o.order_no[pkg_order] * 10 + pkg_seq)

    # Lines per package: split moves the last ordered line to package 2; a backorder holds
    # back the first ordered line.
    line_of_pkg2 = np.where(backorder, 0, np.where(split, o.n_lines - 1, -1))
    in_pkg2 = ol_line == line_of_pkg2[ol_order]
    line_pkg_key = o.order_no[ol_order] * 10 + np.where(in_pkg2, 2, 1)
    pkg_key = o.order_no[pkg_order] * 10 + pkg_seq
    pos = np.searchsorted(pkg_key, line_pkg_key)
    pos = np.minimum(pos, p_n - 1)
    valid_line = (pkg_key[pos] == line_pkg_key) & shipped[ol_order]
    sl_pkg = pos[valid_line]
    sl_sku = ol_sku[valid_line].copy()
    sl_qty = ol_qty[valid_line].copy()
    # Mis-picks swap the first shipped item for another SKU; short ships take one unit off
    # (or leave an item out).
    sl_order = pkg_order[sl_pkg]
    first_item = np.r_[True, sl_order[1:] != sl_order[:-1]]
    mp = first_item & (mat[sl_order] == "mis_pick")
    sl_sku[mp] = (sl_sku[mp] + 97 + (u("mis_sku")[sl_order[mp]] * 50).astype(int)) % 480
    ss_order = np.flatnonzero(mat == "short_ship")
    drop = np.zeros(sl_sku.size, dtype=bool)
    if ss_order.size:
        ss_mask = np.isin(sl_order, ss_order)
        idx = np.flatnonzero(ss_mask)
        # the first item with qty >= 2 in each short-shipped order loses one unit;
        # otherwise the order's last item is left out.
        by_order: dict[int, list[int]] = {}
        for i in idx:
            by_order.setdefault(int(sl_order[i]), []).append(int(i))
        for items in by_order.values():
            multi = [i for i in items if sl_qty[i] >= 2]
            if multi:
                sl_qty[multi[0]] -= 1
            else:
                drop[items[-1]] = True
    keep = ~drop
    sl_pkg, sl_sku, sl_qty = sl_pkg[keep], sl_sku[keep], sl_qty[keep]

    # --- carrier timeline ------------------------------------------------------------
    po = pkg_order
    pu = lambda name: o.u[po, UC[name]]  # noqa: E731
    country = o.country[po]
    dest_zone = o.dest_zone[po]
    fc_zone = o.extra["fc_zone"][po]
    pmat = mat[po]
    lane = o.lane_min[po]
    pdays = o.promise_days[po]
    span_bd = lane + np.floor(pu("transit") * (np.maximum(pdays, lane) - lane + 1)).astype(
        np.int64)
    span_bd = np.where(is_bo, lane + (pu("transit") < 0.5), span_bd)
    span_bd = np.where(pmat == "promo_claim_infeasible", lane + (pu("transit") < 0.3), span_bd)
    first_try = add_bdays(pkg_ship_day, span_bd, country, cals)
    delay_d = 1 + (pu("delay_days") < 0.5)
    is_delay = (pmat == "carrier_delay") & ~is_bo
    attempt_day = np.where(is_delay, add_bdays(first_try, delay_d, country, cals), first_try)
    is_fail = (pmat == "failed_attempt") & ~is_bo
    is_ap = (pmat == "access_point_delivery") & ~is_bo
    is_wrong = (pmat == "wrong_address_version") & ~is_bo
    redirect = is_wrong & (pu("redirect") < 0.7)
    wrong_rts = is_wrong & ~redirect
    is_lost = (pmat == "lost_in_transit") & (pkg_seq == 1)
    is_dmg = (pmat == "damaged_in_transit") & (pkg_seq == 1)
    broken = is_lost | is_dmg
    span_cal = first_try - pkg_ship_day
    stale = (~broken & (span_cal >= 5) & (pu("stale") < cfg.rate("stale_tracking") * 4)
             & (pkg_seq == 1))

    hub_i = (pu("misc2") * 1000).astype(np.int64)
    hub_city = np.empty(p_n, dtype=object)
    hub_postal = np.empty(p_n, dtype=object)
    for c, hubs in HUBS.items():
        m = country == c
        k = hub_i[m] % len(hubs)
        hub_city[m] = np.array([h[0] for h in hubs], dtype=object)[k]
        hub_postal[m] = np.array([h[1] for h in hubs], dtype=object)[k]
    hub_zone = np.zeros(p_n, dtype=np.int16)
    for c, hubs in HUBS.items():
        m = country == c
        codes = zone_codes([zones.get((c, h[0]), zones[(c, "")]) for h in hubs])
        hub_zone[m] = codes[hub_i[m] % len(hubs)]
    fc_i = o.fc[po]
    fc_city = np.array([f.city for f in fcs], dtype=object)[fc_i]
    fc_ctry = np.array([f.country for f in fcs], dtype=object)[fc_i]
    fc_postal = np.array([FC_POSTAL[f.fc_id] for f in fcs], dtype=object)[fc_i]
    person_city = o.extra["dest_city"][po]
    person_postal = o.extra["dest_postal"][po]

    S = len(SLOTS)
    t = np.full((p_n, S), -1, dtype=np.int64)
    status = np.zeros((p_n, S), dtype=np.int8)
    reason = np.zeros((p_n, S), dtype=np.int8)
    for i, (_, st, rs, _) in enumerate(SLOTS):
        status[:, i] = ST.get(st, 0)
        reason[:, i] = RS.get(rs, 0)

    ready_p = ready[po]
    label_day = pkg_ship_day
    label = _local_time(label_day, 9 + pu("pickup_time") * 3, fc_zone)
    label = np.where(is_bo, label, np.maximum(label, ready_p + 30 * MIN_US))
    t[:, SLOT["label"]] = label
    pickup = _local_time(pkg_ship_day, 17 + pu("pickup_time") * 3, fc_zone)
    t[:, SLOT["pickup"]] = pickup
    t[:, SLOT["depart"]] = pickup + ((2 + pu("misc3") * 2) * HOUR_US).astype(np.int64)
    # Hub scans spread over the calendar days between dispatch and the first attempt.
    m_scans = np.clip(span_cal - 1, 0, 6)
    m_scans = np.where(broken | stale, 0, m_scans)
    for j in range(6):
        has = m_scans > j
        sday = pkg_ship_day + np.round((j + 1) * span_cal / (m_scans + 1)).astype(np.int64)
        t[:, SLOT[f"hub{j + 1}"]] = np.where(
            has, _local_time(sday, 3 + pu("misc3") * 3, hub_zone), -1)
    t[:, SLOT["delay"]] = np.where(is_delay, _local_time(first_try, 5 + pu("misc1"), hub_zone),
                                   -1)
    reason[:, SLOT["delay"]] = np.where(pu("misc1") < 0.5, RS["delay_weather"],
                                        RS["delay_operational"])
    t[:, SLOT["resume"]] = np.where(is_delay, _local_time(attempt_day - 1, 4 + pu("misc2"),
                                                          hub_zone), -1)
    # the first delivery attempt
    ofd1 = _local_time(attempt_day, 7 + pu("misc3") * 1.5, dest_zone)
    t[:, SLOT["ofd1"]] = np.where(broken, -1, ofd1)
    try1 = _local_time(attempt_day, 10 + pu("deliver_time") * 9, dest_zone)
    t[:, SLOT["try1"]] = np.where(broken, -1, try1)
    status[:, SLOT["try1"]] = np.select(
        [is_fail, is_ap, is_wrong],
        [ST["attempted_delivery"], ST["available_for_pickup"], ST["exception"]], ST["delivered"])
    reason[:, SLOT["try1"]] = np.select([is_fail, is_wrong],
                                        [RS["consignee_unavailable"], RS["address"]], 0)
    next_bd = add_bdays(attempt_day, np.ones(p_n, dtype=np.int64), country, cals)
    redirect_day = add_bdays(attempt_day, np.full(p_n, 2), country, cals)
    t[:, SLOT["redirect"]] = np.where(redirect, _local_time(next_bd, 4 + pu("misc1"), dest_zone),
                                      -1)
    second_day = np.where(redirect, redirect_day, next_bd)
    t[:, SLOT["ofd2"]] = np.where(is_fail | redirect,
                                  _local_time(second_day, 7 + pu("misc3"), dest_zone), -1)
    collect_days = (pu("collect_days") * 4).astype(np.int64)  # 0..3 calendar days
    final = np.where(is_ap, _local_time(attempt_day + collect_days,
                                        np.where(collect_days == 0, 19.5, 11) + pu("misc2") * 6,
                                        dest_zone),
                     _local_time(second_day, 10 + pu("deliver_time") * 8, dest_zone))
    t[:, SLOT["final"]] = np.where(is_fail | redirect | is_ap, final, -1)
    loss_day = add_bdays(pkg_ship_day, np.where(is_lost, 2, 1), country, cals)
    t[:, SLOT["loss"]] = np.where(broken, _local_time(loss_day, 4 + pu("misc1") * 3, hub_zone),
                                  -1)
    reason[:, SLOT["loss"]] = np.where(is_lost, RS["lost"], RS["damaged"])
    rts_from = np.where(is_dmg, loss_day, attempt_day)
    rts_start = add_bdays(rts_from, np.ones(p_n, dtype=np.int64), country, cals)
    rts_on = is_dmg | wrong_rts
    t[:, SLOT["rts"]] = np.where(rts_on, _local_time(rts_start, 6 + pu("misc2") * 4, hub_zone),
                                 -1)
    rts_done_day = add_bdays(rts_start, np.full(p_n, 3), fc_ctry, cals)
    t[:, SLOT["rts_done"]] = np.where(rts_on, _local_time(rts_done_day, 11 + pu("misc3") * 5,
                                                          fc_zone), -1)

    loc = {
        "fc": (fc_city, fc_postal, fc_ctry, fc_zone),
        "hub": (hub_city, hub_postal, country, hub_zone),
        "dest": (person_city, person_postal, country, dest_zone),
        "attempt": (person_city, person_postal.copy(), country, dest_zone),
    }
    # an RTS final scan happens at the FC; wrong-address attempts happen at the OMS address
    delivered_us = np.where(status[:, SLOT["try1"]] == ST["delivered"], t[:, SLOT["try1"]],
                            t[:, SLOT["final"]])
    delivered_us = np.where(broken | wrong_rts, -1, delivered_us)
    rts_us = np.where(rts_on, t[:, SLOT["rts_done"]], -1)

    return Fulfilment(oms_reached, oms_created_us, hold_start, hold_end, ready, ship_day,
                      pkg_order, pkg_seq, pkg_reason, pkg_ship_day, pkg_tracking, t, status,
                      reason, loc, delivered_us, rts_us, stale,
                      sl_pkg, sl_sku, sl_qty, ol_order, ol_sku, ol_qty)
