"""`order-truth classify-carrier-events --input F --output F`: the warehouse's carrier
mapping, applied to any CSV of raw codes.

The rows become a one-file carrier feed and go through the same staging and
int_tracking_events_mapped models (and the same seeds) as the warehouse, so the answer
is the warehouse's answer. Rows come back in input order with every extra column kept.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from order_truth import scratch
from order_truth.errors import UserError

REQUIRED = ("carrier", "raw_code", "raw_description")
OUTPUT = ("canonical_status", "exception_reason", "is_terminal", "mapping_rule")
MODELS = ["carrier_event_map", "carrier_description_patterns", "geo_time_zones",
          "base_carrier__tracking_events", "stg_carrier__tracking_events",
          "int_tracking_events_mapped"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--input", type=Path, required=True, help="CSV of raw carrier codes")
    parser.add_argument("--output", type=Path, required=True, help="CSV to write")


def run(args: argparse.Namespace) -> int:
    frame = scratch.read_table(args.input, kinds=(".csv",))
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise UserError(f"{args.input} lacks column(s) {', '.join(missing)}; required: "
                        f"{', '.join(REQUIRED)} (optional: code_field, raw_qualifier)")
    clash = [c for c in OUTPUT if c in frame.columns]
    if clash:
        raise UserError(f"{args.input} already has output column(s) {', '.join(clash)}")
    n = len(frame)
    feed = pd.DataFrame({
        "event_id": [f"row-{i:09d}" for i in range(n)],
        "carrier": frame["carrier"].fillna(""),
        "tracking_number": [f"ROW{i:09d}" for i in range(n)],
        "code_field": frame["code_field"] if "code_field" in frame else pd.Series([""] * n),
        "raw_code": frame["raw_code"],
        "raw_qualifier": frame["raw_qualifier"] if "raw_qualifier" in frame
        else pd.Series([None] * n, dtype="string"),
        "raw_description": frame["raw_description"],
        # time and place do not change a code's meaning; give every row the same ones
        "event_time_local": "2026-01-01T12:00:00",
        "utc_offset": "+00:00",
        "location_city": None,
        "location_postal_code": None,
        "location_country": None,
        "_loaded_at": pd.Timestamp("2026-01-01 12:00:00"),
    }).astype({"event_id": "string", "carrier": "string", "tracking_number": "string",
               "code_field": "string", "raw_code": "string", "raw_qualifier": "string",
               "raw_description": "string", "location_city": "string",
               "location_postal_code": "string", "location_country": "string"})
    with scratch.scratch_dir() as tmp:
        target = tmp / "raw" / "carrier" / "tracking_events"
        target.mkdir(parents=True)
        feed.to_parquet(target / "part-00000.parquet", index=False)
        db = scratch.run_models(tmp, MODELS)
        mapped = scratch.fetch(db, """
            select event_id, canonical_status, exception_reason, is_terminal, mapping_rule
            from intermediate.int_tracking_events_mapped
        """)
        known = set(scratch.fetch(db, "select distinct carrier from reference.carrier_event_map")
                    ["carrier"])
    mapped["row"] = mapped["event_id"].str.slice(4).astype(int)
    mapped = mapped.set_index("row").reindex(range(n))
    out = frame.copy()
    for column in OUTPUT:
        out[column] = mapped[column].to_numpy()
    out["is_terminal"] = out["is_terminal"].map(
        lambda v: "" if v is None or pd.isna(v) else str(bool(v)).lower())
    try:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        out.to_csv(args.output, index=False)
    except OSError as exc:
        raise UserError(f"cannot write {args.output}: {exc.strerror}") from exc
    given = frame["carrier"].fillna("").str.strip().str.lower()
    unknown = sorted(set(given) - known)
    if unknown:
        # not an error: their rows come back unmapped, like any code the map does not know
        print(f"order-truth classify-carrier-events: unknown carrier(s) "
              f"{', '.join(repr(c) for c in unknown)}: their rows are left unmapped; known: "
              f"{', '.join(sorted(known))}", file=sys.stderr)
    unmapped = int(out["canonical_status"].isna().sum())
    print(f"order-truth classify-carrier-events: {n} rows, {n - unmapped} mapped, "
          f"{unmapped} unmapped -> {args.output}")
    return 0
