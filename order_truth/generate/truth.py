"""The answer key: what really happened, computed from the simulation and never from the raw
tables, so the warehouse can be graded against it.

KPI formulas follow DESIGN §6 and DECISIONLOG.md. Each is evaluated "as of" the data cut-off:
only what had happened (and had reached the warehouse) by then counts.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from order_truth.generate import reference as ref
from order_truth.generate import textops as t
from order_truth.generate.config import GeneratorConfig
from order_truth.generate.fulfil import SLOT, STATUSES, Fulfilment
from order_truth.generate.orders import Orders, bdays_between
from order_truth.generate.systems import order_ids
from order_truth.generate.tz import DAY_US, US, local_day

# A moving parcel silent this long is stale (the warehouse's var stale_tracking_days).
STALE_DAYS = 3
MOVING = {"shipped", "in_transit", "out_for_delivery"}
IN_TRANSIT_GROUP = {"in_transit", "out_for_delivery", "attempted_delivery",
                    "available_for_pickup", "exception"}
ROOT_CAUSE = {"promo_claim_infeasible": "marketing", "payment_hold": "crm",
              "late_order_sync": "integration", "never_reached_oms": "integration",
              "wrong_address_version": "oms", "mis_pick": "wms", "short_ship": "wms",
              "backorder": "wms", "carrier_delay": "carrier", "failed_attempt": "carrier",
              "access_point_delivery": "carrier", "lost_in_transit": "carrier",
              "damaged_in_transit": "carrier"}


def _pct(values: np.ndarray, q: float) -> float:
    """percentile_cont: linear interpolation between closest ranks."""
    if values.size == 0:
        return float("nan")
    return float(np.percentile(values.astype(np.float64), q * 100, method="linear"))


def order_truth(cfg: GeneratorConfig, o: Orders, f: Fulfilment, oms: dict, as_of_us: int,
                cals: dict[str, ref.Calendar], first_loaded: np.ndarray) -> dict:
    """Per-order truth: delivered, on time, correct, accurate, and the root cause."""
    last_del = oms["last_delivered_us"]
    pickup = f.slot_us[:, SLOT["pickup"]]
    n = o.n
    has_pkg = np.zeros(n, dtype=bool)
    has_pkg[f.pkg_order] = True
    delivered = has_pkg & ~oms["any_undelivered"] & (last_del >= 0) & (last_del < as_of_us)
    del_day = np.where(delivered, local_day(np.maximum(last_del, 0), o.dest_zone), -1)
    on_time = delivered & (del_day <= o.promised_day)
    late_bd = np.where(delivered & ~on_time,
                       np.maximum(bdays_between(o.promised_day, np.maximum(del_day,
                                                                           o.promised_day),
                                                o.country, cals), 1), 0)
    # correctness: shipped (sku, qty) multiset equals ordered, over all packages
    ordered_key = o.order_no[f.ol_order] * 10**7 + f.ol_sku * 1000
    shipped_order = o.order_no[f.pkg_order[f.sl_pkg]]
    shipped_key = shipped_order * 10**7 + f.sl_sku * 1000
    ok_sum = np.zeros(n + 1, dtype=np.int64)
    correct = np.ones(n, dtype=bool)
    # per (order, sku) quantities must match exactly
    all_keys = np.concatenate([ordered_key, shipped_key])
    all_qty = np.concatenate([f.ol_qty, -f.sl_qty])
    uk, inv = np.unique(all_keys, return_inverse=True)
    diff = np.zeros(uk.size, dtype=np.int64)
    np.add.at(diff, inv, all_qty)
    bad_orders = np.unique(uk[diff != 0] // 10**7)
    correct[np.isin(o.order_no, bad_orders)] = False
    del ok_sum
    is_correct = np.where(delivered, correct, None)
    accurate = delivered & on_time & correct
    as_of_day_local = local_day(np.full(n, as_of_us - 1), o.dest_zone)
    overdue = ~delivered & ~o.cancelled & (o.promised_day < as_of_day_local - 1)
    went_wrong = (delivered & ~accurate & ~o.has_unmapped) | overdue
    fault = np.where(o.material == "", None, o.material)
    root = np.array([ROOT_CAUSE.get(m) if m else None for m in o.material], dtype=object)
    root = np.where(went_wrong, root, None)
    return {
        "visible": first_loaded < as_of_us,
        "delivered": delivered, "delivered_us": np.where(delivered, last_del, -1),
        "del_day": del_day, "on_time": on_time, "correct": correct, "is_correct": is_correct,
        "accurate": accurate, "late_bd": late_bd, "went_wrong": went_wrong, "root": root,
        "fault": fault, "pickup_first": pickup,
    }


def orders_table(o: Orders, tr: dict) -> pa.Table:
    delivered = tr["delivered"]
    none_unless = lambda m, v: pa.array(np.where(m, v, None), pa.bool_())  # noqa: E731
    tab = pa.table({
        "order_id": order_ids(o, np.arange(o.n)),
        "true_is_cancelled": pa.array(o.cancelled),
        "true_is_delivered": pa.array(delivered),
        "true_delivered_at": pa.array(np.where(delivered, tr["delivered_us"], 0).astype(
            "datetime64[us]"), pa.timestamp("us"), mask=~delivered),
        "true_promised_delivery_date": pa.array(o.promised_day.astype("datetime64[D]"),
                                                pa.date32()),
        "true_promise_source": pa.array(o.promise_source, pa.string()),
        "true_is_on_time": none_unless(delivered, tr["on_time"]),
        "true_is_correct": none_unless(delivered, tr["correct"]),
        "true_is_accurate": none_unless(delivered, tr["accurate"]),
        "true_business_days_late": pa.array(np.where(delivered, tr["late_bd"], 0), pa.int32(),
                                            mask=~delivered),
        "true_went_wrong": pa.array(tr["went_wrong"]),
        "true_root_cause_system": pa.array(tr["root"], pa.string()),
        "true_fault_class": pa.array(tr["fault"], pa.string()),
        "true_has_unmapped_sku": pa.array(o.has_unmapped),
        "true_claim_applies": pa.array(o.claim_applies),
    })
    # only orders whose first version had reached the warehouse by the cut-off exist there
    return tab.filter(pa.array(tr["visible"]))


def exceptions(cfg: GeneratorConfig, o: Orders, f: Fulfilment, oms: dict, sync: dict,
               sync_table: pa.Table, ev: dict, tr: dict, as_of_us: int) -> pa.Table:
    """Every exception the warehouse should open, with the times it opened and resolved."""
    cls, sysm, oid, opened, resolved = [], [], [], [], []

    def add(c: str, s: str, orders: np.ndarray, op: np.ndarray, rs: np.ndarray) -> None:
        keep = (op >= 0) & (op < as_of_us)
        cls.append(np.full(int(keep.sum()), c, dtype=object))
        sysm.append(np.full(int(keep.sum()), s, dtype=object))
        oid.append(orders[keep])
        opened.append(op[keep])
        rs = np.where((rs >= 0) & (rs < as_of_us), rs, -1)
        resolved.append(rs[keep])

    # carrier events: exceptions and failed attempts, resolved by the next scan
    p_n, s_n = f.slot_us.shape
    times = np.where(f.slot_us < as_of_us, f.slot_us, -1)
    order_t = np.where(times >= 0, times, np.iinfo(np.int64).max)
    srt = np.argsort(order_t, axis=1, kind="stable")
    st_sorted = np.take_along_axis(f.slot_status, srt, axis=1)
    t_sorted = np.take_along_axis(order_t, srt, axis=1)
    nxt = np.full_like(t_sorted, -1)
    nxt[:, :-1] = np.where(t_sorted[:, 1:] == np.iinfo(np.int64).max, -1, t_sorted[:, 1:])
    valid = t_sorted != np.iinfo(np.int64).max
    for status, c in (("exception", "carrier_exception"),
                      ("attempted_delivery", "failed_delivery_attempt")):
        m = valid & (st_sorted == STATUSES.index(status))
        pi, si = np.nonzero(m)
        add(c, "carrier", f.pkg_order[pi], t_sorted[pi, si], nxt[pi, si])
    # stale tracking: a moving parcel with no scan for N days
    gap = np.int64(STALE_DAYS * DAY_US)
    moving = np.isin(st_sorted, [STATUSES.index(x) for x in MOVING]) & valid
    nxt_or_asof = np.where(nxt >= 0, nxt, as_of_us)
    stale = moving & (nxt_or_asof - t_sorted >= gap)
    pi, si = np.nonzero(stale)
    add("stale_tracking", "carrier", f.pkg_order[pi], t_sorted[pi, si] + gap, nxt[pi, si])

    reached = f.oms_reached
    # the OMS applied an old address version
    wrong = np.flatnonzero(o.wrong_address & reached)
    add("wrong_address_version", "oms", wrong,
        np.maximum(o.version_us[wrong, 1], f.oms_created_us[wrong]),
        tr["delivered_us"][wrong])
    # mis-picks and short ships, seen once the order is delivered
    last_pick = np.full(o.n, -1, dtype=np.int64)
    np.maximum.at(last_pick, f.pkg_order, f.slot_us[:, SLOT["pickup"]])
    for c in ("mis_pick", "short_ship"):
        m = np.flatnonzero((o.material == c) & tr["delivered"])
        add(c, "wms", m, np.where(tr["delivered_us"][m] < as_of_us, last_pick[m], -1),
            np.full(m.size, -1))
    # backorders: a release shipment exists
    bo = np.flatnonzero(f.pkg_reason == "backorder_release")
    bo_pick = f.slot_us[bo, SLOT["pickup"]]
    first_pick = f.slot_us[bo - 1, SLOT["pickup"]]
    add("backorder", "wms", f.pkg_order[bo], np.where(bo_pick < as_of_us, first_pick, -1),
        bo_pick)
    # promo claims that no eligible lane could meet
    inf = np.flatnonzero(o.infeasible)
    add("promo_claim_infeasible", "marketing", inf, o.placed_us[inf], np.full(inf.size, -1))
    # payment holds
    hold = np.flatnonzero(f.hold_start_us >= 0)
    add("payment_hold", "crm", hold, f.hold_start_us[hold], f.hold_end_us[hold])
    # dead letters, and orders that never reached the OMS by the cut-off
    rows, when, out = sync["rows"], sync["when"], sync["out"]
    n_ch = sync["n_changes"]
    dl_time = np.full(n_ch, -1, dtype=np.int64)
    dl = out == "dead_letter"
    dl_time[rows[dl]] = when[dl]
    succ = np.full(n_ch, np.iinfo(np.int64).max, dtype=np.int64)
    s_m = out == "success"
    np.minimum.at(succ, rows[s_m], when[s_m])
    has_dl = np.flatnonzero(dl_time >= 0)
    res = np.where(succ[has_dl] < np.iinfo(np.int64).max, succ[has_dl], -1)
    add("sync_dead_letter", "integration", np.full(has_dl.size, -1), dl_time[has_dl], res)
    v0 = sync["order_v0_change"]  # change index of each order's first version (or -1)
    no_oms = (v0 >= 0) & (dl_time[np.maximum(v0, 0)] >= 0) & ~(
        succ[np.maximum(v0, 0)] < as_of_us)
    nr = np.flatnonzero(no_oms)
    add("never_reached_oms", "integration", nr, dl_time[v0[nr]], np.full(nr.size, -1))

    c = np.concatenate(cls)
    oi = np.concatenate(oid)
    op = np.concatenate(opened)
    rs = np.concatenate(resolved)
    oid_s = t.null_where(oi < 0, order_ids(o, np.maximum(oi, 0)))
    return pa.table({
        "exception_class": pa.array(c, pa.string()),
        "root_cause_system": pa.array(np.concatenate(sysm), pa.string()),
        "order_id": oid_s,
        "opened_at": pa.array(op.astype("datetime64[us]"), pa.timestamp("us")),
        "resolved_at": pa.array(np.where(rs >= 0, rs, 0).astype("datetime64[us]"),
                                pa.timestamp("us"), mask=rs < 0),
    })


def kpis(cfg: GeneratorConfig, o: Orders, f: Fulfilment, tr: dict, exc: pa.Table, oms: dict,
         sync: dict, ev: dict, support: dict, inv: dict, accounts: dict, crm: dict,
         as_of_us: int) -> pa.Table:
    out: list[tuple[str, float, float, float]] = []

    def rate(name: str, num: float, den: float, scale: float = 1.0) -> None:
        out.append((name, (num / den * scale) if den else float("nan"), float(num), float(den)))

    def value(name: str, v: float) -> None:
        out.append((name, float(v), float("nan"), float("nan")))

    in_wh = tr["visible"]
    placed = int(in_wh.sum())
    value("orders_placed", placed)
    measurable = tr["delivered"] & ~o.has_unmapped
    value("orders_delivered", tr["delivered"].sum())
    rate("order_accuracy_rate", (tr["accurate"] & measurable).sum(), measurable.sum())
    rate("on_time_rate", (tr["on_time"] & tr["delivered"]).sum(), tr["delivered"].sum())
    rate("correct_rate", (tr["correct"] & measurable).sum(), measurable.sum())
    rate("exceptions_per_1000_orders", exc.num_rows, placed, 1000)
    opened = exc.column("opened_at").to_numpy().astype("datetime64[us]").astype(np.int64)
    res_col = exc.column("resolved_at")
    resolved_mask = ~np.asarray(res_col.is_null().to_numpy(zero_copy_only=False))
    res = res_col.fill_null(0).to_numpy().astype("datetime64[us]").astype(np.int64)
    hours = (res[resolved_mask] - opened[resolved_mask]) / (3600 * US)
    value("exception_resolve_hours_p50", _pct(hours, 0.5))
    value("exception_resolve_hours_p95", _pct(hours, 0.95))
    # promo claims
    promo_orders = (o.promo >= 0) & ~o.cancelled & in_wh
    missed = o.claim_applies & (o.infeasible | (tr["delivered"] & (tr["del_day"] > o.claim_day)))
    rate("promo_fulfillment_mismatch_rate", (missed & promo_orders).sum(), promo_orders.sum())
    wismo = (support["ticket_cat"] == "wismo").sum()
    rate("wismo_per_1000_orders", wismo, placed, 1000)
    # sync
    rows, when, http, outc = sync["rows"], sync["when"], sync["http"], sync["out"]
    n_ch = sync["n_changes"]
    ent = sync["entity"]
    succ = np.full(n_ch, np.iinfo(np.int64).max, dtype=np.int64)
    s_m = outc == "success"
    np.minimum.at(succ, rows[s_m], when[s_m])
    attempted = np.zeros(n_ch, dtype=bool)
    attempted[rows] = True
    has_succ = succ < np.iinfo(np.int64).max
    lag_s = (succ - sync["changed"]) / US
    for e in ("order", "customer", "inventory"):
        m = has_succ & (ent == e)
        value(f"sync_latency_p50_s_{e}", _pct(lag_s[m], 0.5))
        value(f"sync_latency_p95_s_{e}", _pct(lag_s[m], 0.95))
    rate("order_sync_success_rate", (has_succ & attempted & (ent == "order")).sum(),
         (attempted & (ent == "order")).sum())
    rate("sync_success_rate", (has_succ & attempted).sum(), attempted.sum())
    dl_changes = np.unique(rows[outc == "dead_letter"])
    value("dlq_entries", dl_changes.size)
    value("dlq_depth_at_cutoff", (~has_succ[dl_changes]).sum())
    rate("api_error_rate", ((http < 0) | (http >= 400)).sum(), rows.size)
    rate("rate_limit_rate", (http == 429).sum(), rows.size)
    # tracking latency over unique events that had arrived by the cut-off
    loaded = ev["event_loaded"]
    seen = loaded < as_of_us
    lat = (loaded[seen] - ev["event_us"][seen]) / US
    value("tracking_latency_p50_s", _pct(lat, 0.5))
    value("tracking_latency_p95_s", _pct(lat, 0.95))
    rate("unmapped_event_rate", (ev["unmapped"] & seen).sum(), seen.sum())
    # status sync: OMS status vs the carrier's current status of the first parcel in flight
    p1 = np.flatnonzero(f.pkg_seq == 1)
    times = f.slot_us[p1]
    visible = (times >= 0) & (times < as_of_us)
    rank = f.slot_status[p1].astype(np.int64)
    key = np.where(visible, times * 16 + rank, -1)
    last = np.argmax(key, axis=1)
    any_vis = visible.any(axis=1)
    cur = np.array(STATUSES, dtype=object)[f.slot_status[p1, last]]
    last_seen = np.where(visible, times, -1).max(axis=1)
    recent = last_seen >= as_of_us - STALE_DAYS * DAY_US
    # the latest scan must carry a code the map knows (else the carrier status is unknown)
    unm = np.zeros(f.slot_us.shape, dtype=bool)
    unm[ev["event_pkg"], ev["event_slot"]] = ev["unmapped"]
    last_any = np.argmax(np.where(visible, times, -1), axis=1)
    recent &= ~unm[p1, last_any]
    in_flight = any_vis & np.isin(cur, list(MOVING | IN_TRANSIT_GROUP)) & recent
    carrier_grp = np.where(np.isin(cur, list(IN_TRANSIT_GROUP)), "in_transit", cur)
    oms_status = oms_status_at(oms, f.pkg_order[p1], as_of_us)
    match = in_flight & (oms_status == carrier_grp)
    rate("status_sync_accuracy", match.sum(), in_flight.sum())
    # duplicate customers among storefront accounts and CRM contacts
    # a duplicate is a second record for the same person *within* one system
    n_rec = accounts["account_owner"].size + accounts["crm_owner"].size
    distinct = np.unique(accounts["account_owner"]).size + np.unique(accounts["crm_owner"]).size
    rate("duplicate_customer_rate", n_rec - distinct, n_rec)
    value("vip_downgrades", int((crm["vip_down_at"] < as_of_us).sum()))
    seen_inv = inv["inv_snap_us"] < as_of_us
    diff = np.abs(inv["inv_sf_avail"] - inv["inv_avail"])[seen_inv].sum()
    rate("inventory_variance", diff, inv["inv_avail"][seen_inv].sum())
    # reconciliation classes
    rate("reconciliation_address_mismatch_rate",
         (o.wrong_address & f.oms_reached & in_wh).sum(), placed)
    rate("reconciliation_status_mismatch_rate", (in_flight & ~match).sum(), placed)
    # CSAT after delivery
    t_o = support["ticket_order"]
    t_at = support["ticket_at"]
    csat = support["ticket_csat"]
    after = (support["ticket_has_ref"] & (csat > 0) & tr["delivered"][t_o]
             & (tr["delivered_us"][t_o] < t_at))
    value("csat_after_delivery", csat[after].mean() if after.any() else float("nan"))
    rate("root_cause_known_share", sum(1 for r in tr["root"] if r), max(tr["went_wrong"].sum(),
                                                                      1))
    return pa.table({
        "kpi": [k for k, _, _, _ in out],
        "value": pa.array([v for _, v, _, _ in out], pa.float64()),
        "numerator": pa.array([nm for _, _, nm, _ in out], pa.float64()),
        "denominator": pa.array([d for _, _, _, d in out], pa.float64()),
    })


def oms_status_at(oms: dict, orders: np.ndarray, as_of_us: int) -> np.ndarray:
    """Each order's latest OMS status before the cut-off, in carrier vocabulary."""
    m = oms["hist_at"] < as_of_us
    ono, st, at = oms["hist_order"][m], oms["hist_status"][m], oms["hist_at"][m]
    srt = np.lexsort((at, ono))
    ono, st = ono[srt], st[srt]
    last = np.r_[ono[1:] != ono[:-1], True]
    latest = np.full(orders.max() + 1 if orders.size else 1, "", dtype=object)
    latest[ono[last]] = st[last]
    mapping = {"created": "ordered", "payment_hold": "ordered", "released": "ordered",
               "allocated": "picked", "shipped": "shipped", "in_transit": "in_transit",
               "delivered": "delivered", "returned": "returned_to_sender",
               "cancelled": "cancelled", "": ""}
    names = np.array(list(mapping), dtype=object)
    mapped = np.array([mapping[k] for k in names], dtype=object)
    codes = np.searchsorted(np.sort(names), latest[orders])
    return mapped[np.argsort(names)][codes]


def persons(o: Orders, accounts: dict, support: dict, sf_orders: pa.Table) -> pa.Table:
    cust = accounts["customers"].column("customer_id").combine_chunks()
    cont = accounts["contacts"].column("contact_id").combine_chunks()
    guests = np.flatnonzero(o.account < 0)
    t_ids = support["ticket_ids"]
    written = set(sf_orders.column("order_id").drop_null().unique().to_pylist())
    g_ids = order_ids(o, guests)
    g_keep = np.array([x in written for x in g_ids.to_pylist()], dtype=bool)
    return pa.table({
        "source_system": pa.array(
            ["storefront"] * len(cust) + ["crm"] * len(cont) + ["storefront_guest"] * int(
                g_keep.sum()) + ["support"] * len(t_ids), pa.string()),
        "source_record_id": pa.concat_arrays([cust, cont, g_ids.filter(pa.array(g_keep)),
                                              t_ids]),
        "true_person_id": pa.array(np.concatenate([
            accounts["account_owner"], accounts["crm_owner"], o.person[guests][g_keep],
            o.person[support["ticket_order"]]]).astype(np.int64)),
    })
