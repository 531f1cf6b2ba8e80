"""Generator settings: size, seed, window, and the rate of every injected fault class."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

DEFAULT_END_DATE = date(2026, 10, 31)

# Base rates per order (or per row, where the table says so). `--fault-rate` multiplies them.
# "Material" faults make an order go wrong; an order carries at most one of them.
MATERIAL_FAULTS: dict[str, tuple[str, float]] = {
    # fault_class: (root-cause system, rate per order)
    "payment_hold": ("crm", 0.008),
    "late_order_sync": ("integration", 0.010),
    "never_reached_oms": ("integration", 0.003),
    "mis_pick": ("wms", 0.008),
    "short_ship": ("wms", 0.006),
    "backorder": ("wms", 0.008),
    "carrier_delay": ("carrier", 0.015),
    "failed_attempt": ("carrier", 0.015),
    "access_point_delivery": ("carrier", 0.025),
    "lost_in_transit": ("carrier", 0.003),
    "damaged_in_transit": ("carrier", 0.003),
}
# Share of address-edited orders whose OMS keeps the old address version (root cause: oms).
WRONG_ADDRESS_VERSION_SHARE = 0.30

NOISE_RATES: dict[str, float] = {
    "cancellation": 0.015,
    "address_edit": 0.05,
    "line_edit": 0.02,
    "third_version": 0.01,
    "duplicate_webhook": 0.03,
    "malformed_order_row": 0.0008,
    "guest_checkout_registered": 0.07,
    "oms_status_lag": 0.02,
    "stale_tracking": 0.01,
    "duplicate_event": 0.02,
    "late_event": 0.03,
    "unmapped_code": 0.0025,
    "sync_429": 0.04,
    "sync_401": 0.015,
    "sync_5xx": 0.01,
    "sync_duplicate_replay": 0.005,
    "inventory_disagreement": 0.03,
    "crm_duplicate_contact": 0.06,
    "crm_stale_address": 0.04,
    "second_storefront_account": 0.04,
    "erasure_request": 0.002,
    "vip_change": 0.03,
    "consent_flip": 0.04,
    "split_shipment": 0.06,
    "customer_return": 0.03,
}


@dataclass
class GeneratorConfig:
    orders: int
    seed: int
    end_date: date = DEFAULT_END_DATE
    days: int = 120
    fault_rate: float = 1.0
    # Days generated on top of the base window (by --append-days); the base window fixes
    # every per-day random stream, so appended days never change earlier rows.
    extra_days: int = 0
    material: dict[str, tuple[str, float]] = field(default_factory=lambda: dict(MATERIAL_FAULTS))
    noise: dict[str, float] = field(default_factory=lambda: dict(NOISE_RATES))

    def rate(self, name: str) -> float:
        """Noise that is a data-quality fault scales with --fault-rate; shape noise does not."""
        base = self.noise[name]
        return min(base * self.fault_rate, 0.5)

    def material_rate(self, name: str) -> float:
        return min(self.material[name][1] * self.fault_rate, 0.5)
