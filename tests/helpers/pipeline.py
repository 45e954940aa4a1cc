"""Running the CLI as a scheduler does, and the marts end-to-end tests compare: shared by conftest and the tests."""

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

from lapak.generate import GenerateResult

ROOT = Path(__file__).resolve().parent.parent
MARTS_SNAPSHOTTED = [
    "customers", "kpi_daily", "video_daily", "sku_daily", "ltv_weekly", "nps_by_campaign", "retention_weekly",
    "sku_health", "reorder_signals", "reorder_signals_daily", "live_sessions", "live_sales_lift",
    "creator_performance", "experiment_results", "content_funnel_daily", "nps_monthly",
]  # fmt: skip


def cli_env(home_env: Path) -> dict[str, str]:
    """A bare environment for the CLI: no activated venv, no inherited LAPAK_* variables, one PII key for every run
    (the warehouse records the key that built it)."""
    return {"PATH": "/usr/bin:/bin", "HOME": str(home_env), "LAPAK_PII_KEY": "e2e-key-0123456789abcdef0123456789abcdef"}


def lapak_cli(*args: str, home_env: Path) -> subprocess.CompletedProcess:
    """Run the CLI as a scheduler does, in a subprocess with `cli_env`."""
    return subprocess.run(
        [sys.executable, "-m", "lapak.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=cli_env(home_env),
        timeout=1200,
    )


@dataclass
class SampleRun:
    generated: GenerateResult
    landing: Path
    home: Path
    first: dict  # summary of the first run
    second: dict  # summary of the second run, on the same files
    marts_after_first: dict[str, list[tuple]]

    def connect(self) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(self.first["warehouse"], read_only=True)
