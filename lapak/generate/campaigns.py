"""The campaign calendar: double dates, paydays, voucher weekends and the story LIVE, with NPS bands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

import numpy as np

from lapak.generate.themes import CAMPAIGN_KINDS, CAMPAIGN_TEXTS, MONTHS_ID
from lapak.generate.units import (
    DAY,
    HOUR,
    to_datetime,
    to_seconds,
)


@dataclass
class Campaign:
    campaign_id: str
    name: str
    kind: str
    start: int
    end: int  # inclusive, seconds
    notes: str
    band: str = "neutral"


class _Candidate(NamedTuple):
    kind: str
    start: int
    end: int  # inclusive, seconds
    name: str
    notes: str
    code: str  # in the campaign id


def _candidate(kind: str, text: str, start: int, end: int, **fields: object) -> _Candidate:
    """A campaign of `kind`, named and described by CAMPAIGN_TEXTS[text] filled with `fields`."""
    texts = CAMPAIGN_TEXTS[text]
    name, notes = texts["name"].format(**fields), texts["notes"].format(**fields)
    return _Candidate(kind, start, end, name, notes, texts.get("code", CAMPAIGN_KINDS[kind].code))


def plan_campaigns(
    rng: np.random.Generator,
    code: str,
    host: str,
    start_day: date,
    end_day: date,
    live_start: int,
    live_end: int,
    viral_date: date,
) -> list[Campaign]:
    """4-6 campaigns: the story LIVE plus double dates, paydays and voucher weekends inside the period."""
    candidates: list[_Candidate] = []
    year, month = start_day.year, start_day.month
    while date(year, month, 1) <= end_day:
        month_name = MONTHS_ID[month - 1]
        double_date = to_seconds(date(year, month, month))  # 9.9, 10.10, 11.11 ...
        if month >= 11:
            end = double_date + DAY - 1
            candidates.append(_candidate("super_brand_day", "super_brand_day", double_date, end, m=month))
        else:
            start, end = double_date + 12 * HOUR, double_date + 15 * HOUR - 1
            candidates.append(_candidate("flash_sale", "flash_sale", start, end, m=month))
        payday = to_seconds(date(year, month, 25))
        candidates.append(_candidate("promo", "payday", payday, payday + 3 * DAY - 1, month=month_name))
        first = date(year, month, 1)
        second_friday = to_seconds(first + timedelta((4 - first.weekday()) % 7 + 7))
        end = second_friday + 3 * DAY - 1
        candidates.append(_candidate("voucher", "voucher_weekend", second_friday, end, month=month_name))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    lo, hi = to_seconds(start_day) + 2 * DAY, to_seconds(end_day) - DAY
    busy = [
        (live_start - 2 * DAY, live_end + 2 * DAY),
        (to_seconds(viral_date) - DAY, to_seconds(viral_date) + 4 * DAY),
    ]
    candidates = [
        c for c in candidates if lo <= c.start and c.end <= hi and not any(c.start < b and a < c.end for a, b in busy)
    ]
    order = list(rng.permutation(len(candidates)))
    # first a multi-day campaign old enough to collect NPS answers (it gets the low band), then double dates
    old_long = [
        i
        for i in order
        if candidates[i].kind in ("promo", "voucher") and candidates[i].end <= to_seconds(end_day) - 12 * DAY
    ]
    order.sort(key=lambda i: (i not in old_long[:1], candidates[i].kind not in ("super_brand_day", "flash_sale")))
    want = int(rng.integers(3, 6))
    chosen: list[_Candidate] = []
    for i in order:
        c = candidates[i]
        if len(chosen) < want and not any(c.start <= o.end and o.start <= c.end for o in chosen):
            chosen.append(c)
    saturday = start_day + timedelta((5 - start_day.weekday()) % 7)
    while len(chosen) < 3 and saturday < end_day:  # short periods: weekend promos fill the calendar
        start = to_seconds(saturday)
        c = _candidate("promo", "weekend", start, start + 2 * DAY - 1)
        taken = busy + [(o.start, o.end) for o in chosen]
        if lo <= start and c.end <= hi and not any(start < b and a < c.end for a, b in taken):
            chosen.append(c)
        saturday += timedelta(days=7)
    chosen.append(_candidate("LIVE", "live", live_start, live_end, host=host))
    chosen.sort(key=lambda c: c.start)
    out: list[Campaign] = []
    seen: dict[str, int] = {}
    for c in chosen:
        started = to_datetime(c.start)
        key = f"CMP-{started.year}-{started.month:02d}-{c.code}"
        seen[key] = seen.get(key, 0) + 1
        campaign_id = f"{key}{seen[key] if seen[key] > 1 else ''}-{code}"
        out.append(Campaign(campaign_id, c.name, c.kind, c.start, c.end, c.notes))
    # NPS bands: the LIVE delights, one earlier campaign disappoints (late shipping), the rest in between
    old = [c for c in out if c.end <= to_seconds(end_day) - 12 * DAY and c.kind != "LIVE"]
    for c in out:
        if c.kind == "LIVE":
            c.band = "high"
    if old:  # the longest such campaign, so it collects enough answers
        longest = max(c.end - c.start for c in old)
        pool = [c for c in old if c.end - c.start == longest]
        pool[int(rng.integers(len(pool)))].band = "low"
    return out
