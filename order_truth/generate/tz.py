"""Vectorised UTC <-> local conversions for arrays of microsecond timestamps, one zone per row.

Zone offsets only change on the hour, so each zone's offset is tabulated once per hour over
the span of the data and looked up by integer index: millions of rows convert in
milliseconds instead of going through a time-zone library row by row.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
import pytz

US = 1_000_000
HOUR_US = 3600 * US
DAY_US = 86_400 * US
_T0 = int(np.datetime64("2020-01-01T00:00:00", "us").astype(np.int64)) // HOUR_US
_T1 = int(np.datetime64("2030-01-01T00:00:00", "us").astype(np.int64)) // HOUR_US


@lru_cache(maxsize=64)
def _hourly_offsets(zone: str) -> np.ndarray:
    hours = pd.DatetimeIndex((np.arange(_T0, _T1, dtype=np.int64) * HOUR_US).astype(
        "datetime64[us]")).tz_localize("UTC")
    # pytz ships its own zone database, so this works where the OS has no tzdata
    local = hours.tz_convert(pytz.timezone(zone)).tz_localize(None)
    return (local.as_unit("us").asi8 - hours.tz_localize(None).as_unit("us").asi8).astype(
        np.int64)


ZONE_NAMES: list[str] = []
_TABLE: list[np.ndarray] = []


def zone_codes(names: np.ndarray | list) -> np.ndarray:
    """Small-integer codes for zone names (registered on first sight)."""
    codes, uniques = pd.factorize(np.asarray(names, dtype=object))
    mapping = np.array([_register(str(z)) for z in uniques], dtype=np.int16)
    return mapping[codes] if codes.size else codes.astype(np.int16)


def _register(zone: str) -> int:
    if zone not in ZONE_NAMES:
        ZONE_NAMES.append(zone)
        _TABLE.append(_hourly_offsets(zone))
    return ZONE_NAMES.index(zone)


def _offset(utc_us: np.ndarray, zones: np.ndarray) -> np.ndarray:
    utc_us = np.asarray(utc_us, dtype=np.int64)
    zones = np.asarray(zones)
    codes = zones if zones.dtype.kind in "iu" else zone_codes(zones)
    hour = np.clip(utc_us // HOUR_US - _T0, 0, _T1 - _T0 - 1)
    table = np.stack(_TABLE)
    return table[codes.astype(np.int64), hour]


def to_local(utc_us: np.ndarray, zones: np.ndarray) -> np.ndarray:
    return np.asarray(utc_us, dtype=np.int64) + _offset(utc_us, zones)


def to_utc(local_us: np.ndarray, zones: np.ndarray) -> np.ndarray:
    """Local wall time to UTC; two passes settle the offset across DST changes."""
    local_us = np.asarray(local_us, dtype=np.int64)
    guess = local_us - _offset(local_us, zones)
    return local_us - _offset(guess, zones)


def local_day(utc_us: np.ndarray, zones: np.ndarray) -> np.ndarray:
    return np.floor_divide(to_local(utc_us, zones), DAY_US)


def local_offset_str(utc_us: np.ndarray, zones: np.ndarray) -> np.ndarray:
    """'+HH:MM' strings of each row's offset (few distinct values, formatted once each)."""
    off_min = _offset(utc_us, zones) // (60 * US)
    uniq, inv = np.unique(off_min, return_inverse=True)
    labels = np.array([f"{'-' if m < 0 else '+'}{abs(m) // 60:02d}:{abs(m) % 60:02d}"
                       for m in uniq.tolist()], dtype=object)
    return labels[inv]
