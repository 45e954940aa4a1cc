"""The same export in two shops' folders is two shops' files: each loads, is checked and is held on its own.

Landing folders are often uploaded into by the shops' own clients. Ingestion once took a file for a duplicate of
any loaded file with its bytes, whichever shop's: shop B's copy of shop A's export, there first, took A's rows
under B's id, and A's own file was skipped. A file is now a duplicate only of content its own shop has loaded."""

from __future__ import annotations

import dataclasses
import os
import shutil
from pathlib import Path

import duckdb
import pytest

import ingestion.load as load
from ingestion.formats import KINDS, VIDEOS, normalise_header
from ingestion.manifest import accounting_problems
from quality.checked import CHECKED_TABLE, mark_checked, unchecked_files
from quality.screening import screen
from quality.suites import SUITES
from tests.exports import order_row, write_orders_csv, write_xlsx
from tests.helpers.ingestion import results, snapshot

KEY = "shared-content-0123456789abcdef0123456789abcdef"
A, B, C = "toko-a", "toko-b", "toko-c"
OLDER, NEWER = "Semua pesanan-2026-11-01-10_00.csv", "Semua pesanan-2026-11-08-10_00.csv"
VIDEO_1, VIDEO_2 = "Video Performance List_20261102080000.xlsx", "Video Performance List_20261103080000.xlsx"
RAW_ORDERS = next(s for s in SUITES if s.name == "gx_raw_orders")
# the suite as an older lapak had it, say: it let through the order IDs the current one holds files for
LENIENT = dataclasses.replace(RAW_ORDERS, expectations=lambda gxe: [gxe.ExpectColumnValuesToNotBeNull(column="sku_id")])


@pytest.fixture(autouse=True)
def pii_key(monkeypatch):
    monkeypatch.setenv("LAPAK_PII_KEY", KEY)


def line(order_id: str, status: str = "Selesai", created: str = "03/11/2026 10:00:00") -> dict[str, str]:
    return order_row(**{"Order ID": order_id, "Order Status": status, "Created Time": created})


def videos(path: Path, views: list[str]) -> Path:
    """A one-day video export: one row per view count given ("banyak" is quarantined)."""
    headers = VIDEOS.headers("id")
    aliases = VIDEOS.alias_map()
    rows: list[list[object]] = [["[Date Range]: 2026-11-01 ~ 2026-11-01"], [], headers]
    for i, v in enumerate(views):
        values = {"video_id": f"730000000000000000{i}", "posted_time": "2026-11-01 19:30", "views": v}
        rows.append([values.get(aliases[normalise_header(h)], "1") for h in headers])
    return write_xlsx(path, rows)


def shop_a(landing: Path) -> None:
    """Shop A's exports: two overlapping order exports (the newer supersedes a line and has a bad time, which is
    quarantined) and two video workbooks of one day (loaded in one batch; the newer supersedes, one bad value)."""
    first = "30/10/2026 10:00:00"  # before both exports
    write_orders_csv(landing / A / OLDER, [line("576000000000000001", "Dikirim", first)])
    write_orders_csv(
        landing / A / NEWER,
        [
            line("576000000000000001", "Selesai", first),
            line("576000000000000002"),
            line("576000000000000003", created="31/02/2026"),
        ],
    )
    videos(landing / A / VIDEO_1, ["100", "200"])
    videos(landing / A / VIDEO_2, ["150", "banyak", "300"])


def copy_shop(landing: Path, src: str, dst: str) -> None:
    for path in sorted((landing / src).iterdir()):
        (landing / dst).mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, landing / dst / path.name)


def ingest(landing: Path, home: Path, load_id: str = "l1", workers: int = 1):
    return load.ingest(home / "warehouse.duckdb", landing, home, load_id=load_id, workers=workers)


def query(home: Path, sql: str, params: object = None) -> list[tuple]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql, params).fetchall()


def shop_rows(home: Path, shop: str) -> dict[str, list[tuple]]:
    """Every raw and quarantine row of `shop`, without the shop's name, its file paths' folder or the load id."""
    out = {
        kind.name: query(
            home,
            f"select * exclude (_shop_id, _source_file, _load_id), split_part(_source_file, '/', 2) "
            f"from raw.{kind.name} where _shop_id = ? order by all",
            [shop],
        )
        for kind in KINDS.values()
    }
    out["_quarantine"] = query(
        home,
        "select kind, split_part(source_file, '/', 2), file_sha256, source_row, column_name, reason "
        "from raw._quarantine where shop_id = ? order by all",
        [shop],
    )
    return out


