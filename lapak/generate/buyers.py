"""Buyers: usernames, recipients, masked phones and addresses, kept as codes into unique strings."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lapak.generate.columns import Strings
from lapak.generate.themes import (
    ADDRESS_EXTRAS,
    FIRST_NAMES,
    LAST_NAMES,
    PLACES,
    STREETS,
)


@dataclass
class Buyers:
    username: Strings
    recipient: Strings
    phone: Strings
    address: Strings
    extra: Strings
    place: np.ndarray


def make_buyers(rng: np.random.Generator, n: int) -> Buyers:
    first = rng.integers(len(FIRST_NAMES), size=n)
    last = rng.integers(len(LAST_NAMES), size=n)
    num = rng.integers(1, 999, size=n)
    style = rng.integers(4, size=n)
    weights = np.array([p.buyer_weight for p in PLACES])
    place = rng.choice(len(PLACES), size=n, p=weights / weights.sum())
    street = rng.integers(len(STREETS), size=n)
    house = rng.integers(1, 120, size=n)
    rt, rw = rng.integers(1, 15, size=n), rng.integers(1, 12, size=n)
    extra = rng.integers(-4, len(ADDRESS_EXTRAS), size=n)
    pre, tail = rng.choice([812, 813, 821, 822, 852, 857, 878, 896], size=n), rng.integers(0, 100, size=n)
    users, recips, phones, addrs = [], [], [], []
    for i in range(n):
        f, la = FIRST_NAMES[first[i]], LAST_NAMES[last[i]]
        s = style[i]
        if s == 0:
            u = f"user{7_000_000 + i * 37 + int(num[i]) % 37}"
        elif s == 1:
            u = f"{f.lower()}.{la.lower()}{num[i]}_{i:x}"
        elif s == 2:
            u = f"{f.lower()}_{la[:4].lower()}{i:x}"
        else:
            u = f"{f.lower()}{la.lower()}{i:x}"
        users.append(u)
        recips.append(f"{f} {la}")
        phones.append(f"(+62){pre[i]}******{tail[i]:02d}")
        addrs.append(f"{STREETS[street[i]]} No. {house[i]}, RT {rt[i]:02d}/RW {rw[i]:02d}")
    extras = [ADDRESS_EXTRAS[e] if e >= 0 else "" for e in extra]
    return Buyers(*(Strings(x) for x in (users, recips, phones, addrs, extras)), place)
