"""`order-truth load --target postgres|spark --data DIR`: the raw datasets into an engine.

DuckDB reads the generated Parquet in place (`external_location` on the sources). Other
engines need the rows in tables first. Each dataset `DIR/raw/<system>/<table>/*.parquet`
becomes the table `raw_<system>.<table>`, which is exactly what the dbt sources name
(`schema: raw_<system>` in models/staging/*/_<system>__sources.yml), so staging reads the
same source on every engine and no model knows which engine it runs on.

- PostgreSQL: one transaction for the whole load (drop, create, COPY through psycopg 3),
  so a failed load leaves the previous raw tables as they were.
- Spark: the same session settings as dbt's `spark` target (read from profiles.yml, so
  the two cannot drift), one managed Parquet table per dataset. Timestamps are cast to
  Spark's `timestamp` (session zone UTC): the Parquet holds naive UTC times, which Spark
  4 would otherwise read as `timestamp_ntz`, a second timestamp type beside the one every
  expression and seed produces.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from order_truth import build
from order_truth.errors import UserError

TARGETS = ("postgres", "spark")
PROJECT_DIR = build.PROJECT_DIR


@dataclass(frozen=True)
class Dataset:
    """One raw table: where its Parquet parts are and the schema.table it loads into."""

    system: str
    table: str
    files: tuple[Path, ...]

    @property
    def schema(self) -> str:
        return f"raw_{self.system}"

    @property
    def name(self) -> str:
        return f"{self.schema}.{self.table}"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--target", required=True, choices=TARGETS,
                        help="engine to load into (profiles.yml target of the same name)")
    parser.add_argument("--data", type=Path, default=Path("data"),
                        help="generated dataset directory with raw/ (default: data)")


def datasets(data: Path) -> list[Dataset]:
    """Every raw dataset under DIR/raw, checked to be readable (one-line error if not)."""
    build.check_data(data)
    found: list[Dataset] = []
    for system_dir in sorted(p for p in (data / "raw").iterdir() if p.is_dir()):
        for table_dir in sorted(p for p in system_dir.iterdir() if p.is_dir()):
            files = tuple(sorted(table_dir.glob("*.parquet")))
            if files:
                found.append(Dataset(system_dir.name, table_dir.name, files))
    if not found:
        raise UserError(f"{data / 'raw'} holds no <system>/<table>/*.parquet datasets")
    return found


def read_arrow(dataset: Dataset) -> Any:
    """All parts of one dataset as one Arrow table, columns unioned by name (like DuckDB's
    `union_by_name`): a later part may carry a column an earlier one lacks."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    tables = [pq.read_table(path) for path in dataset.files]
    return pa.concat_tables(tables, promote_options="default")


# ---------------------------------------------------------------------------- PostgreSQL

def _pg_type(arrow_type: Any) -> str:
    import pyarrow as pa

    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return "text"
    if pa.types.is_boolean(arrow_type):
        return "boolean"
    if pa.types.is_int8(arrow_type) or pa.types.is_int16(arrow_type):
        return "smallint"
    if pa.types.is_int32(arrow_type):
        return "integer"
    if pa.types.is_integer(arrow_type):
        return "bigint"
    if pa.types.is_floating(arrow_type):
        return "double precision"
    if pa.types.is_decimal(arrow_type):
        return f"numeric({arrow_type.precision}, {arrow_type.scale})"
    if pa.types.is_timestamp(arrow_type):
        return "timestamptz" if arrow_type.tz else "timestamp"
    if pa.types.is_date(arrow_type):
        return "date"
    raise UserError(f"raw column type {arrow_type} has no PostgreSQL mapping in load.py")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _rows(table: Any) -> Iterator[tuple[Any, ...]]:
    for batch in table.to_batches(max_chunksize=50_000):
        yield from zip(*(column.to_pylist() for column in batch.columns), strict=True)


def load_postgres(found: list[Dataset]) -> int:
    """Replace every raw table in one transaction; return the rows loaded."""
    try:
        import psycopg
    except ImportError as exc:
        raise UserError("psycopg is not installed: pip install -e '.[postgres]'") from exc

    try:
        conn = psycopg.connect(autocommit=False, connect_timeout=10)
    except psycopg.OperationalError as exc:
        where = f"{os.environ.get('PGHOST', 'localhost')}:{os.environ.get('PGPORT', '5432')}"
        raise UserError(f"cannot connect to PostgreSQL at {where} (PGHOST/PGPORT/PGUSER/"
                        f"PGDATABASE): {build._first_line(exc)}; for a throwaway server "
                        "run: scripts/pg-local -- order-truth load ...") from exc
    total = 0
    with conn:
        with conn.cursor() as cur:
            for schema in sorted({d.schema for d in found}):
                cur.execute(f"create schema if not exists {_quote(schema)}")
            for dataset in found:
                table = read_arrow(dataset)
                target = f"{_quote(dataset.schema)}.{_quote(dataset.table)}"
                columns = ", ".join(
                    f"{_quote(f.name)} {_pg_type(f.type)}" for f in table.schema)
                names = ", ".join(_quote(f.name) for f in table.schema)
                cur.execute(f"drop table if exists {target} cascade")
                cur.execute(f"create table {target} ({columns})")
                with cur.copy(f"copy {target} ({names}) from stdin") as copy:
                    for row in _rows(table):
                        copy.write_row(row)
                cur.execute(f"analyze {target}")
                total += table.num_rows
                print(f"  {dataset.name}: {table.num_rows} rows")
    conn.close()
    return total


