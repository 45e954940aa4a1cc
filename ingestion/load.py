"""Load landing files into the DuckDB `raw` schema: whole files in transactions, nothing lost.

Every file ends up in `raw._manifest` (loaded, duplicate or rejected, with counts); every row that
cannot be loaded ends up in `raw._quarantine` with file, row, column, raw value and reason. Rows
read = rows loaded + rows quarantined for every loaded file. A file already in the manifest (same
path and sha256) is skipped, without reading it again when its size and modification time are those
recorded; the same content under another name is recognised by its hash, so re-running on the same
files changes nothing. A file's rows, its quarantined rows and its manifest row are written in one
transaction, which holds whole files only: a run killed mid-file leaves nothing of the files of its open
transaction behind, and the next run loads them whole. Bigger files share a transaction up to `TXN_ROWS`
rows (`Loader._load_open`), and one that fails rolls it back: its files then load one by one.
Small workbooks of one kind and header share a transaction (`Loader._load_workbooks`): the same rows,
quarantine and manifest as one by one, and if anything in the batch fails its files load one by one.

How a CSV is read (docs/ingestion.md has the long version): one pass over the bytes in Python
(sha256, line count, UTF-8 validity), DuckDB `read_csv` into `_file` (an Arrow table; a temp table for a big
file), one insert of its cleaned rows into the raw table, the validity checks on the file's rows there into
`_bad`, then the bad rows moved to the quarantine (deleted from the raw table, in the same transaction). Rows
keep their 1-based line in the file; when the file has multi-line quoted fields or blank lines, the lines are
counted exactly by a Python `csv` pass.
"""

from __future__ import annotations

import csv
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

import duckdb

from ingestion.detect import FileLayout, RejectedFile, detect, export_time_from_name
from ingestion.formats import ORDER_STATUSES_EN, ORDER_STATUSES_ID
from ingestion.landing import exact_path, scan_landing
from ingestion.manifest import RAW_SCHEMA, ensure_schema
from ingestion.parsing import (
    EDGE_SPACE,
    TS_LIST,
    clean_arrow,
    clean_cell,
    clean_sql,
    sql_str,
    type_conditions,
    value_checks,
)
from ingestion.pii import hmac_pads, hmac_sql, key_for_warehouse
from ingestion.report import FileResult, IngestReport, unreadable_result
from ingestion.scan import FileScan, is_text, open_quote_at_eof, scan_file, transcode_to_utf8
from lapak.settings import now_wib, wib_time

# Rows of two files with the same natural key (within a shop) are the same thing seen twice; the newer
# export wins downstream. The manifest counts, per loaded file, the rows of older exports it supersedes.
NATURAL_KEYS: dict[str, tuple[str, ...]] = {
    "orders": ("order_id", "sku_id"),
    "products": ("sku_id",),
    "videos": ("video_id", "_period_start", "_period_end"),
    "lives": ("creator_id", "live_start_time"),
    "creators": ("creator_name", "_period_start", "_period_end"),
    "campaigns": ("campaign_id",),
    "nps_responses": ("response_id",),
    "ab_variants": ("experiment_id", "video_id"),
    "product_costs": ("sku_id", "valid_from"),
    "sku_settings": ("sku_id",),
}
# The column whose range is the export range when the file has no `[Date Range]` preamble.
RANGE_COLUMNS: dict[str, str] = {
    "orders": "created_time",
    "videos": "posted_time",
    "lives": "live_start_time",
    "nps_responses": "responded_at",
    "campaigns": "start_time",
}

_TEMP_TABLES = ("_file", "_files", "_bad", "_badrows", "_rejects", "_rejects_scan", "_lines", "_buyers")


EventHook = Callable[[str, str, "FileResult | None"], None]

# Small workbooks (daily video, LIVE, product and creator exports: a year of one shop is ~1,500 files of a
# few dozen rows) are loaded in batches: ~15 statements and a commit per file cost more than their rows.
BATCH_FILES = 256
BATCH_ROWS = 10_000  # a batch's sheets are held as Python objects until it loads: ~100 MB per 50,000 rows
BATCH_FILE_BYTES = 1 << 20
# Bigger files (order CSVs, big workbooks) load with statements of their own but share a transaction of up to
# TXN_ROWS rows: its rows are written once, not to the WAL and again at the checkpoint, and the partial row groups
# its commits leave lie too far apart for a later checkpoint to merge (docs/performance.md, decision log). A crash
# loses the files of the open transaction, which the next run loads whole.
TXN_ROWS = 1_000_000
# CSV files of up to this size are read into an Arrow table and every column trimmed there (`_read_csv_arrow`):
# cheaper than writing a temp table and trimming in SQL (docs/performance.md, decision log). Held in memory, outside
# DuckDB's limit, so a bigger file (a whole year in one export) goes to a temp table, which can spill.
ARROW_FILE_BYTES = 64 << 20
# Files of up to this many rows find the columns to trim with one test over all values (UNPIVOT), which plans
# faster; bigger ones with one test per column, which scans faster (docs/performance.md, decision log)
UNPIVOT_ROWS = 20_000


@dataclass
class _Pending:
    """A new file, hashed and recognised, waiting to be loaded."""

    path: Path
    stat: os.stat_result
    scan: FileScan
    layout: FileLayout
    result: FileResult
    export_at: datetime
    started: float

    @property
    def batchable(self) -> bool:
        """A small workbook read whole by `detect`. Order exports are not batched: their buyers are hashed and
        their language guessed per file."""
        return (
            self.layout.fmt == "xlsx"
            and self.layout.kind.name != "orders"
            and self.layout.sheet_rows is not None
            and self.scan.size <= BATCH_FILE_BYTES
        )

    @property
    def batch_key(self) -> tuple:
        return (self.layout.kind.name, tuple(self.layout.header))


