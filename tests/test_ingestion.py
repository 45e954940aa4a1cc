"""Ingestion: formats recognised from headers, quirks handled, nothing lost, re-runs change nothing."""

from __future__ import annotations

import hashlib
import hmac
import os
import shutil

import duckdb
import pytest

from ingestion.detect import RejectedFile, detect, export_time_from_name
from ingestion.formats import ORDER_HEADERS_LEGACY, VIDEOS
from ingestion.load import ingest
from tests.exports import order_row, write_orders_csv, write_xlsx


@pytest.fixture
def dirs(tmp_path, monkeypatch):
    monkeypatch.setenv("LAPAK_PII_KEY", "test-key-0123456789abcdef0123456789abcdef")
    landing = tmp_path / "landing"
    (landing / "toko-a").mkdir(parents=True)
    return landing, tmp_path / "home"


def run(dirs, load_id="load-1"):
    landing, home = dirs
    return ingest(home / "warehouse.duckdb", landing, home, load_id=load_id)


def query(dirs, sql):
    with duckdb.connect(str(dirs[1] / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_order_csv_with_bom_tabs_and_pii(dirs):
    landing, _ = dirs
    path = landing / "toko-a" / "Semua pesanan-2026-11-05-10_00.csv"
    write_orders_csv(path, [order_row()])
    # a whole second: the file's time is stored (`_file_modified_at`), and its microseconds once read "...812..."
    os.utime(path, (1_762_300_000, 1_762_300_000))
    report = run(dirs)
    (f,) = report.files
    assert (f.status, f.kind, f.layout, f.rows_loaded) == ("loaded", "orders", "orders/current-65", 1)
    ((order_id, sku, created, key, export_at, row),) = query(
        dirs, "select order_id, sku_id, created_time, customer_key, _export_at, _source_row from raw.orders"
    )
    assert (order_id, sku, created, row) == ("576000000000000001", "1729000000000000001", "03/11/2026 10:00:00", 2)
    assert (
        key == hmac.new(b"test-key-0123456789abcdef0123456789abcdef", b"budi_santoso", hashlib.sha256).hexdigest()[:32]
    )
    assert str(export_at) == "2026-11-05 10:00:00"
    columns = {
        r[0] for r in query(dirs, "select column_name from information_schema.columns where table_name='orders'")
    }
    for pii in ("recipient", "phone", "zipcode", "detail_address", "buyer_message", "buyer_username"):
        assert pii not in columns
    stored = " ".join(str(v) for r in query(dirs, "select * from raw.orders") for v in r)
    assert "Braga" not in stored and "budi_santoso" not in stored and "812" not in stored
    assert set(f.ignored_columns) == {
        "Recipient", "Phone #", "Zipcode", "Detail Address", "Additional address information", "Buyer Message",
    }  # fmt: skip


@pytest.mark.parametrize("arrow_bytes", [64 << 20, 0], ids=["arrow", "temp-table"])
def test_empty_and_dash_cells_are_null_whether_or_not_their_column_needed_trimming(dirs, monkeypatch, arrow_bytes):
    """'', '--' and their quoted forms are NULL in a column with nothing to trim (read as they are) and in one
    where other values had spaces to trim, read into Arrow or into a temp table."""
    from ingestion import csv_reader

    monkeypatch.setattr(csv_reader, "ARROW_FILE_BYTES", arrow_bytes)
    landing, _ = dirs
    rows = [
        order_row(**{"SKU ID": f"17290000000000000{i}", "Variation": v, "Product Category": c})
        for i, (v, c) in enumerate(
            [("QDASH", " -- "), ("QEMPTY", "Kopi "), ("--", "--"), ("", ""), ("Biji", " Kopi")], start=10
        )
    ]
    path = write_orders_csv(landing / "toko-a" / "Semua pesanan-2026-11-05-10_00.csv", rows)
    path.write_bytes(path.read_bytes().replace(b"QDASH", b'"--"').replace(b"QEMPTY", b'""'))
    run(dirs)
    got = query(dirs, "select variation, product_category from raw.orders order by sku_id")
    assert got == [(None, None), (None, "Kopi"), (None, None), (None, None), ("Biji", "Kopi")]


def test_rerun_and_renamed_copy_change_nothing(dirs):
    landing, _ = dirs
    src = write_orders_csv(landing / "toko-a" / "Semua pesanan-2026-11-05-10_00.csv", [order_row()])
    run(dirs)
    before = query(dirs, "select * from raw.orders")
    shutil.copy(src, landing / "toko-a" / "copy of export.csv")
    report = run(dirs, load_id="load-2")
    statuses = sorted(f.status for f in report.files)
    assert statuses == ["duplicate", "unchanged"]
    assert query(dirs, "select * from raw.orders") == before
    report = run(dirs, load_id="load-3")
    assert sorted(f.status for f in report.files) == ["unchanged", "unchanged"]
    assert query(dirs, "select count(*) from raw._manifest")[0][0] == 2


def test_files_seen_before_are_not_read_again_unless_changed(dirs, monkeypatch):
    """A daily run over a year of exports reads only the new ones: path, size and modification time match."""
    from ingestion import loader

    landing, _ = dirs
    a = write_orders_csv(landing / "toko-a" / "Semua pesanan-2026-11-05-10_00.csv", [order_row()])
    write_orders_csv(
        landing / "toko-a" / "Semua pesanan-2026-11-06-10_00.csv",
        [order_row(**{"Order ID": "576000000000000002"})],
    )
    run(dirs)
    read: list[str] = []
    real_scan = loader.scan_file

    def scan(path, text=True):
        read.append(path.name)
        return real_scan(path, text)

    monkeypatch.setattr(loader, "scan_file", scan)  # the loader scans each file, with workers or without
    before = query(dirs, "select * from raw.orders order by all")

    assert [f.status for f in run(dirs, load_id="load-2").files] == ["unchanged", "unchanged"]
    assert read == []

    a.touch()  # a new modification time: read and hashed once, the same bytes, nothing loaded
    assert [f.status for f in run(dirs, load_id="load-3").files] == ["unchanged", "unchanged"]
    assert read == [a.name]
    assert [f.status for f in run(dirs, load_id="load-4").files] == ["unchanged", "unchanged"]
    assert read == [a.name]

    a.write_bytes(a.read_bytes().replace(b"576000000000000001", b"576000000000000003"))  # new content, same size
    (f, _) = run(dirs, load_id="load-5").files
    assert (f.status, f.rows_loaded) == ("loaded", 1)
    assert read == [a.name, a.name]
    assert query(dirs, "select count(*) from raw.orders")[0][0] == len(before) + 1
    assert query(dirs, "select count(*) from raw._manifest")[0][0] == 3


def test_bad_rows_are_quarantined_with_file_row_column(dirs):
    landing, _ = dirs
    rows = [
        order_row(),
        order_row(**{"Order ID": "576000000000000002", "Quantity": "dua"}),
        order_row(**{"Order ID": "576000000000000003", "Created Time": "31/02/2026 99:00:00"}),
    ]
    write_orders_csv(landing / "toko-a" / "Semua pesanan-2026-11-05-10_00.csv", rows)
    (f,) = run(dirs).files
    assert (f.rows_read, f.rows_loaded, f.rows_quarantined) == (3, 1, 2)
    got = query(dirs, "select source_row, column_name, raw_value, reason from raw._quarantine order by source_row")
    assert got[0] == (3, "Quantity", "dua", "not a valid whole number")
    assert got[1][:3] == (4, "Created Time", "31/02/2026 99:00:00")


def test_wrong_column_count_is_quarantined_and_rows_keep_their_line(dirs):
    landing, _ = dirs
    path = write_orders_csv(
        landing / "toko-a" / "All order-2026-11-05-10_00.csv",
        [order_row(), order_row(**{"Order ID": "576000000000000009"})],
    )
    text = path.read_text(encoding="utf-8-sig").splitlines()
    text.insert(2, "576000000000000005\t,Selesai,oops")  # a short line between two good ones
    path.write_text("\n".join(text) + "\n", encoding="utf-8-sig")
    (f,) = run(dirs).files
    assert (f.rows_read, f.rows_loaded, f.rows_quarantined) == (3, 2, 1)
    assert query(dirs, "select order_id, _source_row from raw.orders order by 2") == [
        ("576000000000000001", 2), ("576000000000000009", 4),
    ]  # fmt: skip
    ((row, reason),) = query(dirs, "select source_row, reason from raw._quarantine")
    assert row == 3 and "missing columns" in reason


def test_truncated_file_is_rejected_whole(dirs):
    landing, _ = dirs
    path = write_orders_csv(
        landing / "toko-a" / "Semua pesanan-2026-11-05-10_00.csv",
        [order_row(), order_row(**{"Order ID": "576000000000000002"})],
    )
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 200])
    (f,) = run(dirs).files
    assert f.status == "rejected" and "truncated" in f.reason
    assert query(dirs, "select count(*) from raw.orders") == [(0,)]


