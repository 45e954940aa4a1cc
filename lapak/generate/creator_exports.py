"""`Transaction_Analysis_Creator_List_*.xlsx`: affiliate creators per 30 days."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np

from ingestion.formats import (
    CREATORS,
)
from lapak.generate.files import late_evening, preamble_xlsx
from lapak.generate.orders import Orders
from lapak.generate.plan import Plan, month_ranges
from lapak.generate.units import (
    DAY,
    file_stamp,
    percent,
    rupiah,
    to_seconds,
)
from lapak.generate.videos import Videos


def write_creators(plan: Plan, orders: Orders, vids: Videos, folder: Path) -> list[Path]:
    rng, lang = plan.rng, plan.lang
    sale = orders.line_is_sale
    order_of_line = orders.order_of_line
    line_at = orders.created_at[order_of_line]
    line_creator = orders.creator[order_of_line]
    in_live = (line_at >= plan.live_start) & (line_at <= plan.live_end)
    returned = orders.returned_at[order_of_line] <= plan.last_export_at
    epoch = date(1970, 1, 1).toordinal()
    files = []
    for d_from, d_to in month_ranges(plan):
        t0, t1 = to_seconds(d_from), to_seconds(d_to) + DAY
        in_month = sale & (line_at >= t0) & (line_at < t1)
        video_month = (vids.day >= d_from.toordinal() - epoch) & (vids.day <= d_to.toordinal() - epoch)
        rows = []
        for c, handle in enumerate(plan.creators):
            credited = in_month & (line_creator == c)
            gmv = int(orders.subtotal_after[credited].sum())
            live_gmv = int(orders.subtotal_after[credited & in_live].sum())
            video_gmv = int((gmv - live_gmv) * rng.uniform(0.75, 0.9))
            n_orders = len(np.unique(order_of_line[credited]))
            units = int(orders.quantity[credited].sum())
            refunded = credited & returned
            their_videos = video_month & (vids.creator[vids.v] == c)
            views = int(vids.metrics["views"][their_videos].sum())
            impressions = int(vids.metrics["product_impressions"][their_videos].sum()) + int(gmv / 2000)
            clicks = int(vids.metrics["product_clicks"][their_videos].sum()) + n_orders * 5
            n_videos = len(np.unique(vids.v[their_videos]))
            if gmv == 0 and n_videos == 0:
                continue
            lives = int(c == plan.live_creator and t0 <= plan.live_start < t1)
            vals = {
                "creator_name": handle,
                "gmv": rupiah(gmv),
                "live_gmv": rupiah(live_gmv),
                "video_gmv": rupiah(video_gmv),
                "refunds": rupiah(orders.refund[refunded].sum()),
                "attributed_orders": n_orders,
                "units_sold": units,
                "units_refunded": int(orders.returned_quantity[refunded].sum()),
                "aov": rupiah(gmv / n_orders) if n_orders else "--",
                "product_card_gmv": rupiah(gmv - live_gmv - video_gmv),
                "ctor": percent(n_orders, clicks),
                "lives": lives,
                "videos": n_videos,
                "sample_content_count": int(rng.integers(0, 4)),
                "samples_shipped": int(rng.integers(0, 3)),
                "showcase_products": int(rng.integers(1, 8)),
                "ctr": percent(clicks, impressions),
                "product_impressions": impressions,
                "video_views": views,
                "buyers": len(np.unique(orders.buyer[order_of_line[credited]])),
                "products_sold": units,
                "estimated_commission": rupiah(gmv * plan.commission[c]),
            }
            rows.append([vals[k] for k in CREATORS.columns])
        at = late_evening(rng, d_to)
        path = folder / f"Transaction_Analysis_Creator_List_{file_stamp(at)}.xlsx"
        preamble_xlsx(path, d_from, d_to, CREATORS.headers(lang), rows, at, blank=rng.random() < 0.5, sheet="Sheet1")
        files.append(path)
    return files
