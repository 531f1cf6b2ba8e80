"""Catalog, channel SKU map, promotions and feature flags.

These depend only on the seed and the base window, never on the number of days generated,
so appending a day cannot change them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from order_truth.generate.tz import DAY_US

N_SKUS = 480
N_BUNDLES = 20
CHANNELS = ["web", "app", "marketplace_amazon", "marketplace_ebay", "social_tiktok"]
CHANNEL_WEIGHTS = [0.45, 0.30, 0.15, 0.05, 0.05]
CATEGORIES = ["apparel", "footwear", "home", "kitchen", "electronics", "beauty", "toys",
              "outdoor"]


@dataclass
class Catalog:
    skus: list[str]  # simple SKUs then bundles
    is_bundle: np.ndarray
    category: list[str]
    weight_kg: np.ndarray
    price: np.ndarray  # USD list price
    popularity: np.ndarray  # probability per SKU
    bundle_components: list[tuple[str, str, int]]  # (bundle, component, qty)
    components_of: dict[int, list[tuple[int, int]]]  # bundle index -> [(sku index, qty)]
    channel_skus: dict[str, list[str]]  # channel -> channel_sku per SKU index
    unmapped: set[tuple[str, int]]  # (channel, sku index) with no map row


def make_catalog(seed: int) -> Catalog:
    rng = np.random.default_rng([seed, 2])
    n = N_SKUS + N_BUNDLES
    skus = [f"SKU-{i:05d}" for i in range(1, N_SKUS + 1)]
    skus += [f"BND-{i:04d}" for i in range(1, N_BUNDLES + 1)]
    is_bundle = np.arange(n) >= N_SKUS
    category = [CATEGORIES[i] for i in rng.integers(0, len(CATEGORIES), n)]
    weight = np.round(rng.gamma(2.0, 0.6, n) + 0.05, 2)
    price = np.round(rng.lognormal(3.2, 0.7, n), 2) + 0.99
    pop = 1.0 / np.arange(1, n + 1) ** 0.9
    pop = pop[rng.permutation(n)]
    pop /= pop.sum()
    components_of: dict[int, list[tuple[int, int]]] = {}
    rows = []
    for b in range(N_SKUS, n):
        k = int(rng.integers(2, 4))
        comps = rng.choice(N_SKUS, size=k, replace=False)
        components_of[b] = [(int(c), int(rng.integers(1, 3))) for c in comps]
        rows += [(skus[b], skus[c], q) for c, q in components_of[b]]
    channel_skus = {
        "web": list(skus),
        "app": list(skus),
        "marketplace_amazon": [f"B0{int(x):08X}" for x in rng.integers(0, 2**32, n)],
        "marketplace_ebay": [f"EB-{int(x):07d}" for x in rng.integers(0, 10**7, n)],
        "social_tiktok": [f"TT{int(x):09d}" for x in rng.integers(0, 10**9, n)],
    }
    # A few marketplace listings were never mapped to the internal SKU master.
    low_pop = np.argsort(pop)[: n // 3]
    unmapped = {("marketplace_amazon", int(i)) for i in rng.choice(low_pop, 4, replace=False)}
    unmapped |= {("marketplace_ebay", int(i)) for i in rng.choice(low_pop, 3, replace=False)}
    return Catalog(skus, is_bundle, category, weight, price, pop, rows, components_of,
                   channel_skus, unmapped)


@dataclass
class Promo:
    code: str
    name: str
    claim: str | None
    claim_days: int | None
    discount_pct: int
    start_us: int
    end_us: int
    regions: list[str]
    fcs: list[str]
    skus: list[int]
    flag_off: list[tuple[int, int]]  # (from_us, to_us) windows where the claim flag is off
    oos_sku: int | None  # a promoted SKU that is out of stock for part of the campaign
    oos_window: tuple[int, int] | None


US_FCS = ["FC-EWR1", "FC-ATL1", "FC-DFW1", "FC-ORD1", "FC-RNO1"]
# code, claim, regions, fcs, start offset (days from window start), length, flag-off day
PROMO_PLAN = [
    ("SUMMER2DAY", "2-day delivery", ["US"], US_FCS, 3, 28, None, False),
    ("NEXTDAYNA", "next-day delivery", ["US", "CA"], ["FC-EWR1", "FC-ORD1", "FC-YYZ1"], 18, 24,
     None, False),
    ("FLASH20", None, ["US", "CA", "DE", "GB"], [], 10, 3, None, False),
    ("BACK2SCHOOL", "3-day delivery", ["US", "CA"], US_FCS + ["FC-YYZ1"], 30, 30, 12, False),
    ("UK2DAY", "2-day delivery", ["GB"], ["FC-BHX1", "FC-LEJ1"], 45, 30, None, False),
    ("FALL15", None, ["US", "CA", "GB", "DE"], [], 55, 25, None, False),
    ("DEBLITZ", "next-day delivery", ["DE"], ["FC-LEJ1"], 60, 28, 9, False),
    ("GADGET2DAY", "2-day delivery", ["US"], US_FCS, 72, 20, None, True),
    ("PRIME1", "next-day delivery", ["US"], US_FCS, 88, 26, 6, False),
    ("HOLIDAY3", "3-day delivery", ["US", "CA", "GB", "DE"], US_FCS + ["FC-YYZ1", "FC-LEJ1",
                                                                     "FC-BHX1"], 100, 45, None,
     True),
]


def claim_days(claim: str | None) -> int | None:
    if not claim:
        return None
    head = claim.split(" ")[0].split("-")[0].lower()
    return 1 if head == "next" else int(head)


def make_promos(seed: int, window_start_us: int, catalog: Catalog) -> list[Promo]:
    rng = np.random.default_rng([seed, 3])
    top = np.argsort(-catalog.popularity[:N_SKUS])[:120]
    promos = []
    for code, claim, regions, fcs, off, length, flag_off_day, has_oos in PROMO_PLAN:
        start = window_start_us + off * DAY_US + int(rng.integers(0, 12)) * 3_600_000_000
        end = start + length * DAY_US
        skus = [int(s) for s in rng.choice(top, 6, replace=False)]
        flag_off = []
        if flag_off_day is not None:
            f0 = start + flag_off_day * DAY_US + int(rng.integers(0, 20)) * 3_600_000_000
            flag_off.append((f0, f0 + int(rng.integers(2, 5)) * DAY_US))
        oos = skus[0] if has_oos else None
        oos_window = (start + 4 * DAY_US, start + 9 * DAY_US) if has_oos else None
        promos.append(Promo(code, code.title(), claim, claim_days(claim),
                            int(rng.choice([10, 15, 20, 25])), start, end, regions, fcs, skus,
                            flag_off, oos, oos_window))
    return promos
