"""The whole pipeline (Dagster job: ingest → dbt → checks) on hand-built exports with known answers."""

from datetime import date
from decimal import Decimal

import duckdb
import pytest

from lapak.cli import run_pipeline
from tests.exports import order_row, write_orders_csv

pytestmark = pytest.mark.e2e  # whole `lapak run`s

SHOP = "toko-uji"


def line(order_id: str, buyer: str, created: str, sku: str, amount: int, status: str = "Selesai", **extra: str):
    return order_row(
        **{
            "Order ID": order_id,
            "Buyer Username": buyer,
            "Created Time": created,
            "Paid Time": "" if status == "Belum dibayar" else created,
            "SKU ID": sku,
            "SKU Subtotal Before Discount": str(amount),
            "SKU Subtotal After Discount": str(amount),
            "SKU Unit Original Price": str(amount),
            "Order Status": status,
            **extra,
        }
    )


SKU1, SKU2 = "1729000000000000001", "1729000000000000002"
CANCEL = {"Cancelation/Return Type": "Cancel", "Cancelled Time": "15/10/2026 12:00:00"}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    root = tmp_path_factory.mktemp("known")
    landing, home = root / "landing", root / "home"
    # Export 1 (20 Oct) and export 2 (10 Nov) overlap: O1 and O3 appear in both with a newer status.
    write_orders_csv(
        landing / SHOP / "Semua pesanan-2026-10-20-09_00.csv",
        [
            line("5760000000000000O1", "budi", "05/10/2026 10:00:00", SKU1, 100000, "Dikirim"),
            line("5760000000000000O1", "budi", "05/10/2026 10:00:00", SKU2, 50000, "Dikirim"),
            line("5760000000000000O2", "sari", "07/10/2026 09:00:00", SKU1, 80000),
            line("5760000000000000O3", "budi", "14/10/2026 20:00:00", SKU2, 60000, "Dikirim"),
            line("5760000000000000O4", "andi", "15/10/2026 11:00:00", SKU1, 70000, "Dibatalkan", **CANCEL),
            line("5760000000000000O5", "rina", "16/10/2026 08:00:00", SKU1, 90000, "Belum dibayar"),
        ],
    )
    write_orders_csv(
        landing / SHOP / "Semua pesanan-2026-11-10-09_00.csv",
        [
            line("5760000000000000O1", "budi", "05/10/2026 10:00:00", SKU1, 100000),
            line("5760000000000000O1", "budi", "05/10/2026 10:00:00", SKU2, 50000),
            line("5760000000000000O3", "budi", "14/10/2026 20:00:00", SKU2, 60000),
            line("5760000000000000O5", "rina", "16/10/2026 08:00:00", SKU1, 90000, "Dibatalkan", **CANCEL),
            line("5760000000000000O6", "sari", "28/10/2026 19:00:00", SKU2, 40000),
            line("5760000000000000O7", "dewi", "27/10/2026 23:30:00", SKU1, 120000),
        ],
    )
    summary = run_pipeline(landing, home)
    assert summary["exit_code"] == 0, summary
    return summary


def q(summary, sql):
    with duckdb.connect(summary["warehouse"], read_only=True) as con:
        return con.execute(sql).fetchall()


def test_every_row_is_accounted_for(warehouse):
    assert warehouse["files"]["files_loaded"] == 2
    assert warehouse["files"]["rows_loaded"] == 12
    assert warehouse["files"]["rows_quarantined"] == 0
    assert {"marts/customers", "marts/ltv_weekly", "marts/kpi_daily"} <= set(warehouse["marts_built"])
    # warnings only: the dates are old, and no product export was loaded, so the SKUs sold are not in the catalog
    assert sorted((c["check"], c["severity"]) for c in warehouse["checks_failed"]) == [
        ("orders_export_is_fresh", "WARN"),
        ("relationships_within_shop_sku_daily_sku_id__sku_id__ref_stg_tiktok__products_", "WARN"),
    ]


