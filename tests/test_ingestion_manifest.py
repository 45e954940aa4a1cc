"""The manifest accounts for every file: what it was, what became of each row, which older rows it supersedes;
and the accounting check catches a warehouse that disagrees with it."""

from __future__ import annotations

import duckdb
import pytest

from ingestion.load import ingest
from ingestion.manifest import accounting_problems
from tests.exports import order_row, write_orders_csv


@pytest.fixture
def dirs(tmp_path, monkeypatch):
    monkeypatch.setenv("LAPAK_PII_KEY", "test-key-0123456789abcdef0123456789abcdef")
    (tmp_path / "landing" / "toko-a").mkdir(parents=True)
    return tmp_path / "landing", tmp_path / "home"


def run(dirs, load_id):
    landing, home = dirs
    return ingest(home / "warehouse.duckdb", landing, home, load_id=load_id)


def lines(n: int, status: str) -> list[dict[str, str]]:
    return [order_row(**{"Order ID": f"57600000000000{i:04d}", "Order Status": status}) for i in range(n)]


def test_manifest_row_has_every_field_and_counts_superseded_duplicates(dirs):
    landing, home = dirs
    write_orders_csv(landing / "toko-a" / "Semua pesanan-2026-11-05-10_00.csv", lines(3, "Dikirim"))
    run(dirs, "load-1")
    newer = [*lines(3, "Selesai")[1:], order_row(**{"Order ID": "576000000000009999"})]
    write_orders_csv(landing / "toko-a" / "Semua pesanan-2026-12-05-10_00.csv", newer)
    report = run(dirs, "load-2")
    f = next(f for f in report.files if f.status == "loaded")
    assert f.duplicates_superseded == 2 and report.totals()["duplicates_superseded"] == 2
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        cols = [d[0] for d in con.execute("select * from raw._manifest limit 0").description]
        row = dict(
            zip(
                cols,
                con.execute("select * from raw._manifest where source_file like '%2026-12-05%'").fetchone(),
                strict=True,
            )
        )
    for key in (
        "file_sha256",
        "shop_id",
        "kind",
        "layout",
        "export_at",
        "period_start",
        "period_end",
        "rows_read",
        "rows_loaded",
        "rows_quarantined",
        "duplicates_superseded",
        "status",
        "load_id",
        "loaded_at",
    ):
        assert row[key] is not None, key
    assert (row["rows_read"], row["rows_loaded"], row["rows_quarantined"], row["status"]) == (3, 3, 0, "loaded")
    assert (row["load_id"], row["period_source"], str(row["export_at"])) == ("load-2", "data", "2026-12-05 10:00:00")


def test_a_rejected_file_is_retried_but_listed_once_and_others_load(dirs):
    landing, home = dirs
    (landing / "toko-a" / "broken.csv").write_bytes(b"")
    write_orders_csv(landing / "toko-a" / "Semua pesanan-2026-11-05-10_00.csv", lines(2, "Selesai"))
    first = run(dirs, "load-1")
    assert sorted(f.status for f in first.files) == ["loaded", "rejected"]
    assert first.rejected[0].line == "rejected toko-a/broken.csv: file is empty"
    second = run(dirs, "load-2")
    assert sorted(f.status for f in second.files) == ["rejected", "unchanged"]
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("select status, count(*) from raw._manifest group by 1 order by 1").fetchall() == [
            ("loaded", 1),
            ("rejected", 1),
        ]


def test_windows_1252_far_into_a_file_that_starts_as_ascii(dirs):
    landing, home = dirs
    rows = lines(3000, "Selesai")  # > 256 KB: past what detection samples
    rows[-1]["Product Name"] = "Crème brûlée"
    write_orders_csv(landing / "toko-a" / "orders.csv", rows, encoding="cp1252")
    (f,) = run(dirs, "load-1").files
    assert (f.status, f.encoding, f.rows_loaded) == ("loaded", "cp1252", 3000)
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("select product_name from raw.orders order by _source_row desc limit 1").fetchone() == (
            "Crème brûlée",
        )


def test_accounting_catches_partial_loads_and_miscounts(dirs):
    landing, home = dirs
    write_orders_csv(landing / "toko-a" / "Semua pesanan-2026-11-05-10_00.csv", lines(2, "Selesai"))
    run(dirs, "load-1")
    with duckdb.connect(str(home / "warehouse.duckdb")) as con:
        assert accounting_problems(con) == []
        con.execute("insert into raw.orders (order_id, _file_sha256) values ('1', 'not-a-loaded-file')")
        (problem,) = accounting_problems(con)
        assert problem["source_file"].startswith("(not in the manifest)") and problem["in_raw"] == 1
        con.execute("delete from raw.orders where _file_sha256 = 'not-a-loaded-file'")
        con.execute("delete from raw.orders where _source_row = 3")
        (problem,) = accounting_problems(con)
        assert (problem["rows_loaded"], problem["in_raw"]) == (2, 1)