class Loader:
    def __init__(
        self, con: duckdb.DuckDBPyConnection, landing: Path, home: Path, load_id: str, concurrent: bool = False
    ):
        self.con = con
        # other loaders write to the same database at the same time (`ingest` with workers): leave global
        # settings alone (`preserve_insertion_order` is global, and `_file` needs it on)
        self.concurrent = concurrent
        self.scanned: dict[Path, tuple[os.stat_result, FileScan]] = {}  # hashed ahead by `ingest`
        self.landing = landing
        self.load_id = load_id
        ipad, opad = hmac_pads(key_for_warehouse(con, home))
        self.pads = {"ipad": ipad, "opad": opad}
        self.profile: dict[str, float] | None = {} if os.environ.get("LAPAK_PROFILE") else None
        self._dirty: set[int] = set()  # positions of the current file whose values need trimming
        self._precleaned = False  # the current file's values were trimmed before DuckDB saw them (XLSX, Arrow)
        self._arrow_file = False  # the current file's `_file` is an Arrow table registered with the connection
        self._base: int | None = None  # the current file's first rowid in `_file`
        self._n_file = 0  # rows in `_file`
        self._batch: list[_Pending] = []  # small workbooks waiting to be loaded together
        # files loaded in the open transaction (not committed yet) and results that came after them, in order
        self._open: list[_Pending | FileResult] = []
        self._open_rows = 0
        self._in_txn = False
        self._finished: list[FileResult] = []  # results not yet handed back by `add` / `finish`
        ensure_schema(con)
        self._read_manifest()

    # -- manifest ---------------------------------------------------------------------------
    def _read_manifest(self) -> None:
        """What the manifest knows, in memory: one query per run instead of three per file."""
        # (path, hash) loaded or skipped as a duplicate; path -> (size, mtime, hash) as last verified
        self._done: set[tuple[str, str]] = set()
        self._stats: dict[str, set[tuple[int, int, str]]] = {}
        self._first_loaded: dict[str, str] = {}  # hash -> the path it was first loaded from
        self._rejected: set[tuple[str, str]] = set()
        rows = self.con.execute(
            f"select source_file, file_sha256, status, file_size, file_mtime_ns from {RAW_SCHEMA}._manifest "
            "order by loaded_at, source_file"
        ).fetchall()
        for rel, sha, status, size, mtime_ns in rows:
            self._remember(rel, sha, status, size, mtime_ns)

    def _remember(self, rel: str, sha: str, status: str, size: int | None, mtime_ns: int | None) -> None:
        if status == "rejected":
            self._rejected.add((rel, sha))
            return
        if status not in ("loaded", "duplicate"):
            return
        self._done.add((rel, sha))
        if status == "loaded":
            self._first_loaded.setdefault(sha, rel)
        if size is not None and mtime_ns is not None:
            self._stats.setdefault(rel, set()).add((size, mtime_ns, sha))

    def _unchanged(self, rel: str, stat: os.stat_result) -> str | None:
        """The hash of a file seen before at this path with this size and modification time: not read again.

        (A file rewritten in place keeps neither its modification time nor, usually, its size; one that does
        is read again after `touch`.)"""
        for size, mtime_ns, sha in self._stats.get(rel, ()):
            if size == stat.st_size and mtime_ns == stat.st_mtime_ns:
                return sha
        return None

    def _sql(self, label: str, sql: str, params: object = None) -> duckdb.DuckDBPyConnection:
        if self.profile is None:
            return self.con.execute(sql, params) if params is not None else self.con.execute(sql)
        start = time.perf_counter()
        out = self.con.execute(sql, params) if params is not None else self.con.execute(sql)
        self._tally(label, start)
        return out

    def _tally(self, label: str, start: float) -> None:
        """Add the time since `start` to `label` in the profile (`LAPAK_PROFILE`)."""
        if self.profile is not None:
            self.profile[label] = self.profile.get(label, 0.0) + time.perf_counter() - start

    def _record(
        self, r: FileResult, scan: FileScan | None = None, period_source: str | None = None, mtime_ns: int | None = None
    ) -> None:
        """The file's manifest row; remembered in memory by the caller once it is committed."""
        values = self._manifest_values(r, scan, period_source, mtime_ns)
        self.con.execute(
            f"insert into {RAW_SCHEMA}._manifest ({', '.join(values)}) values ({', '.join('?' * len(values))})",
            list(values.values()),
        )

    def _manifest_values(
        self, r: FileResult, scan: FileScan | None, period_source: str | None, mtime_ns: int | None
    ) -> dict[str, object]:
        return {
            "file_sha256": r.sha256, "source_file": r.source_file, "shop_id": r.shop_id, "kind": r.kind,
            "layout": r.layout, "language": r.language, "export_at": r.export_at,
            "period_start": r.period_start, "period_end": r.period_end, "rows_read": r.rows_read,
            "rows_loaded": r.rows_loaded, "rows_quarantined": r.rows_quarantined, "rows_skipped": r.rows_skipped,
            "status": r.status, "reason": r.reason,
            "schema_drift": json.dumps(r.schema_drift) if r.schema_drift else None,
            "ignored_columns": json.dumps(r.ignored_columns) if r.ignored_columns else None,
            "load_id": self.load_id, "loaded_at": now_wib(), "duplicates_superseded": r.duplicates_superseded,
            "period_source": period_source, "encoding": r.encoding, "file_size": scan.size if scan else None,
            "missing_optional": json.dumps(r.missing_optional) if r.missing_optional else None,
            "file_mtime_ns": mtime_ns,
        }  # fmt: skip

    def _record_rejection(self, r: FileResult, scan: FileScan | None = None) -> None:
        """Rejected files are retried on every run; the manifest keeps one row per (path, hash)."""
        self._commit_open()  # not part of the open transaction: a rejection is recorded whatever happens to it
        if (r.source_file, r.sha256) not in self._rejected:
            self._record(r, scan)
            self._remember(r.source_file, r.sha256, "rejected", None, None)

    # -- one file ---------------------------------------------------------------------------
    def add(self, shop_id: str | None, path: Path, kinds: set[str] | None = None) -> list[FileResult]:
        """Take one landing file; return the files finished by this call, in the order they were added.

        Small workbooks of one kind and layout wait in a batch loaded in one transaction (`_load_workbooks`);
        every other file is loaded by itself, in a transaction shared with the files before it until that
        holds `TXN_ROWS` rows (`_load_open`). A file is finished once its transaction is committed. Call
        `finish()` after the last file."""
        item = self._prepare(shop_id, path, kinds)
        if isinstance(item, _Pending) and item.batchable:
            self._commit_open()
            if self._batch and self._batch[0].batch_key != item.batch_key:
                self._flush()
            self._batch.append(item)
            if (
                len(self._batch) >= BATCH_FILES
                or sum(len(p.layout.sheet_rows or ()) for p in self._batch) >= BATCH_ROWS
            ):
                self._flush()
        else:
            self._flush()  # results stay in file order
            if isinstance(item, _Pending):
                self._load_open(item)
            else:
                (self._open if self._in_txn else self._finished).append(item)
        done, self._finished = self._finished, []
        return done

    def finish(self) -> list[FileResult]:
        self._flush()
        self._commit_open()
        done, self._finished = self._finished, []
        return done

    def _prepare(self, shop_id: str | None, path: Path, kinds: set[str] | None) -> FileResult | _Pending:
        """The file's outcome when it needs no loading (unchanged, rejected, skipped, duplicate), else what
        loading it needs."""
        started = time.perf_counter()
        rel = path.relative_to(self.landing).as_posix()
        try:
            if path in self.scanned:
                stat, scan = self.scanned.pop(path)
            else:
                stat = path.stat()  # before reading: a file changed while it is read is read again next time
                if known := self._unchanged(rel, stat):
                    return FileResult(source_file=rel, shop_id=shop_id, sha256=known, status="unchanged")
                scan = scan_file(path, text=is_text(path))
        except OSError as exc:  # renamed by a sync tool mid-run, or unreadable: this file alone
            return unreadable_result(rel, shop_id, exc)
        if self.profile is not None:
            self.profile["scan"] = self.profile.get("scan", 0.0) + time.perf_counter() - started
        result = FileResult(source_file=rel, shop_id=shop_id, sha256=scan.sha256, status="rejected")
        if (rel, scan.sha256) in self._done:  # the same bytes, touched or from a manifest without times
            self._commit_open()
            self.con.execute(
                f"update {RAW_SCHEMA}._manifest set file_size = ?, file_mtime_ns = ? "
                "where source_file = ? and file_sha256 = ? and status in ('loaded', 'duplicate')",
                [scan.size, stat.st_mtime_ns, rel, scan.sha256],
            )
            self._stats.setdefault(rel, set()).add((scan.size, stat.st_mtime_ns, scan.sha256))
            result.status = "unchanged"
            return result
        if any(p.scan.sha256 == scan.sha256 for p in self._batch):
            self._flush()  # the same content waits in the batch: load it first, this file is its duplicate
        if any(isinstance(p, _Pending) and p.scan.sha256 == scan.sha256 for p in self._open):
            self._commit_open()  # the same content is in the open transaction: commit it, this is its duplicate
        other = self._first_loaded.get(scan.sha256)
        try:
            if shop_id is None:
                raise RejectedFile("not inside a shop folder: put exports under <landing>/<shop_id>/")
            layout = detect(path)
            if layout.fmt == "csv" and layout.encoding.startswith("utf-8") and not scan.utf8:
                layout.encoding = "cp1252"  # UTF-8 at the top, Windows-1252 further down: the whole file is 1252
        except RejectedFile as exc:
            result.reason = str(exc)
            self._record_rejection(result, scan)
            return result
        except Exception as exc:  # a file we cannot even open must not stop the others
            result.reason = f"could not be read: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
            self._record_rejection(result, scan)
            return result
        result.kind, result.language, result.layout = layout.kind.name, layout.language, layout.layout
        result.encoding = layout.encoding
        if kinds is not None and layout.kind.name not in kinds:
            result.status = "skipped"
            return result
        result.schema_drift = list(layout.extra.values())
        result.ignored_columns = layout.ignored
        result.missing_optional = layout.missing_optional
        export_at = export_time(export_time_from_name(path.name), wib_time(stat.st_mtime), layout.period_end, now_wib())
        result.export_at = export_at.isoformat(sep=" ")
        if other:
            result.status, result.reason = "duplicate", f"same content as {other}"
            self._commit_open()
            self._record(result, scan, mtime_ns=stat.st_mtime_ns)
            self._remember(rel, scan.sha256, result.status, scan.size, stat.st_mtime_ns)
            return result
        return _Pending(path, stat, scan, layout, result, export_at, started)

    def _load_in_txn(self, p: _Pending) -> None:
        """Load one file's rows and its manifest row in the transaction the caller began (and ends)."""
        result = p.result
        self._base = None
        period_source = self._load(p.path, p.layout, p.scan, p.stat, result, p.export_at)
        result.status = "loaded"
        result.seconds = round(time.perf_counter() - p.started, 3)
        self._record(result, p.scan, period_source, p.stat.st_mtime_ns)

    def _load_one(self, p: _Pending) -> FileResult:
        """Load one file in a transaction of its own: any failure rejects this file only, and leaves nothing of it."""
        result, scan = p.result, p.scan
        self.con.begin()
        try:
            self._load_in_txn(p)
            self._sql("commit", "commit")
            self._remember(result.source_file, scan.sha256, result.status, scan.size, p.stat.st_mtime_ns)
        except Exception as exc:
            self.con.rollback()
            self._reject(result, scan, exc)
        finally:
            self._drop_temp_tables()
        return result

    def _load_open(self, p: _Pending) -> None:
        """Load one file in the open transaction (begun if none is); commit once it holds `TXN_ROWS` rows. If the
        file fails, roll the transaction back and load its files one by one: a bad file is rejected alone, as
        always, and the others load as if the transaction had never been shared."""
        result = p.result
        if not self._in_txn:
            self.con.begin()
            self._in_txn = True
        try:
            self._load_in_txn(p)
            self._drop_temp_tables()
        except Exception:
            self._open.append(p)
            self._replay_open()
            return
        self._open.append(p)
        self._open_rows += result.rows_read
        if self._open_rows >= TXN_ROWS:
            self._commit_open()

    def _commit_open(self) -> None:
        """Commit the open transaction; its files are finished (in order, with what came after them)."""
        if not self._in_txn:
            return
        try:
            self._sql("commit", "commit")
        except Exception:
            self._replay_open()
            return
        self._in_txn = False
        for item in self._open:
            if isinstance(item, _Pending):
                r = item.result
                self._remember(r.source_file, item.scan.sha256, r.status, item.scan.size, item.stat.st_mtime_ns)
                self._finished.append(r)
            else:
                self._finished.append(item)
        self._open, self._open_rows = [], 0

    def _replay_open(self) -> None:
        """Roll the open transaction back and load its files again, each in a transaction of its own."""
        self.con.rollback()
        self._in_txn = False
        self._drop_temp_tables()
        items, self._open, self._open_rows = self._open, [], 0
        for item in items:
            if isinstance(item, _Pending):
                r = item.result
                r.rows_read = r.rows_loaded = r.rows_quarantined = r.rows_skipped = r.duplicates_superseded = 0
                r.period_start = r.period_end = None
                self._finished.append(self._load_one(item))
            else:
                self._finished.append(item)

    def _reject(self, result: FileResult, scan: FileScan, exc: Exception) -> None:
        if isinstance(exc, RejectedFile):
            reason = str(exc)
        elif isinstance(exc, duckdb.Error):
            reason = f"could not be read: {str(exc).splitlines()[0]}"
        else:
            reason = f"could not be read: {type(exc).__name__}: {exc}"
        result.status, result.reason = "rejected", reason
        result.rows_read = result.rows_loaded = result.rows_quarantined = result.rows_skipped = 0
        result.duplicates_superseded = 0
        self._record_rejection(result, scan)

    def _drop_temp_tables(self) -> None:
        if self._arrow_file:
            self.con.unregister("_file")
            self._arrow_file = False
        self._sql("drop_temp", "; ".join(f"drop table if exists {t}" for t in _TEMP_TABLES))

    # -- many small workbooks -----------------------------------------------------------------
    def _flush(self) -> None:
        """Load the waiting workbooks in one transaction; if anything fails, roll back and load them one by one
        (a bad file is then rejected alone, as always)."""
        batch, self._batch = self._batch, []
        if len(batch) <= 1:
            self._finished += [self._load_one(p) for p in batch]
            return
        self.con.begin()
        try:
            self._load_workbooks(batch)
            self._sql("commit", "commit")
        except Exception:
            self.con.rollback()
            failed = True
        else:
            failed = False
        finally:
            self._drop_temp_tables()
        if failed:
            for p in batch:
                r = p.result
                r.rows_read = r.rows_loaded = r.rows_quarantined = r.rows_skipped = r.duplicates_superseded = 0
                r.period_start = r.period_end = None
                self._finished.append(self._load_one(p))
            return
        for p in batch:
            p.layout.sheet_rows = None
            self._remember(p.result.source_file, p.scan.sha256, "loaded", p.scan.size, p.stat.st_mtime_ns)
            self._finished.append(p.result)

    def _load_workbooks(self, batch: list[_Pending]) -> None:
        """Workbooks of one kind and header, one statement per step instead of per file. The same raw rows,
        quarantine, counts and manifest as `_load` gives them one by one (tests/test_ingestion_batch.py)."""
        import pandas as pd

        con, layout = self.con, batch[0].layout
        kind, n = layout.kind, len(layout.header)
        key_pos = next((p for p, c in layout.columns.items() if c == kind.key), None)
        cols: dict[str, list] = {f"c{i}": [] for i in range(n)} | {"_fidx": [], "_line": []}
        rows_in_file: list[int] = []
        columns = [cols[f"c{i}"] for i in range(n)]
        for fidx, p in enumerate(batch):
            data = p.layout.sheet_rows[p.layout.header_row :]
            kept, seen_data = 0, False
            for k, r in enumerate(data, start=p.layout.header_row + 1):  # k: the row's line in the sheet
                row = [clean_cell(r[i]) if i < len(r) else None for i in range(n)]
                if all(v is None for v in row):
                    continue  # a blank row is not data
                if not seen_data:
                    seen_data = True
                    key = row[key_pos] if kind.description_row and key_pos is not None else None
                    if key and (" " in key or key.endswith(".")):
                        continue  # the row under the header describes the columns: not data
                for column, v in zip(columns, row, strict=True):
                    column.append(v)
                cols["_fidx"].append(fidx)
                cols["_line"].append(k)
                kept += 1
            rows_in_file.append(kept)
            p.result.rows_skipped = len(data) - kept
        frame = pd.DataFrame({c: pd.array(v, dtype="string") for c, v in cols.items() if c.startswith("c")})
        frame["_fidx"], frame["_line"] = cols["_fidx"], cols["_line"]
        files = pd.DataFrame(
            {
                "_fidx": range(len(batch)),
                "shop": [p.result.shop_id for p in batch],
                "rel": [p.result.source_file for p in batch],
                "sha": [p.scan.sha256 for p in batch],
                "export_at": [p.export_at.isoformat(sep=" ") for p in batch],
                "mtime": [wib_time(p.stat.st_mtime).isoformat(sep=" ") for p in batch],
                "pstart": [str(p.layout.period_start) if p.layout.period_start else None for p in batch],
                "pend": [str(p.layout.period_end) if p.layout.period_end else None for p in batch],
                "lang": [p.layout.language for p in batch],
            }
        )
        con.register("_batch_frame", frame)
        con.register("_batch_files", files)
        try:
            self._sql("read_xlsx", "create temp table _file as select * from _batch_frame")
            self._sql(
                "read_xlsx",
                """create temp table _files as select _fidx, shop, rel, sha, cast(export_at as timestamp) as export_at,
                cast(mtime as timestamp) as mtime, cast(pstart as date) as pstart, cast(pend as date) as pend,
                cast(lang as varchar) as lang from _batch_files""",
            )
        finally:
            con.unregister("_batch_frame")
            con.unregister("_batch_files")
        raw = f"{RAW_SCHEMA}.{kind.name}"

        # --- the rows, with each file's lineage ----------------------------------------------
        named = [f'_file.c{p} as "{c}"' for p, c in layout.columns.items()]
        extra = (
            "json_object(" + ", ".join(f"'{sql_str(h)}', _file.c{p}" for p, h in layout.extra.items()) + ")::varchar"
            if layout.extra
            else "null::varchar"
        )
        lineage = {
            "_shop_id": "f.shop", "_source_file": "f.rel", "_source_row": "_file._line", "_file_sha256": "f.sha",
            "_load_id": "$load_id", "_export_at": "f.export_at", "_file_modified_at": "f.mtime",
            "_period_start": "f.pstart", "_period_end": "f.pend", "_language": "f.lang", "_extra": extra,
        }  # fmt: skip
        select = named + [f"{v} as {k}" for k, v in lineage.items()]
        self._sql(
            "insert",
            f"insert into {raw} by name select {', '.join(select)} from _file join _files as f using (_fidx)",
            {"load_id": self.load_id},
        )

        # --- each file's range: the preamble's, else the span of its rows' own times -----------
        present = set(layout.columns.values())
        rc = RANGE_COLUMNS.get(kind.name)
        spans: dict[int, tuple] = {}
        if rc in present and any(not p.layout.period_start for p in batch):
            rc_pos = next(p for p, c in layout.columns.items() if c == rc)
            spans = {
                fidx: (lo, hi)
                for fidx, lo, hi in self._sql(
                    "stats",
                    f"select _fidx, min(try_strptime(c{rc_pos}, {TS_LIST}))::date, "
                    f"max(try_strptime(c{rc_pos}, {TS_LIST}))::date from _file group by 1",
                ).fetchall()
            }

        # --- quarantine: rows that cannot be parsed, then out of the raw table ----------------
        header = {c: sql_str(layout.header[p]) for p, c in layout.columns.items()}
        typed = [(col, typ) for col, typ in kind.types.items() if col in present]
        conds, any_bad = type_conditions(kind, typed)
        needed = dict.fromkeys([kind.key, *(c for c, _ in typed)])
        by_name = {c: f"c{p}" for p, c in layout.columns.items()}
        values = ", ".join(f'{by_name.get(c, "null::varchar")} as "{c}"' for c in needed)
        self._sql(
            "validate",
            f"create temp table _badrows as select * from (select _fidx, _line, {values} from _file) where {any_bad}",
        )
        bad_in_file: dict[int, int] = {}
        if self.con.execute("select count(*) from _badrows").fetchone()[0]:
            checks = value_checks(kind, typed, header, conds, lead="_fidx, ")
            self._sql("bad", f"create temp table _bad as {' union all '.join(checks)}")
            self._sql(
                "quarantine",
                f"""insert into {RAW_SCHEMA}._quarantine
                select f.shop, ?, f.rel, f.sha, _line, column_name, raw_value, reason, ?, ?
                from _bad join _files as f using (_fidx) order by _fidx, _line, column_name""",
                [kind.name, self.load_id, now_wib()],
            )
            bad_in_file = dict(con.execute("select _fidx, count(distinct _line) from _bad group by 1").fetchall())
            self._sql(
                "delete",
                f"""delete from {raw} where (_file_sha256, _source_row) in
                (select f.sha, b._line from _badrows as b join _files as f using (_fidx))""",
            )

        # --- overlapping exports: rows of files loaded before each one that it supersedes -------
        superseded: dict[int, int] = {}
        keys = [k for k in NATURAL_KEYS.get(kind.name, ()) if k.startswith("_") or k in present]
        if keys and len(keys) == len(NATURAL_KEYS[kind.name]):
            on = " and ".join(f"o.{k} is not distinct from nk.{k}" for k in keys)
            superseded = dict(
                self._sql(
                    "superseded",
                    f"""with nk as (
                        select distinct f._fidx, f.shop, f.sha, f.export_at, {", ".join(f"n.{k}" for k in keys)}
                        from {raw} as n join _files as f on n._file_sha256 = f.sha
                    )
                    select nk._fidx, count(*) from {raw} as o
                    join nk on o._shop_id = nk.shop and {on}
                    left join _files as fo on fo.sha = o._file_sha256
                    where o._file_sha256 <> nk.sha and o._export_at <= nk.export_at
                      and (fo._fidx is null or fo._fidx < nk._fidx)
                    group by 1""",
                ).fetchall()
            )

        # --- counts and manifest rows --------------------------------------------------------
        elapsed = time.perf_counter() - batch[0].started
        manifest = []
        for fidx, p in enumerate(batch):
            r = p.result
            r.rows_read, r.rows_quarantined = rows_in_file[fidx], bad_in_file.get(fidx, 0)
            r.rows_loaded = r.rows_read - r.rows_quarantined
            r.duplicates_superseded = superseded.get(fidx, 0)
            period_source = None
            if p.layout.period_start:
                period_source = "preamble"
                r.period_start, r.period_end = str(p.layout.period_start), str(p.layout.period_end)
            elif spans.get(fidx, (None,))[0] is not None:
                period_source = "data"
                r.period_start, r.period_end = (str(d) for d in spans[fidx])
            r.status, r.seconds = "loaded", round(elapsed / len(batch), 3)
            manifest.append(self._manifest_values(r, p.scan, period_source, p.stat.st_mtime_ns))
        names = list(manifest[0])
        row = "(" + ", ".join("?" * len(names)) + ")"
        self._sql(
            "manifest",
            f"insert into {RAW_SCHEMA}._manifest ({', '.join(names)}) values {', '.join([row] * len(manifest))}",
            [v for m in manifest for v in m.values()],
        )

    # -- reading ----------------------------------------------------------------------------
    def _rowid_base(self) -> int:
        """Temp tables number their rows from a large offset, in insertion (= file) order."""
        if self._base is None:
            self._base = self.con.execute("select coalesce(min(rowid), 0) from _file").fetchone()[0]
        return self._base

    def _kept_positions(self, layout: FileLayout) -> list[int]:
        return sorted({*layout.columns, *layout.extra})

    def _read_csv(self, path: Path, layout: FileLayout, scan: FileScan, stat: os.stat_result) -> str:
        """`_file` (one row per parsed record, in file order) and `_rejects`; returns the SQL for a
        row's file line (over `_file`, or `_lines` when the numbering needed a map)."""
        con = self.con
        source, tmp, expected = path, None, stat
        last_newline = scan.last_newline
        if not layout.encoding.startswith("utf-8"):
            tmp = source = transcode_to_utf8(path, layout.encoding)
            last_newline = scan_file(tmp).last_newline
            expected = None  # lapak's own copy
        n = len(layout.header)
        cols = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(n)) + "}"
        self._dirty, self._precleaned = set(), False
        if scan.newlines + (0 if scan.ends_with_newline else 1) <= layout.header_row:  # the header, no rows
            con.execute(f"create temp table _file ({', '.join(f'c{p} varchar' for p in range(n))})")
            con.execute(
                "create temp table _rejects (line bigint, column_idx bigint, csv_line varchar, "
                "error_type varchar, error_message varchar)"
            )
            self._n_file = 0
            return "(_file.rowid)"
        try:
            read = f"""select * from read_csv(?, header = false, skip = {layout.header_row}, columns = {cols},
                delim = '{layout.delimiter}', quote = '"', escape = '"', strict_mode = true, null_padding = false,
                nullstr = ['', '--', E'\\t'], auto_detect = false, store_rejects = true, rejects_table = '_rejects',
                rejects_scan = '_rejects_scan', parallel = true)"""
            with exact_path(source, expected) as name:  # never DuckDB's glob expansion of the file's name
                if scan.size <= ARROW_FILE_BYTES:
                    self._read_csv_arrow(read, name)
                else:
                    self._sql("read_csv", f"create temp table _file as {read}", [name])
            # a download cut off inside a quoted value: the quote is never closed, the last record swallows the
            # rest of the file and its lines would be lost inside one quarantined value. Only the last
            # unterminated-quote record can run to the end of the file; check that one.
            start = self._sql(
                "rejects",
                "select max(line_byte_position) from _rejects where error_type = 'UNQUOTED VALUE'",
            ).fetchone()[0]
            if start is not None and (line := open_quote_at_eof(source, start, layout.delimiter)):
                physical = scan.newlines + (0 if scan.ends_with_newline else 1)
                raise RejectedFile(
                    f"truncated mid-row: the record on line {line} opens a quoted value that is never closed "
                    f"(it runs to the end of the file, line {physical})"
                )
        finally:
            if tmp:
                tmp.unlink(missing_ok=True)
        # Which columns have values to trim (IDs and times end with a tab): one pass of cheap tests, so
        # that the trimming, which costs, runs on those columns only. '', '--' and a lone tab are NULL already.
        kept = self._kept_positions(layout)
        n_good = self._n_file = self._sql("counts", "select count(*) from _file").fetchone()[0]
        if self._precleaned:
            pass  # trimmed as it was read into Arrow
        elif kept and n_good <= UNPIVOT_ROWS:
            # one test over the values of every column: DuckDB plans four tests per column (~260 for an order
            # export) in longer than a small file takes to scan (UNPIVOT_ROWS)
            columns = ", ".join(f"c{p}" for p in kept)
            dirty = self._sql(
                "edges",
                f"select name from (unpivot (select {columns} from _file) on columns(*) into name name value v) "
                f"group by name having bool_or({EDGE_SPACE.format(c='v')})",
            ).fetchall()
            self._dirty = {int(name[1:]) for (name,) in dirty}
        elif kept:
            flags = self._sql(
                "edges",
                "select " + ", ".join(f"bool_or({EDGE_SPACE.format(c=f'c{p}')})" for p in kept) + " from _file",
            ).fetchone()
            self._dirty = {p for p, dirty in zip(kept, flags, strict=True) if dirty}
        reject_lines = [r[0] for r in con.execute("select distinct line from _rejects order by 1").fetchall()]
        physical = scan.newlines + (0 if scan.ends_with_newline else 1)
        if not scan.ends_with_newline:
            # a record that starts after the last line end and misses columns: the download was cut off
            cut = con.execute(
                "select min(line_byte_position) from _rejects where error_type <> 'TOO MANY COLUMNS' "
                "and line_byte_position > ?",
                [last_newline + 1],  # DuckDB counts byte positions from 1
            ).fetchone()[0]
            if cut is not None:
                raise RejectedFile(f"truncated mid-row: the last line ({physical}) is incomplete")
        first = layout.header_row + 1
        if physical == layout.header_row + n_good + len(reject_lines):
            # one line per record: DuckDB's reject lines are file lines; good rows fill the rest in order
            if not reject_lines:
                return f"(_file.rowid - {self._rowid_base()} + {first})"
            con.execute(
                f"""create temp table _lines as
                with good as (
                    select line from unnest(range({first}, {first + n_good + len(reject_lines)})) as t(line)
                    where line not in (select line from _rejects)
                )
                select row_number() over (order by line) - 1 + {self._rowid_base()} as rid, line from good"""
            )
            return "_lines.line"
        # blank lines or quoted line breaks: count lines exactly with Python's csv reader
        self._exact_lines(path, layout, n_good, set(reject_lines))
        return "_lines.line"

    def _read_csv_arrow(self, read: str, source: str) -> None:
        """`_file` as an Arrow table in memory, every value cleaned as `clean_sql` would (`clean_arrow`), its rows
        numbered in a `rowid` column as a temp table numbers them: for a file of `ARROW_FILE_BYTES` or less,
        reading into Arrow and trimming there cost less than writing a temp table and finding the columns to trim,
        and the later passes scan it as fast."""
        import pyarrow as pa

        # malloc, not Arrow's default pool (mimalloc), which keeps what the trims free for reuse: with it the 5M
        # run's peak went past 2 GiB (docs/performance.md, decision log)
        pool = pa.system_memory_pool()
        start = time.perf_counter()
        table = self.con.sql(read, params=[source]).to_arrow_table()
        table = pa.table(
            {name: clean_arrow(table[name], pool) for name in table.column_names}
            | {"rowid": pa.array(range(table.num_rows), pa.int64(), memory_pool=pool)}
        )
        self._precleaned = True
        self.con.register("_file", table)
        self._arrow_file = True
        self._tally("read_csv", start)

    def _exact_lines(self, path: Path, layout: FileLayout, n_good: int, reject_records: set[int]) -> None:
        """`_lines(rid, line)`: the file line each good record starts on; rejects' lines rewritten too."""
        enc = "utf-8-sig" if layout.encoding.startswith("utf-8") else layout.encoding
        starts: list[int] = []
        reject_map: dict[int, int] = {}
        with path.open(
            encoding=enc, errors="lapak_latin1" if not enc.startswith("utf") else "replace", newline=""
        ) as fh:
            reader = csv.reader(fh, delimiter=layout.delimiter)
            prev_end, record = 0, 0
            for row in reader:
                record += 1
                start = prev_end + 1
                prev_end = reader.line_num
                if record <= layout.header_row:
                    continue
                if record in reject_records:
                    reject_map[record] = start
                elif row:  # DuckDB skips empty lines
                    starts.append(start)
        if len(starts) != n_good:  # the two readers disagree: fall back to record numbers, say so nowhere else
            starts = list(range(layout.header_row + 1, layout.header_row + 1 + n_good))
        base = self._rowid_base()
        self.con.execute(
            "create temp table _lines as select unnest($rid::bigint[]) as rid, unnest($line::bigint[]) as line",
            {"rid": list(range(base, base + len(starts))), "line": starts},
        )
        if reject_map:
            self.con.execute(
                "update _rejects set line = m.line from (select unnest(?) as record, unnest(?) as line) as m "
                "where _rejects.line = m.record",
                [list(reject_map), list(reject_map.values())],
            )

    def _read_xlsx(self, path: Path, layout: FileLayout) -> str:
        import pandas as pd
        from python_calamine import CalamineWorkbook

        if layout.sheet_rows is not None:  # read whole by detect()
            rows, layout.sheet_rows = layout.sheet_rows, None
        else:
            rows = (
                CalamineWorkbook.from_path(str(path)).get_sheet_by_name(layout.sheet).to_python(skip_empty_area=False)
            )
        n = len(layout.header)
        data = rows[layout.header_row :]

        def column(i: int) -> list[str | None]:
            return [clean_cell(r[i]) if i < len(r) else None for r in data]

        # workbooks are small: every cell is trimmed here, in Python, as `clean_sql` would in SQL (the SQL for ~30
        # trimmed columns cost more to plan than to run, on every one of hundreds of small daily exports)
        frame = pd.DataFrame({f"c{i}": column(i) for i in range(n)}, dtype="string")
        self._dirty, self._precleaned = set(), True
        self.con.register("_xlsx_frame", frame)
        try:
            self._sql("read_xlsx", "create temp table _file as select * from _xlsx_frame")
            self._n_file = len(frame)  # a workbook has no reader rejects: every row is in `_file`
        finally:
            self.con.unregister("_xlsx_frame")
        return f"(_file.rowid - {self._rowid_base()} + {layout.header_row + 1})"

    # -- loading ----------------------------------------------------------------------------
    def _load(
        self,
        path: Path,
        layout: FileLayout,
        scan: FileScan,
        stat: os.stat_result,
        result: FileResult,
        export_at: datetime,
    ) -> str | None:
        con, kind = self.con, layout.kind
        mtime = wib_time(stat.st_mtime)
        line_expr = self._read_csv(path, layout, scan, stat) if layout.fmt == "csv" else self._read_xlsx(path, layout)
        kept = self._kept_positions(layout)
        join = "join _lines on _lines.rid = _file.rowid" if line_expr == "_lines.line" else ""

        def val(p: int) -> str:
            return clean_sql(f"c{p}") if p in self._dirty else f"c{p}"

        # a row is blank when every column is empty, personal-data columns included (those are only looked at
        # for rows with nothing else: OR and COALESCE stop at the first value)
        key_first = sorted(kept, key=lambda p: layout.columns.get(p) != kind.key)
        pii = [p for p in range(len(layout.header)) if p not in layout.columns and p not in layout.extra]
        tests = [f"coalesce({', '.join(val(p) for p in key_first)}) is not null"] if kept else []
        pii_vals = [f"c{p}" if self._precleaned else clean_sql(f"c{p}") for p in pii]
        tests += [f"coalesce({', '.join(pii_vals)}) is not null"] if pii else []
        nonblank = "(" + (" or ".join(tests) or "false") + ")"
        named = [f'{val(p)} as "{c}"' for p, c in layout.columns.items()]
        extra = (
            "json_object(" + ", ".join(f"'{sql_str(h)}', {val(p)}" for p, h in layout.extra.items()) + ")::varchar"
            if layout.extra
            else "null::varchar"
        )
        skip_lines: list[int] = []
        if kind.description_row and kind.key in layout.columns.values():
            # XLSX exports describe each column in the row under the header: not data.
            key_pos = next(p for p, c in layout.columns.items() if c == kind.key)
            # rows are in file order: the first row with data is nearly always the first row, and a row with its
            # key has data, so look there first (two columns read), then among the first rows, then in all of
            # them, instead of testing every column of every row for blankness (the same answer each way)
            base = self._rowid_base()
            for where in (
                f"_file.rowid = {base} and {val(key_pos)} is not null",
                f"_file.rowid < {base + 1000} and {nonblank}",
                nonblank,
            ):
                first = self._sql(
                    "first_row",
                    f"select {line_expr}, {val(key_pos)} from _file {join} where {where} order by 1 limit 1",
                ).fetchone()
                if first is not None:
                    break
            if first and first[1] and (" " in first[1] or first[1].endswith(".")):
                skip_lines.append(first[0])
        skip = f" and {line_expr} not in ({', '.join(map(str, skip_lines))})" if skip_lines else ""
        rows = (
            f"(select {line_expr} as _line, {', '.join(named)}, {extra} as _extra "
            f"from _file {join} where {nonblank}{skip}) as _rows"
        )
        present = set(layout.columns.values())
        header = {c: sql_str(layout.header[p]) for p, c in layout.columns.items()}
        typed = [(col, typ) for col, typ in kind.types.items() if col in present]

        # --- the language, which every row carries ----------------------------------------
        is_orders = kind.name == "orders" and "order_status" in present
        if is_orders:  # order headers are English in both UIs: the statuses tell the language
            ids = ", ".join(f"'{s}'" for s in ORDER_STATUSES_ID)
            ens = ", ".join(f"'{s}'" for s in ORDER_STATUSES_EN)
            # over `_file`: blank rows have no status, and the description row's is not one
            status = val(next(p for p, c in layout.columns.items() if c == "order_status"))
            id_n, en_n = self._sql(
                "language",
                f"select count(*) filter (where {status} in ({ids})), count(*) filter (where {status} in ({ens})) "
                "from _file",
            ).fetchone()
            layout.language = result.language = "en" if en_n > id_n else "id"

        # --- every row with data goes to the raw table; the bad ones leave it again below ---------
        # One write of the rows (the validity checks then read a few compressed columns back instead of
        # trimming and filtering `_file` again); the file's transaction hides the bad rows in between.
        canon = [c for c in kind.columns if c in present]
        select = [f'"{c}"' for c in canon]
        params: dict[str, object] = {}
        source = rows
        if kind.name == "orders" and "__buyer__" in present:
            # the keyed hash once per distinct buyer (buyers repeat: a million lines have ~50,000), joined back
            buyer = val(next(p for p, c in layout.columns.items() if c == "__buyer__"))
            self._sql(
                "customer_keys",
                f"create temp table _buyers as select _buyer, {hmac_sql('_buyer')} as _customer_key "
                f"from (select distinct {buyer} as _buyer from _file) where _buyer is not null",
                self.pads,
            )
            select.append("_buyers._customer_key as customer_key")
            source = f'{rows} left join _buyers on _rows."__buyer__" = _buyers._buyer'
        elif kind.name == "orders":
            select.append("null as customer_key")
        rel = result.source_file
        lineage = {
            "_shop_id": "$shop", "_source_file": "$rel", "_source_row": "_line", "_file_sha256": "$sha",
            "_load_id": "$load_id", "_export_at": "$export_at", "_file_modified_at": "$mtime",
            "_period_start": "$pstart", "_period_end": "$pend", "_language": "$lang", "_extra": "_extra",
        }  # fmt: skip
        select += [f"{v} as {k}" for k, v in lineage.items()]
        params.update(
            shop=result.shop_id, rel=rel, sha=result.sha256, load_id=self.load_id, export_at=export_at, mtime=mtime,
            pstart=layout.period_start, pend=layout.period_end, lang=layout.language,
        )  # fmt: skip
        # rows carry their line number: the raw table need not keep file order, so the insert may run in parallel
        # (not while other loaders share the database: the setting is global, and their `_file` needs it on)
        if not self.concurrent:
            con.execute("set preserve_insertion_order = false")
        try:
            n_rows = self._sql(
                "insert",
                f"insert into {RAW_SCHEMA}.{kind.name} by name select {', '.join(select)} from {source}",
                params,
            ).fetchone()[0]
        finally:
            if not self.concurrent:
                con.execute("reset preserve_insertion_order")
        # this file's rows: no other file with this content is loaded (it would be a duplicate)
        mine = f"{RAW_SCHEMA}.{kind.name} where _file_sha256 = $sha"
        sha = {"sha": result.sha256}
        result.rows_skipped = self._n_file - n_rows

        # --- the export range: the preamble's, else the span of the rows' own times ----------
        period_source = None
        rc = RANGE_COLUMNS.get(kind.name) if not layout.period_start else None
        if layout.period_start:
            period_source = "preamble"
            result.period_start, result.period_end = str(layout.period_start), str(layout.period_end)
        elif rc in present:
            got = self._sql(
                "stats",
                f'select min(try_strptime("{rc}", {TS_LIST}))::date, max(try_strptime("{rc}", {TS_LIST}))::date '
                f"from {mine}",
                sha,
            ).fetchone()
            if got[0] is not None:
                period_source, result.period_start, result.period_end = "data", str(got[0]), str(got[1])
                if (fixed := export_time(export_at, mtime, got[1], now_wib())) != export_at:
                    # the name's stamp is older than the file's own rows: the content decides
                    export_at = fixed
                    result.export_at = export_at.isoformat(sep=" ")
                    update = f"update {RAW_SCHEMA}.{kind.name} set _export_at = $at where _file_sha256 = $sha"
                    self._sql("export_at", update, {"at": export_at, "sha": result.sha256})

        # --- quarantine: rows that cannot be parsed -----------------------------------------
        # one pass picks the rows with any problem; the per-column reasons are worked out on those few
        conds, any_bad = type_conditions(kind, typed)
        cols = ", ".join(f'"{c}"' for c in dict.fromkeys([kind.key, *(c for c, _ in typed)]))
        n_badrows = self._sql(
            "validate",
            f"create temp table _badrows as select _source_row as _line, {cols} from {mine} and ({any_bad})",
            sha,
        ).fetchone()[0]
        n_rejected = (
            self._sql("counts", "select count(distinct line) from _rejects").fetchone()[0] if layout.fmt == "csv" else 0
        )
        checks = value_checks(kind, typed, header, conds) if n_badrows else []
        header_of = (
            "case "
            + " ".join(f"when column_idx = {i} then '{sql_str(h)}'" for i, h in enumerate(layout.header))
            + " end"
        )
        checks += (
            []
            if not n_rejected
            else [
                f"""select line as _line,
                case when bool_or(error_type in ('MISSING COLUMNS', 'TOO MANY COLUMNS')) then '(whole row)'
                     else arg_min({header_of}, column_idx) end as column_name,
                null::varchar as raw_value,  -- the line itself may hold buyer names, phones, addresses
                lower(replace(arg_min(error_type, column_idx), '_', ' ')) || ': '
                || arg_min(error_message, column_idx) as reason
            from _rejects group by line"""
            ]
        )
        n_bad = 0
        if checks:  # most files have no bad row: then there is nothing to plan (a dozen checks) or to write
            self._sql("bad", f"create temp table _bad as {' union all '.join(checks)}")
            self._sql(
                "quarantine",
                f"""insert into {RAW_SCHEMA}._quarantine
                select ?, ?, ?, ?, _line, column_name, raw_value, reason, ?, ? from _bad order by _line, column_name""",
                [result.shop_id, kind.name, rel, result.sha256, self.load_id, now_wib()],
            )
            n_bad = self._sql("counts", "select count(distinct _line) from _bad").fetchone()[0]
        removed = 0
        if n_bad > n_rejected:  # reject lines never reached the raw table; the other bad rows leave it
            removed = self._sql(
                "delete",
                f"delete from {RAW_SCHEMA}.{kind.name} where _file_sha256 = $sha "
                "and _source_row in (select _line from _badrows)",
                sha,
            ).fetchone()[0]
        result.rows_loaded = n_rows - removed
        result.rows_quarantined = n_bad
        result.rows_read = n_rows + n_rejected
        if result.rows_read != result.rows_loaded + result.rows_quarantined:  # never: but never load a file that lies
            raise RejectedFile(
                f"internal accounting error: {result.rows_read} rows read, {result.rows_loaded} loaded, "
                f"{result.rows_quarantined} quarantined"
            )

        # --- overlapping exports: rows of older files this one supersedes ------------------
        keys = [k for k in NATURAL_KEYS.get(kind.name, ()) if k.startswith("_") or k in present]
        if keys and len(keys) == len(NATURAL_KEYS[kind.name]):
            on = " and ".join(f"o.{k} is not distinct from n.{k}" for k in keys)
            result.duplicates_superseded = self._sql(
                "superseded",
                f"""select count(*) from {RAW_SCHEMA}.{kind.name} as o
                where o._shop_id = $shop and o._file_sha256 <> $sha and o._export_at <= $export_at
                  and exists (select 1 from {RAW_SCHEMA}.{kind.name} as n
                              where n._file_sha256 = $sha and n._shop_id = $shop and {on})""",
                {"shop": result.shop_id, "sha": result.sha256, "export_at": export_at},
            ).fetchone()[0]
        return period_source


