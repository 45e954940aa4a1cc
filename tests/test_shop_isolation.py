"""One shop's bad file never blocks another shop's marts: a check on the raw data holds the file out."""

import duckdb
import pytest

from lapak.cli import run_pipeline
from tests.exports import order_row, write_orders_csv

pytestmark = pytest.mark.e2e  # whole `lapak run`s

GOOD, BAD = "toko-baik", "toko-bermasalah"


def line(order_id: str, buyer: str, created: str) -> dict[str, str]:
    return order_row(**{"Order ID": order_id, "Buyer Username": buyer, "Created Time": created, "Paid Time": created})


def customers(warehouse: str, shop: str) -> list[tuple]:
    with duckdb.connect(warehouse, read_only=True) as con:
        return con.execute(
            "select customer_key, first_order_date, orders from marts.customers where shop_id = ? order by all", [shop]
        ).fetchall()


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("isolation")
    landing, home = root / "landing", root / "home"
    for shop in (GOOD, BAD):
        write_orders_csv(
            landing / shop / "Semua pesanan-2026-11-01-09_00.csv",
            [line("5760000000000000A1", f"{shop}_ani", "30/10/2026 10:00:00")],
        )
    first = run_pipeline(landing, home)
    assert first["exit_code"] == 0, first
    before = customers(first["warehouse"], BAD)
    # a week later both shops export again; one shop's export has an order ID no order can have
    write_orders_csv(
        landing / GOOD / "Semua pesanan-2026-11-08-09_00.csv",
        [line("5760000000000000B1", "baru_budi", "06/11/2026 10:00:00")],
    )
    write_orders_csv(
        landing / BAD / "Semua pesanan-2026-11-08-09_00.csv",
        [
            line("5760000000000000B2", "baru_citra", "06/11/2026 11:00:00"),
            line("5760000000000000#3", "baru_dodi", "06/11/2026 12:00:00"),
        ],
    )
    second = run_pipeline(landing, home)
    third = run_pipeline(landing, home)
    return {"first": first, "second": second, "third": third, "bad_before": before}


def test_the_bad_file_is_held_with_file_row_and_column(runs):
    second = runs["second"]
    assert second["exit_code"] == 1
    assert [h["file"] for h in second["held_files"]] == [f"{BAD}/Semua pesanan-2026-11-08-09_00.csv"]
    reason = second["held_files"][0]["reason"]
    assert "gx_raw_orders" in reason and "order_id" in reason and "row 3" in reason, reason
    with duckdb.connect(second["warehouse"], read_only=True) as con:
        status, why = con.execute(
            "select status, reason from raw._manifest where source_file like '%bermasalah/%11-08%' "
            "order by loaded_at desc limit 1"
        ).fetchone()
        raw_rows = con.execute("select count(*) from raw.orders where _shop_id = ?", [BAD]).fetchone()[0]
    assert status == "held" and why == reason
    assert raw_rows == 1  # only the first, good export's line
    blocking = [c for c in second["checks_failed"] if c["severity"] == "ERROR"]
    assert blocking == []  # rows_accounted_for and every other blocking check passed


def test_the_other_shop_goes_on(runs):
    second = runs["second"]
    assert "marts/customers" in second["marts_built"] and second["published"]
    assert len(customers(second["warehouse"], GOOD)) == 2  # the new customer of the good shop is there
    assert customers(second["warehouse"], BAD) == runs["bad_before"]  # the held shop keeps its last good state


def test_running_again_holds_it_again_and_changes_nothing(runs):
    second, third = runs["second"], runs["third"]
    assert third["exit_code"] == 1
    assert [h["file"] for h in third["held_files"]] == [h["file"] for h in second["held_files"]]
    for shop in (GOOD, BAD):
        assert customers(third["warehouse"], shop) == customers(second["warehouse"], shop)
