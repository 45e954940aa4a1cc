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


def write_products(plan: Plan, orders: Orders, folder: Path) -> list[Path]:
    rng, catalog, lang = plan.rng, plan.catalog, plan.lang
    snaps = [plan.last_export_at + int(rng.integers(2, 10)) * 60]
    while (snaps[-1] - EXPORT_EVERY_DAYS * DAY) // DAY * DAY >= plan.start_at:
        snaps.append((snaps[-1] - EXPORT_EVERY_DAYS * DAY) // DAY * DAY + int(rng.integers(9, 18)) * HOUR + 7 * 60)
    sale = orders.line_is_sale
    line_at = orders.created_at[orders.order_of_line]
    words = UI_WORDS[lang]
    # columns after the known ones; two repeat earlier names (first occurrence is the real one)
    headers = PRODUCTS.headers(lang) + list(words["product_extra_columns"])
    files = []
    for j, at in enumerate(snaps):
        period = sale & (line_at > at - EXPORT_EVERY_DAYS * DAY) & (line_at <= at)
        sold = np.bincount(orders.sku[period], weights=orders.quantity[period], minlength=catalog.sku_count)
        share, extra = rng.uniform(0.15, 1.2, catalog.sku_count), rng.integers(5, 40, catalog.sku_count)
        stock = (sold * share + extra).astype(np.int64)
        if j > 0:
            # the seller restocks when counting stock (at a snapshot): until the next snapshot, stock only goes
            # down by what sells, so snapshot minus units sold since reconstructs the stock on any day
            upto = sale & (line_at > at) & (line_at <= snaps[j - 1])
            sold_next = np.bincount(orders.sku[upto], weights=orders.quantity[upto], minlength=catalog.sku_count)
            stock = (sold_next + sold * share * 0.25 + extra // 3).astype(np.int64)
        if at >= orders.sold_out_at:
            stock[plan.viral_sku] = 0  # sold out by the viral video, not restocked yet
        elif j > 0 and orders.sold_out_at <= snaps[j - 1]:
            # exactly what sells until the viral spike empties the shelf
            gone = sale & (line_at > at) & (line_at <= orders.sold_out_at) & (orders.sku == plan.viral_sku)
            stock[plan.viral_sku] = int(orders.quantity[gone].sum())
        rows = []
        for s in range(catalog.sku_count):
            p = int(catalog.product_idx[s])
            name = catalog.product_name[p]
            vals = [
                str(catalog.product_id[p]),
                catalog.category[p],
                plan.theme.brand,
                name,
                words["active"],
                str(catalog.sku_id[s]),
                catalog.variation[s],
                catalog.seller_sku[s],
                int(catalog.price[s]),
                int(stock[s]),
                plan.theme.warehouse,
                float(catalog.weight[s]),
                PRODUCT_LISTING["description"].format(
                    name=name, brand=plan.theme.brand, warehouse=plan.theme.warehouse
                ),
                words["approved"],
                int(round_price(np.array([catalog.price[s] * 0.85]))[0]),
                PRODUCT_LISTING["title"].format(name=name, variation=catalog.variation[s]),
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
