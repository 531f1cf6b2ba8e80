"""`order-truth dashboard`: serve the Streamlit app on loopback only.

The app reads the published warehouse, never the build file, so it can stay up while
`order-truth build` runs. It binds to 127.0.0.1 because the data is customer data: sharing
it beyond this machine is a deliberate step (a reverse proxy with auth), not a default.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
from pathlib import Path

from order_truth import warehouse
from order_truth.errors import UserError

APP = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"
DEFAULT_PORT = 8501


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help=f"TCP port on 127.0.0.1 (default: {DEFAULT_PORT})")


def streamlit_command(port: int) -> list[str]:
    """The exact `streamlit run` invocation (kept separate so tests can assert on it)."""
    return [sys.executable, "-m", "streamlit", "run", str(APP),
            "--server.address", "127.0.0.1", "--server.port", str(port),
            "--server.headless", "true", "--browser.gatherUsageStats", "false",
            "--client.toolbarMode", "viewer"]


def port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def run(args: argparse.Namespace) -> int:
    port: int = args.port
    if not 1 <= port <= 65535:
        raise UserError(f"--port {port} is not a TCP port (1-65535)")
    if not APP.is_file():
        raise UserError(f"the dashboard app is missing ({APP}); is this a full checkout?")
    if port_in_use(port):
        raise UserError(f"port {port} on 127.0.0.1 is already in use; pick another with "
                        "--port")
    published = warehouse.published_path().resolve()
    env = dict(os.environ)
    # Pin the absolute path: Streamlit's working directory must not change what it reads.
    env[warehouse.ENV_PUBLISHED] = str(published)
    if not published.is_file():
        print(f"order-truth dashboard: no published warehouse at {published} yet; the "
              "dashboard will say how to build one", file=sys.stderr)
    print(f"order-truth dashboard: serving on http://127.0.0.1:{port} (Ctrl-C stops it)",
          flush=True)
    cmd = streamlit_command(port)
    # Replace this process with Streamlit: Ctrl-C and a kill by pid reach the server itself
    # instead of leaving an orphaned server behind a wrapper process.
    os.execve(cmd[0], cmd, env)
    return 0  # not reached
