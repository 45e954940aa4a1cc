"""`generate()`: plan, simulate and write every shop's exports; the stories planted, for tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb

from lapak.generate.creator_exports import write_creators
from lapak.generate.live_exports import write_lives
from lapak.generate.order_exports import write_orders
from lapak.generate.orders import simulate_orders
from lapak.generate.plan import make_plan, shop_codes, shop_ids
from lapak.generate.product_exports import write_products
from lapak.generate.seller_csvs import write_own_csvs, write_seller_inputs
from lapak.generate.units import (
    to_datetime,
)
from lapak.generate.video_exports import write_videos
from lapak.generate.videos import simulate_videos

MIN_DAYS = 30
_OUR_FILES = (
    "Semua pesanan-", "All order-", "product_list_", "Video Performance List_", "Live Analysis_",
    "Transaction_Analysis_Creator_List_", "campaigns.csv", "nps_responses.csv", "ab_variants.csv",
    "product_costs.csv", "sku_settings.csv",
)  # fmt: skip


@dataclass(frozen=True)
class ShopStory:
    """Facts planted in one shop's data, for tests that check the marts reveal them. Times are WIB, naive."""

    shop_id: str
    language: str  # UI language of the analytics exports: 'id' or 'en'
    viral_video_id: str
    viral_sku_id: str
    viral_date: date  # first day of 10-30x normal views
    sold_out_date: date  # the viral SKU's stock ran out on this day
    live_creator_id: str
    live_start: datetime
    live_end: datetime
    live_campaign_id: str
    campaign_nps: dict[str, str]  # campaign_id -> intended NPS band: 'high', 'low' or 'neutral'
    ab_winner_experiment_id: str
    ab_null_experiment_id: str


@dataclass(frozen=True)
class GenerateResult:
    shops: list[str]
    files: list[Path]
    order_lines: int  # order lines written over all order files (overlapping exports count twice)
    stories: dict[str, ShopStory] = field(default_factory=dict)


def generate(
    out: Path,
    *,
    shops: int = 3,
    days: int = 120,
    orders_per_day: int = 60,
    seed: int = 7,
    end_date: date = date(2026, 11, 20),
) -> GenerateResult:
    """Write sample Seller Center exports for `shops` shops under `out/<shop_id>/`.

    `days` ends on `end_date` (inclusive); `orders_per_day` is the average per shop before the planted viral
    spike. Deterministic: the same arguments give byte-identical files.
    """
    if shops < 1:
        raise ValueError("shops must be at least 1")
    if days < MIN_DAYS:
        raise ValueError(f"days must be at least {MIN_DAYS} to plant the stories (got {days})")
    if orders_per_day < 1:
        raise ValueError("orders_per_day must be at least 1")
    out = Path(out)
    ids = shop_ids(shops)
    codes = shop_codes(ids)
    files: list[Path] = []
    stories: dict[str, ShopStory] = {}
    lines = 0
    con = duckdb.connect()
    try:
        for i, (shop, code) in enumerate(zip(ids, codes, strict=True)):
            folder = out / shop
            folder.mkdir(parents=True, exist_ok=True)
            for old in folder.iterdir():  # files of an earlier run would mix into this one's
                if old.is_file() and old.name.startswith(_OUR_FILES):
                    old.unlink()
            plan = make_plan(i, shop, code, seed, days, end_date)
            orders, buyers = simulate_orders(plan, days, orders_per_day)
            order_files, n_lines = write_orders(con, plan, orders, buyers, folder)
            vids = simulate_videos(plan, orders, orders_per_day)
            files += order_files
            files += write_products(plan, orders, folder)
            files += write_videos(plan, vids, folder)
            files += write_lives(plan, orders, folder)
            files += write_creators(plan, orders, vids, folder)
            own, exp_ids = write_own_csvs(plan, orders, vids, folder)
            files += own
            files += write_seller_inputs(plan, folder, seed)
            lines += n_lines
            live = next(c for c in plan.campaigns if c.kind == "LIVE")
            stories[shop] = ShopStory(
                shop_id=shop,
                language=plan.lang,
                viral_video_id=str(vids.video_id[vids.viral]),
                viral_sku_id=str(plan.catalog.sku_id[plan.viral_sku]),
                viral_date=plan.viral_date,
                sold_out_date=to_datetime(orders.sold_out_at).date(),
                live_creator_id=plan.creators[plan.live_creator],
                live_start=to_datetime(plan.live_start),
                live_end=to_datetime(plan.live_end),
                live_campaign_id=live.campaign_id,
                campaign_nps={c.campaign_id: c.band for c in plan.campaigns},
                ab_winner_experiment_id=exp_ids["winner"],
                ab_null_experiment_id=exp_ids["null"],
            )
    finally:
        con.close()
    return GenerateResult(shops=ids, files=files, order_lines=lines, stories=stories)
