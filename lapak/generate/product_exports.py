"""`product_list_*.xlsx`: the catalogue with stock, one snapshot per export month."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ingestion.formats import (
    PRODUCTS,
)
from lapak.generate.files import touch, workbook
from lapak.generate.orders import Orders
from lapak.generate.plan import Plan
from lapak.generate.themes import (
    PRODUCT_LISTING,
    UI_WORDS,
)
from lapak.generate.units import (
    DAY,
    EXPORT_EVERY_DAYS,
    HOUR,
    file_stamp,
    round_price,
    to_datetime,
)


def write_products(plan: Plan, od: Orders, folder: Path) -> list[Path]:
    rng, cat, lang = plan.rng, plan.cat, plan.lang
    snaps = [plan.e0 + int(rng.integers(2, 10)) * 60]
    while (snaps[-1] - EXPORT_EVERY_DAYS * DAY) // DAY * DAY >= plan.start_s:
        snaps.append((snaps[-1] - EXPORT_EVERY_DAYS * DAY) // DAY * DAY + int(rng.integers(9, 18)) * HOUR + 7 * 60)
    valid = od.valid_line
    lt = od.created[od.line_order]
    words = UI_WORDS[lang]
    # columns after the known ones; two repeat earlier names (first occurrence is the real one)
    headers = PRODUCTS.headers(lang) + list(words["product_extra_columns"])
    files = []
    for j, at in enumerate(snaps):
        period = valid & (lt > at - EXPORT_EVERY_DAYS * DAY) & (lt <= at)
        sold = np.bincount(od.sku[period], weights=od.qty[period], minlength=cat.n)
        share, extra = rng.uniform(0.15, 1.2, cat.n), rng.integers(5, 40, cat.n)
        stock = (sold * share + extra).astype(np.int64)
        if j > 0:
            # the seller restocks when counting stock (at a snapshot): until the next snapshot, stock only goes
            # down by what sells, so snapshot minus units sold since reconstructs the stock on any day
            upto = valid & (lt > at) & (lt <= snaps[j - 1])
            sold_next = np.bincount(od.sku[upto], weights=od.qty[upto], minlength=cat.n)
            stock = (sold_next + sold * share * 0.25 + extra // 3).astype(np.int64)
        if at >= od.sold_out:
            stock[plan.viral_sku] = 0  # sold out by the viral video, not restocked yet
        elif j > 0 and od.sold_out <= snaps[j - 1]:
            # exactly what sells until the viral spike empties the shelf
            gone = valid & (lt > at) & (lt <= od.sold_out) & (od.sku == plan.viral_sku)
            stock[plan.viral_sku] = int(od.qty[gone].sum())
        rows = []
        for s in range(cat.n):
            p = int(cat.product_idx[s])
            name = cat.product_name[p]
            vals = [
                str(cat.product_id[p]),
                cat.category[p],
                plan.theme.brand,
                name,
                words["active"],
                str(cat.sku_id[s]),
                cat.variation[s],
                cat.seller_sku[s],
                int(cat.price[s]),
                int(stock[s]),
                plan.theme.warehouse,
                float(cat.weight[s]),
                PRODUCT_LISTING["description"].format(
                    name=name, brand=plan.theme.brand, warehouse=plan.theme.warehouse
                ),
                words["approved"],
                int(round_price(np.array([cat.price[s] * 0.85]))[0]),
                PRODUCT_LISTING["title"].format(name=name, variation=cat.variation[s]),
                to_datetime(at - int(rng.integers(1, 20)) * DAY).strftime("%Y-%m-%d %H:%M:%S"),
            ]
            rows.append(vals)
        path = folder / f"product_list_{file_stamp(at)}.xlsx"
        wb = workbook(path, at)
        ws = wb.add_worksheet("Template")
        ws.write_row(0, 0, headers)
        ws.write_row(1, 0, [words["product_column_description"].format(h=h) for h in headers])
        for r, row in enumerate(rows, start=2):
            ws.write_row(r, 0, row)
        wb.close()
        touch(path, at)
        files.append(path)
    return files
