"""The daily facts step with dbt's two threads against one model at a time, taking turns on a built warehouse.

lapak builds the facts one model at a time (`--threads 1`) when the window is every day or longer than
`SERIAL_FACTS_DAYS` (orchestration/dbt.py, `facts_threads`): the two order-line models are window
functions over every export of every order in the window, and side by side they share one DuckDB memory
pool. This script measures both cases that decision rests on, on a copy of a warehouse that
`benchmarks/run.py --work W` built (default: W/5m/home):

- **every day**: `dbt build --select tag:daily_fact --full-refresh` (a first build);
- **a few days**: the same build, not from scratch, over the newest `--days` days of every kind (a daily run).

Each case runs with `--threads 2` and `--threads 1` in turns; the script prints dbt's own elapsed time
(run_results.json) and the wall time of each command, and the medians' ratios. The copy and dbt's
target folder are temporary; the home is only read.

    .venv/bin/python benchmarks/facts_threads.py --home W/5m/home [--rounds 2] [--days 3]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from orchestration.dbt import BUILD_ARGS, FACTS_SELECTOR, WINDOWS_ENV  # noqa: E402
from orchestration.windows import FACT_KINDS  # noqa: E402

DBT = str(Path(sys.executable).parent / "dbt")
PROJECT = ROOT / "dbt_project"


def newest_days(warehouse: Path, days: int) -> dict:
    """A window over the newest `days` days of order lines, for every kind of fact."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        last = con.execute("select max(order_date) from staging.stg_tiktok__order_lines").fetchone()[0]
    first = last - timedelta(days=days - 1)
    return {"lapak_windows": {kind: [first.isoformat(), last.isoformat()] for kind in FACT_KINDS}}


def dbt_build(env: dict, target: Path, threads: int, full_refresh: bool) -> tuple[float, float]:
    """One facts build: (dbt's elapsed seconds, the command's wall seconds)."""
    args = [DBT, "build", "--select", FACTS_SELECTOR, *BUILD_ARGS, "--threads", str(threads)]
    args += ["--full-refresh"] if full_refresh else []
    started = time.perf_counter()
    proc = subprocess.run(
        [*args, "--target-path", str(target), "--quiet"], cwd=PROJECT, env=env, capture_output=True, text=True
    )
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"dbt failed ({' '.join(args[1:])}):\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}")
    return json.loads((target / "run_results.json").read_text())["elapsed_time"], wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", required=True, type=Path, help="a home built by benchmarks/run.py")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of each case (every day takes minutes)")
    parser.add_argument("--days", type=int, default=3, help="days in the window of the daily case")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="lapak-facts-threads-", dir=args.home.parent))
    try:
        warehouse = scratch / "warehouse.duckdb"
        shutil.copyfile(args.home / "warehouse.duckdb", warehouse)
        target = scratch / "target"
        env = {**os.environ, "LAPAK_WAREHOUSE": str(warehouse), "DBT_LOG_LEVEL_FILE": "info"}
        env.pop(WINDOWS_ENV, None)
        # parse once, so that no timed command pays for a full parse
        subprocess.run([DBT, "parse", "--quiet", "--target-path", str(target)], cwd=PROJECT, env=env, check=True)
        window = newest_days(warehouse, args.days)
        cases = {
            "every day, --full-refresh": ({k: v for k, v in env.items() if k != WINDOWS_ENV}, True),
            f"{args.days} days ({window['lapak_windows']['orders'][0]} ..)": (
                {**env, WINDOWS_ENV: json.dumps(window)},
                False,
            ),
        }
        results: dict[str, dict[int, list[tuple[float, float]]]] = {}
        for name, (case_env, full_refresh) in cases.items():
            for i in range(args.rounds):
                for threads in (2, 1) if i % 2 == 0 else (1, 2):
                    elapsed, wall = dbt_build(case_env, target, threads, full_refresh)
                    results.setdefault(name, {}).setdefault(threads, []).append((elapsed, wall))
                    print(f"{name}: --threads {threads}: dbt {elapsed:.1f} s, wall {wall:.1f} s", flush=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print()
    print(f"medians of {args.rounds} rounds (warehouse of {args.home}, {date.today()}):")
    for name, by_threads in results.items():
        two = statistics.median(e for e, _ in by_threads[2])
        one = statistics.median(e for e, _ in by_threads[1])
        print(f"  {name}: 2 threads {two:.1f} s, 1 thread {one:.1f} s; one at a time / side by side {one / two:.2f}x")


if __name__ == "__main__":
    main()
