"""The Great Expectations suites on a built warehouse, as lapak runs them, against how it ran them before.

    .venv/bin/python benchmarks/run.py --scales 5m --work /tmp/bench     # builds <work>/5m/home
    .venv/bin/python benchmarks/checks.py /tmp/bench/5m/home/warehouse.duckdb gx_raw_orders gx_stg_order_lines

For each suite, in one process and on the same warehouse, it validates every row chunk by chunk
(`quality.checks.validate_in_chunks`) twice: as lapak does now, and with the three costs the seventh
measurement removed put back (GX's per-frame fingerprint, rows fetched with `.df()`, a full memory release
after every chunk). It prints the time and peak RSS (sampled every 5 ms) of each, and their ratio. Raw
suites validate the load with the most rows in their table (`benchmarks/run.py`'s full build, not the new day it
loads after). docs/performance.md has the figures.
"""

import argparse
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402

import quality.checks as checks  # noqa: E402
from benchmarks.stacks import rss  # noqa: E402
from quality.suites import SUITES  # noqa: E402


class Peak:
    """Peak RSS of this process, sampled every 5 ms while reset() was last called."""

    def __init__(self) -> None:
        self.value = 0
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        while True:
            self.value = max(self.value, rss())
            time.sleep(0.005)

    def reset(self) -> None:
        self.value = rss()


@contextmanager
def as_before():
    """The checks as they ran before the seventh measurement."""
    from great_expectations.execution_engine import pandas_execution_engine

    saved = (pandas_execution_engine.HASH_THRESHOLD, checks.fetch_frame, checks.gc.collect)
    pandas_execution_engine.HASH_THRESHOLD = 1e9  # GX's default: fingerprint every frame under 1 GB
    last_rows = [0]

    def fetch(con, query, params):
        frame = con.execute(query, params).df()
        last_rows[0] = len(frame)
        return frame

    def collect(generation=2):  # a full release after every big chunk, not young generations then one release
        if generation != 1:
            return saved[2](generation)
        if last_rows[0] >= checks.RELEASE_ROWS:
            checks.release_memory()
        return 0

    checks.fetch_frame = fetch

    checks.gc.collect = collect
    try:
        yield
    finally:
        pandas_execution_engine.HASH_THRESHOLD, checks.fetch_frame, checks.gc.collect = saved


def run(warehouse: Path, suite, peak: Peak) -> tuple[float, int, checks.Outcome]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        params = {}
        if suite.holds_files:
            table = ".".join(suite.asset_key)
            biggest = f"select _load_id from {table} group by 1 order by count(*) desc, 1 limit 1"
            params["load_id"] = con.execute(biggest).fetchone()[0]
        peak.reset()
        started = time.perf_counter()
        outcome = checks.validate_in_chunks(con, suite, suite.query, params)
        return time.perf_counter() - started, peak.value, outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("suites", nargs="*", help="suite names (default: all)")
    args = parser.parse_args()
    chosen = [s for s in SUITES if not args.suites or s.name in args.suites]
    checks._gx()  # import GX and make its context before timing anything
    peak = Peak()
    print("suite | rows | chunks | before | now | before / now | peak before | peak now")
    for suite in chosen:
        with as_before():
            before_s, before_peak, before = run(args.warehouse, suite, peak)
        now_s, now_peak, now = run(args.warehouse, suite, peak)
        assert (before.rows, before.passed) == (now.rows, now.passed), "both ways must validate the same rows"
        print(
            f"{suite.name} | {now.rows:,} | {now.chunks} | {before_s:.1f}s | {now_s:.1f}s | {before_s / now_s:.1f}x"
            f" | {before_peak / 2**20:.0f} MiB | {now_peak / 2**20:.0f} MiB",
            flush=True,
        )


if __name__ == "__main__":
    main()