def manifest(home: Path) -> dict[str, tuple]:
    rows = query(
        home,
        "select source_file, shop_id, status, rows_read, rows_loaded, rows_quarantined, duplicates_superseded "
        "from raw._manifest order by source_file, loaded_at",
    )
    return {r[0]: r[1:] for r in rows}


def no_accounting_problems(home: Path) -> None:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        assert accounting_problems(con) == []


# --- loading -------------------------------------------------------------------------------------------------


def test_the_same_exports_in_two_shops_load_for_each_under_its_own_shop(tmp_path):
    landing, home = tmp_path / "landing", tmp_path / "home"
    shop_a(landing)
    copy_shop(landing, A, B)
    report = ingest(landing, home)
    assert {f.source_file: f.status for f in report.files} == {f"{s}/{n}": "loaded" for s in (A, B) for n in
                                                               (OLDER, NEWER, VIDEO_1, VIDEO_2)}  # fmt: skip
    got = manifest(home)
    for name in (OLDER, NEWER, VIDEO_1, VIDEO_2):
        assert got[f"{A}/{name}"] == (A, *got[f"{B}/{name}"][1:]) and got[f"{B}/{name}"][0] == B
    assert got[f"{A}/{NEWER}"] == (A, "loaded", 3, 2, 1, 1)  # a quarantined row, a line of the older superseded
    assert got[f"{A}/{VIDEO_2}"] == (A, "loaded", 3, 2, 1, 1)
    a_rows = shop_rows(home, A)
    assert a_rows == shop_rows(home, B)  # the same rows, quarantine and counts, each under its own shop
    assert len(a_rows["orders"]) == 3 and len(a_rows["videos"]) == 4 and len(a_rows["_quarantine"]) == 2
    no_accounting_problems(home)

    # re-running changes nothing; a third copy inside shop A's folder is a duplicate of A's file
    before = snapshot(home / "warehouse.duckdb")
    again = ingest(landing, home, load_id="l2")
    assert {f.status for f in again.files} == {"unchanged"}
    assert snapshot(home / "warehouse.duckdb") == before
    shutil.copy2(landing / A / NEWER, landing / A / "copy of export.csv")
    third = {f.source_file: f for f in ingest(landing, home, load_id="l3").files}
    dup = third[f"{A}/copy of export.csv"]
    assert (dup.status, dup.reason) == ("duplicate", f"same content as {A}/{NEWER}")
    assert {f.status for name, f in third.items() if name != dup.source_file} == {"unchanged"}
    after = snapshot(home / "warehouse.duckdb")
    assert {k: v for k, v in after.items() if k != "_manifest"} == {k: v for k, v in before.items() if k != "_manifest"}
    assert ingest(landing, home, load_id="l4").files and snapshot(home / "warehouse.duckdb") == after


def test_a_copy_that_lands_a_run_later_loads_for_its_shop_and_leaves_the_first_alone(tmp_path):
    landing, home = tmp_path / "landing", tmp_path / "home"
    shop_a(landing)
    # an export whose name's stamp is older than its own rows: its export time is the file's modification time
    stale = write_orders_csv(landing / A / "Semua pesanan-2026-11-02-10_00.csv", [line("576000000000000041")])
    os.utime(stale, (stale.stat().st_atime, stale.stat().st_mtime - 3 * 86400))
    ingest(landing, home)
    first = shop_rows(home, A)
    copy_shop(landing, A, B)
    later = landing / B / stale.name  # uploaded again: a modification time of its own
    os.utime(later, (later.stat().st_atime, stale.stat().st_mtime + 3600))
    report = ingest(landing, home, load_id="l2")
    names = (OLDER, stale.name, NEWER, VIDEO_1, VIDEO_2)
    assert {f.source_file: f.status for f in report.files} == {
        **{f"{A}/{n}": "unchanged" for n in names},
        **{f"{B}/{n}": "loaded" for n in names},
    }
    assert shop_rows(home, A) == first  # A's rows, export times, quarantine and counts are as they were
    got = manifest(home)
    assert all(got[f"{B}/{n}"][1:] == got[f"{A}/{n}"][1:] for n in names)
    export_at = "select distinct _export_at from raw.orders where _source_file = ?"
    assert query(home, export_at, [f"{B}/{stale.name}"]) != query(home, export_at, [f"{A}/{stale.name}"])
    no_accounting_problems(home)


