"""The campaign calendar: double dates, paydays, voucher weekends and the story LIVE, with NPS bands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from lapak.generate.themes import (
    CAMPAIGN_KINDS,
    MONTHS_ID,
)
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
    cands: list[tuple[str, int, int, str, str]] = []  # kind, start, end, name, notes
    y, m = start_day.year, start_day.month
    while date(y, m, 1) <= end_day:
        mon = MONTHS_ID[m]
        d = date(y, m, m)  # double dates: 9.9, 10.10, 11.11 ...
        if m >= 11:
            cands.append(
                (
                    "super_brand_day",
                    to_seconds(d),
                    to_seconds(d) + DAY - 1,
                    f"Super Brand Day {m}.{m}",
                    "Diskon s/d 50% + gratis ongkir",
                )
            )
        else:
            cands.append(
                (
                    "flash_sale",
                    to_seconds(d) + 12 * HOUR,
                    to_seconds(d) + 15 * HOUR - 1,
                    f"Flash Sale {m}.{m}",
                    "Flash sale 3 jam, stok terbatas",
                )
            )
        d = date(y, m, 25)
        cands.append(
            (
                "promo",
                to_seconds(d),
                to_seconds(d) + 3 * DAY - 1,
                f"Promo Gajian {mon}",
                "Diskon 15% min. belanja Rp150.000",
            )
        )
        first = date(y, m, 1)
        fri = first + timedelta((4 - first.weekday()) % 7 + 7)
        cands.append(
            (
                "voucher",
                to_seconds(fri),
                to_seconds(fri) + 3 * DAY - 1,
                f"Voucher Toko Akhir Pekan {mon}",
                "Voucher Rp20.000 min. belanja Rp200.000",
            )
        )
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    lo, hi = to_seconds(start_day) + 2 * DAY, to_seconds(end_day) - DAY
    busy = [
        (live_start - 2 * DAY, live_end + 2 * DAY),
        (to_seconds(viral_date) - DAY, to_seconds(viral_date) + 4 * DAY),
    ]
    cands = [c for c in cands if lo <= c[1] and c[2] <= hi and not any(c[1] < b and a < c[2] for a, b in busy)]
    order = list(rng.permutation(len(cands)))
    # first a multi-day campaign old enough to collect NPS answers (it gets the low band), then double dates
    old_long = [
        i for i in order if cands[i][0] in ("promo", "voucher") and cands[i][2] <= to_seconds(end_day) - 12 * DAY
    ]
    order.sort(key=lambda i: (i not in old_long[:1], cands[i][0] not in ("super_brand_day", "flash_sale")))
    want = int(rng.integers(3, 6))
    chosen: list[tuple[str, int, int, str, str]] = []
    for i in order:
        c = cands[i]
        if len(chosen) < want and not any(c[1] <= o[2] and o[1] <= c[2] for o in chosen):
            chosen.append(c)
    sat = start_day + timedelta((5 - start_day.weekday()) % 7)
    while len(chosen) < 3 and sat < end_day:  # short periods: weekend promos fill the calendar
        s = to_seconds(sat)
        c = ("promo", s, s + 2 * DAY - 1, "Promo Akhir Pekan", "Potongan ongkir akhir pekan")
        if lo <= s and c[2] <= hi and not any(s < b and a < c[2] for a, b in busy + [(o[1], o[2]) for o in chosen]):
            chosen.append(c)
        sat += timedelta(days=7)
    chosen.append(
        ("LIVE", live_start, live_end, f"LIVE Spesial bareng {host}", f"Host: {host}, voucher khusus penonton LIVE")
    )
    chosen.sort(key=lambda c: c[1])
    out: list[Campaign] = []
    seen: dict[str, int] = {}
    for kind, s, e, name, notes in chosen:
        dt = to_datetime(s)
        code_ = "WKND" if name == "Promo Akhir Pekan" else CAMPAIGN_KINDS[kind][0]
        key = f"CMP-{dt.year}-{dt.month:02d}-{code_}"
        seen[key] = seen.get(key, 0) + 1
        cid = f"{key}{seen[key] if seen[key] > 1 else ''}-{code}"
        out.append(Campaign(cid, name, kind, s, e, notes))
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
