"""Video performance: posts, daily views and sales (the viral video's are the viral orders), A/B arms."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from lapak.generate.orders import Orders
from lapak.generate.plan import Plan
from lapak.generate.themes import (
    VIDEO_CAPTIONS,
)
from lapak.generate.units import (
    DAY,
    HOUR,
    rupiah,
    to_seconds,
)

VIDEO_ACTIVE_DAYS = 14


@dataclass
class Videos:
    video_id: np.ndarray
    posted: np.ndarray
    sku: np.ndarray
    creator: np.ndarray  # -1: the shop's own account
    caption: list[str]
    # per (video, day)
    v: np.ndarray
    day: np.ndarray  # date ordinal
    metrics: dict[str, np.ndarray]
    viral: int
    arms: dict[str, tuple[np.ndarray, np.ndarray]]  # experiment -> (treatment videos, control videos)


def simulate_videos(plan: Plan, orders: Orders, orders_per_day: int) -> Videos:
    rng, catalog = plan.rng, plan.catalog
    first_day = plan.start_day - timedelta(VIDEO_ACTIVE_DAYS)
    n_days = (plan.end_day - first_day).days + 1
    per_day = rng.poisson(1.4, n_days)
    pday = np.repeat(np.arange(n_days), per_day)
    posted = to_seconds(first_day) + pday * DAY + rng.integers(8 * HOUR, 22 * HOUR, len(pday))
    viral_post = to_seconds(plan.viral_date) - DAY + 19 * HOUR + int(rng.integers(0, 3600))
    posted = np.sort(np.append(posted, viral_post))
    nv = len(posted)
    viral = int(np.searchsorted(posted, viral_post))
    sku = rng.choice(catalog.sku_count, nv, p=catalog.popularity)
    sku[viral] = plan.viral_sku
    creator = np.where(rng.random(nv) < 0.4, -1, rng.choice(len(plan.creators), nv, p=plan.creator_weight))
    creator[viral] = plan.viral_creator
    video_id = 7_300_000_000_000_000_000 + plan.shop_index * 10**15 + np.cumsum(rng.integers(10**9, 10**11, nv))
    median = max(300.0, 50.0 * orders_per_day)
    base = rng.lognormal(np.log(median), 0.9, nv)
    ctr = rng.uniform(0.015, 0.05, nv)

    # A/B experiments on videos posted 22-60 days before the end, away from the viral one
    pd_day = (posted - plan.start_at) // DAY
    end_idx = (plan.end_day - plan.start_day).days
    elig = np.flatnonzero((pd_day >= max(0, end_idx - 60)) & (pd_day <= end_idx - 22) & (np.arange(nv) != viral))
    if len(elig) < 12:
        elig = np.flatnonzero((pd_day >= 0) & (pd_day <= end_idx - 5) & (np.arange(nv) != viral))
    per_arm = max(2, min(6, len(elig) // 4))
    pick = rng.permutation(elig)[: 4 * per_arm]
    arms = {
        "winner": (pick[:per_arm], pick[per_arm : 2 * per_arm]),
        "null": (pick[2 * per_arm : 3 * per_arm], pick[3 * per_arm : 4 * per_arm]),
    }
    base[pick] = np.maximum(base[pick], rng.uniform(1.5, 3, len(pick)) * median)  # enough views to tell
    ctr[pick] = 0.025 * rng.uniform(0.92, 1.08, len(pick))
    ctr[arms["winner"][0]] *= 2.0

    ages = np.arange(VIDEO_ACTIVE_DAYS)
    decay = np.where(ages == 0, 0.7, 0.65 ** np.maximum(ages - 1, 0))
    v = np.repeat(np.arange(nv), VIDEO_ACTIVE_DAYS)
    age = np.tile(ages, nv)
    day = (posted[v] // DAY) + age  # days since 1970
    views = base[v] * decay[age] * rng.lognormal(0, 0.25, len(v))
    viral_day0 = to_seconds(plan.viral_date) // DAY
    vmask = v == viral
    rel = day - viral_day0
    mult = rng.uniform(15, 30)
    boost = np.where(
        rel < plan.viral_days,
        np.maximum(10.0, mult * 0.7 ** np.maximum(rel, 0)),
        mult * 0.7 ** (plan.viral_days - 1) * 0.3 * 0.5 ** (rel - plan.viral_days),
    )
    views = np.where(vmask & (rel >= 0), median * boost * rng.uniform(0.95, 1.05, len(v)), views)
    views = np.maximum(views, 0).astype(np.int64)
    last = plan.end_day.toordinal() - date(1970, 1, 1).toordinal()
    in_range = (day <= last) & (posted[v] <= plan.last_export_at)
    v, day, views = v[in_range], day[in_range], views[in_range]

    n = len(v)
    imp_rate = rng.uniform(0.15, 0.45, nv)
    impressions = rng.binomial(views, imp_rate[v])
    clicks = rng.binomial(impressions, np.minimum(ctr[v], 1))
    ctor = rng.uniform(0.03, 0.12, nv)
    sku_orders = rng.binomial(clicks, ctor[v])
    # the viral video's orders are the viral orders actually written
    vday = (orders.created_at[orders.viral] // DAY).astype(np.int64)
    for d_, cnt in zip(*np.unique(vday, return_counts=True), strict=True):
        m = (v == viral) & (day == d_)
        sku_orders[m] = cnt
        clicks[m] = np.maximum(clicks[m], (cnt / rng.uniform(0.06, 0.1)).astype(np.int64))
        impressions[m] = np.maximum(impressions[m], (clicks[m] / rng.uniform(0.05, 0.07)).astype(np.int64))
        views[m] = np.maximum(views[m], (impressions[m] / 0.45).astype(np.int64))
    units = sku_orders + rng.binomial(sku_orders, 0.15)
    direct = rng.binomial(sku_orders, 0.75)
    direct_units = np.minimum(units, direct + rng.binomial(direct, 0.15))
    gmv = units * catalog.price[sku[v]]
    direct_gmv = direct_units * catalog.price[sku[v]]
    finish = np.clip(rng.uniform(0.05, 0.4, nv)[v] * rng.lognormal(0, 0.1, n), 0.01, 0.6)
    own = creator[v] < 0
    metrics = {
        "views": views,
        "likes": rng.binomial(views, rng.uniform(0.03, 0.09, nv)[v]),
        "comments": rng.binomial(views, rng.uniform(0.002, 0.01, nv)[v]),
        "shares": rng.binomial(views, rng.uniform(0.001, 0.006, nv)[v]),
        "new_followers": rng.binomial(views, rng.uniform(0.0005, 0.003, nv)[v]),
        "v_to_l_clicks": np.where(own, rng.binomial(views, 0.002), 0),
        "product_impressions": impressions,
        "product_clicks": clicks,
        "buyers": sku_orders - rng.binomial(sku_orders, 0.05),
        "attributed_sku_orders": sku_orders,
        "direct_sku_orders": direct,
        "indirect_sku_orders": sku_orders - direct,
        "units_sold": units,
        "direct_units_sold": direct_units,
        "indirect_units_sold": units - direct_units,
        "attributed_gmv": gmv,
        "video_gmv": direct_gmv,
        "indirect_gmv": gmv - direct_gmv,
        "finished": (views * finish).astype(np.int64),
    }
    captions = []
    for i in range(nv):
        p = catalog.name(int(sku[i]))
        tpl = VIDEO_CAPTIONS[int(rng.integers(len(VIDEO_CAPTIONS)))]
        captions.append(
            tpl.format(p=p, tag=plan.theme.hashtags.split()[0], price=rupiah(catalog.price[sku[i]]))
            + " "
            + plan.theme.hashtags
        )
    return Videos(video_id, posted, sku, creator, captions, v, day, metrics, viral, arms)
