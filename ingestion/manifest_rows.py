"""The manifest as a load uses it: what it already knows, read into memory once per run, and the row a load writes
for each file it sees."""

from __future__ import annotations

import json
import os

import duckdb

from ingestion.manifest import RAW_SCHEMA
from ingestion.report import FileResult
from ingestion.scan import FileScan
from ingestion.session import Statements
from lapak.settings import now_wib


class ManifestMemory:
    """What the manifest knows, in memory: one query per run instead of three per file.

    Content is a shop's: a file is a duplicate only of content loaded for its own shop, so the same export in two
    shops' folders loads once for each, under its own shop id. A `duplicate` row is remembered only while its shop
    has that content loaded: a warehouse from before, which recorded shop B's copy of shop A's export as A's
    duplicate, loads B's copy (for B) on its next run."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.done: set[tuple[str, str]] = set()  # (path, hash) loaded or skipped as a duplicate
        self.stats: dict[str, set[tuple[int, int, str]]] = {}  # path -> (size, mtime, hash) as last verified
        self.first_loaded: dict[tuple[str | None, str], str] = {}  # (shop, hash) -> the path first loaded from
        self.rejected: set[tuple[str, str]] = set()
        rows = con.execute(  # loaded rows first: a duplicate counts only once its shop's original is known
            f"select source_file, shop_id, file_sha256, status, file_size, file_mtime_ns from {RAW_SCHEMA}._manifest "
            "order by status <> 'loaded', loaded_at, source_file"
        ).fetchall()
        for rel, shop_id, sha, status, size, mtime_ns in rows:
            self.remember(rel, shop_id, sha, status, size, mtime_ns)

    def remember(
        self, rel: str, shop_id: str | None, sha: str, status: str, size: int | None, mtime_ns: int | None
    ) -> None:
        if status == "rejected":
            self.rejected.add((rel, sha))
            return
        if status == "loaded":
            self.first_loaded.setdefault((shop_id, sha), rel)
        elif status != "duplicate" or (shop_id, sha) not in self.first_loaded:
            return  # held, or a duplicate of another shop's file (an older lapak's): this shop has not loaded it
        self.done.add((rel, sha))
        if size is not None and mtime_ns is not None:
            self.stats.setdefault(rel, set()).add((size, mtime_ns, sha))

    def unchanged(self, rel: str, stat: os.stat_result) -> str | None:
        """The hash of a file seen before at this path with this size and modification time: not read again.

        (A file rewritten in place keeps neither its modification time nor, usually, its size; one that does
        is read again after `touch`.)"""
        for size, mtime_ns, sha in self.stats.get(rel, ()):
            if size == stat.st_size and mtime_ns == stat.st_mtime_ns:
                return sha
        return None


def manifest_values(
    r: FileResult, scan: FileScan | None, period_source: str | None, mtime_ns: int | None, load_id: str
) -> dict[str, object]:
    """The file's manifest row, by column."""
    return {
        "file_sha256": r.sha256, "source_file": r.source_file, "shop_id": r.shop_id, "kind": r.kind,
        "layout": r.layout, "language": r.language, "export_at": r.export_at,
        "period_start": r.period_start, "period_end": r.period_end, "rows_read": r.rows_read,
        "rows_loaded": r.rows_loaded, "rows_quarantined": r.rows_quarantined, "rows_skipped": r.rows_skipped,
        "status": r.status, "reason": r.reason,
        "schema_drift": json.dumps(r.schema_drift) if r.schema_drift else None,
        "ignored_columns": json.dumps(r.ignored_columns) if r.ignored_columns else None,
        "load_id": load_id, "loaded_at": now_wib(), "duplicates_superseded": r.duplicates_superseded,
        "period_source": period_source, "encoding": r.encoding, "file_size": scan.size if scan else None,
        "missing_optional": json.dumps(r.missing_optional) if r.missing_optional else None,
        "file_mtime_ns": mtime_ns,
    }  # fmt: skip


def insert_manifest_rows(db: Statements, rows: list[dict[str, object]]) -> None:
    """Rows of `manifest_values`, in one statement."""
    names = list(rows[0])
    row = "(" + ", ".join("?" * len(names)) + ")"
    db.run(
        "manifest",
        f"insert into {RAW_SCHEMA}._manifest ({', '.join(names)}) values {', '.join([row] * len(rows))}",
        [v for m in rows for v in m.values()],
    )
