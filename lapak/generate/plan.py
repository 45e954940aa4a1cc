"""One shop's plan: catalogue, creators, the planted viral video and LIVE, LIVE schedule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from lapak.generate.campaigns import Campaign, plan_campaigns
from lapak.generate.themes import (
    FIXED_SHOP_IDS,
    SLUG_CITIES,
    THEMES,
    Theme,
)
from lapak.generate.units import (
    HOUR,
    round_price,
    to_seconds,
)


def shop_ids(n: int) -> list[str]:
    out = list(FIXED_SHOP_IDS[:n])
    i = len(out)
    while len(out) < n:
        theme = THEMES[i % len(THEMES)]
        stem = theme.slug_stems[(i // len(THEMES)) % len(theme.slug_stems)]
        slug = f"{stem}-{SLUG_CITIES[(i * 7) % len(SLUG_CITIES)]}"
        base, k = slug, 2
        while slug in out:
            slug, k = f"{base}-{k}", k + 1
        out.append(slug)
        i += 1
    return out


def shop_codes(shops: list[str]) -> list[str]:
    codes: list[str] = []
    for s in shops:
        code = "".join(p[0] for p in s.split("-") if p).upper()
        base, k = code, 2
        while code in codes:
            code, k = f"{base}{k}", k + 1
        codes.append(code)
    return codes


@dataclass
class Catalog:
    product_idx: np.ndarray  # per SKU
    product_id: np.ndarray  # per product (int64)
    product_name: list[str]  # per product
    category: list[str]  # per product
    sku_id: np.ndarray  # per SKU (int64)
    seller_sku: list[str]
    variation: list[str]
    price: np.ndarray
    weight: np.ndarray
    popularity: np.ndarray  # P(first line of an order is this SKU)

    @property
    def sku_count(self) -> int:
        return len(self.sku_id)

    def name(self, sku: int) -> str:
        return self.product_name[self.product_idx[sku]]


@dataclass
class Plan:
    shop: str
    code: str
    shop_index: int  # position in the shop list: picks the theme, the language and the random stream
    theme: Theme
    lang: str
    rng: np.random.Generator
    start_day: date
    end_day: date
    start_at: int  # start_day, in seconds
    last_export_at: int  # time of the last order export; no order is created after it
    catalog: Catalog
    creators: list[str]
    commission: np.ndarray  # per creator
    creator_weight: np.ndarray
    viral_date: date
    viral_days: int  # days of the viral spike
    viral_sku: int
    viral_creator: int
    live_creator: int
    live_start: int
    live_end: int
    campaigns: list[Campaign]
    regular_lives: list[tuple[int, int]]


def make_catalog(rng: np.random.Generator, theme: Theme, code: str) -> Catalog:
    rows = []
    for p, product in enumerate(theme.products):
        for v, var in enumerate(product.variations):
            rows.append((p, var, product.price * (1.0 if v == 0 else rng.uniform(0.95, 1.15)), product.weight_kg))
    # drop up to 3 variations (never a product's last one), keeping 15-25 SKUs
    for i in rng.permutation(len(rows))[: int(rng.integers(0, 4))]:
        alive = [r for r in rows if r is not None]
        if len(alive) > 15 and sum(r[0] == rows[i][0] for r in alive) > 1:
            rows[i] = None
    rows = [r for r in rows if r is not None][:25]
    product_idx = np.array([r[0] for r in rows])
    n = len(rows)
    pop = 1.0 / np.arange(1, n + 1) ** 0.9
    pop = pop[rng.permutation(n)]
    seller_sku = [f"{code}-{p + 1:02d}{i + 1:02d}" for i, p in enumerate(product_idx)]
    return Catalog(
        product_idx=product_idx,
        product_id=1_700_000_000_000_000_000 + rng.integers(2 * 10**16, 9 * 10**16, len(theme.products)),
        product_name=[p.name for p in theme.products],
        category=[p.category for p in theme.products],
        sku_id=1_700_000_000_000_000_000 + rng.integers(2 * 10**16, 9 * 10**16, n),
        seller_sku=seller_sku,
        variation=[r[1] for r in rows],
        price=round_price(np.array([r[2] for r in rows])),
        weight=np.array([r[3] for r in rows]),
        popularity=pop / pop.sum(),
    )


def pick_day(rng: np.random.Generator, lo: date, hi: date, weekday: int | None = None) -> date | None:
    days = [lo + timedelta(d) for d in range((hi - lo).days + 1)]
    days = [d for d in days if weekday is None or d.weekday() == weekday]
    return days[int(rng.integers(len(days)))] if days else None


def make_plan(shop_index: int, shop: str, code: str, seed: int, days: int, end_date: date) -> Plan:
    rng = np.random.default_rng([seed, shop_index])
    theme = THEMES[shop_index % len(THEMES)]
    lang = "id" if shop_index % 2 == 0 else "en"
    start_day = end_date - timedelta(days=days - 1)
    last_export_at = to_seconds(end_date) + 23 * HOUR + int(rng.integers(0, 20 * 60))
    catalog = make_catalog(rng, theme, code)

    creators = list(theme.creators)
    rng.shuffle(creators)
    n_cr = len(creators)
    # a few generous commission deals (>20 %) next to cheap ones: GMV per commission rupiah varies 3-12x
    commission = np.round(rng.choice([0.08, 0.1, 0.12, 0.15, 0.18, 0.22, 0.25, 0.3], n_cr, replace=False), 2)
    weight = rng.lognormal(0, 1.0, n_cr)
    weight[0] *= 4  # creators[0] is the big one: hosts the LIVE that lifts sales
    weight /= weight.sum()

    # viral video 10-20 days before the end (scaled down for short periods)
    off = int(rng.integers(10, 21)) if days >= 60 else max(4, days // 5)
    viral_date = end_date - timedelta(days=off)
    # at least two days, so the stock lasts past the first day of the spike and a daily signal can warn
    viral_days = max(2, int(rng.integers(1, 4)))
    top = np.argsort(-catalog.popularity)
    viral_sku = int(top[int(rng.integers(3, min(8, catalog.sku_count)))])  # a mid-seller, not the best seller
    viral_creator = 1 + int(rng.integers(n_cr - 1))

    # the story LIVE: a Saturday evening, with at least three earlier Saturdays to compare against
    lo, hi = max(start_day + timedelta(21), end_date - timedelta(45)), end_date - timedelta(25)
    live_day = pick_day(rng, lo, hi, 5) or pick_day(rng, start_day + timedelta(7), viral_date - timedelta(5), 5)
    if live_day is None:
        live_day = viral_date - timedelta(days=5)
    live_start = to_seconds(live_day) + 19 * HOUR + int(rng.choice([0, 30])) * 60
    live_end = live_start + int(rng.integers(150, 211)) * 60 + int(rng.integers(0, 60))

    campaigns = plan_campaigns(rng, code, creators[0], start_day, end_date, live_start, live_end, viral_date)
    regular: list[tuple[int, int]] = []
    d = start_day
    while d <= end_date:
        if d.weekday() == 1 or (d.weekday() == 3 and rng.random() < 0.5):
            s = to_seconds(d) + 19 * HOUR + int(rng.integers(0, 61)) * 60
            e = s + int(rng.integers(90, 151)) * 60 + int(rng.integers(0, 60))
            regular.append((s, e))
        d += timedelta(days=1)
    return Plan(
        shop=shop,
        code=code,
        shop_index=shop_index,
        theme=theme,
        lang=lang,
        rng=rng,
        start_day=start_day,
        end_day=end_date,
        start_at=to_seconds(start_day),
        last_export_at=last_export_at,
        catalog=catalog,
        creators=creators,
        commission=commission,
        creator_weight=weight,
        viral_date=viral_date,
        viral_days=viral_days,
        viral_sku=viral_sku,
        viral_creator=viral_creator,
        live_creator=0,
        live_start=live_start,
        live_end=live_end,
        campaigns=campaigns,
        regular_lives=regular,
    )


def month_ranges(plan: Plan) -> list[tuple[date, date]]:
    out = []
    d_to = plan.end_day
    while d_to >= plan.start_day:
        d_from = max(plan.start_day, d_to - timedelta(29))
        out.append((d_from, d_to))
        d_to = d_from - timedelta(1)
    return out[::-1]