def test_truncated_inside_a_quoted_value_is_rejected_whole_and_stays_rejected(dirs):
    landing, _ = dirs
    rows = [order_row(**{"Order ID": f"57600000000000000{i}", "Variation": "Merah, L"}) for i in range(1, 5)]
    path = write_orders_csv(landing / "toko-a" / "Semua pesanan-2026-11-05-10_00.csv", rows)
    data = path.read_bytes()
    path.write_bytes(data[: data.index(b'"Merah', data.index(b"576000000000000003")) + 4] + b"\n")
    for load_id in ("load-1", "load-2"):  # a rejected file is retried, and rejected again the same way
        (f,) = run(dirs, load_id=load_id).files
        assert f.status == "rejected"
        assert f.line == (
            "rejected toko-a/Semua pesanan-2026-11-05-10_00.csv: truncated mid-row: the record on line 4 opens a "
            "quoted value that is never closed (it runs to the end of the file, line 4)"
        )
    assert query(dirs, "select count(*) from raw.orders") == [(0,)]
    assert query(dirs, "select count(*) from raw._quarantine") == [(0,)]
    assert query(dirs, "select count(*), any_value(status) from raw._manifest") == [(1, "rejected")]


def test_a_stray_quote_mid_file_is_quarantined_row_wise_not_the_file(dirs):
    """Only a quote still open at the end of the file rejects it; one closed further down is a bad row."""
    landing, _ = dirs
    rows = [order_row(**{"Order ID": f"57600000000000000{i}", "Variation": "Merah, L"}) for i in range(1, 5)]
    path = write_orders_csv(landing / "toko-a" / "Semua pesanan-2026-11-05-10_00.csv", rows)
    path.write_bytes(path.read_bytes().replace(b'Merah, L"', b"Merah, L", 1))  # line 2 loses a closing quote
    (f,) = run(dirs).files
    assert f.status == "loaded" and f.rows_read == f.rows_loaded + f.rows_quarantined
    assert f.rows_quarantined >= 1
    assert query(dirs, "select min(source_row) from raw._quarantine") == [(2,)]


