"""Recognise an export file: its kind and language from the header (never from the name), its
encoding, where its header sits, and when it was exported.

Only the first rows of a file are read here; the bulk read is DuckDB's (CSV) or calamine's (XLSX).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from ingestion.formats import (
    KINDS,
    ORDER_BUYER_HEADER,
    ORDER_PII_HEADERS,
    ORDER_PII_PATTERN,
    ORDER_SAFE_PATTERN,
    PII_PATTERN,
    Kind,
    normalise_header,
)

CSV_SUFFIXES = {".csv", ".txt"}
XLSX_SUFFIXES = {".xlsx", ".xlsm"}
_ORDER_PII = frozenset(normalise_header(h) for h in ORDER_PII_HEADERS)
HEADER_SEARCH_ROWS = 10  # the header is on row 1, 2 or 3 in real exports; look a little further

_DATE_RANGE = re.compile(
    r"(\d{4}[-/]\d{2}[-/]\d{2}|\d{2}/\d{2}/\d{4})\s*~\s*(\d{4}[-/]\d{2}[-/]\d{2}|\d{2}/\d{2}/\d{4})"
)
_NAME_STAMPS = (
    # Semua pesanan-2026-11-20-09_30.csv / All order-2026-11-20-09_30.csv
    (re.compile(r"(\d{4})-(\d{2})-(\d{2})-(\d{2})_(\d{2})"), "%Y%m%d%H%M"),
    # product_list_20261120093000.xlsx, Live Analysis_20261120093000.xlsx
    (re.compile(r"(?<!\d)(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?!\d)"), "%Y%m%d%H%M%S"),
    (re.compile(r"(?<!\d)(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(?!\d)"), "%Y%m%d%H%M"),
    (re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)"), "%Y%m%d"),
)


class RejectedFile(Exception):
    """The whole file cannot be loaded; the message names the reason."""


@dataclass
class FileLayout:
    kind: Kind
    language: str  # 'id' | 'en'
    fmt: str  # 'csv' | 'xlsx'
    header: list[str]  # header cells as in the file
    header_row: int  # 1-based row (line) of the header
    columns: dict[int, str]  # position -> canonical column (first occurrence wins)
    extra: dict[int, str]  # position -> header of a column the format does not know (schema drift)
    ignored: list[str] = field(default_factory=list)  # personal-data columns, not loaded
    duplicates: list[str] = field(default_factory=list)  # repeated header names (later ones ignored)
    encoding: str = "utf-8"
    delimiter: str = ","  # CSV: ',' as Seller Center writes it, ';' from a re-save by Excel in an Indonesian locale
    sheet: str | None = None
    sheet_rows: list[list[object]] | None = field(default=None, repr=False, compare=False)  # XLSX: the sheet, read once
    period_start: date | None = None
    period_end: date | None = None
    layout: str = ""  # human label, e.g. orders/current-65

    @property
    def missing_optional(self) -> list[str]:
        """Optional columns this file's layout and language should have but does not (loaded as NULL)."""
        present = set(self.columns.values())
        if self.kind.name == "orders":
            from ingestion.formats import ORDER_HEADERS_CURRENT, ORDER_HEADERS_LEGACY, snake

            layout = ORDER_HEADERS_LEGACY if "taxes" in present else ORDER_HEADERS_CURRENT
            expected = [c for c in (snake(h) for h in layout) if c in self.kind.columns]
        else:
            expected = [c for c, names in self.kind.columns.items() if self.language in names]
        return [c for c in expected if c not in present and c not in self.kind.required]


def sniff_encoding(head: bytes) -> str:
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start > len(head) - 4:  # a multi-byte char cut by the sample boundary
            return "utf-8"
        return "cp1252"


def read_head_rows(path: Path, fmt: str, delimiter: str = ",") -> tuple[list[list[str]], str, str | None]:
    """First rows of the file as text cells, the encoding (CSV) and the sheet name (XLSX)."""
    if fmt == "csv":
        head = path.open("rb").read(256 * 1024)
        if not head.strip():
            raise RejectedFile("file is empty")
        if b"\x00" in head[:4096]:
            raise RejectedFile("not a text CSV (binary content)")
        encoding = sniff_encoding(head)
        text = head.decode("utf-8-sig" if encoding.startswith("utf-8") else encoding, errors="replace")
        rows = []
        for i, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter)):
            if i >= HEADER_SEARCH_ROWS:
                break
            rows.append(row)
        return rows, encoding, None
    rows, sheet = read_sheet(path, nrows=HEADER_SEARCH_ROWS)
    return [[cell_text(c) for c in r] for r in rows], "utf-8", sheet


