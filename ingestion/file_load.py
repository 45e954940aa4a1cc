"""One file's rows into its raw table, inside the transaction the loader began: read into `_file`, one insert of its
cleaned rows with their lineage, the export range, the quarantine, and the count of older rows it supersedes.

A CSV: one pass over the bytes in Python (sha256, line count, UTF-8 validity: `scan.py`), DuckDB `read_csv` into
`_file` (`csv_reader.py`), one insert of its cleaned rows into the raw table, the validity checks on the file's rows
there into `_bad`, then the bad rows moved to the quarantine (deleted from the raw table, in the same transaction:
`quarantine.py`). A workbook the same way, read by `workbook_reader.py`."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

from ingestion.csv_reader import read_csv
from ingestion.detect import FileLayout, RejectedFile
from ingestion.formats import ORDER_STATUSES_EN, ORDER_STATUSES_ID, Kind
from ingestion.manifest import RAW_SCHEMA
from ingestion.parsing import TS_LIST, clean_sql, sql_str
from ingestion.pii import hmac_sql
from ingestion.quarantine import quarantine_file
from ingestion.report import FileResult
from ingestion.scan import FileScan
from ingestion.session import FileTable, Statements, kept_positions
from ingestion.workbook_reader import read_xlsx
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


@dataclass
class Pending:
    """A new file, hashed and recognised, waiting to be loaded."""

    path: Path
    stat: os.stat_result
    scan: FileScan
    layout: FileLayout
    result: FileResult
    export_at: datetime
    started: float


def natural_key(kind: Kind, present: set[str]) -> list[str] | None:
    """The columns of the kind's natural key, when the file has all of them (lineage columns it always has)."""
    keys = [k for k in NATURAL_KEYS.get(kind.name, ()) if k.startswith("_") or k in present]
    return keys if keys and len(keys) == len(NATURAL_KEYS[kind.name]) else None


def extra_json(layout: FileLayout, value: Callable[[int], str]) -> str:
    """SQL for a row's `_extra`: the columns no format knows (schema drift) as JSON by header; `value(p)` is the SQL
    of the value at header position `p`."""
    if not layout.extra:
        return "null::varchar"
    return "json_object(" + ", ".join(f"'{sql_str(h)}', {value(p)}" for p, h in layout.extra.items()) + ")::varchar"


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