def test_two_shops_copies_in_one_batch_load_as_each_alone(tmp_path):
    """Workbooks only: the loader takes both shops' copies into one batch (batch.py)."""
    landing = tmp_path / "landing"
    videos(landing / A / VIDEO_1, ["100", "200"])
    videos(landing / A / VIDEO_2, ["150", "banyak", "300"])
    copy_shop(landing, A, B)
    sizes: list[int] = []
    real = load.Loader._load_workbooks
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(load.Loader, "_load_workbooks", lambda self, batch: sizes.append(len(batch)) or real(self, batch))
        report = ingest(landing, tmp_path / "home")
    assert sizes == [4]
    assert {f.status for f in report.files} == {"loaded"}
    got = manifest(tmp_path / "home")
    for shop in (A, B):
        assert got[f"{shop}/{VIDEO_2}"] == (shop, "loaded", 3, 2, 1, 1)  # one row superseded, one quarantined
    assert shop_rows(tmp_path / "home", A) == shop_rows(tmp_path / "home", B)
    no_accounting_problems(tmp_path / "home")


def test_side_by_side_loads_what_one_loader_loads(tmp_path, monkeypatch):
    landing = tmp_path / "landing"
    shop_a(landing)
    copy_shop(landing, A, B)
    shutil.copy2(landing / A / NEWER, landing / A / "copy of export.csv")
    serial = ingest(landing, tmp_path / "serial", workers=1)
    groups: list[int] = []
    real = load.run_parallel
    monkeypatch.setattr(load, "run_parallel", lambda con, first, files, g, *a: groups.append(len(g)) or real(
        con, first, files, g, *a))  # fmt: skip
    parallel = ingest(landing, tmp_path / "parallel", workers=2)
    assert groups == [2]  # no longer loaded serially because two shops share content
    assert results(parallel) == results(serial)
    assert snapshot(tmp_path / "parallel" / "warehouse.duckdb") == snapshot(tmp_path / "serial" / "warehouse.duckdb")
    assert {f.source_file: f.status for f in parallel.files}[f"{A}/copy of export.csv"] == "duplicate"


def test_a_warehouse_from_before_loads_the_copy_it_took_for_another_shops_duplicate(tmp_path):
    """An older lapak recorded shop B's copy of A's export as A's duplicate, and loaded none of it for B."""
    landing, home = tmp_path / "landing", tmp_path / "home"
    write_orders_csv(landing / A / NEWER, [line("576000000000000001"), line("576000000000000002")])
    ingest(landing, home, load_id="old")
    copy_shop(landing, A, B)
    stat = (landing / B / NEWER).stat()
    with duckdb.connect(str(home / "warehouse.duckdb")) as con:
        con.execute(
            """insert into raw._manifest (file_sha256, source_file, shop_id, kind, status, reason, load_id, loaded_at,
                   file_size, file_mtime_ns)
            select file_sha256, ?, ?, kind, 'duplicate', 'same content as ' || source_file, 'old', now(), ?, ?
            from raw._manifest""",
            [f"{B}/{NEWER}", B, stat.st_size, stat.st_mtime_ns],
        )
    (copy,) = [f for f in ingest(landing, home, load_id="new").files if f.shop_id == B]
    assert (copy.status, copy.rows_loaded) == ("loaded", 2)
    assert shop_rows(home, B) == shop_rows(home, A)
    no_accounting_problems(home)
    assert {f.status for f in ingest(landing, home, load_id="again").files} == {"unchanged"}


# --- checking and holding ------------------------------------------------------------------------------------


def bad_orders(path: Path) -> Path:
    """An order export the raw suite holds (an order ID no order can have), with a quarantined row too."""
    return write_orders_csv(
        path, [line("576000000000000011"), line("5760000000000000#2"), line("576000000000000013", created="x")]
    )


def statuses(home: Path) -> dict[str, str]:
    return {name: row[1] for name, row in manifest(home).items()}


def test_identical_good_exports_of_two_shops_both_pass(tmp_path):
    """The suite expects an order line once per file: two shops' copies are two files, not one file twice."""
    landing, home = tmp_path / "landing", tmp_path / "home"
    shop_a(landing)
    copy_shop(landing, A, B)
    ingest(landing, home)
    found = screen(home / "warehouse.duckdb", RAW_ORDERS, "run-1")
    assert (found["passed"], found["held_files"], found["files"], found["rows"]) == (True, [], 4, 6)
    assert set(statuses(home).values()) == {"loaded"}


