"""Caps that keep one hostile or broken file from taking a run down: checked before a file is parsed.

calamine (the XLSX reader) allocates a dense grid from a sheet's first to its last cell and aborts the whole
process when that fails (python-calamine#130, calamine#433): a 5 KB workbook whose only other cell sits at
XFD1048576 asks for 17 billion cells. So a workbook's real extent is read from its XML, streamed out of the zip,
before calamine sees it, and so is what it unpacks to (a zip bomb). A CSV is capped by its size.

The caps sit far above any Seller Center export (an order workbook has ~65 columns; a month of a big shop's orders
is ~300,000 rows) and far below what a 2-core, 24 GiB machine survives.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path

from ingestion.detect import RejectedFile

MAX_CSV_BYTES = 4 << 30
MAX_UNPACKED_BYTES = 1 << 30  # every part of a workbook, uncompressed
MAX_COLUMNS = 1_024
MAX_CELLS = 30_000_000  # rows x columns of a sheet's extent, as calamine will allocate it

# ` r="..."` is only a cell's (letters, then digits) or a row's (digits) reference in a sheet: plain patterns with a
# literal start scan several times faster than matching the elements
_CELL_COLUMN = re.compile(rb' r="([A-Z]{1,3})[0-9]')
_CELL_ROW = re.compile(rb' r="[A-Z]{1,3}([0-9]{1,7})"')
_ROW_REF = re.compile(rb' r="([0-9]{1,7})"')
_CHUNK = 1 << 20


def _column_number(letters: bytes) -> int:
    n = 0
    for c in letters:
        n = n * 26 + (c - 64)
    return n


def check_csv(path: Path, size: int) -> None:
    if size > MAX_CSV_BYTES:
        raise RejectedFile(
            f"too big to be one export: {size / 2**30:.1f} GiB, over lapak's cap of {MAX_CSV_BYTES >> 30} GiB "
            "(split it into smaller date ranges)"
        )


def check_workbook(path: Path) -> None:
    """Reject a workbook that unpacks to more than MAX_UNPACKED_BYTES, or whose sheet spans more than MAX_COLUMNS
    columns or MAX_CELLS cells; a file that is not a zip is left to the reader, which rejects it."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        return
    with archive:
        parts = archive.infolist()
        unpacked = sum(p.file_size for p in parts)
        if unpacked > MAX_UNPACKED_BYTES:
            raise RejectedFile(
                f"not a workbook lapak will open: it unpacks to {unpacked / 2**20:,.0f} MiB, over the cap of "
                f"{MAX_UNPACKED_BYTES >> 20:,} MiB (a zip bomb, or far bigger than any export)"
            )
        for part in parts:
            if part.filename.startswith("xl/worksheets/") and part.filename.endswith(".xml"):
                _check_sheet(archive, part)


def _check_sheet(archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> None:
    """The sheet's extent from its cells' and rows' references (the `<dimension>` element is often stale)."""
    max_row = max_col = 0
    rows = cells = 0  # elements, for sheets whose cells carry no reference (their position is their order)
    tail = b""
    try:
        with archive.open(part) as fh:
            read = 0
            while chunk := fh.read(_CHUNK):
                read += len(chunk)
                if read > MAX_UNPACKED_BYTES:  # the zip's own sizes may lie
                    raise RejectedFile(f"not a workbook lapak will open: {part.filename} unpacks past the cap")
                text = tail + chunk
                if letters := set(_CELL_COLUMN.findall(text)):
                    max_col = max(max_col, _column_number(max(letters, key=lambda c: (len(c), c))))
                for refs in (_CELL_ROW.findall(text), _ROW_REF.findall(text)):
                    if refs:
                        max_row = max(max_row, max(map(int, refs)))
                rows += chunk.count(b"<row")
                cells += chunk.count(b"<c ") + chunk.count(b"<c>")
                max_row = max(max_row, rows)
                if cells > MAX_CELLS:
                    break
                if max_col > MAX_COLUMNS or max_row * max(max_col, 1) > MAX_CELLS:
                    break
                tail = text[-256:]  # a tag cut by the chunk boundary is seen whole in the next round
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError):
        return  # a broken part: the reader rejects the workbook
    if max_col > MAX_COLUMNS:
        raise RejectedFile(
            f"not a workbook lapak will open: its sheet reaches column {max_col:,} (row {max_row:,}), over the cap of "
            f"{MAX_COLUMNS:,} columns (a stray cell far to the right, e.g. at XFD1048576)"
        )
    if max_row * max(max_col, 1) > MAX_CELLS or cells > MAX_CELLS:
        raise RejectedFile(
            f"not a workbook lapak will open: its sheet spans {max_row:,} rows x {max_col:,} columns, over the cap of "
            f"{MAX_CELLS:,} cells (a stray cell far below the data, or far bigger than any export)"
        )
