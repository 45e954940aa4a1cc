"""Order exports (`Semua pesanan-*.csv` / `All order-*`): CSV via DuckDB, one XLSX with a stale dimension."""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

import duckdb
import numpy as np
import pandas as pd

from ingestion.formats import (
    ORDER_DESCRIPTIONS,
    ORDER_HEADERS_CURRENT,
    ORDER_HEADERS_LEGACY,
    ORDER_TAB_SUFFIXED,
    snake,
)
from lapak.generate.buyers import Buyers
from lapak.generate.columns import categorical, times_as_of
from lapak.generate.files import touch, workbook
from lapak.generate.orders import Orders
from lapak.generate.plan import Plan
from lapak.generate.themes import (
    BUYER_MESSAGES,
    PAYMENT_METHODS,
    PLACES,
    SELLER_NOTES,
    SHIPPING_PROVIDERS,
    UI_WORDS,
)
from lapak.generate.units import (
    DAY,
    EXPORT_EVERY_DAYS,
    HOUR,
    to_datetime,
)

MAX_EXPORT_ROWS = 15_000  # Seller Center caps one order export at 15,000 rows
EXPORT_COVERS_DAYS = 45

_MONEY = {
    "SKU Unit Original Price": "unit",
    "SKU Subtotal Before Discount": "before",
    "SKU Platform Discount": "plat_disc",
    "SKU Seller Discount": "seller_disc",
    "SKU Subtotal After Discount": "after",
    "Shipping Fee After Discount": "ship_after",
    "Original Shipping Fee": "ship_orig",
    "Shipping Fee Seller Discount": "ship_seller",
    "Shipping Fee Platform Discount": "ship_platform",
    "Distance Shipping Fee": "distance_fee",
    "Distance Fee": "distance_fee2",
    "Order Refund Amount": "refund",
    "Payment platform discount": "pay_disc",
    "Buyer Service Fee": "buyer_fee",
    "Handling Fee": "handling_fee",
    "Shipping Insurance": "ship_ins",
    "Item Insurance": "item_ins",
    "Order Amount": "amount",
    "Taxes": "taxes",
}
_IDS = {"Order ID": "order_id", "SKU ID": "sku_id", "Package ID": "package_id"}


