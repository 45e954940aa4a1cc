"""The transactional loader: landing files into the DuckDB `raw` schema, whole files in transactions, nothing lost.

Every file ends up in `raw._manifest` (loaded, duplicate or rejected, with counts); every row that
cannot be loaded ends up in `raw._quarantine` with file, row, column, raw value and reason. Rows
read = rows loaded + rows quarantined for every loaded file. A file already in the manifest (same
path and sha256) is skipped, without reading it again when its size and modification time are those
recorded; the same content under another name in the same shop's folder is recognised by its hash (a
`duplicate`), so re-running on the same files changes nothing. Content is a shop's: the same bytes in another
shop's folder load again, for that shop, under its own shop id (one shop's upload never takes another's rows).
A file's rows, its quarantined rows and its manifest row are written in one transaction, which holds whole
files only: a run killed mid-file leaves nothing of the files of its open transaction behind, and the next run
loads them whole. Bigger files share a transaction up to `TXN_ROWS` rows (`Loader._load_open`), and one that
fails rolls it back: its files then load one by one.
Small workbooks of one kind and header share a transaction (`Loader._flush`, `batch.py`): the same rows,
quarantine and manifest as one by one, and if anything in the batch fails its files load one by one.
"""

from __future__ import annotations

import time
from pathlib import Path

import duckdb

from ingestion.batch import batch_full, batch_key, batchable, load_workbooks
from ingestion.detect import RejectedFile, detect, export_time_from_name
from ingestion.file_load import Pending, export_time, load_file
from ingestion.manifest import RAW_SCHEMA, ensure_schema
from ingestion.manifest_rows import ManifestMemory, insert_manifest_rows, manifest_values
from ingestion.pii import hmac_pads, key_for_warehouse
from ingestion.report import FileResult, unreadable_result
from ingestion.scan import FileScan, is_text, scan_file
from ingestion.session import FileTable, Statements
from lapak.settings import now_wib, wib_time

# Bigger files (order CSVs, big workbooks) load with statements of their own but share a transaction of up to
# TXN_ROWS rows: its rows are written once, not to the WAL and again at the checkpoint, and the partial row groups
# its commits leave lie too far apart for a later checkpoint to merge (docs/performance.md, decision log). A crash
# loses the files of the open transaction, which the next run loads whole.
TXN_ROWS = 1_000_000


