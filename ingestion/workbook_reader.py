"""Workbooks into `_file`: one workbook's sheet (read by calamine, or already whole by `detect`), or the sheets of a
batch of small workbooks of one kind and header. Workbooks are small: every cell is trimmed here, in Python, as
`clean_sql` would in SQL (the SQL for ~30 trimmed columns cost more to plan than to run, on every one of hundreds of
small daily exports)."""

from __future__ import annotations

from pathlib import Path

from ingestion.detect import FileLayout
from ingestion.parsing import clean_cell
from ingestion.session import FileTable, Statements


def read_xlsx(db: Statements, file: FileTable, path: Path, layout: FileLayout) -> str:
    """`_file` with the sheet's rows from the header on; returns the SQL for a row's line in the sheet."""
    import pandas as pd
    from python_calamine import CalamineWorkbook

    if layout.sheet_rows is not None:  # read whole by detect()
        rows, layout.sheet_rows = layout.sheet_rows, None
    else:
        rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(layout.sheet).to_python(skip_empty_area=False)
    n = len(layout.header)
    data = rows[layout.header_row :]

    def column(i: int) -> list[str | None]:
        return [clean_cell(r[i]) if i < len(r) else None for r in data]

    frame = pd.DataFrame({f"c{i}": column(i) for i in range(n)}, dtype="string")
    file.dirty, file.precleaned = set(), True
    db.con.register("_xlsx_frame", frame)
    try:
        db.run("read_xlsx", "create temp table _file as select * from _xlsx_frame")
        file.rows = len(frame)  # a workbook has no reader rejects: every row is in `_file`
    finally:
        db.con.unregister("_xlsx_frame")
    return f"(_file.rowid - {file.rowid_base(db.con)} + {layout.header_row + 1})"


def read_workbooks(db: Statements, layouts: list[FileLayout]) -> list[tuple[int, int]]:
    """`_file` with the data rows of the sheets `detect` read whole (`FileLayout.sheet_rows`), all of one kind and
    header: `c0` … by header position, `_fidx` the workbook's place in `layouts`, `_line` the row's line in its
    sheet. Blank rows and the description row under the header are left out, as `load_file` leaves them out of
    one workbook. Returns each workbook's (rows kept, rows left out)."""
    import pandas as pd

    layout = layouts[0]
    kind, n = layout.kind, len(layout.header)
    key_pos = next((p for p, c in layout.columns.items() if c == kind.key), None)
    cols: dict[str, list] = {f"c{i}": [] for i in range(n)} | {"_fidx": [], "_line": []}
    counts: list[tuple[int, int]] = []
    columns = [cols[f"c{i}"] for i in range(n)]
    for fidx, one in enumerate(layouts):
        data = one.sheet_rows[one.header_row :]
        kept, seen_data = 0, False
        for k, r in enumerate(data, start=one.header_row + 1):  # k: the row's line in the sheet
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
        counts.append((kept, len(data) - kept))
    frame = pd.DataFrame({c: pd.array(v, dtype="string") for c, v in cols.items() if c.startswith("c")})
    frame["_fidx"], frame["_line"] = cols["_fidx"], cols["_line"]
    db.con.register("_batch_frame", frame)
    try:
        db.run("read_xlsx", "create temp table _file as select * from _batch_frame")
    finally:
        db.con.unregister("_batch_frame")
    return counts
