"""`kill -9` at points spread over a whole `lapak run` (ingest, facts, marts, publish), again and again: no row is
lost or doubled, no publication is torn, and the next run finishes the job (issue 31)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from lapak.generate import generate
from tests.helpers.pipeline import MARTS_SNAPSHOTTED, ROOT, cli_env, lapak_cli

pytestmark = pytest.mark.e2e

# where in the run each kill lands, as a share of an uninterrupted run's time
KILL_AT = (0.4, 0.55, 0.7, 0.85, 0.95)


def _start(landing: Path, home: Path, env_home: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "lapak.cli", "run", "--landing", str(landing), "--home", str(home), "--json"],
        cwd=ROOT,
        env=cli_env(env_home),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: dbt's and Dagster's children die with it
    )


def _snapshot(warehouse: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        out = {m: con.execute(f"select * from marts.{m} order by all").fetchall() for m in MARTS_SNAPSHOTTED}
        out["raw.orders"] = con.execute(
            "select _shop_id, _source_file, _source_row, order_id, sku_id from raw.orders order by all"
        ).fetchall()
        out["manifest"] = con.execute(
            "select source_file, status, rows_read, rows_loaded from raw._manifest order by all"
        ).fetchall()
    return out


def _publication_is_whole(home: Path) -> None:
    """The current publication, if any: its database, Parquet files and reorder CSV are one run's, all there."""
    current = home / "serve" / "current"
    if not current.exists():
        return
    with duckdb.connect(str(current / "marts.duckdb"), read_only=True) as con:
        published = con.execute("select mart, row_count, run_id from _published").fetchall()
        (run_id,) = con.execute("select run_id from _publication").fetchone()
        for mart, rows, _ in published:
            parquet = current / "parquet" / f"{mart}.parquet"
            assert parquet.exists(), parquet
            assert con.execute("select count(*) from read_parquet(?)", [str(parquet)]).fetchone()[0] == rows, mart
    assert {r[2] for r in published} == {run_id}
    assert current.resolve().name == run_id


def _kill_mid_publish(landing: Path, home: Path, env_home: Path, timeout: float) -> bool:
    """Start a run and kill it as soon as it starts writing a new publication folder; False if it never did."""
    runs = home / "serve" / "runs"
    before = set(runs.iterdir()) if runs.exists() else set()
    run = _start(landing, home, env_home)
    deadline = time.monotonic() + timeout
    while run.poll() is None and time.monotonic() < deadline:
        if runs.exists() and set(runs.iterdir()) - before:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()
            return True
        time.sleep(0.01)
    if run.poll() is None:
        os.killpg(run.pid, signal.SIGKILL)
        run.wait()
    return False


def test_kill_minus_nine_anywhere_loses_nothing_and_tears_nothing(tmp_path):
    landing = tmp_path / "landing"
    generate(landing, shops=2, days=30, orders_per_day=10, seed=9)
    started = time.perf_counter()
    clean = lapak_cli("run", "--landing", str(landing), "--home", str(tmp_path / "clean"), "--json", home_env=tmp_path)
    took = time.perf_counter() - started
    assert clean.returncode == 0, clean.stdout[-2000:] + clean.stderr[-2000:]
    expected = _snapshot(tmp_path / "clean" / "warehouse.duckdb")

    home = tmp_path / "victim"
    killed = 0
    for share in KILL_AT:
        run = _start(landing, home, tmp_path)
        try:
            run.wait(timeout=took * share)
        except subprocess.TimeoutExpired:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()
            killed += 1
        _publication_is_whole(home)
    assert killed >= 3, "the kills must land inside runs, not after them"
    assert _kill_mid_publish(landing, home, tmp_path, timeout=took * 3), "a run must be killed while it publishes"
    _publication_is_whole(home)
    final = lapak_cli("run", "--landing", str(landing), "--home", str(home), "--json", home_env=tmp_path)
    assert final.returncode == 0, final.stdout[-3000:] + final.stderr[-3000:]
    _publication_is_whole(home)
    got = _snapshot(home / "warehouse.duckdb")
    for key in expected:
        assert got[key] == expected[key], key
    summary = json.loads(final.stdout)
    assert not summary["checks_failed"] or all(c["severity"] == "WARN" for c in summary["checks_failed"])
