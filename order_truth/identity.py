"""`order-truth resolve-identities --input F --output F`: cluster person records.

The records go through the warehouse's own identity models (normalisation, blocking,
Fellegi-Sunter scoring, clustering) via var identity_input, in a scratch DuckDB. The
output has one row per input record: record_id, customer_id and the rule or score that
placed it. The same records in any order give the same clusters.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from order_truth import scratch
from order_truth.errors import UserError

COLUMNS = ("record_id", "source_system", "first_name", "last_name", "full_name", "email",
           "phone", "date_of_birth", "address_line1", "address_line2", "house_number",
           "street", "city", "postal_code", "region", "country", "updated_at")
MODELS = ["identity_fs_weights", "int_person_records_unioned", "int_person_records_normalized",
          "int_identity_pairs_scored", "int_identity_clusters_resolved",
          "int_customer_source_ids"]


def _as_text(column: pd.Series) -> pd.Series:
    """Raw values as text. A whole number stored as a float (a CSV with gaps read by
    another tool, then saved as Parquet) loses its '.0', so 19840229.0 is still a birth
    date and 12.0 a house number."""
    if pd.api.types.is_float_dtype(column):
        present = column.dropna()
        if len(present) and (present == present.round()).all():
            column = column.astype("Int64")
    return column.astype("string").str.replace(r"^(-?[0-9]+)[.]0+$", r"\1", regex=True)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--input", type=Path, required=True, help="CSV or Parquet of records")
    parser.add_argument("--output", type=Path, required=True, help="CSV or Parquet to write")


def run(args: argparse.Namespace) -> int:
    frame = scratch.read_table(args.input)
    if "record_id" not in frame.columns:
        raise UserError(f"{args.input} has no record_id column (every record needs an id)")
    ids = _as_text(frame["record_id"]).str.strip()
    if ids.isna().any() or (ids == "").any():
        raise UserError(f"{args.input} has records with an empty record_id")
    dupes = ids[ids.duplicated()].unique().tolist()
    if dupes:
        raise UserError(f"{args.input} repeats record_id {', '.join(map(str, dupes[:5]))}"
                        f"{' ...' if len(dupes) > 5 else ''}: ids must be unique")
    records = pd.DataFrame({c: (_as_text(frame[c]) if c in frame.columns
                                else pd.Series([None] * len(frame), dtype="string"))
                            for c in COLUMNS})
    records["record_id"] = ids
    records["source_system"] = records["source_system"].fillna("input")
    records["updated_at"] = pd.to_datetime(records["updated_at"], errors="coerce").fillna(
        pd.Timestamp("2000-01-01"))
    with scratch.scratch_dir() as tmp:
        path = tmp / "identity_input.parquet"
        records.to_parquet(path, index=False)
        db = scratch.run_models(tmp, MODELS, {"identity_input": str(path)})
        resolved = scratch.fetch(db, """
            select source_record_id as record_id, customer_id, link_rule,
                   round(match_weight, 2) as match_weight
            from intermediate.int_customer_source_ids
        """)
    out = pd.DataFrame({"record_id": ids}).merge(resolved, on="record_id", how="left")
    if out["customer_id"].isna().any():
        raise UserError("some records were not resolved (internal error); rerun with "
                        "--verbose")
    try:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        if args.output.suffix.lower() == ".parquet":
            out.to_parquet(args.output, index=False)
        else:
            out.to_csv(args.output, index=False)
    except OSError as exc:
        raise UserError(f"cannot write {args.output}: {exc.strerror}") from exc
    print(f"order-truth resolve-identities: {len(out)} records -> "
          f"{out['customer_id'].nunique()} customers -> {args.output}")
    return 0
