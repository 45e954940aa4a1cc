"""File writing shared by every export: fixed XLSX metadata, mtime = export time, the `[Date Range]` preamble."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

from lapak.generate.units import (
    HOUR,
    to_datetime,
    to_seconds,
)
from lapak.settings import WIB


def touch(path: Path, export_s: int) -> None:
    """File mtime = export time (WIB) so loaders that fall back to mtime get the same answer every run."""
    epoch = to_datetime(export_s).replace(tzinfo=WIB).timestamp()
    os.utime(path, (epoch, epoch))


def workbook(path: Path, export_s: int, big: bool = False) -> xlsxwriter.Workbook:
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True} if big else {"in_memory": True})
    wb.set_properties({"created": to_datetime(export_s), "author": "TikTok Shop Seller Center"})
    return wb


def preamble_xlsx(
    path: Path, d_from: date, d_to: date, headers: list[str], rows: list[list], at: int, blank: bool, sheet: str
) -> None:
    wb = workbook(path, at)
    ws = wb.add_worksheet(sheet)
    ws.write_string(0, 0, f"[Date Range]: {d_from.isoformat()} ~ {d_to.isoformat()}")
    r0 = 2 if blank else 1
    ws.write_row(r0, 0, headers)
    for r, row in enumerate(rows, start=r0 + 1):
        ws.write_row(r, 0, row)
    wb.close()
    touch(path, at)


def late_evening(rng: np.random.Generator, d: date) -> int:
    return to_seconds(d) + 23 * HOUR + int(rng.integers(30, 59)) * 60 + int(rng.integers(0, 60))


def write_csv(path: Path, kind_columns: list[str], rows: dict[str, list], at: int) -> Path:
    pd.DataFrame(rows, columns=kind_columns).to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
    touch(path, at)
    return path