def test_semicolon_csv_from_excel_is_read(dirs):
    """Excel in an Indonesian locale saves `;`-separated Windows-1252 with CRLF; values with a comma unquoted."""
    landing, _ = dirs
    rows = [order_row(**{"Variation": "Merah, L", "Product Name": "Café Crème"})]
    rows.append(order_row(**{"Order ID": "576000000000000002", "Order Amount": "12.500,50"}))
    headers = list(ORDER_HEADERS_LEGACY)
    lines = [";".join(headers)] + [";".join(r.get(h, "") for h in headers) for r in rows]
    path = landing / "toko-a" / "Semua pesanan-2026-11-05-10_00.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    layout = detect(path)
    assert (layout.kind.name, layout.delimiter, layout.encoding, layout.layout) == (
        "orders", ";", "cp1252", "orders/legacy-54",
    )  # fmt: skip
    (f,) = run(dirs).files
    assert (f.status, f.rows_read, f.rows_loaded, f.rows_quarantined) == ("loaded", 2, 1, 1)
    assert query(dirs, "select order_id, variation, product_name, quantity from raw.orders") == [
        ("576000000000000001", "Merah, L", "Café Crème", "1")
    ]
    assert query(dirs, "select source_row, column_name, raw_value, reason from raw._quarantine") == [
        (3, "Order Amount", "12.500,50", "not a valid rupiah amount")
    ]
    before = query(dirs, "select * from raw.orders")
    assert [x.status for x in run(dirs, load_id="load-2").files] == ["unchanged"]
    assert query(dirs, "select * from raw.orders") == before


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.csv", b"", "empty"),
        ("notes.txt", b"just some notes\nnothing else\n", "not a Seller Center export"),
        ("photo.png", b"\x89PNG....", "unsupported file type"),
    ],
)
def test_files_that_are_not_exports_are_rejected(dirs, name, content, reason):
    landing, _ = dirs
    (landing / "toko-a" / name).write_bytes(content)
    (f,) = run(dirs).files
    assert f.status == "rejected" and reason in f.reason