def test_customers_exactly(warehouse):
    rows = q(
        warehouse,
        """select first_order_date, orders, gmv_idr, is_repeat_buyer from marts.customers
        order by first_order_date, gmv_idr desc""",
    )
    assert rows == [
        (date(2026, 10, 5), 2, Decimal("210000"), True),  # budi: O1 (dup lines counted once) + O3
        (date(2026, 10, 7), 2, Decimal("120000"), True),  # sari: O2 + O6
        (date(2026, 10, 27), 1, Decimal("120000"), False),  # dewi
    ]  # andi (cancelled) and rina (unpaid, then cancelled) are not customers
    ((repeat_rate,),) = q(warehouse, "select avg(case when is_repeat_buyer then 1.0 else 0 end) from marts.customers")
    assert repeat_rate == pytest.approx(2 / 3)


def test_weekly_cohort_ltv_exactly(warehouse):
    rows = q(
        warehouse,
        """select cohort_week, weeks_since_first_order, cohort_customers, cumulative_gmv_idr, ltv_idr
        from marts.ltv_weekly where shop_id = 'toko-uji' order by 1, 2""",
    )
    assert [(r[0], r[1], r[2], Decimal(r[3]), Decimal(r[4])) for r in rows] == [
        (date(2026, 10, 5), 0, 2, Decimal(230000), Decimal(115000)),
        (date(2026, 10, 5), 1, 2, Decimal(290000), Decimal(145000)),
        (date(2026, 10, 5), 2, 2, Decimal(290000), Decimal(145000)),  # a week without purchases stays dense
        (date(2026, 10, 5), 3, 2, Decimal(330000), Decimal(165000)),
        (date(2026, 10, 26), 0, 1, Decimal(120000), Decimal(120000)),
    ]


def test_latest_export_wins_per_order_line(warehouse):
    rows = q(
        warehouse,
        """select order_id, sku_id, order_status from staging.stg_tiktok__order_lines
        where order_id in ('5760000000000000O1', '5760000000000000O3') order by 1, 2""",
    )
    assert [r[2] for r in rows] == ["Selesai", "Selesai", "Selesai"]
    ((daily_orders,),) = q(warehouse, "select orders from marts.kpi_daily where date = '2026-10-05'")
    assert daily_orders == 1


def test_second_run_loads_nothing_and_changes_nothing(warehouse, tmp_path):
    marts = ["customers", "ltv_weekly", "kpi_daily"]
    before = {m: q(warehouse, f"select * from marts.{m} order by all") for m in marts}
    again = run_pipeline(warehouse["landing"], warehouse["warehouse"].rsplit("/", 1)[0])
    assert again["exit_code"] == 0
    assert again["files"]["files_loaded"] == 0 and again["files"]["files_unchanged"] == 2
    assert {m: q(warehouse, f"select * from marts.{m} order by all") for m in marts} == before


def test_failing_blocking_check_stops_the_marts(tmp_path):
    """An order created after the export that contains it cannot be real: the staging check blocks. (A name stamp
    a day or more before the file's rows is not believed at all: the file's time stands in for it.)"""
    landing, home = tmp_path / "landing", tmp_path / "home"
    write_orders_csv(
        landing / SHOP / "Semua pesanan-2026-10-25-09_00.csv",
        [line("5760000000000000O9", "budi", "25/10/2026 10:00:00", SKU1, 100000)],
    )
    summary = run_pipeline(landing, home)
    assert summary["exit_code"] == 1
    assert any(c["check"] == "gx_stg_order_lines" for c in summary["checks_failed"])
    assert summary["marts_built"] == []
    assert "dbt_models" in summary["skipped_steps"]
    with duckdb.connect(summary["warehouse"], read_only=True) as con:
        schemas = {r[0] for r in con.execute("select schema_name from information_schema.schemata").fetchall()}
    assert "marts" not in schemas
