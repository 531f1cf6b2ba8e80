"""The command line: commands are listed, and user errors are one line, never a traceback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from order_truth import dashboard

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None,
        ) -> subprocess.CompletedProcess[str]:
    """Run `order-truth` as a user would: a fresh interpreter, real stdout and stderr."""
    return subprocess.run([sys.executable, "-m", "order_truth", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})


def assert_one_line_error(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr + result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


def test_help_lists_the_commands_that_exist() -> None:
    result = cli("--help")
    assert result.returncode == 0
    for command in ("generate", "build", "dashboard"):
        assert command in result.stdout
    # a command whose module is not written yet is not advertised
    from order_truth.cli import COMMANDS, _available
    for name in set(COMMANDS) - set(_available()):
        assert f"\n    {name} " not in result.stdout


def test_no_command_prints_help_and_fails() -> None:
    result = cli()
    assert result.returncode == 2
    assert "usage: order-truth" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_command_is_one_line() -> None:
    assert_one_line_error(cli("frobnicate"), "invalid choice", "frobnicate")


@pytest.mark.parametrize("args, needle", [
    (["build", "--target", "oracle"], "--target"),
    (["build", "--no-such-flag"], "--no-such-flag"),
    (["dashboard", "--port", "eighty"], "--port"),
    (["load", "--target", "duckdb"], "--target"),
    (["load", "--data", "data"], "--target"),
    (["export", "--target", "oracle", "--out", "x"], "--target"),
])
def test_bad_arguments_are_one_line(args: list[str], needle: str) -> None:
    result = cli(*args)
    assert result.returncode == 2
    assert_one_line_error(result, needle)


def test_build_without_data_dir_is_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    result = cli("build", "--data", str(missing))
    assert result.returncode == 1
    assert_one_line_error(result, "does not exist", "order-truth generate")


def test_build_on_a_dir_without_raw_is_one_line(tmp_path: Path) -> None:
    assert_one_line_error(cli("build", "--data", str(tmp_path)), "no raw/ folder")


def test_build_names_an_unreadable_raw_file(tmp_path: Path) -> None:
    table = tmp_path / "raw" / "storefront" / "orders"
    table.mkdir(parents=True)
    (table / "part-00000.parquet").write_bytes(b"this is not parquet")
    assert_one_line_error(cli("build", "--data", str(tmp_path)), "cannot read",
                          "part-00000.parquet")


def test_dashboard_rejects_a_port_out_of_range() -> None:
    assert_one_line_error(cli("dashboard", "--port", "70000"), "not a TCP port")


def test_dashboard_refuses_a_port_in_use(free_port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", free_port))
        busy.listen(1)
        port = busy.getsockname()[1]
        assert_one_line_error(cli("dashboard", "--port", str(port)), "already in use")


def test_dashboard_binds_to_loopback_headless() -> None:
    cmd = dashboard.streamlit_command(8765)
    assert cmd[cmd.index("--server.address") + 1] == "127.0.0.1"
    assert cmd[cmd.index("--server.port") + 1] == "8765"
    assert cmd[cmd.index("--server.headless") + 1] == "true"
    assert cmd[cmd.index("--browser.gatherUsageStats") + 1] == "false"
    assert Path(cmd[cmd.index("run") + 1]) == ROOT / "dashboard" / "app.py"


def test_unexpected_errors_are_one_line_unless_verbose(tmp_path: Path) -> None:
    """A bug becomes one line with a hint; --verbose shows the traceback for the developer."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = tmp_path / "data" / "raw" / "storefront" / "orders"
    table.mkdir(parents=True)
    pq.write_table(pa.table({"a": [1]}), table / "part-0.parquet")
    a_file = tmp_path / "a_file"
    a_file.write_text("the build database cannot live under a file")
    env = {"ORDER_TRUTH_DUCKDB_PATH": str(a_file / "build.duckdb")}
    result = cli("build", "--data", str(tmp_path / "data"), env=env)
    assert_one_line_error(result, "unexpected error", "--verbose")
    verbose = cli("build", "--verbose", "--data", str(tmp_path / "data"), env=env)
    assert verbose.returncode != 0
    assert "Traceback" in verbose.stderr


def test_load_without_data_dir_is_one_line(tmp_path: Path) -> None:
    result = cli("load", "--target", "postgres", "--data", str(tmp_path / "nowhere"))
    assert_one_line_error(result, "does not exist")


