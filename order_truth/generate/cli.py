"""`order-truth generate`: argument parsing and user-facing errors for the generator."""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

from order_truth.errors import UserError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--orders", type=int, help="orders in the base window (e.g. 20000)")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument("--out", type=Path, default=Path("data"), help="output dir (data/)")
    parser.add_argument("--end-date", type=date.fromisoformat, default=None,
                        help="last order date, YYYY-MM-DD (default 2026-10-31)")
    parser.add_argument("--days", type=int, default=120, help="days of orders (default 120)")
    parser.add_argument("--fault-rate", type=float, default=1.0,
                        help="multiplier on every fault rate; 0 gives a clean dataset")
    parser.add_argument("--append-days", type=int, default=0, metavar="K",
                        help="add K days to the dataset already in --out, as new parts")


def run(args: argparse.Namespace) -> int:
    from order_truth.generate import append_days, generate
    from order_truth.generate.config import DEFAULT_END_DATE, GeneratorConfig

    out: Path = args.out
    if args.append_days:
        if args.append_days < 0:
            raise UserError("--append-days must be a positive number of days")
        if not (out / "_generator.json").exists():
            raise UserError(f"no generated dataset in {out}: run generate without "
                            "--append-days first")
        summary = append_days(out, args.append_days)
    else:
        if args.orders is None:
            raise UserError("--orders is required (for example --orders 20000)")
        if args.orders < 100:
            raise UserError("--orders must be at least 100")
        if args.days < 35:
            raise UserError("--days must be at least 35 so that a full month is covered")
        if args.fault_rate < 0:
            raise UserError("--fault-rate must be 0 or more")
        if out.exists() and not out.is_dir():
            raise UserError(f"--out {out} exists and is not a directory")
        cfg = GeneratorConfig(orders=args.orders, seed=args.seed,
                              end_date=args.end_date or DEFAULT_END_DATE, days=args.days,
                              fault_rate=args.fault_rate)
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UserError(f"cannot create {out}: {exc.strerror}") from exc
        summary = generate(cfg, out)
    print(json.dumps(summary))
    return 0
