"""The seller's own CSVs: campaign calendar, NPS answers, A/B variant tags, costs and SKU settings."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ingestion.formats import (
    CAMPAIGNS,
    NPS,
    PRODUCT_COSTS,
    SKU_SETTINGS,
    VARIANTS,
)
from lapak.generate.files import write_csv
from lapak.generate.orders import Orders
from lapak.generate.plan import Plan
from lapak.generate.themes import (
    AB_NULL_DIMENSIONS,
    NPS_CHANNELS,
    NPS_COMMENTS,
    NPS_SCORE_P,
    SELLER_INPUT_NOTES,
)
from lapak.generate.units import (
    DAY,
    NEVER,
    round_price,
    to_datetime,
)
from lapak.generate.videos import Videos


def write_own_csvs(plan: Plan, orders: Orders, vids: Videos, folder: Path) -> tuple[list[Path], dict[str, str]]:
    rng = plan.rng
    fmt = "%Y-%m-%d %H:%M:%S"
    camps = plan.campaigns
    files = [
        write_csv(
            folder / "campaigns.csv",
            list(CAMPAIGNS.columns),
            {
                "campaign_id": [c.campaign_id for c in camps],
                "campaign_name": [c.name for c in camps],
                "campaign_type": [c.kind for c in camps],
                "start_time": [to_datetime(c.start).strftime(fmt) for c in camps],
                "end_time": [to_datetime(c.end).strftime(fmt) for c in camps],
                "notes": [c.notes for c in camps],
            },
            plan.last_export_at + 15 * 60,
        )
    ]

    # NPS: asked 3-7 days after delivery; campaign orders are asked more often
    n = len(orders.created_at)
    camp_of = np.full(n, -1)
    for i, c in enumerate(camps):
        camp_of[(orders.created_at >= c.start) & (orders.created_at <= c.end)] = i
    delivered = orders.delivered_at < NEVER
    responded = np.where(delivered, orders.delivered_at, 0) + rng.integers(3 * DAY, 7 * DAY, n)
    ask = delivered & (responded <= plan.last_export_at)
    # ~7 % of other buyers answer; campaign buyers are surveyed harder (at least ~25 answers where possible)
    per_campaign = np.bincount(camp_of[ask & (camp_of >= 0)], minlength=len(camps))
    p_campaign = np.clip(25 / np.maximum(per_campaign, 1), 0.4, 0.9)
    ask &= rng.random(n) < np.where(camp_of >= 0, p_campaign[camp_of], 0.07)
    idx = np.flatnonzero(ask)
    idx = idx[np.argsort(responded[idx], kind="stable")]
    bands = np.array([c.band for c in camps] + ["neutral"])[camp_of[idx]]
    score = np.empty(len(idx), dtype=int)
    for band, p in NPS_SCORE_P.items():
        m = bands == band
        score[m] = rng.choice(11, m.sum(), p=np.array(p) / sum(p))
    group = np.select([score >= 9, score >= 7], ["promoter", "passive"], "detractor")
    has_comment = rng.random(len(idx)) < 0.6
    pick = rng.integers(0, 100, len(idx))
    comments = [
        NPS_COMMENTS[g][k % len(NPS_COMMENTS[g])] if h else "" for g, k, h in zip(group, pick, has_comment, strict=True)
    ]
    files.append(
        write_csv(
            folder / "nps_responses.csv",
            list(NPS.columns),
            {
                "response_id": [f"NPS-{plan.code}-{i + 1:06d}" for i in range(len(idx))],
                "responded_at": [to_datetime(t).strftime(fmt) for t in responded[idx]],
                "campaign_id": [camps[c].campaign_id if c >= 0 else "" for c in camp_of[idx]],
                "order_id": [str(o) for o in orders.order_id[idx]],
                "score": score,
                "channel": np.array([c.name for c in NPS_CHANNELS])[
                    rng.choice(len(NPS_CHANNELS), len(idx), p=[c.share for c in NPS_CHANNELS])
                ],
                "comment": comments,
            },
            plan.last_export_at + 16 * 60,
        )
    )

    # A/B variant tags
    null_test = AB_NULL_DIMENSIONS[plan.shop_index % len(AB_NULL_DIMENSIONS)]
    dim, variant = null_test["dimension"], null_test["variant"]
    exp_ids = {"winner": f"EXP-{plan.code}-HOOK-01", "null": f"EXP-{plan.code}-{dim.upper()}-01"}
    rows: dict[str, list] = {k: [] for k in VARIANTS.columns}
    for key, dimension, treat_name in (("winner", "hook", "question_hook"), ("null", dim, variant)):
        treat, ctrl = vids.arms[key]
        for vids_, name, is_ctrl in ((treat, treat_name, "false"), (ctrl, "control", "true")):
            for v in sorted(vids_, key=lambda x: vids.posted[x]):
                rows["experiment_id"].append(exp_ids[key])
                rows["dimension"].append(dimension)
                rows["video_id"].append(str(vids.video_id[v]))
                rows["variant"].append(name)
                rows["is_control"].append(is_ctrl)
    files.append(write_csv(folder / "ab_variants.csv", list(VARIANTS.columns), rows, plan.last_export_at + 17 * 60))
    return files, exp_ids


def write_seller_inputs(plan: Plan, folder: Path, seed: int) -> list[Path]:
    """Optional seller inputs: unit cost of every SKU, lead time and service level for about half of them.

    A separate random stream, so adding these files changed none of the other files' bytes.
    """
    rng = np.random.default_rng([seed, plan.shop_index, 99])
    catalog = plan.catalog
    cost = round_price(catalog.price * rng.uniform(0.35, 0.6, catalog.sku_count))
    valid_from = plan.start_day.strftime("%Y-%m-%d")
    files = [
        write_csv(
            folder / "product_costs.csv",
            list(PRODUCT_COSTS.columns),
            {
                "sku_id": [str(x) for x in catalog.sku_id],
                "unit_cost_idr": [int(c) for c in cost],
                "valid_from": [valid_from] * catalog.sku_count,
                "notes": [SELLER_INPUT_NOTES["cost_note"]] * catalog.sku_count,
            },
            plan.last_export_at + 18 * 60,
        )
    ]
    listed = np.sort(rng.permutation(catalog.sku_count)[: max(1, catalog.sku_count // 2)])
    lead = rng.choice([3, 5, 7, 10, 14], len(listed))
    level = rng.choice(["90%", "95%", "98%"], len(listed))
    files.append(
        write_csv(
            folder / "sku_settings.csv",
            list(SKU_SETTINGS.columns),
            {
                "sku_id": [str(catalog.sku_id[i]) for i in listed],
                "lead_time_days": [int(x) for x in lead],
                "service_level": list(level),
                "min_order_qty": [int(x) for x in rng.choice([1, 6, 12, 24], len(listed))],
                "notes": [SELLER_INPUT_NOTES["near_supplier" if x <= 5 else "far_supplier"] for x in lead],
            },
            plan.last_export_at + 19 * 60,
        )
    )
    return files