def ingest_workers() -> int:
    """Loaders that run at once (`LAPAK_INGEST_WORKERS`, default: the CPU count, at most 4)."""
    if env := os.environ.get("LAPAK_INGEST_WORKERS", "").strip():
        if not env.isdigit():
            raise ValueError(f"LAPAK_INGEST_WORKERS must be a whole number of loaders (1 or more), not {env!r}")
        return max(1, int(env))
    return max(1, min(4, os.cpu_count() or 1))


def export_time(from_name: datetime | None, mtime: datetime, data_end: date | None, now: datetime) -> datetime:
    """When the file was exported: the stamp in its name, unless the content says the name lies.

    Newer exports win over older ones, so a stamp far in the future (or one before the file's own data) would let
    an old file win forever. A time is believed when it is no later than a day from now and not before the last day
    of the file's data; the name first, then the modification time, else the end of the data's last day."""

    def believable(t: datetime) -> bool:
        return t <= now + timedelta(days=1) and (data_end is None or t.date() >= data_end)

    for t in (from_name, mtime):
        if t is not None and believable(t):
            return t
    if data_end is not None and datetime.combine(data_end, dtime.max) <= now + timedelta(days=1):
        return datetime.combine(data_end, dtime(23, 59, 59))
    return min(mtime, now)


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
    single loader gives (tests/test_ingestion_parallel.py). Unless the same new content sits in two shops'
    folders: which of the two is the duplicate depends on the order they load in, so such a run loads serially.

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
        groups = _shop_groups(loader, files, workers or ingest_workers())
        if groups is None:
            report.files = _run_loader(loader, files, kinds, on_event)
        else:
            report.files = _run_parallel(con, loader, files, groups, landing, home, load_id, kinds, on_event)
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


