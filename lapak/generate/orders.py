"""The order simulation: the lines of every order, the viral SKU selling out, affiliate credit, money and the
lifecycle from payment to return. When orders arrive and who places them comes from arrivals.py.

Every draw comes from the plan's one random stream, in a fixed order: same plan, same orders.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from lapak.generate.arrivals import order_arrivals
from lapak.generate.buyers import Buyers, make_buyers
from lapak.generate.plan import Plan
from lapak.generate.themes import BUYER_MESSAGES, PAYMENT_METHODS, PLACES, SELLER_NOTES, SHIPPING_PROVIDERS, UI_WORDS
from lapak.generate.units import DAY, HOUR, NEVER, in_windows, to_seconds

# What becomes of an order, drawn with P = 0.89, 0.04, 0.05, 0.02
FATE_COMPLETED, FATE_CANCELLED, FATE_RETURNED, FATE_NEVER_PAID = 0, 1, 2, 3
SALE_FATES = (FATE_COMPLETED, FATE_RETURNED)  # took stock and count as sales
FATE_P = [0.89, 0.04, 0.05, 0.02]


@dataclass
class Orders:
    # per order; times in seconds, NEVER where it does not happen
    created_at: np.ndarray
    buyer: np.ndarray  # index into the shop's Buyers
    viral: np.ndarray  # a viral video buyer's first order
    fate: np.ndarray  # FATE_*
    paid_at: np.ndarray
    ready_to_ship_at: np.ndarray
    shipped_at: np.ndarray
    delivered_at: np.ndarray
    cancelled_at: np.ndarray
    returned_at: np.ndarray
    order_id: np.ndarray
    package_id: np.ndarray
    tracking_number: np.ndarray
    shipping_provider: np.ndarray  # index into SHIPPING_PROVIDERS
    payment_method: np.ndarray  # index into PAYMENT_METHODS
    delivery_option: np.ndarray  # index into the UI words' delivery options
    creator: np.ndarray  # index into plan.creators; -1: not affiliate-attributed
    cancelled_by: np.ndarray  # buyer, seller, system; -1 if not cancelled
    cancel_reason: np.ndarray  # index into the flattened cancel reasons of the canceller
    return_reason: np.ndarray
    shipping_fee: np.ndarray  # before discounts
    shipping_seller_discount: np.ndarray
    shipping_platform_discount: np.ndarray
    distance_fee: np.ndarray
    buyer_service_fee: np.ndarray
    handling_fee: np.ndarray
    shipping_insurance: np.ndarray
    item_insurance: np.ndarray
    payment_discount: np.ndarray
    order_amount: np.ndarray  # what the buyer pays
    via_tokopedia: np.ndarray
    invoice_number: np.ndarray  # Tokopedia invoice
    pre_order: np.ndarray
    purchase_channel: np.ndarray  # 0 mobile, 1 PC
    buyer_message: np.ndarray  # index into BUYER_MESSAGES; -1: none
    seller_note: np.ndarray  # index into SELLER_NOTES; -1: none
    checked: np.ndarray
    first_line: np.ndarray
    line_count: np.ndarray
    # per line, grouped by order
    order_of_line: np.ndarray
    line_number: np.ndarray  # 0 for an order's first line
    sku: np.ndarray  # index into the catalogue
    quantity: np.ndarray
    subtotal_before: np.ndarray  # before discounts
    platform_discount: np.ndarray
    seller_discount: np.ndarray
    subtotal_after: np.ndarray
    returned_quantity: np.ndarray
    refund: np.ndarray
    sold_out_at: int  # when the viral SKU's stock ran out

    @property
    def line_is_sale(self) -> np.ndarray:
        """Lines that took stock and count as sales: neither cancelled nor never paid."""
        return np.isin(self.fate, SALE_FATES)[self.order_of_line]


def _draw_lines(plan: Plan, viral: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """1-3 distinct SKUs per order, the first by popularity (the viral SKU for viral orders). Returns
    (order_of_line, sku, quantity)."""
    rng, sku_count, order_count = plan.rng, plan.catalog.sku_count, len(viral)
    line_count = np.where(
        viral, rng.choice([1, 2], order_count, p=[0.8, 0.2]), rng.choice([1, 2, 3], order_count, p=[0.7, 0.22, 0.08])
    )
    line_count = np.minimum(line_count, sku_count)
    first_sku = np.where(viral, plan.viral_sku, rng.choice(sku_count, order_count, p=plan.catalog.popularity))
    order_of_line = np.repeat(np.arange(order_count), line_count)
    line_number = np.arange(len(order_of_line)) - np.repeat(np.cumsum(line_count) - line_count, line_count)
    # the second and third SKUs: distinct offsets from the first, never 0
    second = rng.integers(1, sku_count, order_count)
    third = 1 + (second - 1 + rng.integers(1, max(2, sku_count - 1), order_count)) % (sku_count - 1)
    offset = np.select([line_number == 0, line_number == 1], [0, second[order_of_line]], third[order_of_line])
    sku = (first_sku[order_of_line] + offset) % sku_count
    quantity = np.where(
        viral[order_of_line] & (line_number == 0),
        rng.choice([1, 2], len(sku), p=[0.85, 0.15]),
        rng.choice([1, 2, 3], len(sku), p=[0.82, 0.14, 0.04]),
    )
    return order_of_line, sku, quantity


def _sell_out(
    plan: Plan,
    created_at: np.ndarray,
    viral: np.ndarray,
    fate: np.ndarray,
    lines: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> tuple[int, np.ndarray, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """The viral SKU's stock runs out during the spike: viral orders after that never happen, other orders get
    another SKU instead. Returns (sold_out_at, orders kept, (order_of_line, sku, quantity) of the kept orders)."""
    rng, sku_count = plan.rng, plan.catalog.sku_count
    order_of_line, sku, quantity = lines
    line_at = created_at[order_of_line]
    viral_start = to_seconds(plan.viral_date)
    viral_sale = (sku == plan.viral_sku) & np.isin(fate, SALE_FATES)[order_of_line] & (line_at >= viral_start)
    spike_end = viral_start + plan.viral_days * DAY
    # the stock covers 85-95 % of what the spike would sell
    stock = int(quantity[viral_sale & (line_at < spike_end)].sum() * rng.uniform(0.85, 0.95))
    sold = np.cumsum(np.where(viral_sale, quantity, 0))
    last_sale = int(np.searchsorted(sold, max(stock, 1)))
    sold_out_at = int(created_at[order_of_line[min(last_sale, len(sold) - 1)]])
    kept = ~(viral & (created_at > sold_out_at))  # unserved demand: those orders never happen
    kept_line = kept[order_of_line]
    order_of_line, sku, quantity = order_of_line[kept_line], sku[kept_line], quantity[kept_line]
    too_late = (sku == plan.viral_sku) & (created_at[order_of_line] > sold_out_at)
    sku[too_late] = (sku[too_late] + 1 + rng.integers(0, sku_count - 1, too_late.sum())) % sku_count
    # a swapped SKU may repeat one already in its order: one line per SKU
    repeated = pd.DataFrame({"order": order_of_line, "sku": sku}).duplicated().to_numpy()
    order_of_line, sku, quantity = order_of_line[~repeated], sku[~repeated], quantity[~repeated]
    kept_index = np.cumsum(kept) - 1
    return sold_out_at, kept, (kept_index[order_of_line], sku, quantity)


def _attribute(plan: Plan, created_at: np.ndarray, viral: np.ndarray) -> np.ndarray:
    """Affiliate credit: ~25 % of orders; viral orders to the viral creator, story-LIVE orders to its host."""
    rng, order_count = plan.rng, len(created_at)
    creator = np.where(
        rng.random(order_count) < 0.25, rng.choice(len(plan.creators), order_count, p=plan.creator_weight), -1
    )
    creator[viral & (rng.random(order_count) < 0.85)] = plan.viral_creator
    in_live = (created_at >= plan.live_start) & (created_at <= plan.live_end)
    creator[in_live & (rng.random(order_count) < 0.6)] = plan.live_creator
    return creator


def _line_money(
    plan: Plan, created_at: np.ndarray, order_of_line: np.ndarray, sku: np.ndarray, quantity: np.ndarray
) -> dict[str, np.ndarray]:
    """Line subtotals and discounts, rounded to Rp100; sellers discount more, and more often, in campaigns."""
    rng, line_total = plan.rng, len(sku)
    in_campaign = in_windows(created_at, [(c.start, c.end + 1) for c in plan.campaigns])[order_of_line]
    before = plan.catalog.price[sku] * quantity
    seller_rate = np.where(in_campaign, rng.uniform(0.15, 0.3, line_total), rng.uniform(0.05, 0.2, line_total))
    seller_discounts = rng.random(line_total) < np.where(in_campaign, 0.8, 0.35)
    seller = np.where(seller_discounts, np.round(before * seller_rate / 100) * 100, 0).astype(np.int64)
    platform_discounts = rng.random(line_total) < 0.15
    platform_amount = np.round(before * rng.uniform(0.03, 0.1, line_total) / 100) * 100
    platform = np.where(platform_discounts, platform_amount, 0).astype(np.int64)
    return {
        "subtotal_before": before,
        "platform_discount": platform,
        "seller_discount": seller,
        "subtotal_after": before - seller - platform,
    }


def _order_money(
    rng: np.random.Generator, on_java: np.ndarray, before: np.ndarray, after: np.ndarray
) -> dict[str, np.ndarray]:
    """Shipping, fees, insurance and the amount paid, per order; `before`/`after`: the lines' subtotals."""
    order_count = len(on_java)
    shipping = np.where(on_java, rng.integers(18, 37, order_count), rng.integers(36, 91, order_count)) * 500
    seller = np.where(rng.random(order_count) < 0.3, np.minimum(shipping, rng.choice([5000, 10000], order_count)), 0)
    platform = np.where(
        rng.random(order_count) < 0.5, np.minimum(shipping - seller, rng.choice([10000, 20000], order_count)), 0
    )
    distance = np.where(~on_java & (rng.random(order_count) < 0.2), rng.integers(4, 17, order_count) * 500, 0)
    method = rng.choice(len(PAYMENT_METHODS), order_count, p=[p.share for p in PAYMENT_METHODS])
    service = np.where(rng.random(order_count) < 0.6, 1000, 0)
    handling = np.where(_cash_on_delivery(method), 1000, 0)
    shipping_insurance = np.where(rng.random(order_count) < 0.35, np.maximum(500, before // 50_000 * 100), 0)
    item_insurance = np.where(rng.random(order_count) < 0.05, rng.integers(3, 11, order_count) * 500, 0)
    payment_discount = np.where(
        rng.random(order_count) < 0.1, np.minimum(after, rng.choice([5000, 10000, 15000], order_count)), 0
    )
    paid = after + shipping - seller - platform + distance + service + handling
    paid += shipping_insurance + item_insurance - payment_discount
    return {
        "shipping_fee": shipping,
        "shipping_seller_discount": seller,
        "shipping_platform_discount": platform,
        "distance_fee": distance,
        "payment_method": method,
        "buyer_service_fee": service,
        "handling_fee": handling,
        "shipping_insurance": shipping_insurance,
        "item_insurance": item_insurance,
        "payment_discount": payment_discount,
        "order_amount": paid.astype(np.int64),
    }


def _cash_on_delivery(method: np.ndarray) -> np.ndarray:
    return np.array([p.name == "COD" for p in PAYMENT_METHODS])[method]


def _lifecycle(
    plan: Plan, created_at: np.ndarray, fate: np.ndarray, payment_method: np.ndarray, on_java: np.ndarray
) -> dict[str, np.ndarray]:
    """Payment, shipping, delivery, cancellation and return times (NEVER where they do not happen), and who
    cancelled why."""
    rng, order_count = plan.rng, len(created_at)
    # COD orders are confirmed within a minute, other payments take up to 20 minutes
    pay_delay = np.where(
        _cash_on_delivery(payment_method), rng.integers(5, 60, order_count), rng.integers(15, 1200, order_count)
    )
    paid_at = np.where(fate == FATE_NEVER_PAID, NEVER, created_at + pay_delay)
    cancelled_at = np.where(fate == FATE_CANCELLED, created_at + rng.integers(600, 20 * HOUR, order_count), NEVER)
    sale = np.isin(fate, SALE_FATES)
    ready_at = np.where(sale, paid_at + rng.integers(2 * HOUR, 30 * HOUR, order_count), NEVER)
    shipped_at = np.where(sale, ready_at + rng.integers(HOUR, 20 * HOUR, order_count), NEVER)
    transit = np.where(on_java, rng.integers(DAY, 3 * DAY, order_count), rng.integers(2 * DAY, 6 * DAY, order_count))
    delivered_at = np.where(sale, shipped_at + transit, NEVER)
    returned_at = np.where(fate == FATE_RETURNED, delivered_at + rng.integers(DAY, 6 * DAY, order_count), NEVER)
    cancelled_by = np.where(fate == FATE_CANCELLED, rng.choice(3, order_count, p=[0.6, 0.25, 0.15]), -1)
    # each canceller has reasons of its own; the index runs over all cancellers' reasons
    cancel_reason = np.full(order_count, -1)
    first_reason = 0
    for canceller, reasons in enumerate(UI_WORDS[plan.lang]["cancel_reasons"]):
        by_them = cancelled_by == canceller
        cancel_reason[by_them] = first_reason + rng.integers(0, len(reasons), by_them.sum())
        first_reason += len(reasons)
    return {
        "paid_at": paid_at,
        "ready_to_ship_at": ready_at,
        "shipped_at": shipped_at,
        "delivered_at": delivered_at,
        "cancelled_at": cancelled_at,
        "returned_at": returned_at,
        "cancelled_by": cancelled_by,
        "cancel_reason": cancel_reason,
    }


def simulate_orders(plan: Plan, days: int, orders_per_day: int) -> tuple[Orders, Buyers]:
    rng = plan.rng
    arrivals = order_arrivals(plan, days, orders_per_day)
    lines = _draw_lines(plan, arrivals.viral)
    fate = rng.choice(4, len(arrivals.created_at), p=FATE_P)
    sold_out_at, kept, (order_of_line, sku, quantity) = _sell_out(
        plan, arrivals.created_at, arrivals.viral, fate, lines
    )
    created_at, buyer, viral, fate = arrivals.created_at[kept], arrivals.buyer[kept], arrivals.viral[kept], fate[kept]
    order_count = len(created_at)
    line_count = np.bincount(order_of_line, minlength=order_count)
    first_line = np.cumsum(line_count) - line_count
    line_number = np.arange(len(order_of_line)) - first_line[order_of_line]

    creator = _attribute(plan, created_at, viral)
    line_money = _line_money(plan, created_at, order_of_line, sku, quantity)
    before, after = (
        np.bincount(order_of_line, weights=line_money[k], minlength=order_count).astype(np.int64)
        for k in ("subtotal_before", "subtotal_after")
    )
    buyers = make_buyers(rng, arrivals.buyer_count)
    on_java = np.array([p.on_java for p in PLACES])[buyers.place[buyer]]
    order_money = _order_money(rng, on_java, before, after)
    lifecycle = _lifecycle(plan, created_at, fate, order_money["payment_method"], on_java)
    # an order's return takes back its first line
    returned_first = (fate[order_of_line] == FATE_RETURNED) & (line_number == 0)

    first_id = 576_000_000_000_000_000 + plan.shop_index * 10**13 + int(rng.integers(0, 10**12))
    order_id = first_id + np.cumsum(rng.integers(1000, 900_000, order_count))
    shipping_provider = rng.choice(len(SHIPPING_PROVIDERS), order_count, p=[p.share for p in SHIPPING_PROVIDERS])
    via_tokopedia = rng.random(order_count) < 0.05
    # the remaining draws in this order (keyword arguments are evaluated left to right)
    orders_ = Orders(
        created_at=created_at,
        buyer=buyer,
        viral=viral,
        fate=fate,
        order_id=order_id,
        package_id=115_000_000_000_000_000 + rng.integers(0, 10**15, order_count),
        tracking_number=rng.integers(10**9, 10**10, order_count),
        shipping_provider=shipping_provider,
        delivery_option=rng.choice(3, order_count, p=[0.75, 0.2, 0.05]),
        creator=creator,
        return_reason=rng.integers(0, 4, order_count),
        via_tokopedia=via_tokopedia,
        invoice_number=rng.integers(10**9, 10**10, order_count),
        pre_order=(rng.random(order_count) < 0.02).astype(int),
        purchase_channel=(rng.random(order_count) < 0.08).astype(int),
        buyer_message=np.where(rng.random(order_count) < 0.1, rng.integers(0, len(BUYER_MESSAGES), order_count), -1),
        seller_note=np.where(rng.random(order_count) < 0.04, rng.integers(0, len(SELLER_NOTES), order_count), -1),
        checked=(rng.random(order_count) < 0.3).astype(int),
        first_line=first_line,
        line_count=line_count,
        order_of_line=order_of_line,
        line_number=line_number,
        sku=sku,
        quantity=quantity,
        returned_quantity=np.where(returned_first, quantity, 0),
        refund=np.where(returned_first, line_money["subtotal_after"], 0),
        sold_out_at=sold_out_at,
        **line_money,
        **order_money,
        **lifecycle,
    )
    return orders_, buyers
