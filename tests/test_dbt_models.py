"""Build the dbt project against a throwaway DuckDB with hand-written raw rows and check the marts.

The raw tables are created from ingestion/formats.py (the contract), so a renamed canonical column
breaks this test rather than production.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

duckdb = pytest.importorskip("duckdb")

REPO = Path(__file__).resolve().parents[1]
DBT_PROJECT = REPO / "dbt_project"
SHOP = "toko_a"
# customer c1's key as ingestion writes it (32 hex characters), and as ingestion wrote it before (64, of which
# the first 32 are the same key): staging keeps 32, so both are one customer
C1 = "c1" * 16
C1_BEFORE = C1 + "f" * 32


def _formats():
    spec = importlib.util.spec_from_file_location("lapak_formats_for_dbt_test", REPO / "ingestion" / "formats.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve annotations through sys.modules
    spec.loader.exec_module(module)
    return module


def _dbt_executable() -> str:
    candidate = Path(sys.executable).with_name("dbt")
    if candidate.exists():
        return str(candidate)
    found = shutil.which("dbt")
    if not found:
        pytest.skip("dbt is not installed")
    return found


def _create_raw_tables(con) -> None:
    formats = _formats()
    con.execute("create schema raw")
    for kind in formats.KINDS.values():
        columns = [f'"{c}" varchar' for c in kind.columns]
        if kind.name == "orders":
            columns.append("customer_key varchar")
        columns += [f'"{c}" {t}' for c, t in formats.LINEAGE_COLUMNS.items()]
        con.execute(f"create table raw.{kind.name} ({', '.join(columns)})")


def _insert(con, table: str, file: str, export_at: str, rows: list[dict], period=(None, None)) -> None:
    """Insert rows of one file; each dict holds the canonical columns that are filled in."""
    for i, row in enumerate(rows, start=2):
        values = {
            **row,
            "_shop_id": SHOP,
            "_source_file": f"{SHOP}/{file}",
            "_source_row": i,
            "_file_sha256": hashlib.sha256(file.encode()).hexdigest(),  # one hash per file, as ingestion writes
            "_load_id": "test",
            "_export_at": export_at,
            "_file_modified_at": export_at,
            "_period_start": period[0],
            "_period_end": period[1],
            "_language": "id",
        }
        names = ", ".join(f'"{c}"' for c in values)
        marks = ", ".join("?" for _ in values)
        con.execute(f"insert into raw.{table} ({names}) values ({marks})", list(values.values()))


def _order(order_id, status, sku, qty, subtotal, created, customer, province, cancel=None, returned=None):
    return {
        "order_id": order_id, "order_status": status, "cancelation_return_type": cancel, "sku_id": sku,
        "product_name": f"Produk {sku}", "quantity": qty, "sku_quantity_of_return": returned,
        "sku_subtotal_after_discount": subtotal, "created_time": created, "customer_key": customer,
        "province": province, "regency_and_city": "Kota", "payment_method": "COD",
    }  # fmt: skip


def _load_raw(con) -> None:
    _create_raw_tables(con)
    # An older export of O1 with a stale status and amount: the newer file must win.
    _insert(con, "orders", "orders_old.csv", "2024-01-05 08:00:00", [
        _order("O1", "Dikirim", "S1", "2", "IDR 90.000", "01/01/2024 10:00:00", C1, "Jawa Barat"),
    ])  # fmt: skip
    _insert(con, "orders", "orders_new.csv", "2024-01-25 08:00:00", [
        _order("O1", "Selesai", "S1", "2", "IDR 100.000", "01/01/2024 10:00:00", C1, "Jawa Barat"),
        _order("O1", "Selesai", "S2", "1", "25000", "01/01/2024 10:00:00", C1, "Jawa Barat"),
        _order("O3", "Perlu dikirim", "S2", "1", "Rp25.000", "02/01/2024 11:00:00", "c2", "Jawa Tengah"),
        _order("O4", "Dibatalkan", "S1", "1", "50000", "03/01/2024 12:00:00", "c2", "Jawa Tengah", cancel="Cancel"),
        _order("O6", "Belum dibayar", "S1", "1", "50000", "09/01/2024 09:00:00", "c3", "Banten"),
        _order("O7", "Shipped", "S2", "4", "100,000", "09/01/2024 20:00:00", "c4", "Bali"),
        _order("O2", "Completed", "S1", "1", "50000.000", "10/01/2024 13:00:00", C1_BEFORE, "DKI Jakarta"),
        _order("O5", "Selesai", "S1", "1", "Rp50.000", "22/01/2024 07:30:00", C1, "Jawa Barat",
               cancel="Return/Refund", returned="1"),
    ])  # fmt: skip
    _insert(con, "products", "products_1.xlsx", "2024-01-01 08:00:00", [
        {"product_id": "P1", "product_name": "Produk S1", "sku_id": "S1", "price": "Rp45.000", "stock_quantity": "10"},
    ])  # fmt: skip
    _insert(con, "products", "products_2.xlsx", "2024-01-20 08:00:00", [
        {"product_id": "P1", "product_name": "Produk S1", "sku_id": "S1", "price": "Rp50.000",
         "stock_quantity": "1.200"},
        {"product_id": "P2", "product_name": "Produk S2", "sku_id": "S2", "price": "25000", "stock_quantity": "5"},
    ])  # fmt: skip
    video = {"creator_id": "cr1", "creator_name": "Kreator", "posted_time": "2023-12-30 19:00", "likes": "5",
             "comments": "1", "shares": "0", "attributed_sku_orders": "0", "units_sold": "0"}  # fmt: skip
    _insert(con, "videos", "videos_0101.xlsx", "2024-01-02 08:00:00", [
        {**video, "video_id": "V1", "views": "1.000", "finish_rate": "10%", "product_impressions": "200",
         "product_clicks": "20", "attributed_sku_orders": "2", "ctr": "10%"},
        {**video, "video_id": "V2", "views": "3000", "finish_rate": "30,00%", "product_impressions": "300",
         "product_clicks": "30", "attributed_sku_orders": "1", "ctr": "10%"},
    ], period=("2024-01-01", "2024-01-01"))  # fmt: skip
    _insert(con, "videos", "videos_0102.xlsx", "2024-01-03 08:00:00", [
        {**video, "video_id": "V1", "views": "500", "finish_rate": "0.2", "product_impressions": "0",
         "product_clicks": "0"},
    ], period=("2024-01-02", "2024-01-02"))  # fmt: skip
    # A week-long export: not spread over days, so it must not reach kpi_daily or video_daily.
    _insert(con, "videos", "videos_week.xlsx", "2024-01-08 08:00:00", [
        {**video, "video_id": "V1", "views": "99999", "finish_rate": "50%", "product_impressions": "9",
         "product_clicks": "9"},
    ], period=("2024-01-01", "2024-01-07"))  # fmt: skip
    _insert(con, "lives", "lives.xlsx", "2024-01-08 08:00:00", [
        {"creator_id": "cr1", "creator_name": "Kreator", "live_start_time": "2024-01-05 19:00",
         "duration": "2h 05m 30s", "attributed_gmv": "Rp1.250.000", "viewers": "1.234", "ctr": "1,5%"},
        {"creator_id": "cr1", "creator_name": "Kreator", "live_start_time": "2024/01/06 19:00:00",
         "duration": "00:45:10", "attributed_gmv": "0", "viewers": "10"},
    ], period=("2024-01-01", "2024-01-07"))  # fmt: skip
    _insert(con, "creators", "creators.xlsx", "2024-01-08 08:00:00", [
        {"creator_name": "Kreator", "gmv": "Rp1.250.000", "attributed_orders": "12", "estimated_commission": "125000"},
    ], period=("2024-01-01", "2024-01-07"))  # fmt: skip
    _insert(con, "campaigns", "campaigns.csv", "2024-01-01 08:00:00", [
        {"campaign_id": "C1", "campaign_name": "Promo Gajian", "campaign_type": "Discount",
         "start_time": "2024-01-01 00:00:00", "end_time": "2024-01-07 23:59:59"},
        {"campaign_id": "C2", "campaign_name": "Flash Sale", "campaign_type": "Flash",
         "start_time": "2024-01-08 00:00:00", "end_time": "2024-01-08 23:59:59"},
    ])  # fmt: skip
    nps = [("R1", "C1", "10"), ("R2", "C1", "9"), ("R3", "C1", "7"), ("R4", "C1", "3"), ("R5", "C2", "6"),
           ("R6", None, "9"), ("R7", None, "8")]  # fmt: skip
    _insert(con, "nps_responses", "nps.csv", "2024-01-25 08:00:00", [
        {"response_id": r, "responded_at": "2024-01-20 10:00:00", "campaign_id": c, "order_id": "O1", "score": s,
         "channel": "WhatsApp"}
        for r, c, s in nps
    ])  # fmt: skip
    _insert(con, "ab_variants", "ab.csv", "2024-01-25 08:00:00", [
        {"experiment_id": "E1", "dimension": "hook", "video_id": "V1", "variant": "A", "is_control": "true"},
        {"experiment_id": "E1", "dimension": "hook", "video_id": "V2", "variant": "B", "is_control": "false"},
    ])  # fmt: skip


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    tmp_path = tmp_path_factory.mktemp("dbt")
    path = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(path))
    try:
        _load_raw(con)
    finally:
        con.close()
    env = {**os.environ, "LAPAK_WAREHOUSE": str(path), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    result = subprocess.run(
        [
            _dbt_executable(), "build",
            "--project-dir", str(DBT_PROJECT), "--profiles-dir", str(DBT_PROJECT),
            "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs"),
        ],
        cwd=DBT_PROJECT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    return path


def test_dbt_unit_tests_run_here_and_pass(warehouse):
    """`lapak run` leaves dbt's unit tests out (they test SQL on fixtures, not the data): this build runs them."""
    results = json.loads((warehouse.parent / "target" / "run_results.json").read_text())["results"]
    unit = {r["unique_id"]: r["status"] for r in results if r["unique_id"].startswith("unit_test.")}
    assert len(unit) >= 14, sorted(unit)
    assert set(unit.values()) == {"pass"}, unit


