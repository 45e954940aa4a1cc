"""What the workbook guard (ingestion/limits.py) costs: the zip scan for a sheet's real extent, against calamine's read
of the same sheet (the baseline, in the same script), on an order workbook of `--rows` rows.

    .venv/bin/python benchmarks/workbook_guard.py --rows 30000
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import xlsxwriter

from ingestion import limits
from ingestion.formats import ORDER_HEADERS_CURRENT


def write_orders(path: Path, rows: int) -> None:
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("OrderSKUList")
    sheet.write_row(0, 0, ORDER_HEADERS_CURRENT)
    for i in range(1, rows + 1):
        sheet.write_row(i, 0, [f"576{i:015d}", "Selesai", "", "", "Normal", "1729000000000000001", "SKU-1", "Kopi"])
        sheet.write_row(i, 8, ["Merah, L", "1", *["10000"] * 20, "03/11/2026 10:00:00"])
    book.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=30_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    from python_calamine import CalamineWorkbook

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "orders.xlsx"
        write_orders(path, args.rows)
        guard, read = [], []
        for _ in range(args.rounds):  # alternating, so both halves of a round see the same machine
            start = time.perf_counter()
            limits.check_workbook(path)
            guard.append(time.perf_counter() - start)
            start = time.perf_counter()
            CalamineWorkbook.from_path(str(path)).get_sheet_by_name("OrderSKUList").to_python(skip_empty_area=False)
            read.append(time.perf_counter() - start)
        size = path.stat().st_size / 2**20
    ratios = [g / r for g, r in zip(guard, read, strict=True)]
    print(f"order workbook: {args.rows:,} rows, {size:.1f} MiB")
    print(f"guard (zip scan)  median {statistics.median(guard):.3f} s")
    print(f"calamine read     median {statistics.median(read):.3f} s")
    print(f"guard / read      median {statistics.median(ratios):.2f}x (per-round ratios)")


if __name__ == "__main__":
    main()
