"""Shared fixtures. `sample_run` is the expensive one: generated exports, `lapak run` twice (CLI in a
subprocess, exactly as a scheduler calls it), shared by every end-to-end test module."""

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from lapak.generate import GenerateResult, generate

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


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory) -> SampleRun:
    root = tmp_path_factory.mktemp("sample_run")
    landing, home = root / "landing", root / "home"
    generated = generate(landing, shops=2, days=60, orders_per_day=40, seed=11)
    first = lapak_cli("run", "--landing", str(landing), "--home", str(home), "--json", home_env=root)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    first_summary = json.loads(first.stdout)
    with duckdb.connect(first_summary["warehouse"], read_only=True) as con:
        snapshot = {m: con.execute(f"select * from marts.{m} order by all").fetchall() for m in MARTS_SNAPSHOTTED}
    second = lapak_cli("run", "--landing", str(landing), "--home", str(home), "--json", home_env=root)
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
    return SampleRun(generated, landing, home, first_summary, json.loads(second.stdout), snapshot)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test on the whole pipeline's output (`sample_run`) is an end-to-end test: `-m "not e2e"` skips it."""
    for item in items:
        if "sample_run" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.e2e)