def test_load_without_a_server_is_one_line(tmp_path: Path) -> None:
    """No PostgreSQL listening: one line naming the server and the way to get one."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = tmp_path / "raw" / "storefront" / "orders"
    table.mkdir(parents=True)
    pq.write_table(pa.table({"a": [1]}), table / "part-0.parquet")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again before the load connects
    env = {"PGHOST": "127.0.0.1", "PGPORT": str(port), "PGCONNECT_TIMEOUT": "3"}
    result = cli("load", "--target", "postgres", "--data", str(tmp_path), env=env)
    assert_one_line_error(result, "cannot connect to PostgreSQL", "scripts/pg-local")


def test_export_without_a_build_is_one_line(tmp_path: Path) -> None:
    env = {"DBT_TARGET_PATH": str(tmp_path / "no-build")}
    result = cli("export", "--target", "duckdb", "--out", str(tmp_path / "out"), env=env)
    assert_one_line_error(result, "manifest.json", "order-truth build")


def test_the_code_fingerprint_follows_what_dbt_reads(tmp_path: Path) -> None:
    from order_truth.build import code_fingerprint

    (tmp_path / "models" / "staging").mkdir(parents=True)
    (tmp_path / "dbt_project.yml").write_text("name: p\n")
    model = tmp_path / "models" / "staging" / "stg_a.sql"
    model.write_text("select 1 as a\n")
    first = code_fingerprint(tmp_path)
    assert code_fingerprint(tmp_path) == first, "the same files give the same hash"
    model.write_text("select 2 as a\n")
    assert code_fingerprint(tmp_path) != first, "an edited model"
    model.write_text("select 1 as a\n")
    assert code_fingerprint(tmp_path) == first
    (tmp_path / "macros").mkdir()
    (tmp_path / "macros" / "m.sql").write_text("{% macro m() %}1{% endmacro %}\n")
    assert code_fingerprint(tmp_path) != first, "a new macro"
    (tmp_path / "macros" / "m.sql").unlink()
    model.rename(model.with_name("stg_b.sql"))
    assert code_fingerprint(tmp_path) != first, "a renamed model"
    model.with_name("stg_b.sql").rename(model)
    (tmp_path / "README.md").write_text("not read by dbt\n")
    (tmp_path / "order_truth").mkdir()
    (tmp_path / "order_truth" / "cli.py").write_text("print()\n")
    assert code_fingerprint(tmp_path) == first, "files dbt does not read do not count"


def test_unit_tests_are_skipped_only_for_unchanged_code_on_an_incremental_run(
        tmp_path: Path) -> None:
    from order_truth.build import _stamp_unit_tests, unit_tests_needed

    db = tmp_path / "build.duckdb"
    assert unit_tests_needed(db, "abc", full_build=False), "never passed here"
    _stamp_unit_tests(db, "abc")
    assert not unit_tests_needed(db, "abc", full_build=False)
    assert unit_tests_needed(db, "abc", full_build=True), "a full refresh runs them"
    assert unit_tests_needed(db, "abd", full_build=False), "the code changed"
    db.with_name("build.duckdb.unit_tests.json").write_text("{not json")
    assert unit_tests_needed(db, "abc", full_build=False), "an unreadable stamp"


def test_a_database_built_from_another_dataset_is_rebuilt_from_scratch(tmp_path: Path) -> None:
    """Incremental models only add what is new: pointing a build database at another
    dataset must force a full refresh, while one more day of the same dataset must not."""
    import json

    from order_truth.build import _stamp_dataset, needs_full_refresh

    def dataset(name: str, seed: int, extra_days: int = 0) -> Path:
        data = tmp_path / name
        data.mkdir(exist_ok=True)
        (data / "_generator.json").write_text(json.dumps(
            {"seed": seed, "orders": 1000, "first_order_date": "2026-07-04",
             "fault_rate": 1.0, "extra_days": extra_days}))
        return data

    db = tmp_path / "build.duckdb"
    first = dataset("a", seed=1)
    assert not needs_full_refresh(db, first), "no database yet: dbt creates everything"
    db.write_bytes(b"")
    assert needs_full_refresh(db, first), "a database nobody stamped is not trusted"
    _stamp_dataset(db, first)
    assert not needs_full_refresh(db, first)
    assert not needs_full_refresh(db, dataset("a", seed=1, extra_days=1)), "an appended day"
    assert needs_full_refresh(db, dataset("b", seed=1)), "another directory"
    assert needs_full_refresh(db, dataset("a", seed=2)), "another seed in the same place"