def _order_frame(plan: Plan, od: Orders, buyers: Buyers, li: np.ndarray, at: int) -> pd.DataFrame:
    """One export's rows (line indices `li`, in file order) as of export time `at`, columns named snake(header)."""
    lang = UI_WORDS[plan.lang]
    cat = plan.cat
    oi = od.line_order[li]
    paid_s, canc_s = od.paid[oi] <= at, od.cancelled[oi] <= at
    deliv_s, ship_s, rts_s = od.delivered[oi] <= at, od.shipped[oi] <= at, od.rts[oi] <= at
    ret_s = od.returned[oi] <= at
    status = np.select([canc_s, ~paid_s, deliv_s, ship_s], [4, 0, 3, 2], 1)
    sub = np.select([canc_s, ~paid_s, deliv_s, ship_s, rts_s], [5, 0, 4, 3, 2], 1)
    ret_type = np.select([canc_s, ret_s], [0, 1], -1)
    n_reasons = sum(len(r) for r in lang["cancel_reasons"])
    reason = np.select([canc_s, ret_s], [od.cancel_reason[oi], n_reasons + od.return_reason[oi]], -1)
    by = np.select([canc_s, ret_s], [od.cancel_by[oi], 0], -1)
    returned_line = ret_s & (od.ret_qty[li] > 0)
    sku = od.sku[li]
    b = od.buyer[oi]
    place = buyers.place[b]
    flat_reasons = [r for rs in lang["cancel_reasons"] for r in rs] + list(lang["return_reasons"])
    creator = od.creator[oi]
    f = {
        "order_id": od.order_id[oi],
        "order_status": categorical(lang["statuses"], status),
        "order_substatus": categorical(lang["substatuses"], sub),
        "cancelation_return_type": categorical(["Cancel", "Return/Refund"], ret_type),
        "normal_or_pre_order": categorical(lang["pre_order"], od.pre_order[oi]),
        "sku_id": cat.sku_id[sku],
        "seller_sku": categorical(cat.seller_sku, sku),
        "product_name": categorical(cat.product_name, cat.product_idx[sku]),
        "variation": categorical(cat.variation, sku),
        "quantity": od.qty[li],
        "sku_quantity_of_return": np.where(returned_line, od.ret_qty[li], 0),
        "unit": cat.price[sku],
        "before": od.before[li],
        "plat_disc": od.plat_disc[li],
        "seller_disc": od.seller_disc[li],
        "after": od.after[li],
        "ship_after": od.ship_orig[oi] - od.ship_seller[oi] - od.ship_platform[oi],
        "ship_orig": od.ship_orig[oi],
        "ship_seller": od.ship_seller[oi],
        "ship_platform": od.ship_platform[oi],
        "distance_fee": od.distance_fee[oi],
        "distance_fee2": np.zeros(len(li), np.int64),
        "refund": np.where(returned_line, od.refund[li], 0),
        "pay_disc": od.pay_disc[oi],
        "buyer_fee": od.buyer_fee[oi],
        "handling_fee": od.handling_fee[oi],
        "ship_ins": od.ship_ins[oi],
        "item_ins": od.item_ins[oi],
        "amount": od.amount[oi],
        "taxes": np.zeros(len(li), np.int64),
        "created_time": times_as_of(od.created[oi], at),
        "paid_time": times_as_of(od.paid[oi], at),
        "rts_time": times_as_of(od.rts[oi], at),
        "shipped_time": times_as_of(od.shipped[oi], at),
        "delivered_time": times_as_of(od.delivered[oi], at),
        "cancelled_time": times_as_of(od.cancelled[oi], at),
        "cancel_by": categorical(lang["cancel_by"], by),
        "cancel_reason": categorical(flat_reasons, reason),
        "fulfillment_type": categorical([lang["fulfillment"]], np.zeros(len(li), int)),
        "warehouse_name": categorical([plan.theme.warehouse], np.zeros(len(li), int)),
        "tracking_prefix": categorical(
            [p.tracking_prefix for p in SHIPPING_PROVIDERS], np.where(rts_s, od.provider[oi], -1)
        ),
        "tracking_num": od.tracking_num[oi],
        "delivery_option": categorical(lang["delivery"], od.delivery[oi]),
        "shipping_provider_name": categorical([p.name for p in SHIPPING_PROVIDERS], od.provider[oi]),
        "buyer_message": categorical(BUYER_MESSAGES, od.message[oi]),
        "buyer_username": buyers.username.take(b),
        "recipient": buyers.recipient.take(b),
        "phone": buyers.phone.take(b),
        "zipcode": categorical([p.zipcode for p in PLACES], place),
        "country": categorical(["Indonesia"], np.zeros(len(li), int)),
        "province": categorical([p.province for p in PLACES], place),
        "regency_and_city": categorical([p.city for p in PLACES], place),
        "districts": categorical([p.district for p in PLACES], place),
        "villages": categorical([p.village for p in PLACES], place),
        "detail_address": buyers.address.take(b),
        "additional_address_information": buyers.extra.take(b),
        "payment_method": categorical([p.name for p in PAYMENT_METHODS], od.payment[oi]),
        "weight_kg": np.round(cat.weight[sku] * od.qty[li], 2),
        "product_category": categorical(cat.category, cat.product_idx[sku]),
        "package_id": np.where(paid_s, od.package_id[oi], -1),
        "purchase_channel": categorical(["Mobile", "PC"], od.purchase_channel[oi]),
        "seller_note": categorical(SELLER_NOTES, od.note[oi]),
        "checked_status": categorical(lang["checked"], od.checked[oi]),
        "checked_marked_by": categorical(["Admin Toko"], np.where(od.checked[oi] == 1, 0, -1)),
        "tokopedia": od.tokopedia[oi],
        "inv_num": od.inv_num[oi],
        "order_channel": categorical(["TikTok Shop", "Tokopedia"], od.tokopedia[oi].astype(int)),
        "creator_handle": categorical(plan.creators, creator),
    }
    return pd.DataFrame(f)


def _order_exprs(headers: tuple[str, ...], legacy: bool, csv: bool) -> list[str]:
    """One SQL expression over `export_rows` per header, formatted as the export writes it."""
    exprs = []
    for h in headers:
        s = snake(h)
        if h in _MONEY:
            expr = f"'IDR ' || replace(format('{{:,}}', {_MONEY[h]}), ',', '.')" if legacy else _MONEY[h]
        elif h in _IDS:
            expr = f"CASE WHEN {_IDS[h]} >= 0 THEN CAST({_IDS[h]} AS VARCHAR) END"
        elif h.endswith(" Time"):
            expr = f"strftime({s}, '%d/%m/%Y %H:%M:%S')"
        elif h == "Tracking ID":
            expr = "tracking_prefix || CAST(tracking_num AS VARCHAR)"
        elif h == "Tokopedia Invoice Number":
            expr = (
                "CASE WHEN tokopedia THEN 'INV/' || strftime(created_time, '%Y%m%d') || '/MPL/' || "
                "CAST(inv_num AS VARCHAR) END"
            )
        elif h == "Weight(kg)":
            expr = "CAST(weight_kg AS VARCHAR)"
        else:
            expr = s
        if csv and h in ORDER_TAB_SUFFIXED:
            expr = f"coalesce({expr}, '') || chr(9)"
        exprs.append(expr)
    return exprs


