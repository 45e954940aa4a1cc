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

# money headers -> the export_rows column holding the amount
_MONEY = {
    "SKU Unit Original Price": "unit_price",
    "SKU Subtotal Before Discount": "subtotal_before",
    "SKU Platform Discount": "platform_discount",
    "SKU Seller Discount": "seller_discount",
    "SKU Subtotal After Discount": "subtotal_after",
    "Shipping Fee After Discount": "shipping_fee_after_discount",
    "Original Shipping Fee": "shipping_fee",
    "Shipping Fee Seller Discount": "shipping_seller_discount",
    "Shipping Fee Platform Discount": "shipping_platform_discount",
    "Distance Shipping Fee": "distance_fee",
    "Distance Fee": "zero_distance_fee",
    "Order Refund Amount": "refund",
    "Payment platform discount": "payment_discount",
    "Buyer Service Fee": "buyer_service_fee",
    "Handling Fee": "handling_fee",
    "Shipping Insurance": "shipping_insurance",
    "Item Insurance": "item_insurance",
    "Order Amount": "order_amount",
    "Taxes": "taxes",
}
_IDS = {"Order ID": "order_id", "SKU ID": "sku_id", "Package ID": "package_id"}


def _order_frame(plan: Plan, orders: Orders, buyers: Buyers, line: np.ndarray, at: int) -> pd.DataFrame:
    """One export's rows (line indices `line`, in file order) as of export time `at`, columns named snake(header)
    or as in _MONEY."""
    words = UI_WORDS[plan.lang]
    catalog = plan.catalog
    order = orders.order_of_line[line]
    rows = len(line)
    # what has happened by the export time
    paid, cancelled = orders.paid_at[order] <= at, orders.cancelled_at[order] <= at
    delivered, shipped = orders.delivered_at[order] <= at, orders.shipped_at[order] <= at
    ready, returned = orders.ready_to_ship_at[order] <= at, orders.returned_at[order] <= at
    status = np.select([cancelled, ~paid, delivered, shipped], [4, 0, 3, 2], 1)
    substatus = np.select([cancelled, ~paid, delivered, shipped, ready], [5, 0, 4, 3, 2], 1)
    cancel_or_return = np.select([cancelled, returned], [0, 1], -1)
    # one list of reasons: every canceller's cancel reasons, then the return reasons
    reasons = [r for by in words["cancel_reasons"] for r in by] + list(words["return_reasons"])
    cancel_reasons = sum(len(by) for by in words["cancel_reasons"])
    return_reason = cancel_reasons + orders.return_reason[order]
    reason = np.select([cancelled, returned], [orders.cancel_reason[order], return_reason], -1)
    cancelled_by = np.select([cancelled, returned], [orders.cancelled_by[order], 0], -1)
    returned_line = returned & (orders.returned_quantity[line] > 0)
    sku = orders.sku[line]
    buyer = orders.buyer[order]
    place = buyers.place[buyer]
    one_value = np.zeros(rows, int)
    columns = {
        "order_id": orders.order_id[order],
        "order_status": categorical(words["statuses"], status),
        "order_substatus": categorical(words["substatuses"], substatus),
        "cancelation_return_type": categorical(["Cancel", "Return/Refund"], cancel_or_return),
        "normal_or_pre_order": categorical(words["pre_order"], orders.pre_order[order]),
        "sku_id": catalog.sku_id[sku],
        "seller_sku": categorical(catalog.seller_sku, sku),
        "product_name": categorical(catalog.product_name, catalog.product_idx[sku]),
        "variation": categorical(catalog.variation, sku),
        "quantity": orders.quantity[line],
        "sku_quantity_of_return": np.where(returned_line, orders.returned_quantity[line], 0),
        "unit_price": catalog.price[sku],
        "subtotal_before": orders.subtotal_before[line],
        "platform_discount": orders.platform_discount[line],
        "seller_discount": orders.seller_discount[line],
        "subtotal_after": orders.subtotal_after[line],
        "shipping_fee_after_discount": orders.shipping_fee[order]
        - orders.shipping_seller_discount[order]
        - orders.shipping_platform_discount[order],
        "shipping_fee": orders.shipping_fee[order],
        "shipping_seller_discount": orders.shipping_seller_discount[order],
        "shipping_platform_discount": orders.shipping_platform_discount[order],
        "distance_fee": orders.distance_fee[order],
        "zero_distance_fee": np.zeros(rows, np.int64),
        "refund": np.where(returned_line, orders.refund[line], 0),
        "payment_discount": orders.payment_discount[order],
        "buyer_service_fee": orders.buyer_service_fee[order],
        "handling_fee": orders.handling_fee[order],
        "shipping_insurance": orders.shipping_insurance[order],
        "item_insurance": orders.item_insurance[order],
        "order_amount": orders.order_amount[order],
        "taxes": np.zeros(rows, np.int64),
        "created_time": times_as_of(orders.created_at[order], at),
        "paid_time": times_as_of(orders.paid_at[order], at),
        "rts_time": times_as_of(orders.ready_to_ship_at[order], at),
        "shipped_time": times_as_of(orders.shipped_at[order], at),
        "delivered_time": times_as_of(orders.delivered_at[order], at),
        "cancelled_time": times_as_of(orders.cancelled_at[order], at),
        "cancel_by": categorical(words["cancel_by"], cancelled_by),
        "cancel_reason": categorical(reasons, reason),
        "fulfillment_type": categorical([words["fulfillment"]], one_value),
        "warehouse_name": categorical([plan.theme.warehouse], one_value),
        "tracking_prefix": categorical(
            [p.tracking_prefix for p in SHIPPING_PROVIDERS], np.where(ready, orders.shipping_provider[order], -1)
        ),
        "tracking_number": orders.tracking_number[order],
        "delivery_option": categorical(words["delivery"], orders.delivery_option[order]),
        "shipping_provider_name": categorical([p.name for p in SHIPPING_PROVIDERS], orders.shipping_provider[order]),
        "buyer_message": categorical(BUYER_MESSAGES, orders.buyer_message[order]),
        "buyer_username": buyers.username.take(buyer),
        "recipient": buyers.recipient.take(buyer),
        "phone": buyers.phone.take(buyer),
        "zipcode": categorical([p.zipcode for p in PLACES], place),
        "country": categorical(["Indonesia"], one_value),
        "province": categorical([p.province for p in PLACES], place),
        "regency_and_city": categorical([p.city for p in PLACES], place),
        "districts": categorical([p.district for p in PLACES], place),
        "villages": categorical([p.village for p in PLACES], place),
        "detail_address": buyers.address.take(buyer),
        "additional_address_information": buyers.extra.take(buyer),
        "payment_method": categorical([p.name for p in PAYMENT_METHODS], orders.payment_method[order]),
        "weight_kg": np.round(catalog.weight[sku] * orders.quantity[line], 2),
        "product_category": categorical(catalog.category, catalog.product_idx[sku]),
        "package_id": np.where(paid, orders.package_id[order], -1),
        "purchase_channel": categorical(["Mobile", "PC"], orders.purchase_channel[order]),
        "seller_note": categorical(SELLER_NOTES, orders.seller_note[order]),
        "checked_status": categorical(words["checked"], orders.checked[order]),
        "checked_marked_by": categorical(["Admin Toko"], np.where(orders.checked[order] == 1, 0, -1)),
        "via_tokopedia": orders.via_tokopedia[order],
        "invoice_number": orders.invoice_number[order],
        "order_channel": categorical(["TikTok Shop", "Tokopedia"], orders.via_tokopedia[order].astype(int)),
        "creator_handle": categorical(plan.creators, orders.creator[order]),
    }
    return pd.DataFrame(columns)


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
            expr = "tracking_prefix || CAST(tracking_number AS VARCHAR)"
        elif h == "Tokopedia Invoice Number":
            expr = (
                "CASE WHEN via_tokopedia THEN 'INV/' || strftime(created_time, '%Y%m%d') || '/MPL/' || "
                "CAST(invoice_number AS VARCHAR) END"
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
    con: duckdb.DuckDBPyConnection, plan: Plan, orders: Orders, buyers: Buyers, folder: Path
) -> tuple[list[Path], int]:
    rng = plan.rng
    exports = [plan.last_export_at]
    while exports[-1] - EXPORT_COVERS_DAYS * DAY > plan.start_at:
        prev = exports[-1] - EXPORT_EVERY_DAYS * DAY
        exports.append(prev // DAY * DAY + int(rng.integers(8, 22)) * HOUR + int(rng.integers(0, 60)) * 60)
    files: list[Path] = []
    lines_written = 0
    prefix = "Semua pesanan" if plan.lang == "id" else "All order"
    for k, at in enumerate(exports):
        legacy = k == len(exports) - 1 and len(exports) >= 2  # the oldest export still has the old layout
        covered = (orders.created_at > at - EXPORT_COVERS_DAYS * DAY) & (orders.created_at <= at)
        newest_first = np.flatnonzero(covered)[::-1]
        # files of at most MAX_EXPORT_ROWS lines, never splitting an order
        lines_so_far = np.cumsum(orders.line_count[newest_first])
        files_orders, lo, done = [], 0, 0
        while lo < len(newest_first):
            hi = int(np.searchsorted(lines_so_far, done + MAX_EXPORT_ROWS, side="right"))
            files_orders.append(newest_first[lo:hi])
            done, lo = int(lines_so_far[hi - 1]), hi
        for c, file_orders in enumerate(files_orders):
            t = at - c * 60  # a big export is split into several files, a minute apart
            line_count = orders.line_count[file_orders]
            # every line of those orders, order by order
            line = np.repeat(orders.first_line[file_orders] - (np.cumsum(line_count) - line_count), line_count)
            line += np.arange(line_count.sum())
            xlsx = k == 1 and c == 0 and len(exports) >= 3
            con.register("export_rows", _order_frame(plan, orders, buyers, line, t))
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
            lines_written += len(line)
    return files, lines_written


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