def _dbt_test(warehouse: Path, tmp_path: Path, select: str, *flags: str, env: dict | None = None):
    """`dbt test --select <select>` on `warehouse` (a copy), its target and logs under `tmp_path`."""
    env = {**os.environ, "LAPAK_WAREHOUSE": str(warehouse), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", **(env or {})}
    return subprocess.run(
        [
            _dbt_executable(), "test", "--select", select, *flags,
            "--project-dir", str(DBT_PROJECT), "--profiles-dir", str(DBT_PROJECT),
            "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs"),
        ],
        cwd=DBT_PROJECT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def _rows(path: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_customers(warehouse):
    assert _rows(
        warehouse,
        "select customer_key, first_order_date, last_order_date, orders, gmv_idr, is_repeat_buyer, province "
        "from marts.customers order by customer_key",
    ) == [
        (C1, dt.date(2024, 1, 1), dt.date(2024, 1, 22), 3, Decimal("225000.00"), True, "Jawa Barat"),
        ("c2", dt.date(2024, 1, 2), dt.date(2024, 1, 2), 1, Decimal("25000.00"), False, "Jawa Tengah"),
        ("c4", dt.date(2024, 1, 9), dt.date(2024, 1, 9), 1, Decimal("100000.00"), False, "Bali"),
    ]  # fmt: skip


def test_ltv_weekly_is_dense_and_cumulative(warehouse):
    assert _rows(
        warehouse,
        "select cohort_week, weeks_since_first_order, cohort_customers, cumulative_gmv_idr, ltv_idr "
        "from marts.ltv_weekly order by cohort_week, weeks_since_first_order",
    ) == [
        (dt.date(2024, 1, 1), 0, 2, Decimal("150000.00"), Decimal("75000.00")),
        (dt.date(2024, 1, 1), 1, 2, Decimal("200000.00"), Decimal("100000.00")),
        (dt.date(2024, 1, 1), 2, 2, Decimal("200000.00"), Decimal("100000.00")),
        (dt.date(2024, 1, 1), 3, 2, Decimal("250000.00"), Decimal("125000.00")),
        (dt.date(2024, 1, 8), 0, 1, Decimal("100000.00"), Decimal("100000.00")),
        (dt.date(2024, 1, 8), 1, 1, Decimal("100000.00"), Decimal("100000.00")),
        (dt.date(2024, 1, 8), 2, 1, Decimal("100000.00"), Decimal("100000.00")),
    ]  # fmt: skip


def test_nps_by_campaign(warehouse):
    assert _rows(
        warehouse,
        "select campaign_id, campaign_name, responses, promoters, passives, detractors, nps "
        "from marts.nps_by_campaign order by campaign_id",
    ) == [
        ("(none)", "(no campaign)", 2, 1, 1, 0, 50.0),
        ("C1", "Promo Gajian", 4, 2, 1, 1, 25.0),
        ("C2", "Flash Sale", 1, 0, 0, 1, -100.0),
    ]  # fmt: skip


def test_kpi_daily(warehouse):
    rows = _rows(
        warehouse,
        "select date, orders, buyers, units, gmv_idr, aov_idr, video_views, view_through_rate, ctr, cvr "
        "from marts.kpi_daily order by date",
    )
    assert len(rows) == 22  # dense from 2024-01-01 to 2024-01-22
    assert [r[0] for r in rows] == [dt.date(2024, 1, 1) + dt.timedelta(days=i) for i in range(22)]
    day1, day2, day3 = rows[0], rows[1], rows[2]
    assert day1[:7] == (dt.date(2024, 1, 1), 1, 1, 3, Decimal("125000.00"), Decimal("125000.00"), 4000)
    # weighted by views: (1000 * 0.10 + 3000 * 0.30) / 4000, not the plain mean 0.20
    assert day1[7] == pytest.approx(0.25)
    assert day1[8] == pytest.approx(0.10)
    assert day1[9] == pytest.approx(0.06)
    assert day2[1:8] == (1, 1, 1, Decimal("25000.00"), Decimal("25000.00"), 500, pytest.approx(0.2))
    assert day2[8] is None and day2[9] is None  # no impressions, no clicks
    assert day3[1:5] == (0, 0, 0, Decimal("0.00"))  # only a cancelled order
    assert day3[6] is None  # no single-day video export for that day
    assert sum(r[4] for r in rows) == Decimal("350000.00")


def test_video_daily_uses_single_day_exports_only(warehouse):
    assert _rows(
        warehouse, "select video_id, date, views, view_through_rate, ctr from marts.video_daily order by date, video_id"
    ) == [
        ("V1", dt.date(2024, 1, 1), 1000, pytest.approx(0.1), pytest.approx(0.1)),
        ("V2", dt.date(2024, 1, 1), 3000, pytest.approx(0.3), pytest.approx(0.1)),
        ("V1", dt.date(2024, 1, 2), 500, pytest.approx(0.2), None),
    ]  # fmt: skip


def test_sku_daily_and_staging(warehouse):
    assert _rows(
        warehouse,
        "select sku_id, date, orders, units, gmv_idr, returned_units from marts.sku_daily "
        "where sku_id = 'S1' order by date",
    ) == [
        ("S1", dt.date(2024, 1, 1), 1, 2, Decimal("100000.00"), 0),
        ("S1", dt.date(2024, 1, 3), 0, 0, Decimal("0.00"), 0),
        ("S1", dt.date(2024, 1, 9), 0, 0, Decimal("0.00"), 0),
        ("S1", dt.date(2024, 1, 10), 1, 1, Decimal("50000.00"), 0),
        ("S1", dt.date(2024, 1, 22), 1, 1, Decimal("50000.00"), 1),
    ]  # fmt: skip
    stg = "staging.stg_tiktok__"
    key = f"{SHOP}|O1|S1"
    lines = _rows(warehouse, f"select order_status, is_counted from {stg}order_lines where order_line_id = '{key}'")
    assert lines == [("Selesai", True)]  # the newer export wins
    products = _rows(warehouse, f"select price_idr, stock_quantity from {stg}products where sku_id = 'S1'")
    assert products == [(Decimal("50000.00"), 1200)]
    lives = _rows(warehouse, f"select duration_s, attributed_gmv_idr, viewers, ctr from {stg}lives order by 1 desc")
    assert lives == [(7530, Decimal("1250000.00"), 1234, pytest.approx(0.015)), (2710, Decimal("0.00"), 10, None)]


def test_not_null_columns_names_the_column_with_nulls(warehouse, tmp_path):
    """One `not_null_columns` test covers a model's required columns and says which one has NULLs."""
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(warehouse, copy)
    with duckdb.connect(str(copy)) as con:
        con.execute(
            "update marts.customers set gmv_idr = null "
            "where customer_key = (select min(customer_key) from marts.customers)"
        )
    result = _dbt_test(copy, tmp_path, "customers,test_name:not_null_columns", "--store-failures")
    assert result.returncode == 1, result.stdout[-3000:]
    assert "Got 1 result" in result.stdout
    with duckdb.connect(str(copy), read_only=True) as con:
        (table,) = con.execute(
            "select table_schema || '.' || table_name from information_schema.tables "
            "where table_name like 'not_null_columns_customers%'"
        ).fetchone()
        assert con.execute(f"select column_name, null_rows from {table}").fetchall() == [("gmv_idr", 1)]


def test_accepted_ranges_names_the_column_out_of_range(warehouse, tmp_path):
    """One `accepted_ranges` test covers a model's ranged columns and says which one is out of range, how often."""
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(warehouse, copy)
    with duckdb.connect(str(copy)) as con:
        # orders must be >= 1 and gmv_idr >= 0; a NULL passes, as in dbt's accepted_range
        for change, pick in (("orders = 0", "min"), ("gmv_idr = null", "max")):
            con.execute(
                f"update marts.customers set {change} "
                f"where customer_key = (select {pick}(customer_key) from marts.customers)"
            )
    result = _dbt_test(copy, tmp_path, "customers,test_name:accepted_ranges", "--store-failures")
    assert result.returncode == 1, result.stdout[-3000:]
    assert "Got 1 result" in result.stdout
    with duckdb.connect(str(copy), read_only=True) as con:
        (table,) = con.execute(
            "select table_schema || '.' || table_name from information_schema.tables "
            "where table_name = 'accepted_ranges_customers'"
        ).fetchone()
        assert con.execute(f"select column_name, rows_out_of_range from {table}").fetchall() == [("orders", 1)]


def test_fact_tests_read_the_rebuilt_days_only_when_a_window_is_set(warehouse, tmp_path):
    """After ingestion, a fact's data tests check the days the build rebuilt; without a window, every day."""
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(warehouse, copy)
    with duckdb.connect(str(copy)) as con:
        (day,) = con.execute("select min(order_date) from staging.stg_tiktok__order_lines").fetchone()
        # a duplicated line on the oldest day: the unique test must see it when that day is tested
        con.execute(
            "insert into staging.stg_tiktok__order_lines select * from staging.stg_tiktok__order_lines "
            "where order_date = ? limit 1",
            [day],
        )

    def unique_test(window: list[str] | None) -> int:
        env = {} if window is None else {"LAPAK_REBUILD_WINDOWS": json.dumps({"lapak_windows": {"orders": window}})}
        return _dbt_test(copy, tmp_path, "stg_tiktok__order_lines,test_name:unique", env=env).returncode

    later = (day + dt.timedelta(days=1)).isoformat()
    assert unique_test([later, "2099-12-31"]) == 0  # the duplicated day was not rebuilt: not tested again
    assert unique_test([day.isoformat(), day.isoformat()]) == 1
    assert unique_test(None) == 1
