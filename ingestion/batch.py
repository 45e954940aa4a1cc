"""Small workbooks loaded together. Daily video, LIVE, product and creator exports (a year of one shop is ~1,500
files of a few dozen rows) are loaded in batches of one kind and header, one statement per step instead of per
file: ~15 statements and a commit per file cost more than their rows. Each file keeps the raw rows, quarantine,
counts and manifest row that `load_file` gives it alone (tests/test_ingestion_batch.py)."""

from __future__ import annotations

import time

from ingestion.file_load import RANGE_COLUMNS, Pending, extra_json, natural_key
from ingestion.manifest import RAW_SCHEMA
from ingestion.manifest_rows import insert_manifest_rows, manifest_values
from ingestion.parsing import TS_LIST
from ingestion.quarantine import quarantine_batch
from ingestion.session import Statements
from ingestion.workbook_reader import read_workbooks
from lapak.settings import wib_time

BATCH_FILES = 256
BATCH_ROWS = 10_000  # a batch's sheets are held as Python objects until it loads: ~100 MB per 50,000 rows
BATCH_FILE_BYTES = 1 << 20


def batchable(p: Pending) -> bool:
    """A small workbook read whole by `detect`. Order exports are not batched: their buyers are hashed and their
    language guessed per file."""
    return (
        p.layout.fmt == "xlsx"
        and p.layout.kind.name != "orders"
        and p.layout.sheet_rows is not None
        and p.scan.size <= BATCH_FILE_BYTES
    )


def batch_key(p: Pending) -> tuple:
    """Files of one batch share it: the kind and the header."""
    return (p.layout.kind.name, tuple(p.layout.header))


def batch_full(batch: list[Pending]) -> bool:
    """Time to load the batch: it holds `BATCH_FILES` workbooks or `BATCH_ROWS` rows."""
    return len(batch) >= BATCH_FILES or sum(len(p.layout.sheet_rows or ()) for p in batch) >= BATCH_ROWS


def load_workbooks(db: Statements, batch: list[Pending], load_id: str) -> None:
    """Load workbooks of one batch (`batch_key`) inside the transaction the loader began; fill in their results
    and write their manifest rows."""
    import pandas as pd

    con, layout = db.con, batch[0].layout
    kind = layout.kind
    counts = read_workbooks(db, [p.layout for p in batch])
    for p, (_, skipped) in zip(batch, counts, strict=True):
        p.result.rows_skipped = skipped
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
    con.register("_batch_files", files)
    try:
        db.run(
            "read_xlsx",
            """create temp table _files as select _fidx, shop, rel, sha, cast(export_at as timestamp) as export_at,
            cast(mtime as timestamp) as mtime, cast(pstart as date) as pstart, cast(pend as date) as pend,
            cast(lang as varchar) as lang from _batch_files""",
        )
    finally:
        con.unregister("_batch_files")
    raw = f"{RAW_SCHEMA}.{kind.name}"

    # --- the rows, with each file's lineage ----------------------------------------------
    named = [f'_file.c{p} as "{c}"' for p, c in layout.columns.items()]
    lineage = {
        "_shop_id": "f.shop", "_source_file": "f.rel", "_source_row": "_file._line", "_file_sha256": "f.sha",
        "_load_id": "$load_id", "_export_at": "f.export_at", "_file_modified_at": "f.mtime",
        "_period_start": "f.pstart", "_period_end": "f.pend", "_language": "f.lang",
        "_extra": extra_json(layout, lambda p: f"_file.c{p}"),
    }  # fmt: skip
    select = named + [f"{v} as {k}" for k, v in lineage.items()]
    db.run(
        "insert",
        f"insert into {raw} by name select {', '.join(select)} from _file join _files as f using (_fidx)",
        {"load_id": load_id},
    )

    # --- each file's range: the preamble's, else the span of its rows' own times -----------
    present = set(layout.columns.values())
    rc = RANGE_COLUMNS.get(kind.name)
    spans: dict[int, tuple] = {}
    if rc in present and any(not p.layout.period_start for p in batch):
        rc_pos = next(p for p, c in layout.columns.items() if c == rc)
        spans = {
            fidx: (lo, hi)
            for fidx, lo, hi in db.run(
                "stats",
                f"select _fidx, min(try_strptime(c{rc_pos}, {TS_LIST}))::date, "
                f"max(try_strptime(c{rc_pos}, {TS_LIST}))::date from _file group by 1",
            ).fetchall()
        }

    # --- quarantine: rows that cannot be parsed, then out of the raw table ----------------
    bad_in_file = quarantine_batch(db, layout, load_id)

    # --- overlapping exports: rows of files loaded before each one that it supersedes -------
    superseded: dict[int, int] = {}
    if keys := natural_key(kind, present):
        on = " and ".join(f"o.{k} is not distinct from nk.{k}" for k in keys)
        superseded = dict(
            db.run(
                "superseded",
                f"""with nk as (
                    select distinct f._fidx, f.shop, f.sha, f.export_at, {", ".join(f"n.{k}" for k in keys)}
                    from {raw} as n join _files as f on n._file_sha256 = f.sha and n._shop_id = f.shop
                )
                select nk._fidx, count(*) from {raw} as o
                join nk on o._shop_id = nk.shop and {on}
                left join _files as fo on fo.sha = o._file_sha256 and fo.shop = o._shop_id
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
        r.rows_read, r.rows_quarantined = counts[fidx][0], bad_in_file.get(fidx, 0)
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
        manifest.append(manifest_values(r, p.scan, period_source, p.stat.st_mtime_ns, load_id))
    insert_manifest_rows(db, manifest)