def read_sheet(path: Path, nrows: int | None = None) -> tuple[list[list[object]], str]:
    """The export's sheet of a workbook (`OrderSKUList` when there, else the first) as rows of cell values."""
    from python_calamine import CalamineError, CalamineWorkbook

    from ingestion import limits

    limits.check_workbook(path)  # before calamine, which aborts the whole process on a huge sheet
    try:
        wb = CalamineWorkbook.from_path(str(path))
    except (CalamineError, OSError, ValueError) as exc:
        raise RejectedFile(f"not a readable XLSX workbook ({type(exc).__name__}: {exc})") from exc
    sheet = "OrderSKUList" if "OrderSKUList" in wb.sheet_names else wb.sheet_names[0]
    data = wb.get_sheet_by_name(sheet)
    rows = data.to_python(skip_empty_area=False, nrows=nrows) if nrows else data.to_python(skip_empty_area=False)
    return rows, sheet


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    return str(value)


def _parse_day(s: str) -> date:
    s = s.replace("/", "-")
    return datetime.strptime(s, "%d-%m-%Y").date() if re.match(r"\d{2}-", s) else date.fromisoformat(s)


def detect(path: Path) -> FileLayout:
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        fmt = "csv"
    elif suffix in XLSX_SUFFIXES:
        fmt = "xlsx"
    else:
        raise RejectedFile(f"not an export: unsupported file type '{suffix or '(none)'}' (expected .csv or .xlsx)")
    from ingestion import limits

    sheet_rows = None
    if fmt == "xlsx":  # the whole sheet once: loading reuses it instead of opening the workbook again
        sheet_rows, sheet = read_sheet(path)
        rows, encoding = [[cell_text(c) for c in r] for r in sheet_rows[:HEADER_SEARCH_ROWS]], "utf-8"
    else:
        limits.check_csv(path, path.stat().st_size)
        rows, encoding, sheet = read_head_rows(path, fmt)
    if not any(any(c.strip() for c in r) for r in rows):
        raise RejectedFile("file is empty")
    delimiter = ","
    period, best, partial = _find_header(rows)
    if best is None and fmt == "csv":
        # Excel in an Indonesian (or any decimal-comma) locale saves CSV with ';' between values
        rows_sc = read_head_rows(path, fmt, ";")[0]
        period_sc, best_sc, partial_sc = _find_header(rows_sc)
        if best_sc is not None or (partial_sc and (partial is None or partial_sc[0] > partial[0])):
            rows, delimiter, period, best, partial = rows_sc, ";", period_sc, best_sc, partial_sc
    if best is None:
        if partial is not None:
            _, kind, row_idx, missing = partial
            names = ", ".join(_header_name(kind, c) for c in missing)
            raise RejectedFile(
                f"looks like an export of {kind.name} (header on row {row_idx + 1}) "
                f"but misses required columns: {names}"
            )
        raise RejectedFile("not a Seller Center export lapak knows: no known header in the first rows")
    _, neg_row, kind, language = best
    header_idx = -neg_row
    header = [c.strip().lstrip("\ufeff") for c in rows[header_idx]]
    aliases = kind.alias_map()
    columns: dict[int, str] = {}
    extra: dict[int, str] = {}
    ignored: list[str] = []
    duplicates: list[str] = []
    is_orders = kind.name == "orders"
    buyer = normalise_header(ORDER_BUYER_HEADER)
    seen: set[str] = set()
    for pos, h in enumerate(header):
        n = normalise_header(h)
        if not n:
            continue
        if is_orders and n == buyer:
            if "__buyer__" not in columns.values():
                columns[pos] = "__buyer__"
            continue
        if n not in aliases and may_be_personal(kind, n):
            ignored.append(h)  # personal data, or possibly (any country's spelling): never loaded
            continue
        if n in seen:
            duplicates.append(h)
            continue
        seen.add(n)
        if n in aliases and aliases[n] not in columns.values():
            columns[pos] = aliases[n]
        else:
            extra[pos] = h
    if is_orders and "__buyer__" not in columns.values():
        # without it customer_key would be NULL, and a renamed buyer column could be kept in clear
        raise RejectedFile(
            f"an order export without a `{ORDER_BUYER_HEADER}` column (header on row {header_idx + 1}): lapak will not "
            "guess which column holds buyers; export the orders again from Seller Center"
        )
    layout = FileLayout(
        kind=kind,
        language=language,
        fmt=fmt,
        header=header,
        header_row=header_idx + 1,
        columns=columns,
        extra=extra,
        ignored=ignored,
        duplicates=duplicates,
        encoding=encoding,
        delimiter=delimiter,
        sheet=sheet,
        sheet_rows=sheet_rows,
        period_start=period[0] if period else None,
        period_end=period[1] if period else None,
    )
    layout.layout = _layout_label(layout)
    return layout


