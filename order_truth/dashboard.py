"""`order-truth dashboard`: serve the Streamlit app on loopback."""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
from pathlib import Path

from order_truth.errors import UserError

APP = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=8501, help="port on 127.0.0.1 (8501)")
    parser.add_argument("--published", type=Path, default=Path("published"),
                        help="directory of the published warehouse (default: published)")


def run(args: argparse.Namespace) -> int:
    if not 1 <= args.port <= 65535:
        raise UserError(f"--port {args.port} is not a TCP port (1-65535)")
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", args.port)) == 0:
            raise UserError(f"port {args.port} is already in use; pick another with --port")
    env = dict(os.environ)
    env["ORDER_TRUTH_PUBLISHED"] = str(args.published.resolve())
    cmd = [sys.executable, "-m", "streamlit", "run", str(APP),
           "--server.address", "127.0.0.1", "--server.port", str(args.port),
           "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    print(f"order-truth dashboard: serving on http://127.0.0.1:{args.port}", flush=True)
    return subprocess.call(cmd, env=env)
