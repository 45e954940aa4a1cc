"""Ingestion throughput: lapak's loader against a bare DuckDB `read_csv` of the same file.

    .venv/bin/python -m benchmarks.ingest_throughput            # 1,000,000 order lines
    .venv/bin/python -m benchmarks.ingest_throughput --rows 200000 --keep /tmp/bench

Writes a current-layout (65-column) order CSV the way Seller Center does (BOM, tab-suffixed IDs and
times, dd/mm/yyyy times, a quoted `Variation` with a comma) with DuckDB `COPY`, then times:

1. bare: `create table t as select * from read_csv(file, all_varchar = true)` into a fresh warehouse,
2. lapak: `ingestion.load.ingest()` of the same file into another fresh warehouse (hash, detect, read,
   validate, quarantine, HMAC the buyer, insert, manifest, checkpoint),

and prints rows/s for both and the ratio lapak / bare (target: <= 2.0). Each is run `--repeat` times,
alternating, into fresh warehouses. The headline is the median of the per-round ratios (each round runs bare
and lapak back to back, so both see about the same load on a shared machine); the ratio of the best times is
printed too.
`--profile` prints lapak's time per SQL step. Prints figures; not a test.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import duckdb

from ingestion.formats import ORDER_HEADERS_CURRENT, ORDER_TAB_SUFFIXED

# The order export's values as SQL over `i`, the 0-based line: two lines per order, 97 SKUs, 50,000 buyers.
VALUES = {
    "Order ID": "(576000000000000000 + i // 2)::varchar",
    "Order Status": "['Selesai', 'Dikirim', 'Perlu dikirim', 'Dibatalkan'][i % 4 + 1]",
    "Order Substatus": "['Selesai', 'Dalam pengiriman', 'Menunggu dikirim', 'Dibatalkan'][i % 4 + 1]",
    "SKU ID": "(1729000000000000000 + i % 2)::varchar",
    "Seller SKU": "'SKU-' || (i % 97)::varchar",
    "Product Name": "'Kopi Arabika Gayo ' || (i % 97)::varchar || 'g'",
    "Variation": "'Merah, L'",
    "Quantity": "(1 + i % 3)::varchar",
    "Sku Quantity of return": "'0'",
    "SKU Unit Original Price": "(10000 + i % 97 * 500)::varchar",
    "SKU Subtotal Before Discount": "((10000 + i % 97 * 500) * (1 + i % 3))::varchar",
    "SKU Platform Discount": "'0'",
    "SKU Seller Discount": "'0'",
    "SKU Subtotal After Discount": "((10000 + i % 97 * 500) * (1 + i % 3))::varchar",
    "Order Refund Amount": "'0'",
    "Order Amount": "((10000 + i % 97 * 500) * (1 + i % 3) + 9000)::varchar",
    "Created Time": "strftime(timestamp '2026-01-01' + to_seconds(i * 7), '%d/%m/%Y %H:%M:%S')",
    "Paid Time": "strftime(timestamp '2026-01-01' + to_seconds(i * 7 + 60), '%d/%m/%Y %H:%M:%S')",
    "Buyer Username": "'buyer_' || (i % 50000)::varchar",
    "Recipient": "'Budi Santoso'",
    "Phone #": "'(+62)812******32'",
    "Zipcode": "'40115'",
    "Country": "'Indonesia'",
    "Province": "'Jawa Barat'",
    "Regency and City": "'Kota Bandung'",
    "Detail Address": "'Jl. Braga No. ' || (i % 200)::varchar",
    "Payment Method": "'COD'",
    "Package ID": "(1150000000000000000 + i // 2)::varchar",
    "Tracking ID": "'JX' || (1000000000 + i // 2)::varchar",
}


def write_orders_csv(path: Path, rows: int) -> None:
    """A current-layout order CSV of `rows` lines as Seller Center writes it (BOM, tab-suffixed IDs and times, a
    quoted `Variation` with a comma), written by DuckDB `COPY`: a million lines in seconds."""
    exprs = []
    for h in ORDER_HEADERS_CURRENT:
        e = VALUES.get(h, "''")
        exprs.append(f'{e} || chr(9) as "{h}"' if h in ORDER_TAB_SUFFIXED else f'{e} as "{h}"')
    body = path.with_name(path.name + ".body")
    with duckdb.connect() as con:
        con.execute(
            f"copy (select {', '.join(exprs)} from range({rows}) as r(i)) to ? (header false, delimiter ',')",
            [str(body)],
        )
    header = ",".join(f'"{h}"' if "#" in h else h for h in ORDER_HEADERS_CURRENT)
    with path.open("wb") as out, body.open("rb") as src:
        out.write(b"\xef\xbb\xbf" + header.encode() + b"\n")
        shutil.copyfileobj(src, out, 1 << 24)
    body.unlink()


def bare(path: Path, warehouse: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds of all threads)."""
    start, cpu = time.perf_counter(), time.process_time()
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create table t as select * from read_csv(?, all_varchar = true)", [str(path)])
        con.execute("checkpoint")
    return time.perf_counter() - start, time.process_time() - cpu


