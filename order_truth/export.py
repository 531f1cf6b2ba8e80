"""`order-truth export --target T --out DIR`: every public mart of the last build as Parquet.

The engine equivalence test (tests/python/test_engine_equivalence.py) compares the marts
that DuckDB, PostgreSQL and Spark built from the same generated dataset. Each engine
writes `DIR/<mart>.parquet` plus `DIR/_export.json` (engine, dataset, primary key of each
mart), so the test needs no engine, driver or JVM of its own: it reads files.

Public marts are the models under models/marts with an enforced contract, read from the
build's manifest.json; a mart's key is the column(s) of its `unique` or
`unique_combination` test, so the comparison follows the project without a hand-kept
list.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path
from typing import Any

from order_truth import build
from order_truth.errors import UserError

TARGETS = ("duckdb", "postgres", "spark")
MARTS_PREFIX = "models/marts/"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--target", required=True, choices=TARGETS,
                        help="engine whose last build to export")
    parser.add_argument("--out", type=Path, required=True,
                        help="directory for <mart>.parquet files (replaced)")
    parser.add_argument("--data", type=Path, default=Path("data"),
                        help="the dataset the build read, recorded beside the files")


def public_marts(manifest_path: Path) -> dict[str, dict[str, Any]]:
    """mart name -> {schema, key}: models under models/marts with an enforced contract."""
    if not manifest_path.is_file():
        raise UserError(f"no {manifest_path}: run 'order-truth build' for this target first "
                        "(with the same DBT_TARGET_PATH)")
    manifest = json.loads(manifest_path.read_text())
    nodes = manifest.get("nodes", {})
    marts: dict[str, dict[str, Any]] = {}
    for node in nodes.values():
        if (node.get("resource_type") == "model"
                and str(node.get("original_file_path", "")).startswith(MARTS_PREFIX)
                and node.get("config", {}).get("contract", {}).get("enforced")):
            marts[node["unique_id"]] = {"name": node.get("alias") or node["name"],
                                        "schema": node["schema"], "key": []}
    for node in nodes.values():
        meta = node.get("test_metadata") or {}
        model = node.get("attached_node")
        if node.get("resource_type") != "test" or model not in marts:
            continue
        if meta.get("name") == "unique" and node.get("column_name"):
            marts[model]["key"] = marts[model]["key"] or [node["column_name"]]
        elif meta.get("name") == "unique_combination":
            marts[model]["key"] = list(meta.get("kwargs", {}).get("columns", []))
    if not marts:
        raise UserError(f"{manifest_path} lists no mart with an enforced contract")
    return {m["name"]: {"schema": m["schema"], "key": m["key"]} for m in marts.values()}


def _duckdb_export(marts: dict[str, dict[str, Any]], out: Path) -> dict[str, int]:
    import duckdb

    db = build.build_db_path()
    if not db.is_file():
        raise UserError(f"no DuckDB build at {db} (ORDER_TRUTH_DUCKDB_PATH)")
    con = duckdb.connect(str(db), read_only=True)
    try:
        counts = {}
        for name, mart in marts.items():
            path = str(out / f"{name}.parquet").replace("'", "''")
            con.execute(f'copy (select * from "{mart["schema"]}"."{name}") '
                        f"to '{path}' (format parquet)")
            counts[name] = con.execute(
                f'select count(*) from "{mart["schema"]}"."{name}"').fetchall()[0][0]
        return counts
    finally:
        con.close()


def _postgres_export(marts: dict[str, dict[str, Any]], out: Path) -> dict[str, int]:
    import psycopg
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        conn = psycopg.connect(connect_timeout=10)
    except psycopg.OperationalError as exc:
        raise UserError(f"cannot connect to PostgreSQL: {build._first_line(exc)}") from exc
    counts = {}
    with conn, conn.cursor() as cur:
        for name, mart in marts.items():
            cur.execute(f'select * from "{mart["schema"]}"."{name}"')
            columns = [d.name for d in cur.description or []]
            rows = cur.fetchall()
            table = pa.table({c: pa.array([r[i] for r in rows]) if rows else pa.array([])
                              for i, c in enumerate(columns)})
            pq.write_table(table, out / f"{name}.parquet")
            counts[name] = len(rows)
    conn.close()
    return counts


def _spark_export(marts: dict[str, dict[str, Any]], out: Path) -> dict[str, int]:
    from order_truth.load import spark_session

    spark = spark_session()
    counts = {}
    try:
        for name, mart in marts.items():
            frame = spark.table(f"{mart['schema']}.{name}")
            frame.coalesce(1).write.mode("overwrite").parquet(str(out / f"{name}.parquet"))
            counts[name] = frame.count()
    finally:
        spark.stop()
    return counts


def export(target: str, out: Path, data: Path) -> dict[str, int]:
    marts = public_marts(build.target_dir() / "manifest.json")
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    exporter = {"duckdb": _duckdb_export, "postgres": _postgres_export,
                "spark": _spark_export}[target]
    counts = exporter(marts, out)
    try:
        generator = json.loads((data / "_generator.json").read_text())
    except (OSError, ValueError):
        generator = {}
    (out / "_export.json").write_text(json.dumps({
        "engine": target,
        "data_dir": str(data.resolve()),
        "generator": generator,
        "marts": {name: {**mart, "rows": counts[name]} for name, mart in marts.items()},
    }, indent=2, sort_keys=True) + "\n")
    return counts


def run(args: argparse.Namespace) -> int:
    counts = export(args.target, args.out, args.data)
    print(f"order-truth export: {len(counts)} marts, {sum(counts.values())} rows from "
          f"{args.target} to {args.out}")
    return 0
