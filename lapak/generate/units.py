"""Time and money units: naive WIB seconds since 1970, rupiah and percent as Seller Center prints them."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np

DAY = 86_400
HOUR = 3_600
NEVER = np.iinfo(np.int64).max  # "has not happened": compares after every export time
EXPORT_EVERY_DAYS = 30  # order exports and product snapshots are this far apart


def to_seconds(d: date | datetime) -> int:
    """Naive WIB date/datetime -> seconds since 1970-01-01 on the same naive clock."""
    if not isinstance(d, datetime):
        d = datetime(d.year, d.month, d.day)
    return int((d - datetime(1970, 1, 1)).total_seconds())


def to_datetime(s: int) -> datetime:
    return datetime(1970, 1, 1) + timedelta(seconds=int(s))


def rupiah(x: float) -> str:
    return "Rp" + f"{round(x):,}".replace(",", ".")


def percent(num: float, den: float) -> str:
    return "--" if den <= 0 else f"{100 * num / den:.2f}%"


def round_price(x: np.ndarray) -> np.ndarray:
    """Rupiah prices: to 1,000 above Rp100.000, else to 500."""
    return np.where(x >= 100_000, np.round(x / 1000) * 1000, np.round(x / 500) * 500).astype(np.int64)


def file_stamp(s: int) -> str:
    return to_datetime(s).strftime("%Y%m%d%H%M%S")


def in_windows(t: np.ndarray, windows: list[tuple[int, int]]) -> np.ndarray:
    mask = np.zeros(len(t), dtype=bool)
    for a, b in windows:
        mask |= (t >= a) & (t < b)
    return mask