def test_missing_required_column_names_the_columns(dirs):
    landing, _ = dirs
    headers = [h for h in ORDER_HEADERS_LEGACY if h not in ("Quantity", "Created Time")]
    write_orders_csv(landing / "toko-a" / "orders.csv", [order_row()], headers=headers)
    with pytest.raises(RejectedFile, match=r"Quantity.*Created Time"):
        detect(landing / "toko-a" / "orders.csv")


def test_legacy_layout_money_and_cp1252(dirs):
    landing, _ = dirs
    row = order_row(**{"Product Name": "Café Crème Tumbler", "SKU Subtotal After Discount": "IDR 12.000", "Taxes": "0"})
    write_orders_csv(
        landing / "toko-a" / "Semua pesanan-2026-01-05-10_00.csv",
        [row],
        headers=ORDER_HEADERS_LEGACY,
        encoding="cp1252",
    )
    (f,) = run(dirs).files
    assert f.status == "loaded" and f.layout == "orders/legacy-54"
    assert query(dirs, "select product_name, sku_subtotal_after_discount, taxes from raw.orders") == [
        ("Café Crème Tumbler", "IDR 12.000", "0")
    ]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("blank_first", [False, True])
def test_orders_skip_the_description_row(dirs, fmt, blank_first):
    """The row under the header that describes the columns is not data, in a workbook or in a CSV saved from one,
    also under a blank row (the first row with data is looked for in the first row, then further)."""
    landing, _ = dirs
    row = order_row()
    headers = list(row.keys())
    desc = {h: "Platform unique order ID." if h == "Order ID" else f"{h} description." for h in headers}
    rows = [*([dict.fromkeys(headers, "")] if blank_first else []), desc, row]
    path = landing / "toko-a" / f"Semua pesanan-2026-11-05-10_00.{fmt}"
    if fmt == "xlsx":
        write_xlsx(path, [headers, *[list(r.values()) for r in rows]], sheet="OrderSKUList")
    else:
        write_orders_csv(path, rows, headers=headers)
    (f,) = run(dirs).files
    assert (f.status, f.rows_loaded, f.rows_skipped, f.rows_quarantined) == ("loaded", 1, 1 + blank_first, 0)
    assert query(dirs, "select order_id, _source_row from raw.orders") == [("576000000000000001", 3 + blank_first)]


@pytest.mark.parametrize("language", ["id", "en"])
def test_video_export_with_preamble_in_both_languages(dirs, language):
    landing, _ = dirs
    headers = VIDEOS.headers(language)
    values = {
        "video_id": "7300000000000000001", "posted_time": "2026-11-01 19:30", "views": "12000",
        "product_clicks": "300", "finish_rate": "12.34%", "attributed_gmv": "Rp10.945.407", "ctr": "--",
    }  # fmt: skip
    aliases = VIDEOS.alias_map()
    from ingestion.formats import normalise_header

    row = [values.get(aliases[normalise_header(h)], "1") for h in headers]
    rows = [["[Date Range]: 2026-11-01 ~ 2026-11-01"], [], headers, row]
    write_xlsx(landing / "toko-a" / "Video Performance List_20261102080000.xlsx", rows)
    (f,) = run(dirs).files
    assert (f.status, f.kind, f.language) == ("loaded", "videos", language)
    got = query(dirs, "select video_id, finish_rate, attributed_gmv, ctr, _period_start, _source_row from raw.videos")
    assert got == [("7300000000000000001", "12.34%", "Rp10.945.407", None, __import__("datetime").date(2026, 11, 1), 4)]


