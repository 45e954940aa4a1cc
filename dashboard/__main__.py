"""Start the dashboard: `python -m dashboard [--address 127.0.0.1] [--port 8501]` (what `make dashboard` runs).

It binds to 127.0.0.1 unless told otherwise (`--address 0.0.0.0` or `$LAPAK_DASHBOARD_ADDRESS`, for a shop's
LAN: there is no login, so only on a network you trust), runs headless, and turns off Streamlit's usage
statistics so that nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

APP = Path(__file__).resolve().parent / "app.py"


def command(address: str = "127.0.0.1", port: int = 8501, python: str = sys.executable) -> list[str]:
    return [
        python, "-m", "streamlit", "run", str(APP),
        "--server.address", address,
        "--server.port", str(port),
        "--server.headless", "true",
        "--server.fileWatcherType", "none",
        "--browser.gatherUsageStats", "false",
        "--client.toolbarMode", "viewer",
        "--theme.base", "light",
    ]  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m dashboard", description=__doc__.splitlines()[0])
    parser.add_argument("--address", default=os.environ.get("LAPAK_DASHBOARD_ADDRESS", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("LAPAK_DASHBOARD_PORT", "8501")))
    args = parser.parse_args(argv)
    cmd = command(args.address, args.port)
    print(f"lapak dashboard on http://{args.address}:{args.port}  (marts: $LAPAK_HOME/serve/marts.duckdb)", flush=True)
    os.execv(cmd[0], cmd)


if __name__ == "__main__":
    main()
