"""The source systems' tables: what storefront, OMS, WMS, catalog, marketing, CRM, support and
the integration layer each recorded about the simulated world, faults included."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from order_truth.generate import people as pp
from order_truth.generate import textops as t
from order_truth.generate.catalog import CHANNELS, N_SKUS, Catalog, Promo
from order_truth.generate.config import GeneratorConfig
from order_truth.generate.fulfil import SLOT, Fulfilment
from order_truth.generate.keyed import Keyed
from order_truth.generate.orders import HOUR_US, MIN_US, SERVICE_WEIGHTS, UC, Orders
from order_truth.generate.tz import DAY_US, US, local_day

CURRENCY = {"US": "USD", "CA": "CAD", "DE": "EUR", "GB": "GBP"}
SERVICE_NAMES = list(SERVICE_WEIGHTS)


def ts(us: np.ndarray) -> pa.Array:
    us = np.asarray(us, dtype=np.int64)
    return pa.array(us.astype("datetime64[us]"), pa.timestamp("us"),
                    mask=us < 0 if (us < 0).any() else None)


@dataclass
class Faults:
    rows: list[pa.Table] = field(default_factory=list)

    def add(self, fault_class: str, system: str, entity_type: str, entity_ids: pa.Array,
            is_material: bool = False) -> None:
        k = len(entity_ids)
        if k == 0:
            return
        self.rows.append(pa.table({
            "fault_class": pa.array([fault_class] * k, pa.string()),
            "system": pa.array([system] * k, pa.string()),
            "entity_type": pa.array([entity_type] * k, pa.string()),
            "entity_id": pa.array(entity_ids, pa.string()) if not isinstance(
                entity_ids, pa.Array) else entity_ids.cast(pa.string()),
            "is_material": pa.array([is_material] * k, pa.bool_()),
        }))

    def table(self) -> pa.Table:
        tab = pa.concat_tables(self.rows)
        ids = t.cat("F-", t.num(np.arange(1, tab.num_rows + 1), 8))
        return tab.add_column(0, "fault_id", ids)


def money(cents: np.ndarray, country: np.ndarray) -> pa.Array:
    cents = np.asarray(cents, dtype=np.int64)
    whole, frac = t.num(cents // 100), t.num(cents % 100, 2)
    return t.where(country == "US", t.cat("$", whole, ".", frac),
                   t.where(country == "CA", t.cat("CA$", whole, ".", frac),
                           t.where(country == "DE", t.cat(whole, ",", frac, " €"),
                                   t.cat("£", whole, ".", frac))))


def order_ids(o: Orders, idx: np.ndarray) -> pa.Array:
    return t.cat("SO-", t.num(o.order_no[idx], 7))


def previous_postal(postal: pa.Array) -> pa.Array:
    """The postal code an edited order had before the edit: the last character differs."""
    is7 = pc.equal(t.sl(postal, -1), "7").to_numpy(zero_copy_only=False)
    return t.cat(t.sl(postal, 0, -1), t.where(is7, "3", "7"))


def storefront_orders(cfg: GeneratorConfig, o: Orders, people: pp.People, accounts: dict,
                      catalog: Catalog, promos: list[Promo], faults: Faults) -> dict:
    rng = Keyed(o.order_no, cfg.seed, 20)
    n = o.n
    oid = order_ids(o, np.arange(n))
    person = pa.array(o.person)
    # contact details: the account's for members, what the guest typed for guests
    cust = accounts["customers"]
    acc = np.maximum(o.account, 0)
    acc_t = pa.array(acc)
    is_guest = o.account < 0
    g_first, g_last, _ = pp.noisy_names(people.first.take(person), people.last.take(person),
                                        rng, typo=0.03, swap=0.01, case=0.10, deaccent=0.2)
    g_email = pp.noisy_email(people.email.take(person), rng, plus=0.10, case=0.12, dots=0.15,
                             pad=0.03)
    placeholder = rng.random(n) < 0.005
    g_email = t.where(placeholder, t.pick(pp.PLACEHOLDER_EMAILS, rng.integers(0, 3, n)), g_email)
    g_phone = t.null_where(rng.random(n) < 0.3, pp.format_phone(o.country, people.phone_nsn.take(
        person), rng))
    email = t.where(is_guest, g_email, cust.column("email").combine_chunks().take(acc_t))
    phone = t.where(is_guest, g_phone, cust.column("phone").combine_chunks().take(acc_t))
    first = t.where(is_guest, g_first, cust.column("first_name").combine_chunks().take(acc_t))
    last = t.where(is_guest, g_last, cust.column("last_name").combine_chunks().take(acc_t))
    customer_id = t.null_where(is_guest, cust.column("customer_id").combine_chunks().take(acc_t))
    line1 = pp.address_line(people.house[o.person], people.street.take(person), o.country, rng,
                            0.1)
    postal = people.postal.take(person)
    old_line1 = pp.address_line(people.house[o.person] + 17, people.street.take(person),
                                o.country, rng, 0.1)
    old_postal = previous_postal(postal)
    promo_code = t.pick([p.code for p in promos], o.promo)
    channel = t.pick(CHANNELS, o.channel)
    chan_ref = t.where(o.channel >= 2, t.cat(t.pick(["AMZ", "EBY", "TTK"], np.clip(o.channel - 2,
                                                                                   0, 2)), "-",
                                            t.num(o.order_no * 7919 % 10**9, 9)), "")
    chan_ref = t.null_where(o.channel < 2, chan_ref)
    service = t.pick(SERVICE_NAMES, o.service)
    ckeys = sorted(CURRENCY)
    currency = pa.array(np.array([CURRENCY[k] for k in ckeys], dtype=object)[
        np.searchsorted(np.array(ckeys), o.country)], pa.string())

    # line prices (cents) per order, latest version
    price_cents = np.round(catalog.price * 100).astype(np.int64)
    discount = np.zeros(n)
    for p_i, p in enumerate(promos):
        discount[o.promo == p_i] = p.discount_pct / 100
    unit_cents = np.where(o.line_sku >= 0, price_cents[np.maximum(o.line_sku, 0)], 0)
    total_latest = ((unit_cents * o.line_qty).sum(axis=1) * (1 - discount)).round().astype(
        np.int64)
    v1_extra = np.where(o.edit_kind == 2, unit_cents[:, 0], 0)  # v1 had one more unit

    chan_sku_table = np.array([x for c in CHANNELS for x in catalog.channel_skus[c]],
                              dtype=object)
    rows, lines = [], []
    for v in range(3):
        vm = o.n_versions > v
        idx = np.flatnonzero(vm)
        if idx.size == 0:
            continue
        it = pa.array(idx)
        is_latest = o.n_versions[idx] == v + 1
        use_old_addr = (o.edit_kind[idx] == 1) & (v == 0)
        total = total_latest[idx] + np.where(v == 0, v1_extra[idx], 0)
        upd = o.version_us[idx, v]
        rv = Keyed(o.order_no[idx] * 4 + v, cfg.seed, 201)
        loaded = upd + ((1 + rv.random(idx.size) * 29) * US).astype(np.int64)
        if v == 0:
            first_loaded = loaded
        wh = t.cat("wh_", t.num(o.order_no[idx], 8), "_", t.num(np.full(idx.size, v + 1)))
        rows.append(pa.table({
            "webhook_id": wh,
            "order_id": oid.take(it),
            "order_version": pa.array(np.full(idx.size, v + 1), pa.int32()),
            "customer_id": customer_id.take(it),
            "email": email.take(it),
            "phone": phone.take(it),
            "first_name": first.take(it),
            "last_name": last.take(it),
            "ship_address_line1": t.where(use_old_addr, old_line1.take(it), line1.take(it)),
            "ship_address_line2": pa.nulls(idx.size, pa.string()),
            "ship_city": people.city.take(person).take(it),
            "ship_postal_code": t.where(use_old_addr, old_postal.take(it), postal.take(it)),
            "ship_region": people.region.take(person).take(it),
            "ship_country": pa.array(o.country[idx], pa.string()),
            "channel": channel.take(it),
            "channel_order_ref": chan_ref.take(it),
            "promo_code": promo_code.take(it),
            "service_level": service.take(it),
            "currency": currency.take(it),
            "order_total": money(total, o.country[idx]),
            "placed_at": ts(o.placed_us[idx]),
            "updated_at": ts(upd),
            "_loaded_at": ts(loaded),
        }))
        del is_latest
        for j in range(4):
            lm = o.line_sku[idx, j] >= 0
            li = idx[lm]
            if li.size == 0:
                continue
            qty = o.line_qty[li, j] + np.where((v == 0) & (o.edit_kind[li] == 2) & (j == 0), 1, 0)
            ch_sku = chan_sku_table[o.channel[li] * len(catalog.skus) + o.line_sku[li, j]]
            lines.append(pa.table({
                "webhook_id": t.cat("wh_", t.num(o.order_no[li], 8), "_",
                                    t.num(np.full(li.size, v + 1))),
                "order_id": oid.take(pa.array(li)),
                "order_version": pa.array(np.full(li.size, v + 1), pa.int32()),
                "line_number": pa.array(np.full(li.size, j + 1), pa.int32()),
                "channel_sku": pa.array(ch_sku, pa.string()),
                "quantity": pa.array(qty, pa.int32()),
                "unit_price": money(unit_cents[li, j], o.country[li]),
                "_loaded_at": ts(o.version_us[li, v] + 2 * US),
            }))
    orders_t = pa.concat_tables(rows)
    lines_t = pa.concat_tables(lines)
    # re-sent webhooks: exact duplicates of a version row, arriving again later
    m = orders_t.num_rows
    vkey = np.concatenate([o.order_no[o.n_versions > v] * 4 + v for v in range(3)])
    rw = Keyed(vkey, cfg.seed, 202)
    dup = np.flatnonzero(rw.random(m) < cfg.rate("duplicate_webhook"))
    dup_u = rw.random(m)[dup]
    d = orders_t.take(pa.array(dup))
    d = d.set_column(d.schema.get_field_index("_loaded_at"), "_loaded_at", ts(
        d.column("_loaded_at").to_numpy().astype("datetime64[us]").astype(np.int64)
        + ((1 + dup_u * 20) * MIN_US).astype(np.int64)))
    faults.add("duplicate_webhook", "storefront", "webhook", d.column("webhook_id"))
    # malformed rows: a garbled total, or no order id at all
    bad = np.flatnonzero(rw.random(m) < cfg.rate("malformed_order_row"))
    garble_i = rw.integers(0, 4, m)[bad]
    no_id = rw.random(m)[bad] < 0.3
    b = orders_t.take(pa.array(bad))
    b = b.set_column(0, "webhook_id", t.cat(b.column("webhook_id").combine_chunks(), "_bad"))
    garble = t.pick(["N/A", "$12.3.4", "free??", ""], garble_i)
    b = b.set_column(b.schema.get_field_index("order_total"), "order_total", garble)
    b = b.set_column(1, "order_id", t.null_where(no_id, b.column("order_id").combine_chunks()))
    faults.add("malformed_row", "storefront", "webhook", b.column("webhook_id"))
    orders_t = pa.concat_tables([orders_t, d, b])
    return {"orders": orders_t, "order_lines": lines_t, "old_postal": old_postal,
            "first_loaded": first_loaded,
            "old_line1": old_line1, "line1": line1, "postal": postal, "is_guest": is_guest,
            "guest_email": g_email, "guest_first": g_first, "guest_last": g_last,
            "guest_phone": g_phone, "email": email, "first": first, "last": last,
            "customer_id": customer_id, "total_latest": total_latest}


def oms_tables(cfg: GeneratorConfig, o: Orders, f: Fulfilment, sf: dict, fcs: list,
               faults: Faults) -> dict:
    """The OMS keeps one row per order version it applied, and a status history."""
    reached = np.flatnonzero(f.oms_reached)
    oms_id = t.cat("OMS-", t.num(o.order_no, 8))
    fc_ids = np.array([x.fc_id for x in fcs], dtype=object)[o.fc]
    rows = []
    for v in range(3):
        idx = reached[o.n_versions[reached] > v]
        it = pa.array(idx)
        rv = Keyed(o.order_no[idx] * 4 + v, cfg.seed, 211)
        at = np.where(v == 0, f.oms_created_us[idx],
                      np.maximum(o.version_us[idx, v] + ((1 + rv.random(idx.size) * 9) * US
                                                         ).astype(np.int64),
                                 f.oms_created_us[idx] + US))
        # The OMS bug: an edited address is not applied for some orders (it keeps version 1).
        old = (o.edit_kind[idx] == 1) & ((v == 0) | o.wrong_address[idx])
        rows.append(pa.table({
            "oms_order_id": oms_id.take(it),
            "storefront_order_id": order_ids(o, idx),
            "applied_order_version": pa.array(np.full(idx.size, v + 1), pa.int32()),
            "ship_address_line1": t.where(old, sf["old_line1"].take(it), sf["line1"].take(it)),
            "ship_city": pa.array(o.extra["dest_city"][idx], pa.string()),
            "ship_postal_code": t.where(old, sf["old_postal"].take(it), sf["postal"].take(it)),
            "ship_country": pa.array(o.country[idx], pa.string()),
            "fc_id": pa.array(fc_ids[idx], pa.string()),
            "carrier": pa.array(o.carrier[idx], pa.string()),
            "service_level": pa.array(np.array(SERVICE_NAMES, dtype=object)[o.service[idx]],
                                      pa.string()),
            "created_at": ts(f.oms_created_us[idx]),
            "_loaded_at": ts(at + US),
        }))
    orders_t = pa.concat_tables(rows)
    faults.add("wrong_address_version", "oms", "order", order_ids(o, np.flatnonzero(
        o.wrong_address)), True)

    # status history
    ev_o, ev_s, ev_r, ev_t = [], [], [], []

    codes = {"created": 0, "payment_hold": 1, "released": 2, "cancelled": 3, "allocated": 4,
             "shipped": 5, "in_transit": 6, "delivered": 7, "returned": 8}

    def lag(idx: np.ndarray, status: str) -> np.ndarray:
        k = Keyed(o.order_no[idx] * 16 + codes[status], cfg.seed, 212)
        return ((2 + k.random(idx.size) * 28) * MIN_US).astype(np.int64)

    reasons = ["", "payment_hold", "payment_cleared", "customer_request"]

    def add(idx: np.ndarray, status: str, when: np.ndarray, reason: str = "") -> None:
        keep = when >= 0
        ev_o.append(idx[keep])
        ev_s.append(np.full(int(keep.sum()), codes[status], dtype=np.int8))
        ev_r.append(np.full(int(keep.sum()), reasons.index(reason), dtype=np.int8))
        ev_t.append(when[keep])

    add(reached, "created", f.oms_created_us[reached])
    hold = np.flatnonzero(f.hold_start_us >= 0)
    add(hold, "payment_hold", f.hold_start_us[hold], "payment_hold")
    add(hold, "released", f.hold_end_us[hold], "payment_cleared")
    canc = reached[o.cancelled[reached]]
    add(canc, "cancelled", o.placed_us[canc] + lag(canc, "cancelled") * 20, "customer_request")
    # carrier milestones of the first package reach the OMS a few minutes late
    p1 = np.flatnonzero(f.pkg_seq == 1)
    po = f.pkg_order[p1]
    add(po, "allocated", f.slot_us[p1, SLOT["label"]] - 10 * MIN_US)
    add(po, "shipped", f.slot_us[p1, SLOT["pickup"]] + lag(po, "shipped"))
    status_lag = o.u[po, UC["status_lag"]] < cfg.rate("oms_status_lag")
    add(po, "in_transit", np.where(status_lag, -1,
                                   f.slot_us[p1, SLOT["depart"]] + lag(po, "in_transit")))
    faults.add("oms_status_not_updated", "integration", "order", order_ids(o, po[status_lag]))
    # delivered when every package is delivered
    last_del = np.full(o.n, -1, dtype=np.int64)
    any_undelivered = np.zeros(o.n, dtype=bool)
    np.maximum.at(last_del, f.pkg_order, f.pkg_delivered_us)
    np.logical_or.at(any_undelivered, f.pkg_order, f.pkg_delivered_us < 0)
    dl = np.flatnonzero((last_del >= 0) & ~any_undelivered)
    add(dl, "delivered", last_del[dl] + lag(dl, "delivered"))
    rts = np.flatnonzero(f.pkg_rts_us >= 0)
    add(f.pkg_order[rts], "returned", f.pkg_rts_us[rts] + lag(f.pkg_order[rts], "returned"))
    idx = np.concatenate(ev_o)
    when = np.concatenate(ev_t)
    when -= when % US
    srt = np.lexsort((idx, when))
    idx, when = idx[srt], when[srt]
    st_code = np.concatenate(ev_s)[srt]
    rs_code = np.concatenate(ev_r)[srt]
    st = np.array(list(codes), dtype=object)[st_code]
    hist = pa.table({
        "status_event_id": t.cat("OSE-", t.num(np.arange(1, idx.size + 1), 9)),
        "oms_order_id": oms_id.take(pa.array(idx)),
        "status": pa.array(list(codes), pa.string()).take(pa.array(st_code.astype(np.int64))),
        "reason": pa.array([None] + reasons[1:], pa.string()).take(
            pa.array(rs_code.astype(np.int64))),
        "status_at": ts(when),
        "_loaded_at": ts(when + 2 * US),
    })
    return {"orders": orders_t, "order_status_history": hist, "oms_id": oms_id,
            "hist_order": idx, "hist_status": st, "hist_at": when,
            "last_delivered_us": last_del, "any_undelivered": any_undelivered,
            "status_lag_orders": po[status_lag]}


def wms_tables(cfg: GeneratorConfig, o: Orders, f: Fulfilment, catalog: Catalog, fcs: list,
               sf: dict, oms: dict, faults: Faults) -> dict:
    fc_ids = np.array([x.fc_id for x in fcs], dtype=object)
    po = f.pkg_order
    rng = Keyed(o.order_no[po] * 10 + f.pkg_seq, cfg.seed, 22)
    ship_id = t.cat("SHP-", t.num(o.order_no[po], 8), "-", t.num(f.pkg_seq))
    shipped_at = f.slot_us[:, SLOT["pickup"]]
    shipments = pa.table({
        "shipment_id": ship_id,
        "oms_order_id": oms["oms_id"].take(pa.array(po)),
        "fc_id": pa.array(fc_ids[o.fc[po]], pa.string()),
        "carrier": pa.array(o.carrier[po], pa.string()),
        "tracking_number": pa.array(f.pkg_tracking, pa.string()),
        "package_seq": pa.array(f.pkg_seq, pa.int32()),
        "shipment_reason": pa.array(f.pkg_reason, pa.string()),
        "shipped_at": ts(shipped_at),
        "_loaded_at": ts(shipped_at + ((1 + rng.random(po.size) * 9) * MIN_US).astype(np.int64)),
    })
    # line numbers within each package
    k = f.sl_pkg.size
    start = np.r_[True, f.sl_pkg[1:] != f.sl_pkg[:-1]]
    grp = np.cumsum(start) - 1
    first_pos = np.flatnonzero(start)
    line_no = np.arange(k) - first_pos[grp] + 1
    lines = pa.table({
        "shipment_id": ship_id.take(pa.array(f.sl_pkg)),
        "line_number": pa.array(line_no, pa.int32()),
        "sku": pa.array(np.array(catalog.skus, dtype=object)[f.sl_sku], pa.string()),
        "quantity": pa.array(f.sl_qty, pa.int32()),
        "_loaded_at": ts(shipped_at[f.sl_pkg] + 5 * MIN_US),
    })
    for cls in ("mis_pick", "short_ship", "backorder"):
        faults.add(cls, "wms", "order", order_ids(o, np.flatnonzero(
            (o.material == cls) & f.oms_reached & ~o.cancelled)), True)
    return {"shipments": shipments, "shipment_lines": lines, "ship_id": ship_id}


def catalog_tables(catalog: Catalog, window_start_us: int) -> dict:
    n = len(catalog.skus)
    loaded = ts(np.full(n, window_start_us - 30 * DAY_US))
    skus = pa.table({
        "sku": pa.array(catalog.skus, pa.string()),
        "sku_name": pa.array([f"{c.title()} item {s[-4:]}" for c, s in zip(
            catalog.category, catalog.skus, strict=True)], pa.string()),
        "category": pa.array(catalog.category, pa.string()),
        "is_bundle": pa.array(catalog.is_bundle, pa.bool_()),
        "unit_weight_kg": pa.array(catalog.weight_kg, pa.float64()),
        "_loaded_at": loaded,
    })
    b = catalog.bundle_components
    bundles = pa.table({
        "bundle_sku": pa.array([r[0] for r in b], pa.string()),
        "component_sku": pa.array([r[1] for r in b], pa.string()),
        "component_qty": pa.array([r[2] for r in b], pa.int32()),
        "_loaded_at": ts(np.full(len(b), window_start_us - 30 * DAY_US)),
    })
    ch, csku, sku = [], [], []
    for c in CHANNELS:
        for i, s in enumerate(catalog.skus):
            if (c, i) in catalog.unmapped:
                continue
            ch.append(c)
            csku.append(catalog.channel_skus[c][i])
            sku.append(s)
    cmap = pa.table({
        "channel": pa.array(ch, pa.string()),
        "channel_sku": pa.array(csku, pa.string()),
        "sku": pa.array(sku, pa.string()),
        "_loaded_at": ts(np.full(len(ch), window_start_us - 30 * DAY_US)),
    })
    return {"skus": skus, "bundle_components": bundles, "channel_sku_map": cmap}


def marketing_tables(promos: list[Promo], catalog: Catalog, faults: Faults) -> dict:
    rows = {
        "promo_code": [p.code for p in promos],
        "promo_name": [p.name for p in promos],
        "delivery_claim": [p.claim for p in promos],
        "discount_pct": [p.discount_pct for p in promos],
        "starts_at": ts(np.array([p.start_us for p in promos])),
        "ends_at": ts(np.array([p.end_us for p in promos])),
        "eligible_regions": [",".join(p.regions) for p in promos],
        "eligible_skus": ["|".join(catalog.skus[s] for s in p.skus) for p in promos],
        "eligible_fcs": ["|".join(p.fcs) if p.fcs else None for p in promos],
        "_loaded_at": ts(np.array([p.start_us - 3 * DAY_US for p in promos])),
    }
    promotions = pa.table({k: (v if isinstance(v, pa.Array) else pa.array(v)) for k, v in
                           rows.items()})
    fk, pc_, en, at = [], [], [], []
    for p in promos:
        if p.claim is None:
            continue
        fk.append(f"delivery_claim:{p.code}")
        pc_.append(p.code)
        en.append(True)
        at.append(p.start_us - DAY_US)
        for f0, f1 in p.flag_off:
            fk += [f"delivery_claim:{p.code}"] * 2
            pc_ += [p.code] * 2
            en += [False, True]
            at += [f0, f1]
            faults.add("flag_toggled_mid_campaign", "marketing", "promo", pa.array([p.code]))
        if p.oos_sku is not None:
            faults.add("promo_on_out_of_stock_sku", "marketing", "promo", pa.array([p.code]))
    flags = pa.table({
        "flag_event_id": pa.array([f"FLG-{i:05d}" for i in range(1, len(fk) + 1)]),
        "flag_key": pa.array(fk),
        "promo_code": pa.array(pc_),
        "is_enabled": pa.array(en, pa.bool_()),
        "changed_at": ts(np.array(at)),
        "_loaded_at": ts(np.array(at) + 5 * US),
    })
    return {"promotions": promotions, "feature_flags": flags}


def inventory_tables(cfg: GeneratorConfig, catalog: Catalog, promos: list[Promo], fcs: list,
                     start_day: int, n_days: int, faults: Faults) -> dict:
    """Daily stock per FC for the top SKUs; the storefront's copy drifts for some rows."""
    # stock is tracked for the best sellers (more of them for bigger shops) and promo SKUs
    top = np.argsort(-catalog.popularity[:N_SKUS])[: int(np.clip(cfg.orders // 2000, 10, 150))]
    promo_skus = {s for p in promos for s in p.skus}
    skus = np.array(sorted(set(top.tolist()) | promo_skus))
    n_f, n_s = len(fcs), skus.size
    wms_rows = []
    for d in range(n_days):
        rng = np.random.default_rng([cfg.seed, 30, d])
        day = start_day + d
        base = (40 + (skus * 37 + np.arange(n_f)[:, None] * 11) % 200).astype(np.int64)
        wave = (20 * np.sin((day // 3 + skus) / 3.0)).astype(np.int64)
        moved = rng.random((n_f, n_s)) < 0.35
        avail = np.maximum(base + np.where(moved, wave + rng.integers(-5, 6, (n_f, n_s)), 0), 0)
        for p in promos:
            if p.oos_sku is None:
                continue
            lo, hi = (w // DAY_US for w in p.oos_window)
            if lo <= day < hi:
                avail[:, skus == p.oos_sku] = 0
        on_hand = avail + rng.integers(0, 15, (n_f, n_s))
        drift = rng.random((n_f, n_s)) < cfg.rate("inventory_disagreement")
        sf_avail = np.where(drift, np.maximum(avail + rng.integers(-30, 31, (n_f, n_s)) + (
            rng.integers(0, 2, (n_f, n_s)) * 2 - 1), 0), avail)
        fi, si = np.meshgrid(np.arange(n_f), np.arange(n_s), indexing="ij")
        snap_us = (day + 1) * DAY_US + 2 * HOUR_US
        wms_rows.append((np.full(fi.size, day), fi.ravel(), skus[si.ravel()], on_hand.ravel(),
                         avail.ravel(), sf_avail.ravel(), drift.ravel(), snap_us))
    day = np.concatenate([r[0] for r in wms_rows])
    fci = np.concatenate([r[1] for r in wms_rows])
    sku = np.concatenate([r[2] for r in wms_rows])
    on_hand = np.concatenate([r[3] for r in wms_rows])
    avail = np.concatenate([r[4] for r in wms_rows])
    sf_avail = np.concatenate([r[5] for r in wms_rows])
    drift = np.concatenate([r[6] for r in wms_rows])
    snap = (day + 1) * DAY_US + 2 * HOUR_US
    fc_ids = np.array([x.fc_id for x in fcs], dtype=object)
    date_arr = pa.array(day.astype("datetime64[D]"), pa.date32())
    sku_s = pa.array(np.array(catalog.skus, dtype=object)[sku], pa.string())
    fc_s = pa.array(fc_ids[fci], pa.string())
    wms = pa.table({"snapshot_date": date_arr, "fc_id": fc_s, "sku": sku_s,
                    "on_hand_qty": pa.array(on_hand, pa.int32()),
                    "available_qty": pa.array(avail, pa.int32()), "_loaded_at": ts(snap)})
    sf = pa.table({"snapshot_date": date_arr, "fc_id": fc_s, "sku": sku_s,
                   "available_qty": pa.array(sf_avail, pa.int32()),
                   "_loaded_at": ts(snap + 10 * MIN_US)})
    faults.add("inventory_disagreement", "wms", "inventory", t.cat(
        fc_s.filter(pa.array(drift)), "|", sku_s.filter(pa.array(drift)), "|",
        pc.cast(date_arr.filter(pa.array(drift)), pa.string())))
    # inventory changes that the integration layer pushes to the storefront
    prev_key = np.r_[-1, (fci * 10**6 + sku)[:-1]]
    prev_avail = np.r_[-1, avail[:-1]]
    order = np.lexsort((day, sku, fci))
    key_sorted = (fci * 10**6 + sku)[order]
    avail_sorted = avail[order]
    changed_sorted = np.r_[True, (key_sorted[1:] != key_sorted[:-1]) | (
        avail_sorted[1:] != avail_sorted[:-1])]
    changed = np.zeros(day.size, dtype=bool)
    changed[order] = changed_sorted
    del prev_key, prev_avail
    row_key = 3 * 10**12 + day.astype(np.int64) * 10**6 + fci * 10**4 + sku
    return {"inventory_snapshots": wms, "inventory_levels": sf, "inv_changed": changed,
            "inv_row_key": row_key,
            "inv_snap_us": snap, "inv_key": t.cat(fc_s, "|", sku_s, "|", pc.cast(
                date_arr, pa.string())), "inv_drift": drift, "inv_avail": avail,
            "inv_sf_avail": sf_avail}


def crm_tables(cfg: GeneratorConfig, o: Orders, f: Fulfilment, accounts: dict,
               window_start_us: int, as_of_us: int, faults: Faults) -> dict:
    rng = np.random.default_rng([cfg.seed, 23])
    contacts = accounts["contacts"]
    m = contacts.num_rows
    cid = contacts.column("contact_id").combine_chunks()
    span = cfg.days * DAY_US  # the base window: appending days must not move these
    rows = {k: [] for k in ("contact", "field", "old", "new", "at", "key")}

    def add(idx: np.ndarray, field_name: str, old, new, at: np.ndarray,  # noqa: ANN001
            key: np.ndarray) -> None:
        rows["key"].append(np.asarray(key, dtype=np.int64))
        rows["contact"].append(idx)
        rows["field"].append(np.full(idx.size, field_name, dtype=object))
        rows["old"].append(np.asarray(old, dtype=object))
        rows["new"].append(np.asarray(new, dtype=object))
        rows["at"].append(np.asarray(at, dtype=np.int64))

    tiers = ["none", "silver", "gold", "platinum"]
    tier_rank = {x: i for i, x in enumerate(tiers)}
    vip = np.flatnonzero(rng.random(m) < cfg.rate("vip_change"))
    cur = accounts["crm_tier"][vip]
    r = np.array([tier_rank[x] for x in cur], dtype=np.int64)
    down = (r > 0) & (rng.random(vip.size) < 0.5)
    new_r = np.where(down, r - 1, np.minimum(r + 1, 3))
    keep = new_r != r
    vip, r, new_r = vip[keep], r[keep], new_r[keep]
    vip_at = window_start_us + (rng.random(vip.size) * span).astype(np.int64)
    add(vip, "vip_tier", np.array(tiers, dtype=object)[r], np.array(tiers, dtype=object)[new_r],
        vip_at, 5 * 10**12 + vip * 8 + 1)
    # stale addresses that somebody fixed during the window
    stale = np.flatnonzero(accounts["crm_stale"])
    fixed = stale[rng.random(stale.size) < 0.25]
    fix_at = window_start_us + (rng.random(fixed.size) * span).astype(np.int64)
    pc_old = contacts.column("postal_code").combine_chunks().take(pa.array(fixed)).to_numpy(
        zero_copy_only=False)
    owner = accounts["crm_owner"][fixed]
    add(fixed, "postal_code", pc_old, np.array(accounts["true_postal"], dtype=object)[owner],
        fix_at, 5 * 10**12 + fixed * 8 + 2)
    # payment holds, written on the person's main contact
    hold = np.flatnonzero(f.hold_start_us >= 0)
    hc = accounts["crm_contact"][o.person[hold]]
    ok = hc >= 0
    hold, hc = hold[ok], hc[ok]
    hold_u = Keyed(o.order_no[hold], cfg.seed, 231).random(hc.size)
    add(hc, "payment_hold", np.full(hc.size, "false"), np.full(hc.size, "true"),
        o.placed_us[hold] - ((1 + hold_u * 5) * HOUR_US).astype(np.int64),
        10**12 + o.order_no[hold] * 4 + 1)
    add(hc, "payment_hold", np.full(hc.size, "true"), np.full(hc.size, "false"),
        f.hold_end_us[hold] - 5 * MIN_US, 10**12 + o.order_no[hold] * 4 + 2)
    faults.add("payment_hold", "crm", "order", order_ids(o, hold), True)
    faults.add("stale_crm_address", "crm", "contact", cid.filter(pa.array(
        accounts["crm_stale"])))
    faults.add("duplicate_contact", "crm", "contact", cid.filter(pa.array(
        accounts["crm_is_dup"])))
    faults.add("vip_tier_change", "crm", "contact", cid.take(pa.array(vip)))

    c_idx = np.concatenate(rows["contact"])
    at = np.concatenate(rows["at"])
    at -= at % US
    ckey = np.concatenate(rows["key"])
    srt = np.lexsort((ckey, at))
    changes = pa.table({
        "change_id": t.cat("CHG-", t.num(np.arange(1, c_idx.size + 1), 8)),
        "contact_id": cid.take(pa.array(c_idx[srt])),
        "field_name": pa.array(np.concatenate(rows["field"])[srt], pa.string()),
        "old_value": pa.array(np.concatenate(rows["old"])[srt], pa.string()),
        "new_value": pa.array(np.concatenate(rows["new"])[srt], pa.string()),
        "changed_at": ts(at[srt]),
        "_loaded_at": ts(at[srt] + 3 * US),
    })
    # consent: an initial grant for many contacts, flips for some during the window
    created = contacts.column("created_at").to_numpy().astype("datetime64[us]").astype(np.int64)
    g = np.flatnonzero(rng.random(m) < 0.45)
    flip = g[rng.random(g.size) < cfg.rate("consent_flip") * 5]
    flip_at = window_start_us + (rng.random(flip.size) * span).astype(np.int64)
    ce_idx = np.concatenate([g, flip])
    ce_at = np.concatenate([created[g] + 60 * US, flip_at])
    ce_granted = np.concatenate([np.ones(g.size, bool), np.zeros(flip.size, bool)])
    ce_chan = np.where(rng.random(ce_idx.size) < 0.7, "email", "sms")
    ce_chan[g.size:] = ce_chan[:g.size][np.searchsorted(g, flip)]
    ce_at -= ce_at % US
    consent = pa.table({
        "consent_event_id": t.cat("CNS-", t.num(np.arange(1, ce_idx.size + 1), 8)),
        "contact_id": cid.take(pa.array(ce_idx)),
        "channel": pa.array(ce_chan, pa.string()),
        "is_granted": pa.array(ce_granted, pa.bool_()),
        "occurred_at": ts(ce_at),
        "_loaded_at": ts(ce_at + 2 * US),
    })
    faults.add("consent_flip", "crm", "contact", cid.take(pa.array(flip)))
    # erasure requests (GDPR) for a few people, on their main contact
    main = np.flatnonzero(~accounts["crm_is_dup"])
    er = main[rng.random(main.size) < cfg.rate("erasure_request")]
    er_at = window_start_us + (rng.random(er.size) * span).astype(np.int64)
    er_at -= er_at % US
    erasure = pa.table({
        "request_id": t.cat("ERQ-", t.num(np.arange(1, er.size + 1), 6)),
        "contact_id": cid.take(pa.array(er)),
        "email": contacts.column("email").combine_chunks().take(pa.array(er)),
        "requested_at": ts(er_at),
        "_loaded_at": ts(er_at + 10 * US),
    })
    faults.add("erasure_request", "crm", "contact", cid.take(pa.array(er)))
    return {"contact_changes": changes, "consent_events": consent, "erasure_requests": erasure,
            "change_contact": c_idx[srt], "change_at": at[srt], "change_key": ckey[srt],
            "consent_at": ce_at, "consent_key": 2 * 10**12 + ce_idx * 4 + np.r_[
                np.zeros(g.size, np.int64), np.ones(flip.size, np.int64)],
            "erased_persons": accounts["crm_owner"][er],
            "vip_down_at": vip_at[new_r < r]}


def support_and_returns(cfg: GeneratorConfig, o: Orders, f: Fulfilment, people: pp.People,
                        sf: dict, oms: dict, catalog: Catalog, as_of_us: int,
                        faults: Faults) -> dict:
    u = lambda name: o.u[:, UC[name]]  # noqa: E731
    last_del = oms["last_delivered_us"]
    delivered = (last_del >= 0) & ~oms["any_undelivered"]
    prom_end = (o.promised_day + 1) * DAY_US  # approx. end of the promised day (UTC)
    cats, order_i, created, codes = [], [], [], []

    def add(cat: str, idx: np.ndarray, at: np.ndarray) -> None:
        codes.append(np.full(idx.size, len(codes), dtype=np.int64))
        cats.append(np.full(idx.size, cat, dtype=object))
        order_i.append(idx)
        created.append(at.astype(np.int64))

    # WISMO: the parcel went quiet, or the promised day passed without a delivery
    stale_p = np.flatnonzero(f.pkg_stale)
    sp_o = f.pkg_order[stale_p]
    w1 = stale_p[u("ticket")[sp_o] < 0.6]
    gap_start = f.slot_us[w1, SLOT["depart"]]
    add("wismo", f.pkg_order[w1], gap_start + ((3.2 + u("ticket_time")[f.pkg_order[w1]]) *
                                               DAY_US).astype(np.int64))
    del_day = np.where(last_del >= 0, local_day(np.maximum(last_del, 0), o.dest_zone), -1)
    late = np.flatnonzero(((del_day > o.promised_day) | (~delivered & ~o.cancelled)) & (
        u("ticket") >= 0.6) & (u("ticket") < 0.85))
    add("wismo", late, prom_end[late] + ((2 + u("ticket_time")[late] * 20) * HOUR_US).astype(
        np.int64))
    dmg = np.flatnonzero((o.material == "damaged_in_transit") & (u("ticket") < 0.7))
    add("damaged", dmg, o.placed_us[dmg] + ((4 + u("ticket_time")[dmg] * 3) * DAY_US).astype(
        np.int64))
    wrong = np.flatnonzero(np.isin(o.material, ["mis_pick", "short_ship"]) & delivered & (
        u("ticket") < 0.5))
    add("wrong_item", wrong, last_del[wrong] + ((3 + u("ticket_time")[wrong] * 40) * HOUR_US
                                                ).astype(np.int64))
    ret = np.flatnonzero(delivered & (u("return") < cfg.noise["customer_return"]))
    add("return", ret, last_del[ret] + ((1 + u("ticket_time")[ret] * 6) * DAY_US).astype(
        np.int64))
    billing = np.flatnonzero((u("ticket") > 0.985) & (u("ticket_time") < 0.5))
    other = np.flatnonzero((u("ticket") > 0.985) & (u("ticket_time") >= 0.5))
    add("billing", billing, o.placed_us[billing] + DAY_US)
    add("other", other, o.placed_us[other] + 2 * DAY_US)
    cat = np.concatenate(cats)
    oi = np.concatenate(order_i)
    at = np.concatenate(created)
    at -= at % US
    tkey = o.order_no[oi] * 8 + np.concatenate(codes)
    srt = np.lexsort((tkey, at))
    cat, oi, at, tkey = cat[srt], oi[srt], at[srt], tkey[srt]
    k = oi.size
    rng = Keyed(tkey, cfg.seed, 24)
    ref_style = rng.random(k)
    oid = order_ids(o, oi)
    order_ref = t.where(ref_style < 0.65, t.cat("#", oid),
                        t.where(ref_style < 0.78, t.lower(oid), t.cat("Order ", oid)))
    order_ref = t.null_where(ref_style >= 0.9, order_ref)
    person = pa.array(o.person[oi])
    req_email = pp.noisy_email(people.email.take(person), rng, plus=0.05, case=0.15, dots=0.1,
                               pad=0.02)
    fn, ln, _ = pp.noisy_names(people.first.take(person), people.last.take(person), rng,
                               typo=0.03, swap=0.02, case=0.2, deaccent=0.2)
    resolved = at + ((1 + rng.gamma(1.5, 18, k)) * HOUR_US).astype(np.int64)
    resolved -= resolved % US
    never = rng.random(k) < 0.12
    base = {"wismo": 3.2, "damaged": 2.8, "wrong_item": 3.0, "return": 4.1, "billing": 3.9,
            "other": 4.0}
    mean = np.array([base[c] for c in cat])
    csat = np.clip(np.round(mean + rng.normal(0, 0.9, k)), 1, 5).astype(np.int64)
    has_csat = ~never & (rng.random(k) < 0.65)
    ticket_id = t.cat("TKT-", t.num(tkey, 10))
    # A ticket arrives when it is opened, and again (updated) when it is resolved.
    opened = pa.table({
        "ticket_id": ticket_id,
        "category": pa.array(cat, pa.string()),
        "order_reference": order_ref,
        "requester_email": req_email,
        "requester_name": t.cat(fn, " ", ln),
        "created_at": ts(at),
        "resolved_at": ts(np.full(k, -1)),
        "csat": pa.nulls(k, pa.int32()),
        "_loaded_at": ts(at + 30 * US),
    })
    closed = opened.set_column(6, "resolved_at", ts(resolved)).set_column(
        7, "csat", pa.array(np.where(has_csat, csat, 0), pa.int32(), mask=~has_csat)
    ).set_column(8, "_loaded_at", ts(resolved + 30 * US))
    closed = closed.filter(pa.array(~never))
    tickets = pa.concat_tables([opened, closed])
    tickets = tickets.filter(pc.less(tickets.column("_loaded_at"), pa.scalar(
        np.datetime64(as_of_us, "us"), pa.timestamp("us"))))
    keep = at + 30 * US < as_of_us
    is_resolved = ~never & (resolved + 30 * US < as_of_us)
    faults.add("ticket_without_order_reference", "support", "ticket", ticket_id.filter(
        pa.array(keep & (ref_style >= 0.9))))

    # RMAs: customer returns and wrong items sent back
    wr_u = Keyed(o.order_no[wrong], cfg.seed, 241).random(wrong.size)
    rma_o = np.unique(np.concatenate([ret, wrong[wr_u < 0.5]]))
    rr = Keyed(o.order_no[rma_o], cfg.seed, 242)
    p1 = np.searchsorted(f.pkg_order, rma_o)
    created_r = last_del[rma_o] + ((2 + rr.random(rma_o.size) * 8) * DAY_US).astype(np.int64)
    created_r -= created_r % US
    received = created_r + ((3 + rr.random(rma_o.size) * 4) * DAY_US).astype(np.int64)
    first_line = np.searchsorted(f.sl_pkg, p1)
    r_open = pa.table({
        "rma_id": t.cat("RMA-", t.num(o.order_no[rma_o], 8)),
        "order_id": order_ids(o, rma_o),
        "shipment_id": t.cat("SHP-", t.num(o.order_no[rma_o], 8), "-1"),
        "sku": pa.array(np.array(catalog.skus, dtype=object)[f.sl_sku[first_line]],
                        pa.string()),
        "quantity": pa.array(np.ones(rma_o.size, dtype=np.int32)),
        "reason": pa.array(np.where(np.isin(o.material[rma_o], ["mis_pick", "short_ship"]),
                                    "wrong_item", "changed_mind"), pa.string()),
        "created_at": ts(created_r),
        "received_at": ts(np.full(rma_o.size, -1)),
        "_loaded_at": ts(created_r + 60 * US),
    })
    r_recv = r_open.set_column(7, "received_at", ts(received)).set_column(
        8, "_loaded_at", ts(received + 60 * US))
    returns = pa.concat_tables([r_open, r_recv])
    returns = returns.filter(pc.less(returns.column("_loaded_at"), pa.scalar(
        np.datetime64(as_of_us, "us"), pa.timestamp("us"))))
    # refunds: cancellations and returns
    canc = np.flatnonzero(o.cancelled)
    ref_o = np.concatenate([canc, rma_o])
    ref_at = np.concatenate([o.placed_us[canc] + 12 * HOUR_US, received])
    ref_at -= ref_at % US
    ref_amount = np.concatenate([sf["total_latest"][canc], (sf["total_latest"][rma_o] // 2)])
    refunds = pa.table({
        "refund_id": t.cat("RF-", t.num(o.order_no[ref_o], 8), t.pick(["C", "R"], np.r_[
            np.zeros(canc.size, np.int64), np.ones(rma_o.size, np.int64)])),
        "order_id": order_ids(o, ref_o),
        "amount": money(ref_amount, o.country[ref_o]),
        "currency": pa.array([CURRENCY[c] for c in o.country[ref_o]], pa.string()),
        "reason": pa.array(np.r_[np.full(canc.size, "cancelled"), np.full(rma_o.size, "return")],
                           pa.string()),
        "refunded_at": ts(ref_at),
        "_loaded_at": ts(ref_at + 30 * US),
    }).filter(pa.array(ref_at < as_of_us))
    return {"tickets": tickets, "returns": returns, "refunds": refunds,
            "ticket_order": oi[keep], "ticket_cat": cat[keep], "ticket_at": at[keep],
            "ticket_resolved_at": np.where(is_resolved, resolved, -1)[keep],
            "ticket_csat": np.where(has_csat & is_resolved, csat, -1)[keep],
            "ticket_has_ref": ~(ref_style >= 0.9)[keep], "ticket_ids": ticket_id.filter(
                pa.array(keep)),
            "rma_orders": rma_o[created_r + 60 * US < as_of_us]}


def sync_attempts(cfg: GeneratorConfig, o: Orders, f: Fulfilment, crm: dict, inv: dict,
                  accounts: dict, as_of_us: int, faults: Faults) -> tuple[pa.Table, dict]:
    """Every cross-system change and each attempt to deliver it, retries and replays included.

    Patterns: a clean first-try success; a 429, 401 or 5xx followed by a successful retry;
    a dead letter that an operator replays hours later; a dead letter nobody replays; and
    duplicate replays of changes that had already arrived (which must stay idempotent).
    """
    # --- the changes --------------------------------------------------------------
    ent, eid, cid, src, tgt, chg, pattern, target_us, keys = [], [], [], [], [], [], [], [], []

    def add(entity: str, ids: pa.Array, change_ids: pa.Array, s: str, d: str, at: np.ndarray,
            pat: np.ndarray, tgt_us: np.ndarray, key: np.ndarray) -> None:
        keys.append(np.asarray(key, dtype=np.int64))
        ent.append(np.full(at.size, entity, dtype=object))
        eid.append(ids)
        cid.append(change_ids)
        src.append(np.full(at.size, s, dtype=object))
        tgt.append(np.full(at.size, d, dtype=object))
        chg.append(at.astype(np.int64))
        pattern.append(pat)
        target_us.append(tgt_us.astype(np.int64))

    for v in range(3):
        idx = np.flatnonzero(o.n_versions > v)
        at = o.version_us[idx, v]
        pat = np.full(idx.size, "auto", dtype=object)
        if v == 0:
            mat = o.material[idx]
            pat[mat == "late_order_sync"] = "dlq_replay"
            pat[mat == "never_reached_oms"] = "dlq_dead"
        tgt_us = np.where(pat == "dlq_replay", f.oms_created_us[idx], -1)
        oid = order_ids(o, idx)
        add("order", oid, t.cat(oid, "-v", t.num(np.full(idx.size, v + 1))), "storefront", "oms",
            at, pat, tgt_us, o.order_no[idx] * 4 + v)
    contacts_id = accounts["contacts"].column("contact_id").combine_chunks()
    cc = crm["contact_changes"]
    add("customer", contacts_id.take(pa.array(crm["change_contact"])),
        cc.column("change_id").combine_chunks(), "crm", "storefront", crm["change_at"],
        np.full(cc.num_rows, "auto", dtype=object), np.full(cc.num_rows, -1), crm["change_key"])
    ce = crm["consent_events"]
    add("customer", ce.column("contact_id").combine_chunks(),
        ce.column("consent_event_id").combine_chunks(), "crm", "storefront", crm["consent_at"],
        np.full(ce.num_rows, "auto", dtype=object), np.full(ce.num_rows, -1),
        crm["consent_key"])
    ch = inv["inv_changed"]
    inv_at = inv["inv_snap_us"][ch]
    add("inventory", inv["inv_key"].filter(pa.array(ch)),
        t.cat("inv-", inv["inv_key"].filter(pa.array(ch))), "wms", "storefront", inv_at,
        np.full(int(ch.sum()), "auto", dtype=object), np.full(int(ch.sum()), -1),
        inv["inv_row_key"][ch])

    entity = np.concatenate(ent)
    at = np.concatenate(chg)
    pat = np.concatenate(pattern)
    target = np.concatenate(target_us)
    ids = pa.concat_arrays([a.cast(pa.string()) for a in eid])
    change_ids = pa.concat_arrays([a.cast(pa.string()) for a in cid])
    n = at.size
    ckey = np.concatenate(keys)
    if np.unique(ckey).size != ckey.size:
        raise ValueError("sync change keys collide: attempt ids would not be unique")
    rng = Keyed(ckey, cfg.seed, 25)
    r = rng.random(n)
    u_http = rng.random(n)
    u_http2 = rng.random(n)
    u_retry = rng.random(n)
    u_dup = rng.random(n)
    u_dup_t = rng.random(n)
    auto = pat == "auto"
    r429 = cfg.rate("sync_429")
    r401 = cfg.rate("sync_401")
    r5xx = cfg.rate("sync_5xx")
    pat = np.where(auto & (r < r429), "429", pat)
    pat = np.where(auto & (r >= r429) & (r < r429 + r401), "401", pat)
    pat = np.where(auto & (r >= r429 + r401) & (r < r429 + r401 + r5xx), "5xx", pat)
    pat = np.where(pat == "auto", "ok", pat)
    # first-attempt delay by entity: orders in seconds, customers tens of seconds, inventory
    # up to a couple of minutes (batch pushes)
    scale = np.select([entity == "order", entity == "customer"], [4.0, 11.0], 24.0)
    first = at + (rng.gamma(1.6, scale, n) * US).astype(np.int64) + 300_000

    a_ch, a_num, a_at, a_http, a_out, a_rep = [], [], [], [], [], []

    def att(rows: np.ndarray, num: int, when: np.ndarray, http, out: str,  # noqa: ANN001
            replay: bool = False) -> None:
        a_ch.append(rows)
        a_num.append(np.full(rows.size, num))
        a_at.append(when.astype(np.int64))
        a_http.append(np.broadcast_to(np.asarray(http, dtype=np.int64), rows.shape).copy())
        a_out.append(np.full(rows.size, out, dtype=object))
        a_rep.append(np.full(rows.size, replay))

    ok = np.flatnonzero(pat == "ok")
    att(ok, 1, first[ok], 200, "success")
    for code, lo, hi in (("429", 2, 30), ("401", 30, 200), ("5xx", 5, 60)):
        rows = np.flatnonzero(pat == code)
        http = {"429": 429, "401": 401}.get(code)
        if http is None:
            http = np.where(u_http[rows] < 0.5, 503, -1)
        att(rows, 1, first[rows], http, "retry")
        att(rows, 2, first[rows] + ((lo + u_retry[rows] * (hi - lo)) * US).astype(
            np.int64), 201 if code == "401" else 200, "success")
    for code in ("dlq_replay", "dlq_dead"):
        rows = np.flatnonzero(pat == code)
        offs = [0, 30, 120, 600]
        for k, off in enumerate(offs):
            uh = (u_http[rows] * (k + 3) + u_http2[rows]) % 1.0
            http = np.where(uh < 0.6, 503, np.where(u_http2[rows] < 0.5, 500, -1))
            att(rows, k + 1, first[rows] + off * US, http,
                "dead_letter" if k == len(offs) - 1 else "retry")
        if code == "dlq_replay":
            att(rows, 5, target[rows], 200, "success", True)
    # duplicate replays of changes that had already been delivered: idempotent no-ops
    dup = ok[u_dup[ok] < cfg.rate("sync_duplicate_replay")]
    att(dup, 2, first[dup] + ((1 + u_dup_t[dup] * 2) * HOUR_US).astype(np.int64), 200,
        "success", True)

    rows = np.concatenate(a_ch)
    when = np.concatenate(a_at)
    when -= when % 1000
    num = np.concatenate(a_num)
    srt = np.lexsort((num, ckey[rows], when))
    rows, when, num = rows[srt], when[srt], num[srt]
    http = np.concatenate(a_http)[srt]
    out = np.concatenate(a_out)[srt]
    rep = np.concatenate(a_rep)[srt]
    rt = pa.array(rows)
    table = pa.table({
        "attempt_id": t.cat("ATT-", t.num(ckey[rows], 13), "-", t.num(num)),
        "entity": pa.array(entity[rows], pa.string()),
        "entity_id": ids.take(rt),
        "change_id": change_ids.take(rt),
        "source_system": pa.array(np.concatenate(src)[rows], pa.string()),
        "target_system": pa.array(np.concatenate(tgt)[rows], pa.string()),
        "source_changed_at": ts(at[rows]),
        "attempted_at": ts(when),
        "attempt_number": pa.array(num, pa.int32()),
        "http_status": pa.array(np.where(http < 0, 0, http), pa.int32(), mask=http < 0),
        "outcome": pa.array(out, pa.string()),
        "is_replay": pa.array(rep, pa.bool_()),
        "idempotency_key": t.cat("idem-", change_ids.take(rt)),
        "_loaded_at": ts(when + US),
    })
    keep = (when + US) < as_of_us
    table = table.filter(pa.array(keep))
    faults.add("rate_limited", "integration", "change", change_ids.filter(pa.array(pat == "429")))
    faults.add("expired_token", "integration", "change", change_ids.filter(pa.array(pat == "401")))
    faults.add("dead_letter", "integration", "change", change_ids.filter(pa.array(np.isin(
        pat, ["dlq_replay", "dlq_dead"]))))
    faults.add("duplicate_replay", "integration", "change", change_ids.take(pa.array(dup)))
    faults.add("late_order_sync", "integration", "order", ids.filter(pa.array(
        pat == "dlq_replay")), True)
    faults.add("never_reached_oms", "integration", "order", ids.filter(pa.array(
        pat == "dlq_dead")), True)
    first_success = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    sm = out == "success"
    np.minimum.at(first_success, rows[sm], when[sm])
    info = {"rows": rows[keep], "when": when[keep], "http": http[keep], "out": out[keep],
            "entity": entity, "changed": at, "n_changes": n,
            "order_v0_change": np.arange(o.n), "first_success": first_success}
    return table, info
