"""The order simulation: arrivals, lines, the viral sell-out, attribution, money and lifecycle."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import pandas as pd

from lapak.generate.buyers import Buyers, make_buyers
from lapak.generate.plan import Plan
from lapak.generate.themes import (
    BUYER_MESSAGES,
    CAMPAIGN_KINDS,
    DAY_OF_WEEK,
    HOUR_OF_DAY,
    HOUR_OF_DAY_P,
    PAYMENT_METHODS,
    PLACES,
    SELLER_NOTES,
    SHIPPING_PROVIDERS,
    UI_WORDS,
)
from lapak.generate.units import (
    DAY,
    HOUR,
    NEVER,
    in_windows,
    to_seconds,
)

LIVE_AFTER_LIFT = 2.0  # order rate in the 24 h after the story LIVE


@dataclass
class Orders:
    # per order
    created: np.ndarray
    buyer: np.ndarray
    viral: np.ndarray
    fate: np.ndarray  # 0 normal, 1 cancelled, 2 returned, 3 never paid
    paid: np.ndarray
    rts: np.ndarray
    shipped: np.ndarray
    delivered: np.ndarray
    cancelled: np.ndarray
    returned: np.ndarray
    order_id: np.ndarray
    package_id: np.ndarray
    tracking_num: np.ndarray
    provider: np.ndarray
    payment: np.ndarray
    delivery: np.ndarray
    creator: np.ndarray  # -1: not affiliate-attributed
    cancel_by: np.ndarray
    cancel_reason: np.ndarray
    return_reason: np.ndarray
    ship_orig: np.ndarray
    ship_seller: np.ndarray
    ship_platform: np.ndarray
    distance_fee: np.ndarray
    buyer_fee: np.ndarray
    handling_fee: np.ndarray
    ship_ins: np.ndarray
    item_ins: np.ndarray
    pay_disc: np.ndarray
    amount: np.ndarray
    tokopedia: np.ndarray
    inv_num: np.ndarray
    pre_order: np.ndarray
    purchase_channel: np.ndarray
    message: np.ndarray
    note: np.ndarray
    checked: np.ndarray
    first_line: np.ndarray
    n_lines: np.ndarray
    # per line
    line_order: np.ndarray
    line_no: np.ndarray
    sku: np.ndarray
    qty: np.ndarray
    before: np.ndarray
    plat_disc: np.ndarray
    seller_disc: np.ndarray
    after: np.ndarray
    ret_qty: np.ndarray
    refund: np.ndarray
    sold_out: int

    @property
    def valid_line(self) -> np.ndarray:
        """Lines that took stock and count as sales: neither cancelled nor never paid."""
        return np.isin(self.fate, (0, 2))[self.line_order]


def repeat_orders(
    rng: np.random.Generator, first: np.ndarray, until: int, p: list[float]
) -> tuple[np.ndarray, np.ndarray]:
    """Later orders of each first-time buyer: k ~ p, gaps 4 days + Exp(16 days). Returns (buyer, time)."""
    k = rng.choice(len(p), size=len(first), p=p)
    buyer = np.repeat(np.arange(len(first)), k)
    gaps = (4 + rng.exponential(16, len(buyer))) * DAY
    cs = np.cumsum(gaps)
    starts = (np.cumsum(k) - k)[k > 0]
    base = np.repeat(cs[starts] - gaps[starts], k[k > 0])
    day0 = (first[buyer] + (cs - base)).astype(np.int64) // DAY * DAY
    t = day0 + rng.choice(24, len(buyer), p=HOUR_OF_DAY_P) * HOUR + rng.integers(0, HOUR, len(buyer))
    keep = t < until
    return buyer[keep], t[keep]


def hourly_intensity(plan: Plan, days: int) -> tuple[np.ndarray, np.ndarray]:
    rng = plan.rng
    hours = np.arange(days * 24)
    day = hours // 24
    dates = [plan.start_day + timedelta(int(d)) for d in range(days)]
    dow = np.array([d.weekday() for d in dates])
    payday = np.array([1.15 if d.day >= 25 or d.day == 1 else 1.0 for d in dates])
    daily = rng.lognormal(0, 0.12, days) * np.linspace(0.85, 1.15, days) * payday * DAY_OF_WEEK[dow]
    lam = HOUR_OF_DAY[hours % 24] * daily[day]
    start = plan.start_s + hours * HOUR
    for c in plan.campaigns:
        mult = CAMPAIGN_KINDS[c.kind].order_multiplier
        lam[(start + HOUR > c.start) & (start <= c.end)] *= mult
        if c.kind == "LIVE":
            after = (start > c.end) & (start <= c.end + DAY)
            lam[after] *= LIVE_AFTER_LIFT
    for s, e in plan.regular_lives:
        lam[(start + HOUR > s) & (start <= e)] *= 1.3
    return start, lam


def simulate_orders(plan: Plan, days: int, orders_per_day: int) -> tuple[Orders, Buyers]:
    rng, cat, e0 = plan.rng, plan.cat, plan.e0
    target = orders_per_day * days
    hour_start, lam = hourly_intensity(plan, days)
    counts = rng.poisson(lam * (target / lam.sum()))
    first = np.repeat(hour_start, counts) + rng.integers(0, HOUR, counts.sum())
    first = first[first < e0]
    rep_p = [0.58, 0.24, 0.1, 0.05, 0.03]
    rb, rt = repeat_orders(rng, first, e0, rep_p)
    keep = rng.random(len(first)) < min(1.0, target / (len(first) + len(rb)))  # thin buyers to hit the target
    new_id = np.cumsum(keep) - 1
    b_main = np.concatenate([new_id[keep], new_id[rb[keep[rb]]]])
    t_main = np.concatenate([first[keep], rt[keep[rb]]])
    n_main = int(keep.sum())

    # viral orders: new buyers for the viral SKU, from the moment the video takes off
    vt = []
    moment = to_seconds(plan.viral_date) + int(rng.integers(11, 15)) * HOUR
    for i in range(plan.viral_len):
        n = round(orders_per_day * rng.uniform(1.6, 2.4) * 0.75**i)
        if i == 0:
            hp = HOUR_OF_DAY_P * (np.arange(24) >= (moment - to_seconds(plan.viral_date)) // HOUR)
            hp = hp / hp.sum()
        else:
            hp = HOUR_OF_DAY_P
        day0 = to_seconds(plan.viral_date + timedelta(i))
        vt.append(day0 + rng.choice(24, n, p=hp) * HOUR + rng.integers(0, HOUR, n))
    vfirst = np.concatenate(vt)
    vfirst = vfirst[vfirst < e0]
    vb, vrt = repeat_orders(rng, vfirst, e0, [0.75, 0.17, 0.08])
    buyer = np.concatenate([b_main, n_main + np.arange(len(vfirst)), n_main + vb])
    created = np.concatenate([t_main, vfirst, vrt])
    viral = np.concatenate([np.zeros(len(t_main), bool), np.ones(len(vfirst), bool), np.zeros(len(vrt), bool)])
    o = np.argsort(created, kind="stable")
    buyer, created, viral = buyer[o], created[o], viral[o]
    n_buyers = n_main + len(vfirst)

    # lines: 1-3 distinct SKUs per order
    n = len(created)
    n_lines = np.where(viral, rng.choice([1, 2], n, p=[0.8, 0.2]), rng.choice([1, 2, 3], n, p=[0.7, 0.22, 0.08]))
    n_lines = np.minimum(n_lines, cat.n)
    first_sku = np.where(viral, plan.viral_sku, rng.choice(cat.n, n, p=cat.popularity))
    line_order = np.repeat(np.arange(n), n_lines)
    line_no = np.arange(len(line_order)) - np.repeat(np.cumsum(n_lines) - n_lines, n_lines)
    r1 = rng.integers(1, cat.n, n)
    r2 = 1 + (r1 - 1 + rng.integers(1, max(2, cat.n - 1), n)) % (cat.n - 1)
    off = np.select([line_no == 0, line_no == 1], [0, r1[line_order]], r2[line_order])
    sku = (first_sku[line_order] + off) % cat.n
    qty = np.where(
        viral[line_order] & (line_no == 0),
        rng.choice([1, 2], len(sku), p=[0.85, 0.15]),
        rng.choice([1, 2, 3], len(sku), p=[0.82, 0.14, 0.04]),
    )
    fate = rng.choice(4, n, p=[0.89, 0.04, 0.05, 0.02])

    # sold out: the viral SKU's stock runs out during the spike
    is_v = (
        (sku == plan.viral_sku)
        & np.isin(fate, (0, 2))[line_order]
        & (created[line_order] >= to_seconds(plan.viral_date))
    )
    v_end = to_seconds(plan.viral_date) + plan.viral_len * DAY
    cap = int(qty[is_v & (created[line_order] < v_end)].sum() * rng.uniform(0.85, 0.95))
    cum = np.cumsum(np.where(is_v, qty, 0))
    hit = int(np.searchsorted(cum, max(cap, 1)))
    sold_out = int(created[line_order[min(hit, len(cum) - 1)]])
    keep_o = ~(viral & (created > sold_out))  # unserved demand: those orders never happen
    keep_l = keep_o[line_order]
    line_order, line_no, sku, qty = line_order[keep_l], line_no[keep_l], sku[keep_l], qty[keep_l]
    late = (sku == plan.viral_sku) & (created[line_order] > sold_out)
    sku[late] = (sku[late] + 1 + rng.integers(0, cat.n - 1, late.sum())) % cat.n
    dup = pd.DataFrame({"o": line_order, "s": sku}).duplicated().to_numpy()
    line_order, sku, qty = line_order[~dup], sku[~dup], qty[~dup]
    remap = np.cumsum(keep_o) - 1
    line_order = remap[line_order]
    created, buyer, viral, fate = created[keep_o], buyer[keep_o], viral[keep_o], fate[keep_o]
    n = len(created)
    n_lines = np.bincount(line_order, minlength=n)
    first_line = np.cumsum(n_lines) - n_lines
    line_no = np.arange(len(line_order)) - first_line[line_order]

    # affiliate attribution: ~25 % of orders; viral orders to the viral creator, story-LIVE orders to its host
    creator = np.where(rng.random(n) < 0.25, rng.choice(len(plan.creators), n, p=plan.creator_weight), -1)
    creator[viral & (rng.random(n) < 0.85)] = plan.viral_creator
    in_live = (created >= plan.live_start) & (created <= plan.live_end)
    creator[in_live & (rng.random(n) < 0.6)] = plan.live_creator

    # money
    camp = in_windows(created, [(c.start, c.end + 1) for c in plan.campaigns])[line_order]
    unit = cat.price[sku]
    before = unit * qty
    s_rate = np.where(camp, rng.uniform(0.15, 0.3, len(sku)), rng.uniform(0.05, 0.2, len(sku)))
    s_on = rng.random(len(sku)) < np.where(camp, 0.8, 0.35)
    seller_disc = np.where(s_on, np.round(before * s_rate / 100) * 100, 0).astype(np.int64)
    p_on = rng.random(len(sku)) < 0.15
    plat_disc = np.where(p_on, np.round(before * rng.uniform(0.03, 0.1, len(sku)) / 100) * 100, 0).astype(np.int64)
    after = before - seller_disc - plat_disc
    sum_after = np.bincount(line_order, weights=after, minlength=n).astype(np.int64)
    sum_before = np.bincount(line_order, weights=before, minlength=n).astype(np.int64)

    buyers = make_buyers(rng, n_buyers)
    java = np.array([p.on_java for p in PLACES])[buyers.place[buyer]]
    ship_orig = np.where(java, rng.integers(18, 37, n), rng.integers(36, 91, n)) * 500
    ship_seller = np.where(rng.random(n) < 0.3, np.minimum(ship_orig, rng.choice([5000, 10000], n)), 0)
    ship_platform = np.where(rng.random(n) < 0.5, np.minimum(ship_orig - ship_seller, rng.choice([10000, 20000], n)), 0)
    distance_fee = np.where(~java & (rng.random(n) < 0.2), rng.integers(4, 17, n) * 500, 0)
    payment = rng.choice(len(PAYMENT_METHODS), n, p=[p.share for p in PAYMENT_METHODS])
    buyer_fee = np.where(rng.random(n) < 0.6, 1000, 0)
    handling_fee = np.where(payment == 0, 1000, 0)
    ship_ins = np.where(rng.random(n) < 0.35, np.maximum(500, sum_before // 50_000 * 100), 0)
    item_ins = np.where(rng.random(n) < 0.05, rng.integers(3, 11, n) * 500, 0)
    pay_disc = np.where(rng.random(n) < 0.1, np.minimum(sum_after, rng.choice([5000, 10000, 15000], n)), 0)
    amount = (
        sum_after
        + ship_orig
        - ship_seller
        - ship_platform
        + distance_fee
        + buyer_fee
        + handling_fee
        + ship_ins
        + item_ins
        - pay_disc
    ).astype(np.int64)

    # lifecycle
    paid = np.where(
        fate == 3, NEVER, created + np.where(payment == 0, rng.integers(5, 60, n), rng.integers(15, 1200, n))
    )
    cancelled = np.where(fate == 1, created + rng.integers(600, 20 * HOUR, n), NEVER)
    ok = np.isin(fate, (0, 2))
    rts = np.where(ok, paid + rng.integers(2 * HOUR, 30 * HOUR, n), NEVER)
    shipped = np.where(ok, rts + rng.integers(HOUR, 20 * HOUR, n), NEVER)
    transit = np.where(java, rng.integers(DAY, 3 * DAY, n), rng.integers(2 * DAY, 6 * DAY, n))
    delivered = np.where(ok, shipped + transit, NEVER)
    returned = np.where(fate == 2, delivered + rng.integers(DAY, 6 * DAY, n), NEVER)
    by = np.where(fate == 1, rng.choice(3, n, p=[0.6, 0.25, 0.15]), -1)
    reasons = UI_WORDS[plan.lang]["cancel_reasons"]
    cancel_reason = np.full(n, -1)
    flat = 0
    for b, rs in enumerate(reasons):
        sel = by == b
        cancel_reason[sel] = flat + rng.integers(0, len(rs), sel.sum())
        flat += len(rs)
    ret_first = (fate[line_order] == 2) & (line_no == 0)
    ret_qty = np.where(ret_first, qty, 0)
    refund = np.where(ret_first, after, 0)

    ids = 576_000_000_000_000_000 + plan.idx * 10**13 + int(rng.integers(0, 10**12))
    order_id = ids + np.cumsum(rng.integers(1000, 900_000, n))
    provider = rng.choice(len(SHIPPING_PROVIDERS), n, p=[p.share for p in SHIPPING_PROVIDERS])
    tokopedia = rng.random(n) < 0.05
    orders = Orders(
        created=created,
        buyer=buyer,
        viral=viral,
        fate=fate,
        paid=paid,
        rts=rts,
        shipped=shipped,
        delivered=delivered,
        cancelled=cancelled,
        returned=returned,
        order_id=order_id,
        package_id=115_000_000_000_000_000 + rng.integers(0, 10**15, n),
        tracking_num=rng.integers(10**9, 10**10, n),
        provider=provider,
        payment=payment,
        delivery=rng.choice(3, n, p=[0.75, 0.2, 0.05]),
        creator=creator,
        cancel_by=by,
        cancel_reason=cancel_reason,
        return_reason=rng.integers(0, 4, n),
        ship_orig=ship_orig,
        ship_seller=ship_seller,
        ship_platform=ship_platform,
        distance_fee=distance_fee,
        buyer_fee=buyer_fee,
        handling_fee=handling_fee,
        ship_ins=ship_ins,
        item_ins=item_ins,
        pay_disc=pay_disc,
        amount=amount,
        tokopedia=tokopedia,
        inv_num=rng.integers(10**9, 10**10, n),
        pre_order=(rng.random(n) < 0.02).astype(int),
        purchase_channel=(rng.random(n) < 0.08).astype(int),
        message=np.where(rng.random(n) < 0.1, rng.integers(0, len(BUYER_MESSAGES), n), -1),
        note=np.where(rng.random(n) < 0.04, rng.integers(0, len(SELLER_NOTES), n), -1),
        checked=(rng.random(n) < 0.3).astype(int),
        first_line=first_line,
        n_lines=n_lines,
        line_order=line_order,
        line_no=line_no,
        sku=sku,
        qty=qty,
        before=before,
        plat_disc=plat_disc,
        seller_disc=seller_disc,
        after=after,
        ret_qty=ret_qty,
        refund=refund,
        sold_out=sold_out,
    )
    return orders, buyers
