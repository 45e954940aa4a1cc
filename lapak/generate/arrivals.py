"""When orders arrive and who places them: an hourly rate over the period, first orders and repeat orders of
every buyer, and the new buyers the viral video brings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import numpy as np

from lapak.generate.plan import Plan
from lapak.generate.themes import CAMPAIGN_KINDS, DAY_OF_WEEK, HOUR_OF_DAY, HOUR_OF_DAY_P
from lapak.generate.units import DAY, HOUR, to_seconds

LIVE_AFTER_LIFT = 2.0  # order rate in the 24 h after the story LIVE
REGULAR_LIVE_LIFT = 1.3  # order rate during the shop's own weekly LIVEs
REPEATS_P = [0.58, 0.24, 0.1, 0.05, 0.03]  # P(a buyer orders again 0, 1, 2, 3, 4 times)
VIRAL_REPEATS_P = [0.75, 0.17, 0.08]  # buyers the viral video brings come back less


@dataclass
class Arrivals:
    created_at: np.ndarray  # per order, ascending
    buyer: np.ndarray  # per order: index of the buyer
    viral: np.ndarray  # per order: a viral video buyer's first order, for the viral SKU
    buyer_count: int


def repeat_orders(
    rng: np.random.Generator, first_orders: np.ndarray, until: int, repeats_p: list[float]
) -> tuple[np.ndarray, np.ndarray]:
    """Later orders of each first-time buyer: how many ~ repeats_p, gaps 4 days + Exp(16 days).

    Returns (buyer, time) of the repeat orders placed before `until`.
    """
    repeats = rng.choice(len(repeats_p), size=len(first_orders), p=repeats_p)
    buyer = np.repeat(np.arange(len(first_orders)), repeats)
    gaps = (4 + rng.exponential(16, len(buyer))) * DAY
    # one running sum over all buyers' gaps; each buyer's own sum restarts at its first repeat
    running = np.cumsum(gaps)
    first_repeat = (np.cumsum(repeats) - repeats)[repeats > 0]
    before_buyer = np.repeat(running[first_repeat] - gaps[first_repeat], repeats[repeats > 0])
    day_start = (first_orders[buyer] + (running - before_buyer)).astype(np.int64) // DAY * DAY
    at = day_start + rng.choice(24, len(buyer), p=HOUR_OF_DAY_P) * HOUR + rng.integers(0, HOUR, len(buyer))
    placed = at < until
    return buyer[placed], at[placed]


def hourly_intensity(plan: Plan, days: int) -> tuple[np.ndarray, np.ndarray]:
    """Start and relative order rate of every hour: hour of day, weekday, paydays, a trend, campaigns, LIVEs."""
    rng = plan.rng
    hours = np.arange(days * 24)
    day = hours // 24
    dates = [plan.start_day + timedelta(int(d)) for d in range(days)]
    weekday = np.array([d.weekday() for d in dates])
    payday = np.array([1.15 if d.day >= 25 or d.day == 1 else 1.0 for d in dates])
    daily = rng.lognormal(0, 0.12, days) * np.linspace(0.85, 1.15, days) * payday * DAY_OF_WEEK[weekday]
    rate = HOUR_OF_DAY[hours % 24] * daily[day]
    hour_start = plan.start_at + hours * HOUR
    for campaign in plan.campaigns:
        during = (hour_start + HOUR > campaign.start) & (hour_start <= campaign.end)
        rate[during] *= CAMPAIGN_KINDS[campaign.kind].order_multiplier
        if campaign.kind == "LIVE":
            rate[(hour_start > campaign.end) & (hour_start <= campaign.end + DAY)] *= LIVE_AFTER_LIFT
    for start, end in plan.regular_lives:
        rate[(hour_start + HOUR > start) & (hour_start <= end)] *= REGULAR_LIVE_LIFT
    return hour_start, rate


def _viral_first_orders(plan: Plan, orders_per_day: int) -> np.ndarray:
    """First orders of the viral video's new buyers, from the hour it takes off, fewer each day of the spike."""
    rng = plan.rng
    viral_day = to_seconds(plan.viral_date)
    takes_off = viral_day + int(rng.integers(11, 15)) * HOUR
    times = []
    for i in range(plan.viral_days):
        count = round(orders_per_day * rng.uniform(1.6, 2.4) * 0.75**i)
        if i == 0:
            hour_p = HOUR_OF_DAY_P * (np.arange(24) >= (takes_off - viral_day) // HOUR)
            hour_p = hour_p / hour_p.sum()
        else:
            hour_p = HOUR_OF_DAY_P
        day_start = to_seconds(plan.viral_date + timedelta(i))
        times.append(day_start + rng.choice(24, count, p=hour_p) * HOUR + rng.integers(0, HOUR, count))
    return np.concatenate(times)


def order_arrivals(plan: Plan, days: int, orders_per_day: int) -> Arrivals:
    rng, last_order_at = plan.rng, plan.last_export_at
    target = orders_per_day * days
    hour_start, rate = hourly_intensity(plan, days)
    per_hour = rng.poisson(rate * (target / rate.sum()))
    first_orders = np.repeat(hour_start, per_hour) + rng.integers(0, HOUR, per_hour.sum())
    first_orders = first_orders[first_orders < last_order_at]
    repeat_buyer, repeat_at = repeat_orders(rng, first_orders, last_order_at, REPEATS_P)
    # thin the buyers (with their repeat orders) to hit the target
    kept = rng.random(len(first_orders)) < min(1.0, target / (len(first_orders) + len(repeat_buyer)))
    kept_id = np.cumsum(kept) - 1
    kept_repeat = kept[repeat_buyer]
    regular_buyer = np.concatenate([kept_id[kept], kept_id[repeat_buyer[kept_repeat]]])
    regular_at = np.concatenate([first_orders[kept], repeat_at[kept_repeat]])
    regular_buyers = int(kept.sum())

    # the viral video's buyers are new: numbered after the regular ones
    viral_first = _viral_first_orders(plan, orders_per_day)
    viral_first = viral_first[viral_first < last_order_at]
    viral_repeat_buyer, viral_repeat_at = repeat_orders(rng, viral_first, last_order_at, VIRAL_REPEATS_P)
    buyer = np.concatenate(
        [regular_buyer, regular_buyers + np.arange(len(viral_first)), regular_buyers + viral_repeat_buyer]
    )
    created_at = np.concatenate([regular_at, viral_first, viral_repeat_at])
    viral = np.concatenate(
        [np.zeros(len(regular_at), bool), np.ones(len(viral_first), bool), np.zeros(len(viral_repeat_at), bool)]
    )
    by_time = np.argsort(created_at, kind="stable")
    return Arrivals(created_at[by_time], buyer[by_time], viral[by_time], regular_buyers + len(viral_first))
