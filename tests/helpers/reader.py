"""A BI-like reader for the concurrency test: queries the published marts read-only as fast as it
can, opening a fresh connection every few queries (so it picks up each newly published copy), until
told to stop; writes what it saw as JSON.

Each query checks consistency: the row counts recorded in `_published` for two marts must equal the
rows actually in those marts, read through the same connection (one file, one run)."""

import json
import sys
import time
from pathlib import Path

import duckdb

RECONNECT_EVERY = 10
SQL = """
select
    (select count(*) from customers) as customers,
    (select row_count from _published where mart = 'customers') as customers_published,
    (select count(*) from kpi_daily) as kpi_daily,
    (select row_count from _published where mart = 'kpi_daily') as kpi_daily_published,
    (select count(distinct run_id) from _published) as runs,
    (select min(run_id) from _published) as run_id
"""


def main(db: str, stop_file: str, out: str) -> None:
    queries, errors, inconsistent, run_ids = 0, [], [], set()
    started = time.perf_counter()
    con = None
    while not Path(stop_file).exists():
        try:
            if con is None or queries % RECONNECT_EVERY == 0:  # like a BI pool recycling connections
                if con is not None:
                    con.close()
                con = duckdb.connect(db, read_only=True)
            c, cp, k, kp, runs, run_id = con.execute(SQL).fetchone()
            queries += 1
            run_ids.add(run_id)
            if c != cp or k != kp or runs != 1:
                inconsistent.append([c, cp, k, kp, runs])
        except Exception as exc:  # the test asserts there are none
            errors.append(f"{type(exc).__name__}: {exc}")
            con = None
    if con is not None:
        con.close()
    seconds = time.perf_counter() - started
    Path(out).write_text(
        json.dumps(
            {"queries": queries, "seconds": seconds, "errors": errors[:20], "error_count": len(errors),
             "inconsistent": inconsistent[:20], "run_ids": sorted(run_ids)}
        )
    )  # fmt: skip


if __name__ == "__main__":
    main(*sys.argv[1:4])