def _csv_select(headers: tuple[str, ...], legacy: bool) -> str:
    cols = [
        f'{e} AS "{chr(0xFEFF) if i == 0 else ""}{h}"'  # the BOM rides on the first header
        for i, (h, e) in enumerate(zip(headers, _order_exprs(headers, legacy, csv=True), strict=True))
    ]
    return "SELECT " + ", ".join(cols) + " FROM export_rows"


def _xlsx_select(headers: tuple[str, ...], legacy: bool) -> str:
    exprs = _order_exprs(headers, legacy, csv=False)
    return "SELECT " + ", ".join(f"CAST(({e}) AS VARCHAR)" for e in exprs) + " FROM export_rows"


def _column_letter(j: int) -> str:
    return (chr(64 + j // 26) if j >= 26 else "") + chr(65 + j % 26)


def _sheet_rows_xml(rows: list[tuple], first_row: int) -> str:
    """SheetML `<row>` elements with inline strings; empty cells are left out, as Seller Center does."""
    letters = [_column_letter(j) for j in range(len(rows[0]) if rows else 0)]
    parts = []
    for r, row in enumerate(rows, first_row):
        parts.append(f'<row r="{r}">')
        parts.extend(
            f'<c r="{col}{r}" t="inlineStr"><is><t>{xml_escape(v)}</t></is></c>'
            for col, v in zip(letters, row, strict=True)
            if v
        )
        parts.append("</row>")
    return "".join(parts)


def write_orders(
    con: duckdb.DuckDBPyConnection, plan: Plan, od: Orders, buyers: Buyers, folder: Path
) -> tuple[list[Path], int]:
    rng = plan.rng
    exports = [plan.e0]
    while exports[-1] - EXPORT_COVERS_DAYS * DAY > plan.start_s:
        prev = exports[-1] - EXPORT_EVERY_DAYS * DAY
        exports.append(prev // DAY * DAY + int(rng.integers(8, 22)) * HOUR + int(rng.integers(0, 60)) * 60)
    files: list[Path] = []
    lines = 0
    prefix = "Semua pesanan" if plan.lang == "id" else "All order"
    for k, at in enumerate(exports):
        legacy = k == len(exports) - 1 and len(exports) >= 2
        sel = np.flatnonzero((od.created > at - EXPORT_COVERS_DAYS * DAY) & (od.created <= at))[::-1]  # newest first
        cum = np.cumsum(od.n_lines[sel])
        chunks, lo, done = [], 0, 0
        while lo < len(sel):
            hi = int(np.searchsorted(cum, done + MAX_EXPORT_ROWS, side="right"))
            chunks.append(sel[lo:hi])
            done, lo = int(cum[hi - 1]), hi
        for c, osel in enumerate(chunks):
            t = at - c * 60  # a big export is split into several files, a minute apart
            n_lines = od.n_lines[osel]
            li = np.repeat(od.first_line[osel] - (np.cumsum(n_lines) - n_lines), n_lines) + np.arange(n_lines.sum())
            xlsx = k == 1 and c == 0 and len(exports) >= 3
            con.register("export_rows", _order_frame(plan, od, buyers, li, t))
            headers = ORDER_HEADERS_LEGACY if legacy else ORDER_HEADERS_CURRENT
            stamp = to_datetime(t).strftime("%Y-%m-%d-%H_%M")
            if xlsx:
                path = folder / f"{prefix}-{stamp}.xlsx"
                rows = con.execute(_xlsx_select(headers, legacy)).fetchall()
                _orders_xlsx(path, headers, _sheet_rows_xml(rows, first_row=3), t)
            else:
                path = folder / f"{prefix}-{stamp}.csv"
                target = str(path).replace("'", "''")
                con.execute(f"COPY ({_csv_select(headers, legacy)}) TO '{target}' (HEADER, DELIMITER ',')")
            con.unregister("export_rows")
            touch(path, t)
            files.append(path)
            lines += len(li)
    return files, lines


def _orders_xlsx(path: Path, headers: tuple[str, ...], rows_xml: str, at: int) -> None:
    """Sheet `OrderSKUList`: header, description row, data from row 3; the sheet dimension left stale (`A1:A1`),
    as in some real exports (it breaks openpyxl's read-only mode)."""
    wb = workbook(path, at, big=True)
    ws = wb.add_worksheet("OrderSKUList")
    ws.write_row(0, 0, headers)
    ws.write_row(1, 0, [ORDER_DESCRIPTIONS.get(h, f"{h} of the order line.") for h in headers])
    wb.close()
    with zipfile.ZipFile(path) as z:
        items = [(info, z.read(info.filename)) for info in z.infolist()]
    with zipfile.ZipFile(path, "w") as z:
        for info, data in items:
            if info.filename == "xl/worksheets/sheet1.xml":
                head, sep, tail = data.partition(b"<dimension ref=")
                data = head + sep + b'"A1:A1"' + tail[tail.index(b"/>") :]
                data = data.replace(b"</sheetData>", rows_xml.encode() + b"</sheetData>", 1)
            z.writestr(info, data)
