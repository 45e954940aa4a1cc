"""Ingestion throughput: lapak's loader against a bare DuckDB `read_csv` of the same file.

    .venv/bin/python -m benchmarks.ingest_throughput            # 1,000,000 order lines
    .venv/bin/python -m benchmarks.ingest_throughput --rows 200000 --keep /tmp/bench

Writes a current-layout (65-column) order CSV the way Seller Center does (BOM, tab-suffixed IDs and
times, dd/mm/yyyy times, a quoted `Variation` with a comma) with DuckDB `COPY`, then times:

1. bare: `create table t as select * from read_csv(file, all_varchar = true)` into a fresh warehouse,
2. lapak: `ingestion.load.ingest()` of the same file into another fresh warehouse (hash, detect, read,
   validate, quarantine, HMAC the buyer, insert, manifest, checkpoint),

and prints rows/s for both and the ratio lapak / bare (target: <= 2.0). Each is run `--repeat` times,
alternating, into fresh warehouses; the best time of each counts (the machine may be shared).
`--profile` prints lapak's time per SQL step. Prints figures; not a test.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

import duckdb

from tests.exports import write_big_orders_csv


def bare(path: Path, warehouse: Path) -> float:
    start = time.perf_counter()
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create table t as select * from read_csv(?, all_varchar = true)", [str(path)])
        con.execute("checkpoint")
    return time.perf_counter() - start


def lapak(landing: Path, home: Path) -> tuple[float, object]:
    from ingestion.load import ingest

    start = time.perf_counter()
    report = ingest(home / "warehouse.duckdb", landing, home, load_id="bench")
    return time.perf_counter() - start, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", help="work in this folder and keep it (default: a temp folder, removed)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the best counts")
    parser.add_argument("--profile", action="store_true", help="print lapak's time per SQL step")
    args = parser.parse_args()
    os.environ.setdefault("LAPAK_PII_KEY", "benchmark-key")
    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="lapak-bench-"))
    try:
        landing = root / "landing"
        (landing / "bench-shop").mkdir(parents=True, exist_ok=True)
        path = landing / "bench-shop" / "Semua pesanan-2026-11-20-09_30.csv"
        if not path.exists():
            t0 = time.perf_counter()
            write_big_orders_csv(path, args.rows)
            print(
                f"wrote {args.rows:,} order lines ({path.stat().st_size / 1e6:.0f} MB) "
                f"in {time.perf_counter() - t0:.1f}s"
            )
        if args.profile:
            os.environ["LAPAK_PROFILE"] = "1"
        bare_times, lapak_times = [], []
        for _ in range(args.repeat):
            for p in (root / "bare.duckdb", root / "bare.duckdb.wal", root / "home"):
                shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)
            bare_times.append(bare(path, root / "bare.duckdb"))
            t, report = lapak(landing, root / "home")
            lapak_times.append(t)
            (f,) = report.files
            assert f.status == "loaded" and f.rows_loaded == args.rows, (f.status, f.reason, f.rows_loaded)
        t_bare, t_lapak = min(bare_times), min(lapak_times)
        print(
            f"runs (s): bare {', '.join(f'{t:.2f}' for t in bare_times)}; "
            f"lapak {', '.join(f'{t:.2f}' for t in lapak_times)}"
        )
        print(f"bare read_csv : {t_bare:6.2f}s  {args.rows / t_bare:>12,.0f} rows/s")
        print(f"lapak ingest  : {t_lapak:6.2f}s  {args.rows / t_lapak:>12,.0f} rows/s")
        print(f"ratio lapak / bare: {t_lapak / t_bare:.2f}x  (target <= 2.00x)")
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