# ---------------------------------------------------------------------------- Spark

def spark_dir() -> Path:
    """Where the local Spark keeps its warehouse, Derby metastore and scratch space."""
    value = os.environ.get("ORDER_TRUTH_SPARK_DIR")
    path = Path(value) if value else PROJECT_DIR / "target" / "spark"
    return path if path.is_absolute() else PROJECT_DIR / path


def spark_env() -> dict[str, str]:
    """Environment for anything that starts the local Spark: its directory, absolute."""
    return {"ORDER_TRUTH_SPARK_DIR": str(spark_dir())}


def spark_conf() -> dict[str, str]:
    """The `spark` target's session settings from profiles.yml, rendered like dbt does
    (only `env_var` is needed), so `load` and dbt open the same warehouse and metastore."""
    import jinja2
    import yaml

    profile = yaml.safe_load((PROJECT_DIR / "profiles.yml").read_text())
    params = profile["order_truth"]["outputs"]["spark"].get("server_side_parameters", {})
    env = {**os.environ, **spark_env()}

    def env_var(name: str, default: str | None = None) -> str:
        if name in env:
            return env[name]
        if default is None:
            raise UserError(f"profiles.yml needs environment variable {name}")
        return default

    jinja = jinja2.Environment(undefined=jinja2.StrictUndefined)
    return {key: jinja.from_string(str(value)).render(env_var=env_var)
            for key, value in params.items()}


def spark_session() -> Any:
    """A local SparkSession with the dbt target's settings (Hive catalog on Derby)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise UserError("pyspark is not installed: pip install -e '.[spark]' "
                        "(and Java 17: apt-get install openjdk-17-jre-headless)") from exc
    directory = spark_dir()
    (directory / "tmp").mkdir(parents=True, exist_ok=True)
    builder = SparkSession.builder.enableHiveSupport().appName("order-truth")
    for key, value in spark_conf().items():
        builder = builder.config(key, value)
    old_cwd = Path.cwd()
    os.chdir(PROJECT_DIR)  # relative settings mean the same as for dbt, run from here
    try:
        return builder.getOrCreate()
    except Exception as exc:  # noqa: BLE001 - a JVM that does not start is one message
        raise UserError(f"cannot start Spark (needs Java 17: apt-get install "
                        f"openjdk-17-jre-headless): {build._first_line(exc)}") from exc
    finally:
        os.chdir(old_cwd)


def load_spark(found: list[Dataset]) -> int:
    """Replace every raw table with a managed Parquet table; return the rows loaded."""
    from pyspark.sql import functions as F  # noqa: N812 - Spark's own convention
    from pyspark.sql import types as T  # noqa: N812

    spark = spark_session()
    total = 0
    try:
        for schema in sorted({d.schema for d in found}):
            spark.sql(f"create database if not exists {schema}")
        for dataset in found:
            frame = spark.read.option("mergeSchema", "true").parquet(
                *[str(path) for path in dataset.files])
            frame = frame.select(*[
                F.col(f.name).cast("timestamp").alias(f.name)
                if isinstance(f.dataType, T.TimestampNTZType) else F.col(f.name)
                for f in frame.schema.fields])
            spark.sql(f"drop table if exists {dataset.name}")
            frame.write.format("parquet").mode("overwrite").saveAsTable(dataset.name)
            rows = spark.table(dataset.name).count()
            total += rows
            print(f"  {dataset.name}: {rows} rows")
    finally:
        spark.stop()
    return total


def run(args: argparse.Namespace) -> int:
    found = datasets(args.data)
    started = time.monotonic()
    print(f"order-truth load: {len(found)} raw tables from {args.data} into {args.target}")
    loader = load_postgres if args.target == "postgres" else load_spark
    total = loader(found)
    print(f"order-truth load: {total} rows into {len(found)} tables on {args.target} in "
          f"{time.monotonic() - started:.1f} s")
    return 0