def load_file(
    db: Statements, file: FileTable, item: Pending, load_id: str, pads: dict[str, bytes], concurrent: bool
) -> str | None:
    """Load the file's rows and quarantine; fill in its result's counts, language and range. Returns where its range
    came from (`period_source`). `concurrent`: other loaders write to the database at the same time."""
    con, layout, result, export_at = db.con, item.layout, item.result, item.export_at
    kind = layout.kind
    mtime = wib_time(item.stat.st_mtime)
    if layout.fmt == "csv":
        line_expr = read_csv(db, file, item.path, layout, item.scan, item.stat)
    else:
        line_expr = read_xlsx(db, file, item.path, layout)
    kept = kept_positions(layout)
    join = "join _lines on _lines.rid = _file.rowid" if line_expr == "_lines.line" else ""

    def val(p: int) -> str:
        return clean_sql(f"c{p}") if p in file.dirty else f"c{p}"

    # a row is blank when every column is empty, personal-data columns included (those are only looked at
    # for rows with nothing else: OR and COALESCE stop at the first value)
    key_first = sorted(kept, key=lambda p: layout.columns.get(p) != kind.key)
    pii = [p for p in range(len(layout.header)) if p not in layout.columns and p not in layout.extra]
    tests = [f"coalesce({', '.join(val(p) for p in key_first)}) is not null"] if kept else []
    pii_vals = [f"c{p}" if file.precleaned else clean_sql(f"c{p}") for p in pii]
    tests += [f"coalesce({', '.join(pii_vals)}) is not null"] if pii else []
    nonblank = "(" + (" or ".join(tests) or "false") + ")"
    named = [f'{val(p)} as "{c}"' for p, c in layout.columns.items()]
    skip_lines: list[int] = []
    if kind.description_row and kind.key in layout.columns.values():
        # XLSX exports describe each column in the row under the header: not data.
        key_pos = next(p for p, c in layout.columns.items() if c == kind.key)
        # rows are in file order: the first row with data is nearly always the first row, and a row with its
        # key has data, so look there first (two columns read), then among the first rows, then in all of
        # them, instead of testing every column of every row for blankness (the same answer each way)
        base = file.rowid_base(con)
        for where in (
            f"_file.rowid = {base} and {val(key_pos)} is not null",
            f"_file.rowid < {base + 1000} and {nonblank}",
            nonblank,
        ):
            first = db.run(
                "first_row",
                f"select {line_expr}, {val(key_pos)} from _file {join} where {where} order by 1 limit 1",
            ).fetchone()
            if first is not None:
                break
        if first and first[1] and (" " in first[1] or first[1].endswith(".")):
            skip_lines.append(first[0])
    skip = f" and {line_expr} not in ({', '.join(map(str, skip_lines))})" if skip_lines else ""
    rows = (
        f"(select {line_expr} as _line, {', '.join(named)}, {extra_json(layout, val)} as _extra "
        f"from _file {join} where {nonblank}{skip}) as _rows"
    )
    present = set(layout.columns.values())

    # --- the language, which every row carries ----------------------------------------
    is_orders = kind.name == "orders" and "order_status" in present
    if is_orders:  # order headers are English in both UIs: the statuses tell the language
        ids = ", ".join(f"'{s}'" for s in ORDER_STATUSES_ID)
        ens = ", ".join(f"'{s}'" for s in ORDER_STATUSES_EN)
        # over `_file`: blank rows have no status, and the description row's is not one
        status = val(next(p for p, c in layout.columns.items() if c == "order_status"))
        id_n, en_n = db.run(
            "language",
            f"select count(*) filter (where {status} in ({ids})), count(*) filter (where {status} in ({ens})) "
            "from _file",
        ).fetchone()
        layout.language = result.language = "en" if en_n > id_n else "id"

    # --- every row with data goes to the raw table; the bad ones leave it again below ---------
    # One write of the rows (the validity checks then read a few compressed columns back instead of
    # trimming and filtering `_file` again); the file's transaction hides the bad rows in between.
    select = [f'"{c}"' for c in kind.columns if c in present]
    source = rows
    if kind.name == "orders" and "__buyer__" in present:
        # the keyed hash once per distinct buyer (buyers repeat: a million lines have ~50,000), joined back
        buyer = val(next(p for p, c in layout.columns.items() if c == "__buyer__"))
        db.run(
            "customer_keys",
            f"create temp table _buyers as select _buyer, {hmac_sql('_buyer')} as _customer_key "
            f"from (select distinct {buyer} as _buyer from _file) where _buyer is not null",
            pads,
        )
        select.append("_buyers._customer_key as customer_key")
        source = f'{rows} left join _buyers on _rows."__buyer__" = _buyers._buyer'
    elif kind.name == "orders":
        select.append("null as customer_key")
    lineage = {
        "_shop_id": "$shop", "_source_file": "$rel", "_source_row": "_line", "_file_sha256": "$sha",
        "_load_id": "$load_id", "_export_at": "$export_at", "_file_modified_at": "$mtime",
        "_period_start": "$pstart", "_period_end": "$pend", "_language": "$lang", "_extra": "_extra",
    }  # fmt: skip
    select += [f"{v} as {k}" for k, v in lineage.items()]
    params = dict(
        shop=result.shop_id, rel=result.source_file, sha=result.sha256, load_id=load_id, export_at=export_at,
        mtime=mtime, pstart=layout.period_start, pend=layout.period_end, lang=layout.language,
    )  # fmt: skip
    # rows carry their line number: the raw table need not keep file order, so the insert may run in parallel
    # (not while other loaders share the database: the setting is global, and their `_file` needs it on)
    if not concurrent:
        con.execute("set preserve_insertion_order = false")
    try:
        n_rows = db.run(
            "insert",
            f"insert into {RAW_SCHEMA}.{kind.name} by name select {', '.join(select)} from {source}",
            params,
        ).fetchone()[0]
    finally:
        if not concurrent:
            con.execute("reset preserve_insertion_order")
    # this file's rows: no other file of this shop with this content is loaded (it would be a duplicate); another
    # shop's copy of it may be
    mine = f"{RAW_SCHEMA}.{kind.name} where _file_sha256 = $sha and _shop_id = $shop"
    this_file = {"sha": result.sha256, "shop": result.shop_id}
    result.rows_skipped = file.rows - n_rows

    # --- the export range: the preamble's, else the span of the rows' own times ----------
    period_source = None
    rc = RANGE_COLUMNS.get(kind.name) if not layout.period_start else None
    if layout.period_start:
        period_source = "preamble"
        result.period_start, result.period_end = str(layout.period_start), str(layout.period_end)
    elif rc in present:
        got = db.run(
            "stats",
            f'select min(try_strptime("{rc}", {TS_LIST}))::date, max(try_strptime("{rc}", {TS_LIST}))::date '
            f"from {mine}",
            this_file,
        ).fetchone()
        if got[0] is not None:
            period_source, result.period_start, result.period_end = "data", str(got[0]), str(got[1])
            if (fixed := export_time(export_at, mtime, got[1], now_wib())) != export_at:
                # the name's stamp is older than the file's own rows: the content decides
                export_at = fixed
                result.export_at = export_at.isoformat(sep=" ")
                update = (
                    f"update {RAW_SCHEMA}.{kind.name} set _export_at = $at "
                    "where _file_sha256 = $sha and _shop_id = $shop"
                )
                db.run("export_at", update, {"at": export_at, **this_file})

    # --- quarantine: rows that cannot be parsed -----------------------------------------
    n_rejected, n_bad, removed = quarantine_file(db, layout, mine, result, load_id)
    result.rows_loaded = n_rows - removed
    result.rows_quarantined = n_bad
    result.rows_read = n_rows + n_rejected
    if result.rows_read != result.rows_loaded + result.rows_quarantined:  # never: but never load a file that lies
        raise RejectedFile(
            f"internal accounting error: {result.rows_read} rows read, {result.rows_loaded} loaded, "
            f"{result.rows_quarantined} quarantined"
        )

    # --- overlapping exports: rows of older files this one supersedes ------------------
    if keys := natural_key(kind, present):
        on = " and ".join(f"o.{k} is not distinct from n.{k}" for k in keys)
        result.duplicates_superseded = db.run(
            "superseded",
            f"""select count(*) from {RAW_SCHEMA}.{kind.name} as o
            where o._shop_id = $shop and o._file_sha256 <> $sha and o._export_at <= $export_at
              and exists (select 1 from {RAW_SCHEMA}.{kind.name} as n
                          where n._file_sha256 = $sha and n._shop_id = $shop and {on})""",
            {"shop": result.shop_id, "sha": result.sha256, "export_at": export_at},
        ).fetchone()[0]
    return period_source