def lapak(landing: Path, home: Path) -> tuple[float, float, object]:
    from ingestion.load import ingest

    start, cpu = time.perf_counter(), time.process_time()
    report = ingest(home / "warehouse.duckdb", landing, home, load_id="bench")
    return time.perf_counter() - start, time.process_time() - cpu, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", help="work in this folder and keep it (default: a temp folder, removed)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the best counts")
    parser.add_argument("--profile", action="store_true", help="print lapak's time per SQL step")
    args = parser.parse_args()
    os.environ.setdefault("LAPAK_PII_KEY", "benchmark-key-0123456789abcdef0123456789abcdef")
    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="lapak-bench-"))
    try:
        landing = root / "landing"
        (landing / "bench-shop").mkdir(parents=True, exist_ok=True)
        path = landing / "bench-shop" / "Semua pesanan-2026-11-20-09_30.csv"
        if not path.exists():
            t0 = time.perf_counter()
            write_orders_csv(path, args.rows)
            print(
                f"wrote {args.rows:,} order lines ({path.stat().st_size / 1e6:.0f} MB) "
                f"in {time.perf_counter() - t0:.1f}s"
            )
        if args.profile:
            os.environ["LAPAK_PROFILE"] = "1"
        from ingestion import load  # imported before the clock starts, like duckdb for the bare read

        assert load.ingest
        bare_times, lapak_times, bare_cpu, lapak_cpu = [], [], [], []
        for _ in range(args.repeat):
            for p in (root / "bare.duckdb", root / "bare.duckdb.wal", root / "home"):
                shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)
            t, cpu = bare(path, root / "bare.duckdb")
            bare_times.append(t)
            bare_cpu.append(cpu)
            t, cpu, report = lapak(landing, root / "home")
            lapak_times.append(t)
            lapak_cpu.append(cpu)
            (f,) = report.files
            assert f.status == "loaded" and f.rows_loaded == args.rows, (f.status, f.reason, f.rows_loaded)
        t_bare, t_lapak = min(bare_times), min(lapak_times)
        ratios = [lt / bt for bt, lt in zip(bare_times, lapak_times, strict=True)]
        print(
            f"runs (s): bare {', '.join(f'{t:.2f}' for t in bare_times)}; "
            f"lapak {', '.join(f'{t:.2f}' for t in lapak_times)}; "
            f"ratios {', '.join(f'{r:.2f}' for r in ratios)}"
        )
        print(f"bare read_csv : {t_bare:6.2f}s  {args.rows / t_bare:>12,.0f} rows/s  (best)")
        print(f"lapak ingest  : {t_lapak:6.2f}s  {args.rows / t_lapak:>12,.0f} rows/s  (best)")
        print(f"ratio of best times: {t_lapak / t_bare:.2f}x")
        cpu_ratio = statistics.median(lc / bc for bc, lc in zip(bare_cpu, lapak_cpu, strict=True))
        print(
            f"CPU seconds (all threads): bare {', '.join(f'{t:.2f}' for t in bare_cpu)}; "
            f"lapak {', '.join(f'{t:.2f}' for t in lapak_cpu)}; median ratio {cpu_ratio:.2f}x"
        )
        print(f"ratio lapak / bare: {statistics.median(ratios):.2f}x median of {len(ratios)}  (target <= 2.00x)")
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
