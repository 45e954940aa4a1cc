"""Load landing files into the DuckDB `raw` schema: `ingest()` runs the loaders (`loader.py`) over the landing
folder, shops side by side (`workers.py`).

The modules, one job each: `loader.py` the transactional loader (manifest, transactions, retries one by one),
`file_load.py` one file's rows into its raw table, `batch.py` many small workbooks at once, `csv_reader.py` and
`workbook_reader.py` a file into `_file`, `quarantine.py` the rows that cannot be parsed, `manifest_rows.py` the
manifest in memory and its rows, `session.py` the connection's timed statements and temp tables.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from ingestion.batch import BATCH_FILE_BYTES, BATCH_FILES, BATCH_ROWS
from ingestion.csv_reader import ARROW_FILE_BYTES, UNPIVOT_ROWS
from ingestion.file_load import NATURAL_KEYS, RANGE_COLUMNS, export_time
from ingestion.landing import scan_landing
from ingestion.loader import TXN_ROWS, Loader
from ingestion.report import FileResult, IngestReport
from ingestion.scan import scan_file
from ingestion.workers import EventHook, ingest_workers, run_loader, run_parallel, shop_groups

__all__ = [
    "ARROW_FILE_BYTES", "BATCH_FILES", "BATCH_FILE_BYTES", "BATCH_ROWS", "NATURAL_KEYS", "RANGE_COLUMNS", "TXN_ROWS",
    "UNPIVOT_ROWS", "EventHook", "Loader", "export_time", "ingest", "ingest_workers", "scan_file",
]  # fmt: skip


def ingest(
    warehouse: Path,
    landing: Path,
    home: Path,
    load_id: str,
    kinds: set[str] | None = None,
    shop: str | None = None,
    on_event: EventHook | None = None,
    workers: int | None = None,
) -> IngestReport:
    """Load every new file under `landing` (optionally only some kinds / one shop) into `warehouse`.

    Shops load side by side, one loader per worker (`ingest_workers()`), each shop's files in order by one
    loader: no row, count or manifest entry of one shop depends on another's, so the result is the one a
    single loader gives (tests/test_ingestion_parallel.py). A file is a duplicate only of content its own
    shop has loaded: the same export in two shops' folders loads for each, under its own shop id
    (tests/test_shared_content.py).

    `on_event(event, source_file, result)` is called with `start` before and `done` after each file
    (progress lines, tests that kill a run mid-file)."""
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    report = IngestReport()
    con = duckdb.connect(str(warehouse))
    try:
        # DuckDB checkpoints the WAL inside a commit once it passes 16 MB, often during a big load: every 256 MB
        # (and once at the end) costs much less time for a little more memory (docs/performance.md, decision log)
        con.execute("set checkpoint_threshold = '256MB'")
        # DuckDB keeps the blocks a load wrote in memory up to its limit (80% of RAM by default), though it never
        # reads them again: capped, it evicts them; 400 MB gave the lowest peak in as much time (docs/performance.md,
        # decision log).
        con.execute("set memory_limit = ?", [os.environ.get("LAPAK_INGEST_MEMORY_LIMIT", "400MB")])
        found = scan_landing(landing, shop)
        files = found.files
        loader = Loader(con, landing, home, load_id)
        groups = shop_groups(loader, files, workers or ingest_workers())
        if groups is None:
            report.files = run_loader(loader, files, kinds, on_event)
        else:
            report.files = run_parallel(con, loader, files, groups, landing, home, load_id, kinds, on_event)
            loader = None
        report.files += [
            FileResult(path.relative_to(landing).as_posix(), shop_id, "", "skipped", reason=why)
            for shop_id, path, why in found.skipped
        ]
        con.execute("checkpoint")
        if loader is not None and loader.profile is not None:
            for label, secs in sorted(loader.profile.items(), key=lambda kv: -kv[1]):
                print(f"  {label:<12} {secs:7.2f}s")
    finally:
        con.close()
    return report
