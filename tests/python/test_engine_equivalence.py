"""Engine equivalence: PostgreSQL and Spark build the same public marts as DuckDB.

`make test-postgres` and `make test-spark` build one generated dataset on DuckDB and on
the other engine and export every public mart (models/marts with an enforced contract)
to target/engines/<engine>/{duckdb,<engine>}/ with `order-truth export`. This test
compares them row by row: the same keys, the same columns, the same values. Floats
(double columns) may differ by rounding in the last bits, since engines sum in
different orders; everything else (text, integers, decimals, booleans, dates,
timestamps) must be equal. Every difference is a failure.

Without the exports the test skips and says how to make them, except in CI (CI=true),
where `.ci/run` builds them and a missing export is a failure. `make test` deselects it
(marker `engines`); `make test-engines` builds the exports and runs it.
"""

from __future__ import annotations

import json
import math
import os
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

ROOT = Path(__file__).resolve().parents[2]
ENGINES = ROOT / "target" / "engines"
REL_TOL = 1e-9
ABS_TOL = 1e-9
MAX_REPORTED = 40


def _exports(engine: str) -> tuple[Path, Path]:
    base = ENGINES / engine
    reference, other = base / "duckdb", base / engine
    missing = [p for p in (reference, other) if not (p / "_export.json").is_file()]
    if missing:
        reason = (f"no engine export in {', '.join(str(p.relative_to(ROOT)) for p in missing)}"
                  f"; make them with 'make test-{engine}'")
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return reference, other


def _read(path: Path) -> pa.Table:
    # Spark writes a directory of part files, DuckDB and PostgreSQL one file.
    return pq.read_table(path) if path.is_file() else pq.ParquetDataset(path).read()


def _is_float(table: pa.Table, column: str) -> bool:
    return pa.types.is_floating(table.schema.field(column).type)


def _norm(value: Any) -> Any:
    """One representation per value: UTC-naive timestamps, NaN as missing."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _equal(a: Any, b: Any, floats: bool) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if floats:
        return math.isclose(float(a), float(b), rel_tol=REL_TOL, abs_tol=ABS_TOL)
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        return Decimal(str(a)) == Decimal(str(b))
    return a == b


def compare_mart(name: str, key: list[str], ref: pa.Table, other: pa.Table,
                 engine: str) -> list[str]:
    """Every difference between two builds of one mart, as readable lines."""
    problems: list[str] = []
    if set(ref.column_names) != set(other.column_names):
        return [f"{name}: columns differ: only duckdb "
                f"{sorted(set(ref.column_names) - set(other.column_names))}, only {engine} "
                f"{sorted(set(other.column_names) - set(ref.column_names))}"]
    if not key:
        return [f"{name}: no primary-key test found, so rows cannot be matched"]
    columns = [c for c in ref.column_names if c not in key]
    floats = {c: _is_float(ref, c) or _is_float(other, c) for c in columns}

    def rows(table: pa.Table) -> dict[tuple[Any, ...], dict[str, Any]]:
        by_key: dict[tuple[Any, ...], dict[str, Any]] = {}
        for row in table.to_pylist():
            k = tuple(_norm(row[c]) for c in key)
            if k in by_key:
                problems.append(f"{name}: key {k} twice in one build")
            by_key[k] = {c: _norm(row[c]) for c in columns}
        return by_key

    left, right = rows(ref), rows(other)
    for k in sorted(set(left) - set(right), key=repr)[:MAX_REPORTED]:
        problems.append(f"{name}: key {k} only on duckdb")
    for k in sorted(set(right) - set(left), key=repr)[:MAX_REPORTED]:
        problems.append(f"{name}: key {k} only on {engine}")
    for k in sorted(set(left) & set(right), key=repr):
        for c in columns:
            if not _equal(left[k][c], right[k][c], floats[c]):
                problems.append(f"{name}: key {k} column {c}: duckdb {left[k][c]!r}, "
                                f"{engine} {right[k][c]!r}")
    return problems


@pytest.mark.engines
@pytest.mark.parametrize("engine", ["postgres", "spark"])
def test_every_public_mart_matches_duckdb(engine: str) -> None:
    reference, other = _exports(engine)
    ref_meta = json.loads((reference / "_export.json").read_text())
    other_meta = json.loads((other / "_export.json").read_text())
    # the same generated dataset on both sides, or the comparison means nothing
    assert ref_meta["generator"] == other_meta["generator"], (ref_meta["generator"],
                                                              other_meta["generator"])
    assert ref_meta["generator"], "the exports do not say which dataset they were built from"
    assert set(ref_meta["marts"]) == set(other_meta["marts"])

    problems: list[str] = []
    compared = 0
    for name, mart in sorted(ref_meta["marts"].items()):
        ref_table = _read(reference / f"{name}.parquet")
        other_table = _read(other / f"{name}.parquet")
        if ref_table.num_rows != other_table.num_rows:
            problems.append(f"{name}: {ref_table.num_rows} rows on duckdb, "
                            f"{other_table.num_rows} on {engine}")
        problems += compare_mart(name, mart["key"], ref_table, other_table, engine)
        compared += ref_table.num_rows
    print(f"{engine}: {len(ref_meta['marts'])} marts, {compared} rows compared with duckdb")
    assert not problems, (f"{len(problems)} difference(s) between duckdb and {engine}:\n"
                          + "\n".join(problems[:MAX_REPORTED]))


def test_compare_mart_reports_each_kind_of_difference() -> None:
    ref = pa.table({"id": ["a", "b", "c"], "n": [1, 2, 3], "x": [0.1, 0.2, 0.3]})
    same = pa.table({"id": ["c", "b", "a"], "n": [3, 2, 1], "x": [0.3, 0.2 + 1e-15, 0.1]})
    assert compare_mart("m", ["id"], ref, same, "pg") == []
    changed = pa.table({"id": ["a", "b", "d"], "n": [1, 5, 3], "x": [0.1, 0.2, 0.3001]})
    problems = compare_mart("m", ["id"], ref, changed, "pg")
    assert any("('c',) only on duckdb" in p for p in problems)
    assert any("('d',) only on pg" in p for p in problems)
    assert any("column n: duckdb 2, pg 5" in p for p in problems)
