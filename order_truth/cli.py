"""The `order-truth` command line: one subcommand per job, one module per subcommand.

Every subcommand module exposes `add_arguments(parser)` and `run(args) -> int`. Modules are
imported only when their command runs, so `order-truth --help` stays fast and a broken
optional dependency (say, Spark) cannot break unrelated commands.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys
from collections.abc import Sequence

from order_truth.errors import UserError

# command -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "generate": ("order_truth.generate.cli", "write raw source datasets and the answer key"),
    "build": ("order_truth.build", "dbt build, then publish the warehouse if every test passed"),
    "dashboard": ("order_truth.dashboard", "serve the Streamlit dashboard on 127.0.0.1"),
    "report": ("order_truth.report", "write the monthly promise-vs-outcome SLA report"),
    "check": ("order_truth.check", "compare the latest complete day's KPIs with targets"),
    "classify-carrier-events": (
        "order_truth.classify",
        "map a CSV of raw carrier codes onto the canonical taxonomy",
    ),
    "resolve-identities": (
        "order_truth.identity",
        "cluster a file of person records into customers",
    ),
    "load": ("order_truth.load", "load the raw datasets into PostgreSQL or Spark"),
    "export": ("order_truth.export", "write every public mart of the last build to Parquet"),
    "bench": ("order_truth.bench", "measure generate, build, incremental and page times"),
}


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line plus a hint, exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"order-truth: {message} (see '{self.prog} --help')\n")
        raise SystemExit(2)


def _available() -> dict[str, tuple[str, str]]:
    """Commands whose module is present in this checkout."""
    found = {}
    for name, (module, help_text) in COMMANDS.items():
        if importlib.util.find_spec(module.rsplit(".", 1)[0]) is None:
            continue
        try:
            spec = importlib.util.find_spec(module)
        except ModuleNotFoundError:
            spec = None
        if spec is not None:
            found[name] = (module, help_text)
    return found


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, tuple[str, str]]]:
    parser = _Parser(
        prog="order-truth",
        description="Did we keep the delivery promise, and which system broke it?",
    )
    parser.add_argument("--verbose", action="store_true", help="show full error details")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands = _available()
    for name, (module, help_text) in commands.items():
        cmd = sub.add_parser(name, help=help_text, description=help_text)
        cmd.add_argument("--verbose", action="store_true", help="show full error details")
        importlib.import_module(module).add_arguments(cmd)
    return parser, commands


def main(argv: Sequence[str] | None = None) -> int:
    parser, commands = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help(sys.stderr)
        return 2
    module = importlib.import_module(commands[args.command][0])
    try:
        return int(module.run(args) or 0)
    except UserError as exc:
        sys.stderr.write(f"order-truth {args.command}: {exc}\n")
        return 1
    except KeyboardInterrupt:
        sys.stderr.write(f"order-truth {args.command}: interrupted\n")
        return 130
    except Exception as exc:  # noqa: BLE001 - the last line of defence against tracebacks
        if args.verbose:
            raise
        sys.stderr.write(
            f"order-truth {args.command}: unexpected error: {type(exc).__name__}: {exc} "
            "(rerun with --verbose for details)\n"
        )
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
