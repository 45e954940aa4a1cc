"""Hand-built export files for tests: small, explicit, written the way Seller Center writes them."""

from __future__ import annotations

from pathlib import Path

import xlsxwriter

from ingestion.formats import ORDER_HEADERS_CURRENT, ORDER_TAB_SUFFIXED


def order_row(**values: str) -> dict[str, str]:
    """An order line with sensible defaults; keys are the export's header names."""
    row = {h: "" for h in ORDER_HEADERS_CURRENT}
    row.update(
        {
            "Order ID": "576000000000000001",
            "Order Status": "Selesai",
            "SKU ID": "1729000000000000001",
            "Seller SKU": "KOPI-250",
            "Product Name": "Kopi Arabika Gayo 250g",
            "Variation": "Biji",
            "Quantity": "1",
            "Sku Quantity of return": "0",
            "SKU Unit Original Price": "100000",
            "SKU Subtotal Before Discount": "100000",
            "SKU Platform Discount": "0",
            "SKU Seller Discount": "0",
            "SKU Subtotal After Discount": "100000",
            "Order Refund Amount": "0",
            "Order Amount": "100000",
            "Created Time": "03/11/2026 10:00:00",
            "Paid Time": "03/11/2026 10:01:00",
            "Buyer Username": "budi_santoso",
            "Recipient": "Budi Santoso",
            "Phone #": "(+62)812******32",
            "Zipcode": "40115",
            "Detail Address": "Jl. Braga No. 12",
            "Additional address information": "Rumah pagar hijau",
            "Buyer Message": "Tolong dibungkus rapi",
            "Country": "Indonesia",
            "Province": "Jawa Barat",
            "Regency and City": "Kota Bandung",
            "Payment Method": "COD",
        }
    )
    row.update(values)
    return row


def write_orders_csv(
    path: Path, rows: list[dict[str, str]], headers=ORDER_HEADERS_CURRENT, encoding="utf-8-sig"
) -> Path:
    """CSV as Seller Center writes it: BOM, IDs and times suffixed with a tab, lone tab for empty times."""

    def cell(h: str, v: str) -> str:
        if h in ORDER_TAB_SUFFIXED:
            v = v + "\t"
        if any(ch in v for ch in ',"\n'):
            v = '"' + v.replace('"', '""') + '"'
        return v

    lines = [",".join(headers)]
    lines += [",".join(cell(h, r.get(h, "")) for h in headers) for r in rows]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list[object]], sheet: str = "Sheet1") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet(sheet)
    for i, row in enumerate(rows):
        ws.write_row(i, 0, row)
    wb.close()
    return path
