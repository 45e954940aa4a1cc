"""Files no one here wrote: hostile names, links, bombs, renamed personal-data columns and lying name stamps each
touch that file alone (issue 31). Whole-run versions: tests/test_hostile_landing.py."""

from __future__ import annotations

import os
import zipfile
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from ingestion import limits
from ingestion.detect import RejectedFile, detect
from ingestion.formats import ORDER_HEADERS_CURRENT, VIDEOS
from ingestion.landing import scan_landing
from ingestion.load import export_time, ingest
from tests.exports import bomb_workbook, order_row, write_orders_csv, write_xlsx

KEY = "hostile-key-0123456789abcdef0123456789abcdef"


@pytest.fixture
def dirs(tmp_path, monkeypatch):
    monkeypatch.setenv("LAPAK_PII_KEY", KEY)
    landing = tmp_path / "landing"
    landing.mkdir()
    return landing, tmp_path / "home"


def run(dirs, load_id="load-1", **kwargs):
    landing, home = dirs
    return ingest(home / "warehouse.duckdb", landing, home, load_id=load_id, **kwargs)


def query(dirs, sql, params=None):
    with duckdb.connect(str(dirs[1] / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def orders(path: Path, order_id: str, **values: str) -> Path:
    return write_orders_csv(path, [order_row(**{"Order ID": order_id, **values})])


# --- 1. workbooks and files too big to parse --------------------------------------------------------------------


def test_a_workbook_with_a_cell_at_xfd1048576_is_rejected_before_it_is_parsed(tmp_path):
    path = bomb_workbook(tmp_path / "Video Performance List.xlsx")
    assert path.stat().st_size < 10_000
    with pytest.raises(RejectedFile, match=r"XFD1048576|column 16,384"):
        detect(path)


def test_a_dense_zip_bomb_is_rejected_by_what_it_unpacks_to(tmp_path, monkeypatch):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", "<sheetData>" + "<row><c><v>1</v></c></row>" * 200_000 + "</sheetData>")
    monkeypatch.setattr(limits, "MAX_UNPACKED_BYTES", 1 << 20)
    with pytest.raises(RejectedFile, match="unpacks to"):
        detect(path)
    monkeypatch.setattr(limits, "MAX_UNPACKED_BYTES", 1 << 30)
    monkeypatch.setattr(limits, "MAX_CELLS", 100_000)  # cells with no reference count by their elements
    with pytest.raises(RejectedFile, match="cells"):
        detect(path)


def test_a_csv_over_the_size_cap_is_rejected_and_the_others_load(dirs, monkeypatch):
    landing, _ = dirs
    rows = [order_row(**{"Order ID": f"57600000000000000{i}"}) for i in range(3)]
    big = write_orders_csv(landing / "toko-a" / "Semua pesanan-2026-11-05-10_00.csv", rows)
    orders(landing / "toko-b" / "Semua pesanan-2026-11-05-10_00.csv", "576000000000000002")
    monkeypatch.setattr(limits, "MAX_CSV_BYTES", big.stat().st_size - 1)
    by_file = {f.source_file: f for f in run(dirs, workers=1).files}
    assert by_file["toko-a/Semua pesanan-2026-11-05-10_00.csv"].status == "rejected"
    assert "too big" in by_file["toko-a/Semua pesanan-2026-11-05-10_00.csv"].reason
    assert by_file["toko-b/Semua pesanan-2026-11-05-10_00.csv"].status == "loaded"


def test_a_bomb_in_one_shop_never_stops_another_shop(dirs):
    landing, _ = dirs
    bomb_workbook(landing / "toko-a" / "Video Performance List_20261105100000.xlsx")
    orders(landing / "toko-b" / "Semua pesanan-2026-11-05-10_00.csv", "576000000000000002")
    by_status = {f.source_file: f.status for f in run(dirs).files}
    assert by_status == {
        "toko-a/Video Performance List_20261105100000.xlsx": "rejected",
        "toko-b/Semua pesanan-2026-11-05-10_00.csv": "loaded",
    }


# --- 2. files that vanish or cannot be read ----------------------------------------------------------------------


def test_a_file_that_vanishes_mid_run_is_reported_alone(dirs, monkeypatch):
    landing, _ = dirs
    gone = orders(landing / "toko-a" / "Semua pesanan-2026-11-05-10_00.csv", "576000000000000001")
    orders(landing / "toko-b" / "Semua pesanan-2026-11-05-10_00.csv", "576000000000000002")
    from ingestion import loader

    real_scan = loader.scan_file

    def renamed_by_a_sync_tool(path, text=True):
        if path == gone and path.exists():
            path.rename(path.with_name("renamed.csv.part"))
        return real_scan(path, text)

    monkeypatch.setattr(loader, "scan_file", renamed_by_a_sync_tool)  # the loader scans each file, with workers or not
    for workers in (1, 2):
        by_file = {f.source_file: f for f in run(dirs, load_id=f"load-{workers}", workers=workers).files}
        assert by_file["toko-b/Semua pesanan-2026-11-05-10_00.csv"].status in ("loaded", "unchanged")
        if workers == 1:
            vanished = by_file["toko-a/Semua pesanan-2026-11-05-10_00.csv"]
            assert (vanished.status, vanished.reason) == ("skipped", "vanished during the run (renamed or deleted)")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_an_unreadable_file_is_rejected_alone(dirs):
    landing, _ = dirs
    locked = orders(landing / "toko-a" / "Semua pesanan-2026-11-05-10_00.csv", "576000000000000001")
    orders(landing / "toko-b" / "Semua pesanan-2026-11-05-10_00.csv", "576000000000000002")
    locked.chmod(0)
    by_file = {f.source_file: f for f in run(dirs).files}
    assert by_file["toko-a/Semua pesanan-2026-11-05-10_00.csv"].status == "rejected"
    assert by_file["toko-b/Semua pesanan-2026-11-05-10_00.csv"].status == "loaded"


# --- 4. the quarantine keeps no personal data ------------------------------------------------------------------


def test_a_line_with_a_column_too_many_is_quarantined_without_its_text(dirs):
    landing, _ = dirs
    secrets = {"Recipient": "Rahasia Penerima", "Phone #": "(+62)81299998888", "Buyer Username": "rahasia_user"}
    path = write_orders_csv(
        landing / "toko-a" / "Semua pesanan-2026-11-05-10_00.csv",
        [order_row(), order_row(**{"Order ID": "576000000000000002", **secrets})],
    )
    header, good, bad = path.read_text(encoding="utf-8-sig").splitlines()
    bad += ',"stray"'  # a stray trailing value: one column too many
    path.write_text("\n".join([header, good, bad]) + "\n", encoding="utf-8-sig")
    (f,) = run(dirs).files
    assert (f.rows_read, f.rows_loaded, f.rows_quarantined) == (2, 1, 1)
    ((row, column, value, reason),) = query(
        dirs, "select source_row, column_name, raw_value, reason from raw._quarantine"
    )
    assert (row, column, value) == (3, "(whole row)", None)
    assert "too many columns" in reason
    for secret in ("Rahasia", "81299998888", "rahasia_user"):
        assert secret not in reason


# --- 5. unknown columns that may be personal are never loaded ------------------------------------------------------


@pytest.mark.parametrize("header", ["Nama Pembeli", "No. HP", "WhatsApp", "Receiver Name", "Buyer Nickname", "Email"])
def test_a_personal_column_lapak_does_not_know_is_never_loaded(dirs, header):
    landing, _ = dirs
    headers = [*ORDER_HEADERS_CURRENT, header]
    row = order_row(**{header: "RAHASIA-123"})
    write_orders_csv(landing / "toko-a" / "Semua pesanan-2026-11-05-10_00.csv", [row], headers=headers)
    (f,) = run(dirs).files
    assert f.status == "loaded"
    assert header in f.ignored_columns and header not in f.schema_drift
    assert query(dirs, "select count(*) from raw.orders where _extra like '%RAHASIA%'") == [(0,)]


def test_a_possibly_personal_column_of_any_kind_is_not_kept_as_drift(tmp_path):
    path = write_xlsx(
        tmp_path / "Video Performance List.xlsx",
        [[*VIDEOS.headers("en"), "Creator WhatsApp", "Boost Budget"], ["1", "2026-11-01 10:00:00"]],
    )
    layout = detect(path)
    assert "Creator WhatsApp" in layout.ignored
    assert "Boost Budget" in layout.extra.values()


def test_order_columns_lapak_does_not_know_are_kept_only_when_they_describe_the_order(tmp_path):
    headers = [*ORDER_HEADERS_CURRENT, "Live ID", "Affiliate Partner", "Catatan", "Kontak Darurat"]
    path = write_orders_csv(tmp_path / "o.csv", [order_row()], headers=headers)
    layout = detect(path)
    assert set(layout.extra.values()) == {"Live ID", "Affiliate Partner"}
    assert {"Catatan", "Kontak Darurat"} <= set(layout.ignored)


def test_an_order_export_without_a_buyer_column_is_rejected(dirs):
    landing, _ = dirs
    renamed = [("Buyer Name" if h == "Buyer Username" else h) for h in ORDER_HEADERS_CURRENT]
    write_orders_csv(landing / "toko-a" / "Semua pesanan-2026-11-05-10_00.csv", [order_row()], headers=renamed)
    (f,) = run(dirs).files
    assert f.status == "rejected"
    assert "Buyer Username" in f.reason
    assert query(dirs, "select count(*) from raw.orders") == [(0,)]


# --- 8. names are never glob patterns -------------------------------------------------------------------------------

HOSTILE_NAMES = ["toko-[1]", "*", "toko-?", "toko-{a,b}", "toko o'neil", "toko [a-z]*"]


@pytest.mark.parametrize("shop", HOSTILE_NAMES)
def test_a_shop_folder_named_like_a_pattern_reads_only_its_own_files(dirs, shop):
    landing, _ = dirs
    for i, other in enumerate(["toko-1", "toko-a", "toko-b", "toko abc", "toko o'neil x"]):
        orders(landing / other / "Semua pesanan.csv", f"57600000000000009{i}")
    orders(landing / shop / "Semua pesanan.csv", "576000000000000001")
    run(dirs)
    got = query(dirs, "select order_id, count(*) from raw.orders where _shop_id = ? group by 1", [shop])
    assert got == [("576000000000000001", 1)]
    assert query(dirs, "select count(*), count(distinct _shop_id) from raw.orders") == [(6, 6)]


@pytest.mark.parametrize("name", ["Semua pesanan [1].csv", "Semua pesanan ?.csv", "Semua pesanan *.csv"])
def test_a_file_named_like_a_pattern_reads_only_itself(dirs, name):
    landing, _ = dirs
    orders(landing / "toko-a" / "Semua pesanan 1.csv", "576000000000000009")
    orders(landing / "toko-a" / name, "576000000000000001")
    run(dirs)
    got = query(dirs, "select _source_file, order_id from raw.orders order by 1")
    assert got == sorted(
        [("toko-a/Semua pesanan 1.csv", "576000000000000009"), (f"toko-a/{name}", "576000000000000001")]
    )


# --- 9. links and special files ---------------------------------------------------------------------------------


def test_links_out_of_a_shop_folder_and_special_files_are_skipped_and_said(dirs, tmp_path):
    landing, _ = dirs
    secret = orders(tmp_path / "elsewhere" / "Semua pesanan-2026-11-05-10_00.csv", "576000000000000666")
    other_shop = orders(landing / "toko-b" / "Semua pesanan-2026-11-05-10_00.csv", "576000000000000002")
    mine = orders(landing / "toko-a" / "Semua pesanan-2026-11-05-10_00.csv", "576000000000000001")
    (landing / "toko-a" / "outside.csv").symlink_to(secret)
    (landing / "toko-a" / "from-toko-b.csv").symlink_to(other_shop)
    (landing / "toko-a" / "inside.csv").symlink_to(mine)  # within its own folder: followed
    (landing / "toko-a" / "folder-link").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    (landing / "toko-c").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    os.mkfifo(landing / "toko-a" / "pipe.csv")
    found = scan_landing(landing)
    assert sorted(p.relative_to(landing).as_posix() for _, p in found.files) == [
        "toko-a/Semua pesanan-2026-11-05-10_00.csv", "toko-a/inside.csv", "toko-b/Semua pesanan-2026-11-05-10_00.csv",
    ]  # fmt: skip
    report = run(dirs)
    skipped = {f.source_file: f.reason for f in report.files if f.status == "skipped"}
    assert set(skipped) == {
        "toko-a/outside.csv", "toko-a/from-toko-b.csv", "toko-a/folder-link", "toko-a/pipe.csv", "toko-c",
    }  # fmt: skip
    assert "outside its shop folder" in skipped["toko-a/outside.csv"]
    assert "FIFO" in skipped["toko-a/pipe.csv"]
    assert query(dirs, "select count(*) from raw.orders where order_id = '576000000000000666'") == [(0,)]
    assert query(dirs, "select distinct _shop_id, order_id from raw.orders order by 1") == [
        ("toko-a", "576000000000000001"), ("toko-b", "576000000000000002"),
    ]  # fmt: skip


# --- 13. a name stamp the content contradicts ------------------------------------------------------------------------


def test_export_time_believes_the_name_only_when_the_content_agrees():
    now, mtime = datetime(2026, 11, 20, 12), datetime(2026, 11, 20, 9)
    name = datetime(2026, 11, 19, 9, 30)
    assert export_time(name, mtime, date(2026, 11, 19), now) == name
    assert export_time(datetime(2099, 1, 1), mtime, date(2026, 11, 19), now) == mtime  # the future
    assert export_time(datetime(2020, 1, 1), mtime, date(2026, 11, 19), now) == mtime  # before its own rows
    assert export_time(None, datetime(2099, 1, 1), None, now) == now
    assert export_time(datetime(2020, 1, 1), datetime(2020, 1, 1), date(2026, 11, 19), now) == datetime(
        2026, 11, 19, 23, 59, 59
    )


def test_an_old_export_with_a_future_name_does_not_win_over_newer_ones(dirs):
    landing, _ = dirs
    old = orders(
        landing / "toko-a" / "Semua pesanan-2099-01-01-00_00.csv", "576000000000000001", **{"Order Status": "Dikirim"}
    )
    new = orders(
        landing / "toko-a" / "Semua pesanan-2026-11-06-10_00.csv", "576000000000000001", **{"Order Status": "Selesai"}
    )
    os.utime(old, (1_762_300_000, 1_762_300_000))  # 2026-11-05 (WIB): before the newer export
    os.utime(new, (1_762_400_000, 1_762_400_000))
    run(dirs)
    got = dict(query(dirs, "select order_status, _export_at from raw.orders"))
    assert got["Dikirim"] < got["Selesai"]
    assert got["Dikirim"].year == 2026


def test_an_export_stamped_before_its_own_rows_takes_its_time_from_the_content(dirs):
    landing, _ = dirs
    path = orders(
        landing / "toko-a" / "Semua pesanan-2020-01-01-00_00.csv",
        "576000000000000001",
        **{"Created Time": "03/11/2026 10:00:00"},
    )
    os.utime(path, (1_577_836_800, 1_577_836_800))  # the file's time lies too (2020)
    (f,) = run(dirs).files
    assert f.export_at == "2026-11-03 23:59:59"
    assert query(dirs, "select distinct cast(_export_at as varchar) from raw.orders") == [("2026-11-03 23:59:59",)]


def test_a_warehouse_from_before_forgets_the_text_of_quarantined_lines(dirs):
    """Before issue 31 the quarantine kept a rejected line whole; the next run of a newer lapak clears it."""
    landing, home = dirs
    orders(landing / "toko-a" / "Semua pesanan-2026-11-05-10_00.csv", "576000000000000001")
    run(dirs)
    with duckdb.connect(str(home / "warehouse.duckdb")) as con:
        con.execute(
            "insert into raw._quarantine (shop_id, source_file, source_row, column_name, raw_value, reason) "
            "values ('toko-a', 'old.csv', 3, '(whole row)', '5760,Selesai,Budi Rahasia,(+62)812', 'too many columns')"
        )
    run(dirs, load_id="load-2")
    assert query(dirs, "select raw_value from raw._quarantine where source_file = 'old.csv'") == [(None,)]


def test_lapak_quarantine_says_plainly_that_a_run_is_writing(dirs, capsys, monkeypatch):
    import subprocess
    import sys

    from lapak.cli import main

    landing, home = dirs
    for name, value in (("LAPAK_HOME", home), ("LAPAK_LANDING", landing), ("LAPAK_WAREHOUSE", home / "w.duckdb")):
        monkeypatch.setenv(name, str(value))  # the CLI exports its paths: restored after the test
    orders(landing / "toko-a" / "Semua pesanan-2026-11-05-10_00.csv", "576000000000000001")
    run(dirs)
    writer = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('ok', flush=True); "
         "sys.stdin.read()", str(home / "warehouse.duckdb")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert writer.stdout.readline().strip() == "ok"
        assert main(["quarantine", "--home", str(home)]) == 1
    finally:
        writer.stdin.close()
        writer.wait()
    assert "a lapak run is writing" in capsys.readouterr().err
    assert main(["quarantine", "--home", str(home)]) == 0