def test_new_columns_are_kept_as_schema_drift(dirs):
    landing, _ = dirs
    headers = [*order_row().keys(), "Live ID"]
    write_orders_csv(
        landing / "toko-a" / "Semua pesanan-2026-11-05-10_00.csv", [{**order_row(), "Live ID": "L-1"}], headers=headers
    )
    (f,) = run(dirs).files
    assert f.schema_drift == ["Live ID"]
    assert query(dirs, "select _extra from raw.orders") == [('{"Live ID":"L-1"}',)]


def test_files_outside_a_shop_folder_are_rejected(dirs):
    landing, _ = dirs
    write_orders_csv(landing / "Semua pesanan-2026-11-05-10_00.csv", [order_row()])
    (f,) = run(dirs).files
    assert f.status == "rejected" and "shop folder" in f.reason


def test_export_time_from_file_names():
    assert str(export_time_from_name("Semua pesanan-2026-11-20-09_30.csv")) == "2026-11-20 09:30:00"
    assert str(export_time_from_name("product_list_20261120093015.xlsx")) == "2026-11-20 09:30:15"
    assert export_time_from_name("campaigns.csv") is None


def test_small_and_big_files_find_the_same_columns_to_trim(dirs, tmp_path, monkeypatch):
    """A CSV read into Arrow is trimmed there, every column; one read into a temp table (bigger than
    ARROW_FILE_BYTES) finds the columns with spaces or tabs at their edges with one test over all values (up to
    UNPIVOT_ROWS rows) or a test per column (bigger), and trims those: the same raw rows every way."""
    from ingestion import csv_reader

    landing, _ = dirs
    rows = [order_row(**{"Order ID": f"5760000000000000{i:02d}"}) for i in range(12)]
    rows[3]["Product Name"] = " Kopi Gayo"  # a leading space
    rows[5]["Seller SKU"] = "KOPI-250 "  # a trailing space
    rows[7]["Variation"] = "\tBiji"  # a leading tab (IDs and times end with one in every row)
    rows[9]["Province"] = "Jawa Barat\t"
    rows[2]["Seller SKU"] = "--\t"  # '--' is empty, with a tab too
    rows[4]["Product Name"] = " -- "
    rows[6]["Variation"] = "Bubuk\n"  # quoted, over two lines
    rows[8]["Province"] = "\r\nJawa Tengah"
    write_orders_csv(landing / "toko-a" / "Semua pesanan-2026-11-05-10_00.csv", rows)
    tables = []
    for arrow_bytes, unpivot_rows in (
        (csv_reader.ARROW_FILE_BYTES, csv_reader.UNPIVOT_ROWS),
        (0, csv_reader.UNPIVOT_ROWS),
        (0, 0),
    ):
        monkeypatch.setattr(csv_reader, "ARROW_FILE_BYTES", arrow_bytes)
        monkeypatch.setattr(csv_reader, "UNPIVOT_ROWS", unpivot_rows)
        home = tmp_path / f"home-{arrow_bytes}-{unpivot_rows}"
        (f,) = ingest(home / "warehouse.duckdb", landing, home, load_id="load-1").files
        assert (f.status, f.rows_loaded) == ("loaded", 12)
        with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
            tables.append(con.execute("select * from raw.orders order by _source_row").fetchall())
    assert tables[0] == tables[1] == tables[2]
    values = {v for row in tables[0] for v in row}
    assert {"Kopi Gayo", "KOPI-250", "Biji", "Jawa Barat", "Bubuk", "Jawa Tengah"} <= values
    assert not values & {" Kopi Gayo", "KOPI-250 ", "\tBiji", "Jawa Barat\t", "--", "--\t", " -- ", "Bubuk\n"}
    assert not {v for v in values if isinstance(v, str) and v != v.strip(" \t\r\n")}
