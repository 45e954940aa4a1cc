"""`Video Performance List_*.xlsx`: daily files for the last 60 days, weekly ones before."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np

from ingestion.formats import (
    VIDEOS,
)
from lapak.generate.files import late_evening, preamble_xlsx
from lapak.generate.plan import Plan
from lapak.generate.themes import VIDEO_DIAGNOSES
from lapak.generate.units import (
    file_stamp,
    percent,
    rupiah,
    to_datetime,
)
from lapak.generate.videos import Videos

DAILY_VIDEO_DAYS = 60  # one video file per day for the last 60 days, weekly (Mon-Sun) files before

_VIDEO_EN_ORDER = (
    "video_id",
    "video_info",
    "posted_time",
    "creator_name",
    "creator_id",
    "products",
    "views",
    "likes",
    "comments",
    "shares",
    "new_followers",
    "v_to_l_clicks",
    "product_impressions",
    "product_clicks",
    "buyers",
    "attributed_sku_orders",
    "units_sold",
    "video_gmv",
    "gpm",
    "attributed_gmv",
    "ctr",
    "v_to_l_rate",
    "finish_rate",
    "ctor",
)


def write_videos(plan: Plan, vids: Videos, folder: Path) -> list[Path]:
    rng = plan.rng
    daily_from = plan.end_day - timedelta(DAILY_VIDEO_DAYS - 1)
    daily_from -= timedelta(daily_from.weekday())  # daily files start on a Monday
    ranges = []
    d = max(daily_from, plan.start_day)
    while d <= plan.end_day:
        ranges.append((d, d))
        d += timedelta(1)
    wk = daily_from - timedelta(7)
    while wk + timedelta(6) >= plan.start_day:
        ranges.append((wk, wk + timedelta(6)))
        wk -= timedelta(7)
    ranges.sort()
    canon = list(VIDEOS.columns) if plan.lang == "id" else list(_VIDEO_EN_ORDER)
    headers = [VIDEOS.columns[c][plan.lang] for c in canon]
    epoch = date(1970, 1, 1).toordinal()
    m = vids.metrics
    files = []
    for d_from, d_to in ranges:
        sel = (vids.day >= d_from.toordinal() - epoch) & (vids.day <= d_to.toordinal() - epoch)
        vv = vids.v[sel]
        uniq, inv = np.unique(vv, return_inverse=True)
        agg = {k: np.bincount(inv, weights=a[sel], minlength=len(uniq)).astype(np.int64) for k, a in m.items()}
        rows = []
        for j, vid in enumerate(uniq):
            if agg["views"][j] <= 0:
                continue
            cr = int(vids.creator[vid])
            handle = plan.theme.account if cr < 0 else plan.creators[cr]
            a = {k: int(x[j]) for k, x in agg.items()}
            vals = {
                "creator_name": plan.theme.brand if cr < 0 else handle.replace(".", " ").title(),
                "creator_id": handle,
                "video_info": vids.caption[vid],
                "video_id": str(vids.video_id[vid]),
                "posted_time": to_datetime(vids.posted[vid]).strftime("%Y-%m-%d %H:%M"),
                "products": plan.catalog.name(int(vids.sku[vid])),
                **{
                    k: a[k]
                    for k in (
                        "views",
                        "likes",
                        "comments",
                        "shares",
                        "new_followers",
                        "v_to_l_clicks",
                        "product_impressions",
                        "product_clicks",
                        "buyers",
                        "attributed_sku_orders",
                        "direct_sku_orders",
                        "indirect_sku_orders",
                        "units_sold",
                        "direct_units_sold",
                        "indirect_units_sold",
                    )
                },
                "attributed_gmv": rupiah(a["attributed_gmv"]),
                "video_gmv": rupiah(a["video_gmv"]),
                "indirect_gmv": rupiah(a["indirect_gmv"]),
                "gpm": rupiah(1000 * a["attributed_gmv"] / a["views"]),
                "ctr": percent(a["product_clicks"], a["product_impressions"]),
                "v_to_l_rate": percent(a["v_to_l_clicks"], a["views"]),
                "finish_rate": percent(a["finished"], a["views"]),
                "ctor": percent(a["attributed_sku_orders"], a["product_clicks"]),
                "diagnosis": VIDEO_DIAGNOSES[int(vids.video_id[vid] % len(VIDEO_DIAGNOSES))],
            }
            rows.append([vals[c] for c in canon])
        at = late_evening(rng, d_to)
        path = folder / f"Video Performance List_{file_stamp(at)}.xlsx"
        preamble_xlsx(path, d_from, d_to, headers, rows, at, blank=rng.random() < 0.5, sheet="Sheet1")
        files.append(path)
    return files
