"""Shared pytest fixtures: a tiny published warehouse, free ports, the project paths.

The tiny warehouse is built by hand (no dbt) with the contract columns of the marts the
dashboard reads, then published through `order_truth.publish` exactly as a build would, so
dashboard and publish tests run in seconds and do not depend on a dbt build. Tests that
need real marts use the warehouse `make test` publishes (`ORDER_TRUTH_TEST_PUBLISHED`).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pytest

from order_truth import publish

ROOT = Path(__file__).resolve().parents[2]
# The warehouse `make test` builds from the small generated dataset, when it exists.
ENV_TEST_PUBLISHED = "ORDER_TRUTH_TEST_PUBLISHED"

# Deterministic fake marts: 60 days of orders and sync events with every contract column
# the dashboard pages query. Values vary by row so that filters and breakdowns matter.
TINY_MARTS_SQL = """
create schema marts;
create table marts.fct_orders as
select
    'SF-' || lpad(cast(i as varchar), 6, '0') as order_id,
    'C-' || cast(i % 150 as varchar) as customer_id,
    1 + i % 2 as order_version,
    timestamp '2026-09-01 08:00:00' + to_hours(cast(i * 7 as bigint)) as placed_at,
    ['web', 'app', 'marketplace'][1 + i % 3] as channel,
    case when i % 5 = 0 then 'FAST2' end as promo_code,
    ['standard', 'express', 'two_day'][1 + i % 3] as service_level,
    cast(timestamp '2026-09-05' + to_days(cast(i * 7 // 24 as bigint)) as date)
        as promised_delivery_date,
    case when i % 5 = 0 then 'promo' else 'service_level' end as promise_source,
    ['SKU-1', 'SKU-' || cast(i % 9 as varchar)] as sku_list,
    '1 main st' as raw_address,
    '1 Main St' as canonical_address,
    ['FC-EWR', 'FC-LAX', 'FC-DFW'][1 + i % 3] as fc_id,
    timestamp '2026-09-02 08:00:00' + to_hours(cast(i * 7 as bigint)) as first_shipped_at,
    case when i % 10 <> 9
        then timestamp '2026-09-04 08:00:00' + to_hours(cast(i * 7 + i % 50 as bigint))
    end as delivered_at,
    case when i % 10 <> 9 then 'delivered' else 'in_transit' end as current_status,
    case when i % 10 <> 9 then i % 7 <> 0 end as is_on_time,
    case when i % 10 = 9 then null when i % 23 = 0 then null else i % 11 <> 0 end
        as is_correct,
    case when i % 10 <> 9 then i % 7 <> 0 and i % 11 <> 0 and i % 23 <> 0 end
        as is_accurate,
    case when i % 10 <> 9 and i % 7 = 0 then 1 + i % 3 else 0 end as business_days_late,
    cast((i % 7 = 0) :: int + (i % 11 = 0) :: int as integer) as exception_count,
    case when i % 7 = 0 then 'carrier' when i % 11 = 0 then 'wms' end as root_cause_system,
    i % 13 = 0 as has_wismo_ticket,
    i % 17 = 0 as is_returned
from range(1, 201) as t(i);

create table marts.fct_sync_events as
select
    'CH-' || cast(i as varchar) as change_id,
    ['order', 'customer', 'inventory'][1 + i % 3] as entity,
    'E-' || cast(i as varchar) as entity_id,
    'storefront' as source_system,
    'oms' as target_system,
    'K-' || cast(i as varchar) as idempotency_key,
    case when i % 41 = 0 then 'dead_letter' else 'delivered' end as final_outcome,
    case when i % 41 = 0 then 'dead_letter' else 'success' end as last_outcome,
    case when i % 41 = 0 then 500 else 200 end as last_http_status,
    cast(1 + (i % 9 = 0) :: int + (i % 13 = 0) :: int as bigint) as total_attempts,
    cast(case when i % 41 = 0 then null else 1 + (i % 9 = 0) :: int end as bigint)
        as attempts_to_deliver,
    cast(0 as bigint) as replay_attempts,
    cast(0 as bigint) as duplicate_replays,
    cast((i % 9 = 0) :: int as bigint) as rate_limited_attempts,
    cast((i % 13 = 0) :: int as bigint) as unauthorized_attempts,
    cast(0 as bigint) as error_attempts,
    case when i % 41 = 0 then null else cast(2 + (i * 37) % 150 as double) end
        as sync_lag_seconds,
    i % 41 <> 0 as is_delivered,
    i % 41 = 0 as is_dead_lettered,
    i % 41 = 0 as is_in_dlq,
    timestamp '2026-09-01 00:00:00' + to_minutes(cast(i * 173 as bigint))
        as source_changed_at,
    timestamp '2026-09-01 00:00:01' + to_minutes(cast(i * 173 as bigint))
        as first_attempted_at,
    case when i % 41 <> 0
        then timestamp '2026-09-01 00:00:00' + to_minutes(cast(i * 173 as bigint))
            + to_seconds(cast(2 + (i * 37) % 150 as bigint))
    end as first_success_at,
    case when i % 41 = 0
        then timestamp '2026-09-01 01:00:00' + to_minutes(cast(i * 173 as bigint))
    end as dead_lettered_at
from range(1, 501) as t(i);
"""
TINY_MARTS = [("marts", "fct_orders"), ("marts", "fct_sync_events")]


def make_build_db(path: Path, extra_sql: str = "") -> Path:
    """Write a DuckDB file with the tiny marts, as `dbt build` would have left it."""
    con = duckdb.connect(str(path))
    try:
        con.execute(TINY_MARTS_SQL + extra_sql)
    finally:
        con.close()
    return path


def passing_summary() -> publish.RunSummary:
    return publish.RunSummary(statuses={"success": 2, "pass": 5}, tests={"pass": 5})


def publish_tiny(root: Path) -> Path:
    """Build and publish the tiny warehouse under `root`; returns the published file."""
    root.mkdir(parents=True, exist_ok=True)
    build_db = make_build_db(root / "build.duckdb")
    published = root / "published" / "warehouse.duckdb"
    publish.publish(build_db, published, summary=passing_summary(), marts=TINY_MARTS,
                    project_dir=ROOT, extra={"data_as_of": "2026-11-01T00:00:00Z"})
    return published


@pytest.fixture(scope="session")
def tiny_published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A published warehouse with the tiny marts and a fresh manifest (session-wide)."""
    return publish_tiny(tmp_path_factory.mktemp("tiny"))


@pytest.fixture
def use_published(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[Path], None]]:
    """Point `order_truth.warehouse` (and the dashboard) at a given published file."""

    def point(path: Path) -> None:
        monkeypatch.setenv("ORDER_TRUTH_PUBLISHED", str(path))

    yield point


@pytest.fixture(scope="session")
def test_build_published() -> Path:
    """The warehouse `make test` published from real marts, or skip when absent."""
    value = os.environ.get(ENV_TEST_PUBLISHED)
    if not value or not Path(value).is_file():
        pytest.skip(f"no real test build: set {ENV_TEST_PUBLISHED} (make test does) to a "
                    "published warehouse")
    return Path(value)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    return _free_port()


@pytest.fixture(scope="session")
def tiny_factory() -> Callable[[Path], Path]:
    """`publish_tiny` for tests that need their own copy (to break or replace it)."""
    return publish_tiny


@pytest.fixture(scope="session")
def build_db_factory() -> Callable[..., Path]:
    """`make_build_db(path, extra_sql)`: a build file with the tiny marts, unpublished."""
    return make_build_db