@pytest.mark.parametrize("first", [A, B])
def test_a_shops_copy_of_a_bad_export_is_held_for_that_shop_alone(tmp_path, first):
    """The first shop's copy was checked by an older, more lenient suite and kept; the other shop's copy, loaded
    later, fails the current suite: it is held, and the first shop's rows, quarantine and manifest stay."""
    other = B if first == A else A
    landing, home = tmp_path / "landing", tmp_path / "home"
    bad_orders(landing / first / NEWER)
    write_orders_csv(landing / other / OLDER, [line("576000000000000021")])
    ingest(landing, home, load_id="l1")
    kept = screen(home / "warehouse.duckdb", LENIENT, "run-1")
    assert kept["passed"] and kept["files"] == 2
    before = shop_rows(home, first)

    bad_orders(landing / other / NEWER)
    ingest(landing, home, load_id="l2")
    found = screen(home / "warehouse.duckdb", RAW_ORDERS, "run-2")
    assert not found["passed"] and found["files"] == 1 and found["rows"] == 2
    assert [(f["shop_id"], f["source_file"]) for f in found["held_files"]] == [(other, f"{other}/{NEWER}")]
    assert "order_id" in found["held_files"][0]["reason"] and "row 3" in found["held_files"][0]["reason"]
    assert statuses(home) == {f"{first}/{NEWER}": "loaded", f"{other}/{OLDER}": "loaded", f"{other}/{NEWER}": "held"}
    assert shop_rows(home, first) == before
    assert query(home, "select distinct _source_file from raw.orders where _shop_id = ?", [other]) == [
        (f"{other}/{OLDER}",)
    ]
    assert query(home, "select count(*) from raw._quarantine where shop_id = ?", [other]) == [(0,)]
    assert screen(home / "warehouse.duckdb", RAW_ORDERS, "run-3")["files"] == 0  # each copy checked once


def test_bad_copies_checked_together_are_each_held_for_their_own_shop(tmp_path):
    landing, home = tmp_path / "landing", tmp_path / "home"
    bad_orders(landing / A / NEWER)
    copy_shop(landing, A, B)
    write_orders_csv(landing / C / NEWER, [line("576000000000000031")])
    ingest(landing, home)
    c_rows = shop_rows(home, C)
    found = screen(home / "warehouse.duckdb", RAW_ORDERS, "run-1")
    assert found["files"] == 3 and found["rows"] == 5
    assert sorted((f["shop_id"], f["source_file"]) for f in found["held_files"]) == [
        (A, f"{A}/{NEWER}"),
        (B, f"{B}/{NEWER}"),
    ]
    assert statuses(home) == {f"{A}/{NEWER}": "held", f"{B}/{NEWER}": "held", f"{C}/{NEWER}": "loaded"}
    assert query(home, "select distinct _shop_id from raw.orders") == [(C,)]
    assert query(home, "select distinct shop_id from raw._quarantine") == []
    assert shop_rows(home, C) == c_rows
    no_accounting_problems(home)


def test_a_checked_row_from_before_the_shop_column_is_of_the_shop_that_loaded_it(tmp_path):
    """`raw._checked_files` from before its `shop_id` column: its rows are of the one shop that had loaded that
    content by that load; a copy another shop loads afterwards is still to be checked."""
    landing, home = tmp_path / "landing", tmp_path / "home"
    write_orders_csv(landing / A / NEWER, [line("576000000000000001")])
    ingest(landing, home, load_id="old")
    with duckdb.connect(str(home / "warehouse.duckdb")) as con:
        con.execute(
            f"""create table {CHECKED_TABLE} (file_sha256 varchar not null, load_id varchar, suite varchar not null,
                run_id varchar, checked_at timestamp)"""
        )
        con.execute(
            f"insert into {CHECKED_TABLE} select file_sha256, load_id, ?, 'old-run', now() from raw._manifest",
            [RAW_ORDERS.name],
        )
    copy_shop(landing, A, B)
    ingest(landing, home, load_id="new")
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        (sha,) = {s for _, s in unchecked_files(con, RAW_ORDERS.name, "orders")}
        assert unchecked_files(con, RAW_ORDERS.name, "orders") == {(B, sha): "new"}
    found = screen(home / "warehouse.duckdb", RAW_ORDERS, "run-1")  # adds the column, then marks B's copy
    assert found["passed"] and found["files"] == 1
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        assert unchecked_files(con, RAW_ORDERS.name, "orders") == {}


def test_checking_one_shops_copy_leaves_the_other_shops_copy_to_check(tmp_path):
    landing, home = tmp_path / "landing", tmp_path / "home"
    write_orders_csv(landing / A / NEWER, [line("576000000000000001")])
    copy_shop(landing, A, B)
    ingest(landing, home, load_id="l1")
    with duckdb.connect(str(home / "warehouse.duckdb")) as con:
        (sha,) = {s for _, s in unchecked_files(con, RAW_ORDERS.name, "orders")}
        assert unchecked_files(con, RAW_ORDERS.name, "orders") == {(A, sha): "l1", (B, sha): "l1"}
        mark_checked(con, {(A, sha): "l1"}, RAW_ORDERS.name, "run-1")
        assert unchecked_files(con, RAW_ORDERS.name, "orders") == {(B, sha): "l1"}
