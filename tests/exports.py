"""Hand-built export files for tests: small, explicit, written the way Seller Center writes them."""

from __future__ import annotations

import shutil
from pathlib import Path

import xlsxwriter

from ingestion.formats import ORDER_HEADERS_CURRENT, ORDER_TAB_SUFFIXED, VIDEOS


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


# Values of a big generated order export, as SQL over `i` (the 0-based line): 2 lines per order.
_BIG_VALUES = {
    "Order ID": "(576000000000000000 + i // 2)::varchar",
    "Order Status": "['Selesai', 'Dikirim', 'Perlu dikirim', 'Dibatalkan'][i % 4 + 1]",
    "Order Substatus": "['Selesai', 'Dalam pengiriman', 'Menunggu dikirim', 'Dibatalkan'][i % 4 + 1]",
    "SKU ID": "(1729000000000000000 + i % 2)::varchar",
    "Seller SKU": "'SKU-' || (i % 97)::varchar",
    "Product Name": "'Kopi Arabika Gayo ' || (i % 97)::varchar || 'g'",
    "Variation": "'Merah, L'",
    "Quantity": "(1 + i % 3)::varchar",
    "Sku Quantity of return": "'0'",
    "SKU Unit Original Price": "(10000 + i % 97 * 500)::varchar",
    "SKU Subtotal Before Discount": "((10000 + i % 97 * 500) * (1 + i % 3))::varchar",
    "SKU Platform Discount": "'0'",
    "SKU Seller Discount": "'0'",
    "SKU Subtotal After Discount": "((10000 + i % 97 * 500) * (1 + i % 3))::varchar",
    "Order Refund Amount": "'0'",
    "Order Amount": "((10000 + i % 97 * 500) * (1 + i % 3) + 9000)::varchar",
    "Created Time": "strftime(timestamp '2026-01-01' + to_seconds(i * 7), '%d/%m/%Y %H:%M:%S')",
    "Paid Time": "strftime(timestamp '2026-01-01' + to_seconds(i * 7 + 60), '%d/%m/%Y %H:%M:%S')",
    "Buyer Username": "'buyer_' || (i % 50000)::varchar",
    "Recipient": "'Budi Santoso'",
    "Phone #": "'(+62)812******32'",
    "Zipcode": "'40115'",
    "Country": "'Indonesia'",
    "Province": "'Jawa Barat'",
    "Regency and City": "'Kota Bandung'",
    "Detail Address": "'Jl. Braga No. ' || (i % 200)::varchar",
    "Payment Method": "'COD'",
    "Package ID": "(1150000000000000000 + i // 2)::varchar",
    "Tracking ID": "'JX' || (1000000000 + i // 2)::varchar",
}


def write_big_orders_csv(path: Path, rows: int, first: int = 0) -> Path:
    """A current-layout order CSV of `rows` lines written by DuckDB `COPY` (a million lines in seconds),
    with the Seller Center quirks: BOM, tab-suffixed IDs and times, a quoted `Variation` with a comma.
    Lines `first` .. `first + rows - 1` of an endless export: different `first`, different orders."""
    import duckdb

    exprs = []
    for h in ORDER_HEADERS_CURRENT:
        e = _BIG_VALUES.get(h, "''")
        exprs.append(f'{e} || chr(9) as "{h}"' if h in ORDER_TAB_SUFFIXED else f'{e} as "{h}"')
    path.parent.mkdir(parents=True, exist_ok=True)
    body = path.with_name(path.name + ".body")
    target = str(body).replace("'", "''")
    with duckdb.connect() as con:
        con.execute(
            f"copy (select {', '.join(exprs)} from range({first}, {first + rows}) as r(i)) to '{target}' "
            "(header false, delimiter ',')"
        )
    header = ",".join(f'"{h}"' if "#" in h else h for h in ORDER_HEADERS_CURRENT)
    with path.open("wb") as out, body.open("rb") as src:
        out.write(b"\xef\xbb\xbf" + header.encode() + b"\n")
        shutil.copyfileobj(src, out, 1 << 24)
    body.unlink()
    return path


def bomb_workbook(path: Path) -> Path:
    """A 5 KB workbook: a video export's header in row 1 and one cell at XFD1048576 (calamine aborts on it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    for i, header in enumerate(VIDEOS.headers("en")):
        sheet.write(0, i, header)
    sheet.write(1048575, 16383, "x")
    book.close()
    return path