def _run_loader(
    loader: Loader, files: list[tuple[str | None, Path]], kinds: set[str] | None, on_event: EventHook | None
) -> list[FileResult]:
    out: list[FileResult] = []

    def finished(results: list[FileResult]) -> None:
        for result in results:
            out.append(result)
            if on_event:
                on_event("done", result.source_file, result)

    for shop_id, path in files:
        if on_event:
            on_event("start", path.relative_to(loader.landing).as_posix(), None)
        finished(loader.add(shop_id, path, kinds))
    finished(loader.finish())
    return out


def _shop_groups(
    loader: Loader, files: list[tuple[str | None, Path]], workers: int
) -> list[list[tuple[str | None, Path]]] | None:
    """The files split into `workers` groups of whole shops, balanced by the bytes of their new files; None when
    one loader should take them all: one worker, fewer than two shops with new files, or new content found in
    two shops' folders. New files are hashed here (in threads), once: `loader.scanned` keeps the results."""
    if workers <= 1:
        return None
    new: list[tuple[str | None, Path, os.stat_result]] = []
    for shop_id, path in files:
        try:
            stat = path.stat()  # before reading: a file changed while it is read is read again next time
        except OSError:
            continue  # vanished or unreadable: its loader reports it
        if not loader._unchanged(path.relative_to(loader.landing).as_posix(), stat):
            new.append((shop_id, path, stat))
    if len({s for s, _, _ in new}) < 2:
        return None
    from concurrent.futures import ThreadPoolExecutor

    def hash_one(f: tuple[str | None, Path, os.stat_result]) -> FileScan | None:
        try:
            return scan_file(f[1], text=is_text(f[1]))
        except OSError:
            return None  # its loader tries again and reports it

    with ThreadPoolExecutor(workers) as pool:  # hashlib lets go of the GIL while it hashes
        scans = list(pool.map(hash_one, new))
    shops_of: dict[str, set[str | None]] = {}
    for (shop_id, path, stat), scan in zip(new, scans, strict=True):
        if scan is None:
            continue
        loader.scanned[path] = (stat, scan)
        shops_of.setdefault(scan.sha256, set()).add(shop_id)
    if any(len(shops) > 1 for shops in shops_of.values()):
        return None
    size: dict[str | None, int] = {}
    for shop_id, _, stat in new:
        size[shop_id] = size.get(shop_id, 0) + stat.st_size
    by_shop: dict[str | None, list[tuple[str | None, Path]]] = {}
    for shop_id, path in files:
        by_shop.setdefault(shop_id, []).append((shop_id, path))
    groups: list[list[tuple[str | None, Path]]] = [[] for _ in range(workers)]
    load = [0] * workers
    for shop_id in sorted(by_shop, key=lambda s: -size.get(s, 0)):  # biggest first, to the lightest group
        i = load.index(min(load))
        groups[i] += by_shop[shop_id]
        load[i] += size.get(shop_id, 0)
    return [g for g in groups if g]


