"""The order lifecycle: placement, the promise in force, faults, and what physically happened.

Each placement day has its own random stream, drawn as a fixed-width matrix of uniforms per
order. Every decision about an order reads its own columns of that matrix, so a day's orders
come out the same whether 120 or 121 days are generated.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from order_truth.generate import reference as ref
from order_truth.generate.catalog import CHANNEL_WEIGHTS, CHANNELS, Catalog, Promo
from order_truth.generate.config import WRONG_ADDRESS_VERSION_SHARE, GeneratorConfig
from order_truth.generate.people import People
from order_truth.generate.tz import DAY_US, US, to_local, to_utc, zone_codes

HOUR_US = 3600 * US
MIN_US = 60 * US
CARRIERS_BY_COUNTRY = {
    "US": (["ups", "fedex", "usps", "dhl_ecommerce", "easypost", "aftership"],
           [0.30, 0.25, 0.20, 0.10, 0.08, 0.07]),
    "CA": (["canada_post", "ups", "aftership"], [0.70, 0.15, 0.15]),
    "DE": (["dhl_parcel_de", "gls", "dhl_express"], [0.60, 0.25, 0.15]),
    "GB": (["dhl_ecommerce_europe", "dhl_express", "gls", "aftership"],
           [0.50, 0.20, 0.15, 0.15]),
}
SERVICE_WEIGHTS = {"economy": 0.15, "standard": 0.50, "expedited": 0.15, "two_day": 0.12,
                   "next_day": 0.08}
US_EAST = {"NY", "MA", "PA", "FL", "GA"}
US_WEST = {"AZ", "CA", "WA"}

# Named columns of the per-order uniform matrix. Append new names at the end only.
U_COLS = [
    "person", "tod", "channel", "guest", "account", "n_lines", "l0", "l1", "l2", "l3",
    "q0", "q1", "q2", "q3", "promo_take", "promo_pick", "service", "fc_cross", "fc_pick",
    "carrier", "material", "material_pick", "cancel", "edit", "edit_kind", "v3", "edit_time",
    "wrong_addr", "transit", "delay_days", "collect_days", "redirect", "split", "split_line",
    "mis_line", "mis_sku", "dup_webhook", "malformed", "status_lag", "stale", "sync_kind",
    "sync_lag", "hold_hours", "late_sync_hours", "pickup_time", "deliver_time", "return",
    "ticket", "ticket_time", "csat", "backorder_days", "oms_lag", "misc1", "misc2", "misc3",
]
UC = {name: i for i, name in enumerate(U_COLS)}


@dataclass
class Orders:
    n: int
    order_no: np.ndarray
    u: np.ndarray
    day: np.ndarray
    placed_us: np.ndarray
    person: np.ndarray
    country: np.ndarray
    dest_zone: np.ndarray
    channel: np.ndarray
    account: np.ndarray  # index into storefront accounts, -1 = guest
    n_lines: np.ndarray
    line_sku: np.ndarray  # (n, 4) sku index, -1 unused
    line_qty: np.ndarray
    promo: np.ndarray
    service: np.ndarray  # index into SERVICE names
    sl_days: np.ndarray
    fc: np.ndarray
    lane_min: np.ndarray
    carrier: np.ndarray  # str
    claim_applies: np.ndarray
    claim_days: np.ndarray
    promise_days: np.ndarray
    promise_source: np.ndarray
    planned_ship_day: np.ndarray
    promised_day: np.ndarray
    claim_day: np.ndarray
    infeasible: np.ndarray
    material: np.ndarray  # str fault class or ""
    cancelled: np.ndarray
    n_versions: np.ndarray
    edit_kind: np.ndarray  # 0 none, 1 address, 2 lines
    version_us: np.ndarray  # (n, 3) updated_at per version, -1 absent
    wrong_address: np.ndarray
    has_unmapped: np.ndarray
    extra: dict = field(default_factory=dict)


def daily_counts(cfg: GeneratorConfig, start_day: int) -> np.ndarray:
    """Orders per day: weekly seasonality and a gentle upward trend, summing to --orders."""
    total_days = cfg.days + cfg.extra_days
    d = np.arange(total_days)
    weekday = (start_day + d + 3) % 7
    week_factor = np.array([1.05, 1.0, 0.98, 1.0, 1.08, 0.85, 0.92])[weekday]
    trend = 1.0 + 0.25 * d / max(cfg.days, 1)
    w = week_factor * trend
    base = cfg.orders / w[: cfg.days].sum()
    raw = w * base
    counts = np.floor(raw).astype(np.int64)
    rem = cfg.orders - counts[: cfg.days].sum()
    order = np.argsort(-(raw[: cfg.days] - counts[: cfg.days]), kind="stable")[:rem]
    counts[order] += 1
    return np.maximum(counts, 0)


def _uniforms(seed: int, counts: np.ndarray) -> np.ndarray:
    parts = [np.random.default_rng([seed, 100, i]).random((int(c), len(U_COLS)))
             for i, c in enumerate(counts)]
    return np.vstack(parts) if parts else np.zeros((0, len(U_COLS)))


def _pick(u: np.ndarray, weights: list[float]) -> np.ndarray:
    cw = np.cumsum(weights) / np.sum(weights)
    return np.minimum(np.searchsorted(cw, u, side="right"), len(weights) - 1)


def simulate_orders(cfg: GeneratorConfig, start_day: int, people: People, accounts: dict,
                    catalog: Catalog, promos: list[Promo], cals: dict[str, ref.Calendar],
                    fcs: list[ref.FC], lanes: dict, service_levels: list,
                    zones: dict) -> Orders:
    counts = daily_counts(cfg, start_day)
    u = _uniforms(cfg.seed, counts)
    n = u.shape[0]
    col = lambda name: u[:, UC[name]]  # noqa: E731
    day = np.repeat(start_day + np.arange(counts.size), counts)
    order_no = np.arange(1, n + 1)

    # Who orders: heavy buyers order more often.
    cw = np.cumsum(people.weight)
    person = np.minimum(np.searchsorted(cw, col("person") * cw[-1]), people.n - 1)
    country = people.country[person]
    p_city = np.array(people.city.to_pylist(), dtype=object)
    pairs, inv = np.unique(np.char.add(np.char.add(people.country.astype(str), "|"),
                                       p_city.astype(str)), return_inverse=True)
    pair_zone = zone_codes([zones.get((x.split("|")[0], ref_city(x.split("|")[1])),
                                      zones[(x.split("|")[0], "")]) for x in pairs])
    cities = p_city[person]
    dest_zone = pair_zone[inv][person]
    # Placement time: evening-heavy local time of day.
    tod_h = np.where(col("tod") < 0.6, 17 + col("tod") / 0.6 * 6.9,
                     7 + (col("tod") - 0.6) / 0.4 * 10)
    local_us = day * DAY_US + (tod_h * HOUR_US).astype(np.int64)
    placed_us = to_utc(local_us, dest_zone)
    placed_us = placed_us - placed_us % US  # whole seconds
    channel = _pick(col("channel"), CHANNEL_WEIGHTS)

    acc_first = accounts["first_account"][person]
    acc_second = accounts["second_account"][person]
    is_guest = (acc_first < 0) | (col("guest") < cfg.noise["guest_checkout_registered"])
    account = np.where(is_guest, -1,
                       np.where((acc_second >= 0) & (col("account") < 0.3), acc_second,
                                acc_first))

    n_lines = 1 + _pick(col("n_lines"), [0.55, 0.28, 0.12, 0.05])
    cpop = np.cumsum(catalog.popularity)
    line_sku = np.full((n, 4), -1, dtype=np.int64)
    line_qty = np.zeros((n, 4), dtype=np.int64)
    for j in range(4):
        has = n_lines > j
        sku = np.minimum(np.searchsorted(cpop, col(f"l{j}")), len(catalog.skus) - 1)
        line_sku[has, j] = sku[has]
        line_qty[has, j] = 1 + _pick(col(f"q{j}"), [0.75, 0.18, 0.07])[has]
    # no duplicate SKU within an order: later duplicates fold into a distinct neighbour
    for j in range(1, 4):
        for k in range(j):
            clash = (line_sku[:, j] == line_sku[:, k]) & (line_sku[:, j] >= 0)
            line_sku[clash, j] = (line_sku[clash, j] + 7 * (j + 1)) % (len(catalog.skus) - 20)


    # Service level: the customer's choice, limited to what the lane can physically do.
    fc_index = {f.fc_id: i for i, f in enumerate(fcs)}
    region = np.array(people.region.to_pylist(), dtype=object)[person]
    fc = np.empty(n, dtype=np.int64)
    us_home = np.where(np.isin(region, list(US_EAST)),
                       np.where(col("fc_pick") < 0.6, fc_index["FC-EWR1"], fc_index["FC-ATL1"]),
                       np.where(np.isin(region, list(US_WEST)), fc_index["FC-RNO1"],
                                np.where(col("fc_pick") < 0.5, fc_index["FC-ORD1"],
                                         fc_index["FC-DFW1"])))
    us_any = np.array([fc_index[f] for f in ("FC-EWR1", "FC-ATL1", "FC-DFW1", "FC-ORD1",
                                             "FC-RNO1")])[(col("fc_pick") * 5).astype(int) % 5]
    # Orders served from another FC (stock elsewhere) are an allocation fault: scaled by
    # --fault-rate, so a clean dataset ships everything from the home FC.
    cross = col("fc_cross") / max(min(cfg.fault_rate, 1.0), 1e-9)
    fc[:] = np.where(country == "US", np.where(cross < 0.05, us_any, us_home), 0)
    fc = np.where(country == "CA", np.where(cross < 0.10, np.where(
        col("fc_pick") < 0.5, fc_index["FC-EWR1"], fc_index["FC-ORD1"]), fc_index["FC-YYZ1"]), fc)
    fc = np.where(country == "DE", np.where(cross < 0.06, fc_index["FC-BHX1"],
                                            fc_index["FC-LEJ1"]), fc)
    fc = np.where(country == "GB", np.where(cross < 0.12, fc_index["FC-LEJ1"],
                                            fc_index["FC-BHX1"]), fc)
    fc_ids = np.array([f.fc_id for f in fcs], dtype=object)
    lane_min = np.array([lanes[(fc_ids[f], c)] for f, c in zip(fc, country, strict=True)])

    sl_names = list(SERVICE_WEIGHTS)
    service = _pick(col("service"), list(SERVICE_WEIGHTS.values()))
    sl_days = np.zeros(n, dtype=np.int64)
    for _ in range(2):
        for i, name in enumerate(sl_names):
            for sname, bdays, vfrom, vto in service_levels:
                if sname != name:
                    continue
                m = (service == i) & (day >= vfrom) & (day < vto)
                sl_days[m] = bdays
        too_fast = sl_days < lane_min
        service = np.where(too_fast, sl_names.index("expedited"), service)

    # Promotions: a share of orders placed during an eligible campaign use its code.
    promo = np.full(n, -1, dtype=np.int64)
    elig = np.zeros((n, len(promos)), dtype=bool)
    for p_i, p in enumerate(promos):
        elig[:, p_i] = (placed_us >= p.start_us) & (placed_us < p.end_us) & np.isin(
            country, p.regions)
    n_elig = elig.sum(axis=1)
    take = (n_elig > 0) & (col("promo_take") < 0.20)
    kth = np.minimum((col("promo_pick") * np.maximum(n_elig, 1)).astype(int), n_elig - 1)
    csum = np.cumsum(elig, axis=1)
    chosen = np.argmax(csum > kth[:, None], axis=1)
    promo[take] = chosen[take]
    # A promoted SKU goes into the basket.
    for p_i, p in enumerate(promos):
        m = promo == p_i
        line_sku[m, 0] = np.array(p.skus)[(col("misc1")[m] * len(p.skus)).astype(int)]
    for j in range(1, 4):
        clash = (line_sku[:, j] == line_sku[:, 0]) & (line_sku[:, j] >= 0)
        line_sku[clash, j] = (line_sku[clash, j] + 13) % (len(catalog.skus) - 20)

    # after every change to the basket: which orders carry a channel SKU nobody mapped
    has_unmapped = np.zeros(n, dtype=bool)
    for ch_name, sku_i in catalog.unmapped:
        ch = CHANNELS.index(ch_name)
        has_unmapped |= (channel == ch) & (line_sku == sku_i).any(axis=1)

    claim_days_arr = np.zeros(n, dtype=np.int64)
    claim_applies = np.zeros(n, dtype=bool)
    for p_i, p in enumerate(promos):
        if p.claim_days is None:
            continue
        m = promo == p_i
        flag_on = np.ones(n, dtype=bool)
        for f0, f1 in p.flag_off:
            flag_on &= ~((placed_us >= f0) & (placed_us < f1))
        m &= flag_on
        claim_applies |= m
        claim_days_arr[m] = p.claim_days
    promise_days = np.where(claim_applies, np.minimum(sl_days, claim_days_arr), sl_days)
    promise_source = np.where(claim_applies & (claim_days_arr < sl_days), "promo", "service_level")

    # The planned dispatch day: the FC's local day if before cut-off on a business day.
    fc_zone = zone_codes([f.time_zone for f in fcs])[fc]
    fc_country = np.array([f.country for f in fcs], dtype=object)[fc]
    cutoff = np.array([f.cutoff_minutes for f in fcs])[fc]
    planned_ship_day = ship_day_for(placed_us, fc_zone, fc_country, cutoff, cals)
    promised_day = add_bdays(planned_ship_day, promise_days, country, cals)
    claim_day = np.where(claim_applies, add_bdays(planned_ship_day, np.maximum(claim_days_arr, 1),
                                                  country, cals), -1)
    infeasible = claim_applies & (claim_days_arr < lane_min)

    # Carrier per destination.
    carrier = np.empty(n, dtype=object)
    for c, (names, weights) in CARRIERS_BY_COUNTRY.items():
        m = country == c
        carrier[m] = np.array(names, dtype=object)[_pick(col("carrier")[m], weights)]

    # Faults: at most one material fault per order; infeasible promo claims are their own.
    cancelled = (col("cancel") < cfg.rate("cancellation")) & ~infeasible
    names = list(cfg.material)
    rates = np.array([cfg.material_rate(k) for k in names])
    total = rates.sum()
    material = np.full(n, "", dtype=object)
    hit = (col("material") < total) & ~cancelled & ~infeasible
    if total > 0:
        which = np.array(names, dtype=object)[_pick(col("material_pick"), list(rates))]
        material[hit] = which[hit]
    # Payment holds need a CRM contact; short ships need something to short.
    no_crm = accounts["crm_contact"][person] < 0
    material[(material == "payment_hold") & no_crm] = "carrier_delay"
    single = ((n_lines == 1) & (line_qty[:, 0] == 1)
              & ~catalog.is_bundle[np.maximum(line_sku[:, 0], 0)])
    material[(material == "short_ship") & single] = "mis_pick"
    material[(material == "backorder") & (n_lines == 1)] = "carrier_delay"
    material[infeasible] = "promo_claim_infeasible"

    # Edits: new versions with a changed address or changed lines.
    edited = col("edit") < cfg.noise["address_edit"] + cfg.noise["line_edit"]
    edit_kind = np.where(edited, np.where(col("edit_kind") < cfg.noise["address_edit"] / (
        cfg.noise["address_edit"] + cfg.noise["line_edit"]), 1, 2), 0)
    n_versions = 1 + edited + (edited & (col("v3") < 0.2))
    version_us = np.full((n, 3), -1, dtype=np.int64)
    version_us[:, 0] = placed_us
    gap = (10 * MIN_US + col("edit_time") * 5 * HOUR_US).astype(np.int64)
    version_us[:, 1] = np.where(n_versions >= 2, placed_us + gap, -1)
    version_us[:, 2] = np.where(n_versions >= 3, placed_us + 2 * gap + 7 * MIN_US, -1)
    version_us -= np.where(version_us > 0, version_us % US, 0)
    eligible_wrong = (edit_kind == 1) & (material == "") & ~cancelled
    wrong_address = eligible_wrong & (
        col("wrong_addr") < min(WRONG_ADDRESS_VERSION_SHARE * cfg.fault_rate, 1.0))
    material[wrong_address] = "wrong_address_version"

    return Orders(n, order_no, u, day, placed_us, person, country, dest_zone, channel, account,
                  n_lines, line_sku, line_qty, promo, service, sl_days, fc, lane_min, carrier,
                  claim_applies, claim_days_arr, promise_days, promise_source, planned_ship_day,
                  promised_day, claim_day, infeasible, material, cancelled, n_versions,
                  edit_kind, version_us, wrong_address, has_unmapped,
                  extra={"fc_zone": fc_zone, "fc_country": fc_country, "cutoff": cutoff,
                         "dest_city": cities,
                         "dest_postal": np.array(people.postal.to_pylist(), dtype=object)[person]})


def ref_city(city: str) -> str:
    return city.lower()


def ship_day_for(ready_us: np.ndarray, fc_zone: np.ndarray, fc_country: np.ndarray,
                 cutoff_min: np.ndarray, cals: dict[str, ref.Calendar]) -> np.ndarray:
    """Dispatch day: the FC-local day when ready before cut-off on a business day, else the
    next business day in the FC's country."""
    local = to_local(ready_us, fc_zone)
    lday = np.floor_divide(local, DAY_US)
    minutes = (local - lday * DAY_US) // MIN_US
    out = np.empty(ready_us.size, dtype=np.int64)
    for c in np.unique(fc_country):
        m = fc_country == c
        cal = cals[c]
        is_b = cal.is_bday(lday[m])
        same = is_b & (minutes[m] < cutoff_min[m])
        out[m] = np.where(same, lday[m], cal.add(lday[m], np.ones(int(m.sum()), dtype=np.int64)))
    return out


def add_bdays(days: np.ndarray, n: np.ndarray, country: np.ndarray,
              cals: dict[str, ref.Calendar]) -> np.ndarray:
    out = np.empty(np.asarray(days).size, dtype=np.int64)
    n = np.broadcast_to(np.asarray(n), out.shape)
    for c in np.unique(country):
        m = country == c
        out[m] = cals[c].add(np.asarray(days)[m], n[m])
    return out


def bdays_between(start: np.ndarray, end: np.ndarray, country: np.ndarray,
                  cals: dict[str, ref.Calendar]) -> np.ndarray:
    out = np.zeros(np.asarray(start).size, dtype=np.int64)
    for c in np.unique(country):
        m = country == c
        out[m] = cals[c].count_between(np.asarray(start)[m], np.asarray(end)[m])
    return out
