"""Reference data shared by the generator and the warehouse.

The generator reads the same seeds that dbt loads (FCs, service levels, lanes, holidays,
time zones, the carrier code map), so the world it simulates and the rules the warehouse
applies cannot drift apart silently: change a seed and both sides move together.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np

SEEDS_DIR = Path(os.environ.get("ORDER_TRUTH_SEEDS_DIR")
                 or Path(__file__).resolve().parents[2] / "seeds")
EPOCH = date(1970, 1, 1)
CAL_START = date(2025, 1, 1)
CAL_END = date(2028, 12, 31)
COUNTRIES = ("US", "CA", "DE", "GB")


def read_seed(name: str) -> list[dict[str, str]]:
    path = SEEDS_DIR / f"{name}.csv"
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def day_number(d: date) -> int:
    return (d - EPOCH).days


@dataclass(frozen=True)
class Calendar:
    """Business days of one country as arrays indexed by day number (weekends + holidays)."""

    first_day: int
    is_business: np.ndarray  # bool per day from first_day
    bd_count: np.ndarray  # business days <= day (cumulative)
    business_days: np.ndarray  # sorted day numbers of business days

    def _idx(self, days: np.ndarray) -> np.ndarray:
        return np.asarray(days, dtype=np.int64) - self.first_day

    def next_on_or_after(self, days: np.ndarray) -> np.ndarray:
        i = self._idx(days)
        return self.business_days[self.bd_count[i] - self.is_business[i]]

    def add(self, days: np.ndarray, n: np.ndarray) -> np.ndarray:
        """The n-th business day strictly after each day (n >= 1)."""
        i = self._idx(days)
        return self.business_days[self.bd_count[i] + np.asarray(n, dtype=np.int64) - 1]

    def count_between(self, start: np.ndarray, end: np.ndarray) -> np.ndarray:
        """Business days in (start, end]."""
        return self.bd_count[self._idx(end)] - self.bd_count[self._idx(start)]

    def is_bday(self, days: np.ndarray) -> np.ndarray:
        return self.is_business[self._idx(days)]


def load_calendars() -> dict[str, Calendar]:
    holidays: dict[str, set[int]] = {c: set() for c in COUNTRIES}
    for row in read_seed("holidays"):
        holidays.setdefault(row["country"], set()).add(
            day_number(date.fromisoformat(row["holiday_date"]))
        )
    first, last = day_number(CAL_START), day_number(CAL_END)
    days = np.arange(first, last + 1)
    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday; Monday == 0
    cals = {}
    for country in COUNTRIES:
        hol = np.isin(days, np.array(sorted(holidays[country]), dtype=np.int64))
        is_bus = (weekday < 5) & ~hol
        cals[country] = Calendar(
            first_day=first,
            is_business=is_bus,
            bd_count=np.cumsum(is_bus),
            business_days=days[is_bus],
        )
    return cals


@dataclass(frozen=True)
class FC:
    fc_id: str
    city: str
    region: str
    country: str
    time_zone: str
    cutoff_minutes: int


def load_fcs() -> list[FC]:
    out = []
    for row in read_seed("fulfillment_centers"):
        hh, mm = row["cutoff_local_time"].split(":")
        out.append(
            FC(row["fc_id"], row["city"], row["region"], row["country"], row["time_zone"],
               int(hh) * 60 + int(mm))
        )
    return out


def load_lanes() -> dict[tuple[str, str], int]:
    return {(r["fc_id"], r["dest_country"]): int(r["min_transit_days"])
            for r in read_seed("shipping_lanes")}


def load_service_levels() -> list[tuple[str, int, int, int]]:
    """(service_level, business_days, valid_from_day, valid_to_day) rows."""
    return [
        (r["service_level"], int(r["business_days"]),
         day_number(date.fromisoformat(r["valid_from"])),
         day_number(date.fromisoformat(r["valid_to"])))
        for r in read_seed("service_levels")
    ]


def load_zones() -> dict[tuple[str, str], str]:
    return {(r["country"], r["city"]): r["time_zone"] for r in read_seed("geo_time_zones")}


def load_carrier_codes() -> list[dict[str, str]]:
    """Rows of the carrier code map; the generator emits only codes that carriers really use."""
    return read_seed("carrier_event_map")


def date_from_day(day: int) -> date:
    return EPOCH + timedelta(days=int(day))