def _run_parallel(
    con: duckdb.DuckDBPyConnection,
    first: Loader,
    files: list[tuple[str | None, Path]],
    groups: list[list[tuple[str | None, Path]]],
    landing: Path,
    home: Path,
    load_id: str,
    kinds: set[str] | None,
    on_event: EventHook | None,
) -> list[FileResult]:
    """One loader per group, each on a connection of its own, in threads (DuckDB lets go of the GIL); the results
    in discovery order."""
    import threading

    order = {path.relative_to(landing).as_posix(): i for i, (_, path) in enumerate(files)}
    lock = threading.Lock()

    def event(name: str, rel: str, result: FileResult | None) -> None:
        with lock:
            on_event(name, rel, result)  # type: ignore[misc]

    loaders = []
    for _ in groups:  # built one after the other: each reads the manifest and checks the schema
        loader = Loader(con.cursor(), landing, home, load_id, concurrent=True)
        loader.scanned = first.scanned
        loaders.append(loader)
    results: list[list[FileResult]] = [[] for _ in groups]
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            results[i] = _run_loader(loaders[i], groups[i], kinds, event if on_event else None)
        except BaseException as exc:  # re-raised in the calling thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,), name=f"lapak-ingest-{i}") for i in range(len(groups))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for loader in loaders:
        loader.con.close()
    if errors:
        raise errors[0]
    if first.profile is not None:
        total: dict[str, float] = {}
        for loader in loaders:
            for label, secs in (loader.profile or {}).items():
                total[label] = total.get(label, 0.0) + secs
        for label, secs in sorted(total.items(), key=lambda kv: -kv[1]):
            print(f"  {label:<12} {secs:7.2f}s  (summed over {len(loaders)} loaders)")
    return sorted((r for rs in results for r in rs), key=lambda r: order[r.source_file])