class Loader:
    def __init__(
        self, con: duckdb.DuckDBPyConnection, landing: Path, home: Path, load_id: str, concurrent: bool = False
    ):
        self.con = con
        # other loaders write to the same database at the same time (`ingest` with workers): leave global
        # settings alone (`preserve_insertion_order` is global, and `_file` needs it on)
        self.concurrent = concurrent
        self.landing = landing
        self.load_id = load_id
        ipad, opad = hmac_pads(key_for_warehouse(con, home))
        self.pads = {"ipad": ipad, "opad": opad}
        self.db = Statements(con)
        self.profile = self.db.profile  # seconds per step, with `LAPAK_PROFILE` set
        self._file = FileTable()  # the current file's rows as read
        self._batch: list[Pending] = []  # small workbooks waiting to be loaded together
        # files loaded in the open transaction (not committed yet) and results that came after them, in order
        self._open: list[Pending | FileResult] = []
        self._open_rows = 0
        self._in_txn = False
        self._finished: list[FileResult] = []  # results not yet handed back by `add` / `finish`
        ensure_schema(con)
        self.known = ManifestMemory(con)

    def _sql(self, label: str, sql: str, params: object = None) -> duckdb.DuckDBPyConnection:
        return self.db.run(label, sql, params)

    def _record(
        self, r: FileResult, scan: FileScan | None = None, period_source: str | None = None, mtime_ns: int | None = None
    ) -> None:
        """The file's manifest row; remembered in memory by the caller once it is committed."""
        insert_manifest_rows(self.db, [manifest_values(r, scan, period_source, mtime_ns, self.load_id)])

    def _record_rejection(self, r: FileResult, scan: FileScan | None = None) -> None:
        """Rejected files are retried on every run; the manifest keeps one row per (path, hash)."""
        self._commit_open()  # not part of the open transaction: a rejection is recorded whatever happens to it
        if (r.source_file, r.sha256) not in self.known.rejected:
            self._record(r, scan)
            self.known.remember(r.source_file, r.shop_id, r.sha256, "rejected", None, None)

    # -- one file ---------------------------------------------------------------------------
    def add(self, shop_id: str | None, path: Path, kinds: set[str] | None = None) -> list[FileResult]:
        """Take one landing file; return the files finished by this call, in the order they were added.

        Small workbooks of one kind and layout wait in a batch loaded in one transaction (`_flush`);
        every other file is loaded by itself, in a transaction shared with the files before it until that
        holds `TXN_ROWS` rows (`_load_open`). A file is finished once its transaction is committed. Call
        `finish()` after the last file."""
        item = self._prepare(shop_id, path, kinds)
        if isinstance(item, Pending) and batchable(item):
            self._commit_open()
            if self._batch and batch_key(self._batch[0]) != batch_key(item):
                self._flush()
            self._batch.append(item)
            if batch_full(self._batch):
                self._flush()
        else:
            self._flush()  # results stay in file order
            if isinstance(item, Pending):
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

    def _prepare(self, shop_id: str | None, path: Path, kinds: set[str] | None) -> FileResult | Pending:
        """The file's outcome when it needs no loading (unchanged, rejected, skipped, duplicate), else what
        loading it needs."""
        started = time.perf_counter()
        rel = path.relative_to(self.landing).as_posix()
        try:
            stat = path.stat()  # before reading: a file changed while it is read is read again next time
            if seen := self.known.unchanged(rel, stat):
                return FileResult(source_file=rel, shop_id=shop_id, sha256=seen, status="unchanged")
            scan = scan_file(path, text=is_text(path))
        except OSError as exc:  # renamed by a sync tool mid-run, or unreadable: this file alone
            return unreadable_result(rel, shop_id, exc)
        self.db.tally("scan", started)
        result = FileResult(source_file=rel, shop_id=shop_id, sha256=scan.sha256, status="rejected")
        if (rel, scan.sha256) in self.known.done:  # the same bytes, touched or from a manifest without times
            self._commit_open()
            self.con.execute(
                f"update {RAW_SCHEMA}._manifest set file_size = ?, file_mtime_ns = ? "
                "where source_file = ? and file_sha256 = ? and status in ('loaded', 'duplicate')",
                [scan.size, stat.st_mtime_ns, rel, scan.sha256],
            )
            self.known.stats.setdefault(rel, set()).add((scan.size, stat.st_mtime_ns, scan.sha256))
            result.status = "unchanged"
            return result
        content = (shop_id, scan.sha256)  # a duplicate only of the same shop's content
        if any((p.result.shop_id, p.scan.sha256) == content for p in self._batch):
            self._flush()  # the same content waits in the batch: load it first, this file is its duplicate
        if any(isinstance(p, Pending) and (p.result.shop_id, p.scan.sha256) == content for p in self._open):
            self._commit_open()  # the same content is in the open transaction: commit it, this is its duplicate
        other = self.known.first_loaded.get(content)
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
            self.known.remember(rel, shop_id, scan.sha256, result.status, scan.size, stat.st_mtime_ns)
            return result
        return Pending(path, stat, scan, layout, result, export_at, started)

    def _load_in_txn(self, p: Pending) -> None:
        """Load one file's rows and its manifest row in the transaction the caller began (and ends)."""
        result = p.result
        self._file.base = None
        period_source = load_file(self.db, self._file, p, self.load_id, self.pads, self.concurrent)
        result.status = "loaded"
        result.seconds = round(time.perf_counter() - p.started, 3)
        self._record(result, p.scan, period_source, p.stat.st_mtime_ns)

    def _load_one(self, p: Pending) -> FileResult:
        """Load one file in a transaction of its own: any failure rejects this file only, and leaves nothing of it."""
        result, scan = p.result, p.scan
        self.con.begin()
        try:
            self._load_in_txn(p)
            self._sql("commit", "commit")
            self.known.remember(
                result.source_file, result.shop_id, scan.sha256, result.status, scan.size, p.stat.st_mtime_ns
            )
        except Exception as exc:
            self.con.rollback()
            self._reject(result, scan, exc)
        finally:
            self._drop_temp_tables()
        return result

    def _load_one_again(self, p: Pending) -> FileResult:
        """`_load_one` for a file of a transaction or batch that was rolled back: its counts start from nothing."""
        r = p.result
        r.rows_read = r.rows_loaded = r.rows_quarantined = r.rows_skipped = r.duplicates_superseded = 0
        r.period_start = r.period_end = None
        return self._load_one(p)

    def _load_open(self, p: Pending) -> None:
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
            if isinstance(item, Pending):
                r = item.result
                self.known.remember(
                    r.source_file, r.shop_id, item.scan.sha256, r.status, item.scan.size, item.stat.st_mtime_ns
                )
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
            self._finished.append(self._load_one_again(item) if isinstance(item, Pending) else item)

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
        self._file.drop(self.db)

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
            self._finished += [self._load_one_again(p) for p in batch]
            return
        for p in batch:
            p.layout.sheet_rows = None
            r = p.result
            self.known.remember(r.source_file, r.shop_id, p.scan.sha256, "loaded", p.scan.size, p.stat.st_mtime_ns)
            self._finished.append(p.result)

    def _load_workbooks(self, batch: list[Pending]) -> None:
        load_workbooks(self.db, batch, self.load_id)
