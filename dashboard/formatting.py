"""Numbers, money and dates written the Indonesian way, in both UI languages.

Rupiah have no decimals: `Rp 1.234.567`. Every number uses a dot for thousands and a comma for decimals
(`1.234`, `12,3%`), whichever UI language is chosen: one convention on every screen, the one the sellers
read on their Seller Center and their bank statements. Month names follow the UI language.
A missing value (NULL: no impressions, no previous period) is written as an en dash.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal

MISSING = "–"

_SWAP = str.maketrans({",": ".", ".": ","})

MONTHS_SHORT = {
    "id": ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"],
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
}


def _missing(value) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(value)
    except TypeError:
        return False


def _grouped(value, decimals: int) -> str:
    """`1234567.891` -> `1.234.567,89` (half up, the way a cashier rounds)."""
    quantum = Decimal(1).scaleb(-decimals)
    rounded = Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # no "-0"
    return f"{rounded:,.{decimals}f}".translate(_SWAP)


def number(value, decimals: int = 0) -> str:
    return MISSING if _missing(value) else _grouped(value, decimals)


def rupiah(value) -> str:
    """`Rp 1.234.567`; negative amounts `-Rp 1.234`."""
    if _missing(value):
        return MISSING
    text = _grouped(value, 0)
    return f"-Rp {text[1:]}" if text.startswith("-") else f"Rp {text}"


_COMPACT = {
    "id": [(1e12, "T"), (1e9, "M"), (1e6, "jt"), (1e3, "rb")],
    "en": [(1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")],
}


def rupiah_compact(value, lang: str) -> str:
    """Short labels for charts: `Rp 1,2 jt` / `Rp 1,2 M` (en), `Rp 85 rb` / `Rp 85 k`."""
    if _missing(value):
        return MISSING
    sign, amount = ("-" if value < 0 else ""), abs(float(value))
    for size, suffix in _COMPACT[lang]:
        if amount >= size:
            scaled = amount / size
            return f"{sign}Rp {_grouped(scaled, 1 if scaled < 10 else 0)} {suffix}"
    return f"{sign}Rp {_grouped(amount, 0)}"


def percent(fraction, decimals: int = 1) -> str:
    """A fraction 0–1 as a percentage: `0.1234` -> `12,3%`."""
    return MISSING if _missing(fraction) else f"{_grouped(float(fraction) * 100, decimals)}%"


def signed(text: str, value) -> str:
    return text if (value is None or text.startswith("-") or value == 0) else f"+{text}"


def change_text(change) -> str | None:
    """A relative change as a signed percentage (`+12,3%`, `-4,0%`); None when there is nothing to compare."""
    if _missing(change):
        return None
    return signed(f"{_grouped(float(change) * 100, 1)}%", round(float(change) * 100, 1))


def points_text(diff, unit: str) -> str | None:
    """A difference of two rates in percentage points: `+1,2 poin` / `+1,2 pts`."""
    if _missing(diff):
        return None
    return signed(f"{_grouped(float(diff) * 100, 1)} {unit}", round(float(diff) * 100, 1))


def date(value: dt.date | None, lang: str) -> str:
    """`20 Nov 2026` (id: `20 Agu 2026`)."""
    if value is None:
        return MISSING
    return f"{value.day} {MONTHS_SHORT[lang][value.month - 1]} {value.year}"


def date_range(start: dt.date, end: dt.date, lang: str) -> str:
    """`14–20 Nov 2026`, `28 Okt – 3 Nov 2026`, `29 Des 2025 – 4 Jan 2026`; one day: `20 Nov 2026`."""
    if start == end:
        return date(end, lang)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{date(end, lang)}"
    if start.year == end.year:
        return f"{start.day} {MONTHS_SHORT[lang][start.month - 1]} – {date(end, lang)}"
    return f"{date(start, lang)} – {date(end, lang)}"


def previous_period(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The period of the same length just before [start, end]."""
    days = (end - start).days + 1
    return start - dt.timedelta(days=days), start - dt.timedelta(days=1)


def relative_change(current, previous) -> float | None:
    """(current − previous) / previous; None when either is unknown or the previous is 0."""
    if _missing(current) or _missing(previous) or previous == 0:
        return None
    return (float(current) - float(previous)) / float(previous)


def point_change(current, previous) -> float | None:
    if _missing(current) or _missing(previous):
        return None
    return float(current) - float(previous)


def ratio(numerator, denominator) -> float | None:
    """numerator / denominator as a float; None (not 0) when the denominator is 0 or unknown."""
    if _missing(numerator) or _missing(denominator) or denominator == 0:
        return None
    return float(numerator) / float(denominator)
