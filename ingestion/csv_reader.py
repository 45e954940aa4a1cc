"""A CSV export into `_file`: DuckDB `read_csv` (into an Arrow table, or a temp table for a big file), the reader's
rejected lines in `_rejects`, the columns with values to trim, and each row's line in the file.

Rows keep their 1-based line in the file; when the file has multi-line quoted fields or blank lines, the lines are
counted exactly by a Python `csv` pass (docs/ingestion.md has the long version)."""

from __future__ import annotations

import csv
import os
import time
from pathlib import Path

from ingestion.detect import FileLayout, RejectedFile
from ingestion.landing import exact_path
from ingestion.parsing import EDGE_SPACE, clean_arrow
from ingestion.scan import FileScan, open_quote_at_eof, scan_file, transcode_to_utf8
from ingestion.session import FileTable, Statements, kept_positions

# CSV files of up to this size are read into an Arrow table and every column trimmed there (`_read_arrow`):
# cheaper than writing a temp table and trimming in SQL (docs/performance.md, decision log). Held in memory, outside
# DuckDB's limit, so a bigger file (a whole year in one export) goes to a temp table, which can spill.
ARROW_FILE_BYTES = 64 << 20
# Files of up to this many rows find the columns to trim with one test over all values (UNPIVOT), which plans
# faster; bigger ones with one test per column, which scans faster (docs/performance.md, decision log)
UNPIVOT_ROWS = 20_000


def read_csv(
    db: Statements, file: FileTable, path: Path, layout: FileLayout, scan: FileScan, stat: os.stat_result
) -> str:
    """`_file` (one row per parsed record, in file order) and `_rejects`; returns the SQL for a
    row's file line (over `_file`, or `_lines` when the numbering needed a map)."""
    con = db.con
    source, tmp, expected = path, None, stat
    last_newline = scan.last_newline
    if not layout.encoding.startswith("utf-8"):
        tmp = source = transcode_to_utf8(path, layout.encoding)
        last_newline = scan_file(tmp).last_newline
        expected = None  # lapak's own copy
    n = len(layout.header)
    cols = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(n)) + "}"
    file.dirty, file.precleaned = set(), False
    if scan.newlines + (0 if scan.ends_with_newline else 1) <= layout.header_row:  # the header, no rows
        con.execute(f"create temp table _file ({', '.join(f'c{p} varchar' for p in range(n))})")
        con.execute(
            "create temp table _rejects (line bigint, column_idx bigint, csv_line varchar, "
            "error_type varchar, error_message varchar)"
        )
        file.rows = 0
        return "(_file.rowid)"
    try:
        read = f"""select * from read_csv(?, header = false, skip = {layout.header_row}, columns = {cols},
            delim = '{layout.delimiter}', quote = '"', escape = '"', strict_mode = true, null_padding = false,
            nullstr = ['', '--', E'\\t'], auto_detect = false, store_rejects = true, rejects_table = '_rejects',
            rejects_scan = '_rejects_scan', parallel = true)"""
        with exact_path(source, expected) as name:  # never DuckDB's glob expansion of the file's name
            if scan.size <= ARROW_FILE_BYTES:
                _read_arrow(db, file, read, name)
            else:
                db.run("read_csv", f"create temp table _file as {read}", [name])
        # a download cut off inside a quoted value: the quote is never closed, the last record swallows the
        # rest of the file and its lines would be lost inside one quarantined value. Only the last
        # unterminated-quote record can run to the end of the file; check that one.
        start = db.run(
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
    kept = kept_positions(layout)
    n_good = file.rows = db.run("counts", "select count(*) from _file").fetchone()[0]
    if file.precleaned:
        pass  # trimmed as it was read into Arrow
    elif kept and n_good <= UNPIVOT_ROWS:
        # one test over the values of every column: DuckDB plans four tests per column (~260 for an order
        # export) in longer than a small file takes to scan (UNPIVOT_ROWS)
        columns = ", ".join(f"c{p}" for p in kept)
        dirty = db.run(
            "edges",
            f"select name from (unpivot (select {columns} from _file) on columns(*) into name name value v) "
            f"group by name having bool_or({EDGE_SPACE.format(c='v')})",
        ).fetchall()
        file.dirty = {int(name[1:]) for (name,) in dirty}
    elif kept:
        flags = db.run(
            "edges",
            "select " + ", ".join(f"bool_or({EDGE_SPACE.format(c=f'c{p}')})" for p in kept) + " from _file",
        ).fetchone()
        file.dirty = {p for p, dirty in zip(kept, flags, strict=True) if dirty}
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
            return f"(_file.rowid - {file.rowid_base(con)} + {first})"
        con.execute(
            f"""create temp table _lines as
            with good as (
                select line from unnest(range({first}, {first + n_good + len(reject_lines)})) as t(line)
                where line not in (select line from _rejects)
            )
            select row_number() over (order by line) - 1 + {file.rowid_base(con)} as rid, line from good"""
        )
        return "_lines.line"
    # blank lines or quoted line breaks: count lines exactly with Python's csv reader
    _exact_lines(db, file, path, layout, n_good, set(reject_lines))
    return "_lines.line"


def _read_arrow(db: Statements, file: FileTable, read: str, source: str) -> None:
    """`_file` as an Arrow table in memory, every value cleaned as `clean_sql` would (`clean_arrow`), its rows
    numbered in a `rowid` column as a temp table numbers them: for a file of `ARROW_FILE_BYTES` or less,
    reading into Arrow and trimming there cost less than writing a temp table and finding the columns to trim,
    and the later passes scan it as fast."""
    import pyarrow as pa

    # malloc, not Arrow's default pool (mimalloc), which keeps what the trims free for reuse: with it the 5M
    # run's peak went past 2 GiB (docs/performance.md, decision log)
    pool = pa.system_memory_pool()
    start = time.perf_counter()
    table = db.con.sql(read, params=[source]).to_arrow_table()
    table = pa.table(
        {name: clean_arrow(table[name], pool) for name in table.column_names}
        | {"rowid": pa.array(range(table.num_rows), pa.int64(), memory_pool=pool)}
    )
    file.precleaned = True
    db.con.register("_file", table)
    file.arrow = True
    db.tally("read_csv", start)


def _exact_lines(
    db: Statements, file: FileTable, path: Path, layout: FileLayout, n_good: int, reject_records: set[int]
) -> None:
    """`_lines(rid, line)`: the file line each good record starts on; rejects' lines rewritten too."""
    enc = "utf-8-sig" if layout.encoding.startswith("utf-8") else layout.encoding
    starts: list[int] = []
    reject_map: dict[int, int] = {}
    with path.open(encoding=enc, errors="lapak_latin1" if not enc.startswith("utf") else "replace", newline="") as fh:
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
    base = file.rowid_base(db.con)
    db.con.execute(
        "create temp table _lines as select unnest($rid::bigint[]) as rid, unnest($line::bigint[]) as line",
        {"rid": list(range(base, base + len(starts))), "line": starts},
    )
    if reject_map:
        db.con.execute(
            "update _rejects set line = m.line from (select unnest(?) as record, unnest(?) as line) as m "
            "where _rejects.line = m.record",
            [list(reject_map), list(reject_map.values())],
        )