def may_be_personal(kind: Kind, header: str) -> bool:
    """An unknown column (normalised header) that is, or may be, personal data: never loaded. Order exports keep
    only columns that look like facts about the order; other exports drop what looks like a person."""
    if header in _ORDER_PII or PII_PATTERN.search(header) or ORDER_PII_PATTERN.search(header):
        return True
    return kind.name == "orders" and not ORDER_SAFE_PATTERN.search(header)


def _find_header(
    rows: list[list[str]],
) -> tuple[tuple[date, date] | None, tuple[int, int, Kind, str] | None, tuple[int, Kind, int, list[str]] | None]:
    """(export range from a `[Date Range]` preamble, best header match, best near-miss) in the first rows."""
    period: tuple[date, date] | None = None
    best: tuple[int, int, Kind, str] | None = None  # (matched, -row, kind, language)
    partial: tuple[int, Kind, int, list[str]] | None = None  # best near-miss, for the error message
    for row_idx, row in enumerate(rows):
        first = (row[0] if row else "").strip()
        if first.startswith("[") and (m := _DATE_RANGE.search(first)):
            period = (_parse_day(m.group(1)), _parse_day(m.group(2)))
            continue
        cells = [normalise_header(c) for c in row]
        if sum(1 for c in cells if c) < 2:
            continue
        for kind in KINDS.values():
            aliases = kind.alias_map()
            present = {aliases[c] for c in cells if c in aliases}
            missing = [c for c in kind.required if c not in present]
            if missing:
                matched = len(kind.required) - len(missing)
                if matched >= max(2, len(kind.required) // 2) and (partial is None or matched > partial[0]):
                    partial = (matched, kind, row_idx, missing)
                continue
            cand = (len(present), -row_idx, kind, _language(kind, cells))
            if best is None or cand[:2] > best[:2]:
                best = cand
        if best is not None:
            break
    return period, best, partial


def _header_name(kind: Kind, canonical: str) -> str:
    names = kind.columns[canonical]
    return " / ".join(dict.fromkeys(names.values()))


def _language(kind: Kind, cells: list[str]) -> str:
    ids = {normalise_header(v["id"]) for v in kind.columns.values() if "id" in v}
    ens = {normalise_header(v["en"]) for v in kind.columns.values() if "en" in v}
    id_score = sum(1 for c in cells if c in ids and c not in ens)
    en_score = sum(1 for c in cells if c in ens and c not in ids)
    return "en" if en_score > id_score else "id"


def _layout_label(layout: FileLayout) -> str:
    """`orders/current-65`, `orders/legacy-54` (the layout with `Taxes`, whatever else changed), `videos/en`."""
    if layout.kind.name == "orders":
        n = len([h for h in layout.header if h.strip()])
        return f"orders/legacy-{n}" if "taxes" in layout.columns.values() else f"orders/current-{n}"
    return f"{layout.kind.name}/{layout.language}"


def export_time_from_name(name: str) -> datetime | None:
    for pattern, fmt in _NAME_STAMPS:
        if m := pattern.search(name):
            try:
                return datetime.strptime("".join(m.groups()), fmt)
            except ValueError:
                continue
    return None
