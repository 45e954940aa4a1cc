"""`Live Analysis_*.xlsx`: one file per 30 days; the story LIVE sells from its orders."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ingestion.formats import (
    LIVES,
)
from lapak.generate.files import late_evening, preamble_xlsx
from lapak.generate.orders import Orders
from lapak.generate.plan import Plan, month_ranges
from lapak.generate.units import (
    DAY,
    HOUR,
    file_stamp,
    percent,
    rupiah,
    to_datetime,
    to_seconds,
)


def _fmt_duration(s: int, hours: bool) -> str:
    h, rem = divmod(int(s), 3600)
    m, sec = divmod(rem, 60)
    return f"{h}h {m:02d}m {sec:02d}s" if hours else f"{h * 60 + m}m {sec:02d}s"


def write_lives(plan: Plan, orders: Orders, folder: Path) -> list[Path]:
    rng, lang = plan.rng, plan.lang
    sessions = sorted([(s, e, False) for s, e in plan.regular_lives] + [(plan.live_start, plan.live_end, True)])
    sessions = [x for x in sessions if x[0] < plan.last_export_at - HOUR]
    sale = orders.line_is_sale
    line_at = orders.created_at[orders.order_of_line]
    headers = LIVES.headers(lang)
    files = []
    for d_from, d_to in month_ranges(plan):
        rows = []
        for s, e, story in sessions:
            if not (to_seconds(d_from) <= s < to_seconds(d_to) + DAY):
                continue
            in_session = sale & (line_at >= s) & (line_at <= e)
            share = 0.8 if story else 0.5
            gmv_all = int(orders.subtotal_after[in_session].sum())
            units_all = int(orders.quantity[in_session].sum())
            n_orders = len(np.unique(orders.order_of_line[in_session]))
            attributed = int(gmv_all * share)
            direct = int(attributed * 0.85)
            units = round(units_all * share)
            direct_units = round(units * 0.85)
            paid = round(n_orders * share)
            viewers = int(max(paid, 1) * rng.uniform(25, 60)) + int(rng.integers(50, 200))
            impressions = int(viewers * rng.uniform(0.5, 0.7))
            clicks = int(impressions * rng.uniform(0.05, 0.12))
            if story:
                cid = plan.creators[plan.live_creator]
                creator, nick = cid.replace(".", " ").title(), cid.split(".")[0].title()
            else:
                cid, creator, nick = plan.theme.account, plan.theme.brand, plan.theme.host
            vals = {
                "creator_id": cid,
                "creator_name": creator,
                "nickname": nick,
                "live_start_time": to_datetime(s).strftime("%Y-%m-%d %H:%M"),
                "duration": _fmt_duration(e - s, True),
                "attributed_gmv": rupiah(attributed),
                "direct_gmv": rupiah(direct),
                "indirect_gmv": rupiah(attributed - direct),
                "products_added": int(rng.integers(5, 16)),
                "products_sold": round(units_all * share),
                "sku_orders": round(in_session.sum() * share),
                "paid_orders": paid,
                "units_sold": units,
                "direct_units_sold": direct_units,
                "indirect_units_sold": units - direct_units,
                "buyers": max(0, paid - int(rng.integers(0, 3))),
                "avg_price": rupiah(attributed / units) if units else "--",
                "ctor": percent(paid, clicks),
                "viewers": viewers,
                "views": int(viewers * rng.uniform(1.3, 2.0)),
                "avg_watch_duration": _fmt_duration(int(rng.integers(40, 200)), False),
                "comments": int(viewers * rng.uniform(0.03, 0.08)),
                "shares": int(viewers * rng.uniform(0.005, 0.02)),
                "likes": int(viewers * rng.uniform(2, 8)),
                "new_followers": int(viewers * rng.uniform(0.01, 0.04)),
                "product_impressions": impressions,
                "product_clicks": clicks,
                "ctr": percent(clicks, impressions),
            }
            rows.append([vals[c] for c in LIVES.columns])
        at = late_evening(rng, d_to)
        path = folder / f"Live Analysis_{file_stamp(at)}.xlsx"
        preamble_xlsx(path, d_from, d_to, headers, rows, at, blank=rng.random() < 0.5, sheet="Sheet1")
        files.append(path)
    return files
