"""Great Expectations suites validate big loads in chunks: the outcome must equal one validation of everything."""

import dataclasses
from datetime import datetime

import duckdb
import pandas as pd
import pytest

from quality import validation as checks
from quality.suites import SUITES

RAW_ORDERS = next(s for s in SUITES if s.name == "gx_raw_orders")
STG_LINES = next(s for s in SUITES if s.name == "gx_stg_order_lines")


def _raw_orders(con, files: dict[str, int], bad: dict[str, list[int]]) -> None:
    """`files`: rows per file; `bad`: lines per file whose order_id breaks the regex."""
    rows = []
    for f, n in files.items():
        for line in range(2, n + 2):
            order_id = f"bad id {line}!" if line in bad.get(f, []) else f"{f}{line}"
            rows.append(
                (order_id, "S1", "Selesai", "01/01/2026 10:00:00", "k", "shop", f"{f}.csv", line, f"sha-{f}", "L")
            )
    frame = pd.DataFrame(  # noqa: F841 (read by DuckDB by name)
        rows,
        columns=["order_id", "sku_id", "order_status", "created_time", "customer_key", "_shop_id", "_source_file",
                 "_source_row", "_file_sha256", "_load_id"],
    )  # fmt: skip
    con.execute("create schema raw")
    con.execute("create table raw.orders as select * from frame")


@pytest.fixture
def con():
    with duckdb.connect() as c:
        yield c


def test_chunks_sum_to_one_validation_and_keep_files_whole(con, monkeypatch):
    _raw_orders(con, {"a": 3, "b": 3, "c": 2, "d": 4}, bad={"b": [3], "d": [2, 5]})
    params = {"shops": ["shop"] * 4, "files": ["sha-a", "sha-b", "sha-c", "sha-d"]}
    whole = checks.validate_in_chunks(con, RAW_ORDERS, RAW_ORDERS.query, params)
    monkeypatch.setattr(checks, "CHUNK_ROWS", 5)
    chunked = checks.validate_in_chunks(con, RAW_ORDERS, RAW_ORDERS.query, params)

    assert whole.chunks == 1 and chunked.chunks == 3  # [a], [b, c], [d]: no file is split
    assert chunked.rows == whole.rows == 12
    assert not chunked.passed and not whole.passed
    assert [(d["expectation"], d["success"], d["unexpected_count"]) for d in chunked.details] == [
        (d["expectation"], d["success"], d["unexpected_count"]) for d in whole.details
    ]
    regex = next(d for d in chunked.details if d["expectation"] == "expect_column_values_to_match_regex")
    assert regex["unexpected_count"] == 3
    failing = pd.concat(chunked.failing_rows)
    assert sorted(zip(failing["_source_file"], failing["_source_row"], strict=True)) == [
        ("b.csv", 3), ("d.csv", 2), ("d.csv", 5)
    ]  # fmt: skip


def test_a_clean_load_passes_in_chunks(con, monkeypatch):
    _raw_orders(con, {"a": 4, "b": 4, "c": 4}, bad={})
    monkeypatch.setattr(checks, "CHUNK_ROWS", 4)
    params = {"shops": ["shop"] * 3, "files": ["sha-a", "sha-b", "sha-c"]}
    outcome = checks.validate_in_chunks(con, RAW_ORDERS, RAW_ORDERS.query, params)
    assert outcome.passed and outcome.chunks == 3 and outcome.rows == 12 and not outcome.failing_rows


def _stg_lines(con, created_at: str, status: str = "completed", n: int = 12, export_at: str = "2026-02-01") -> None:
    """Staged order lines `l0..l<n-1>` (one order each, one SKU); `created_at` is SQL over the row number `i`."""
    con.execute("create schema staging")
    con.execute(
        f"""create table staging.stg_tiktok__order_lines as
        select 'l' || i as order_line_id, 's' as shop_id, 'o' || i as order_id, 'S1' as sku_id, 1 as quantity,
               0 as returned_quantity, 10 as subtotal_after_discount_idr, 10 as order_amount_idr,
               0 as order_refund_amount_idr, '{status}' as order_status_category,
               {created_at} as created_at, timestamp '{export_at}' as export_at
        from range({n}) as t(i)"""
    )


def test_fact_suites_chunk_by_day(con, monkeypatch):
    _stg_lines(con, "timestamp '2026-01-01 10:00' + to_days(i // 3)")
    # a duplicate key on one day: uniqueness within a day survives chunking by day
    con.execute("update staging.stg_tiktok__order_lines set order_line_id = 'l6' where order_line_id = 'l7'")
    monkeypatch.setattr(checks, "CHUNK_ROWS", 4)
    outcome = checks.validate_in_chunks(con, STG_LINES, STG_LINES.query, {})
    assert outcome.chunks == 4 and outcome.rows == 12
    unique = next(d for d in outcome.details if d["expectation"] == "expect_column_values_to_be_unique")
    assert not unique["success"] and unique["unexpected_count"] == 2


@pytest.mark.parametrize(("created", "passes"), [("23:07:18", True), ("23:08:00", False)])
def test_an_order_created_in_the_export_minute_is_not_after_the_export(con, created, passes):
    """File names carry the export time to the minute: `All order-2026-11-20-23_07.csv` can hold 23:07:18."""
    _stg_lines(con, f"timestamp '2026-11-20 {created}'", status="unpaid", n=1, export_at="2026-11-20 23:07")
    outcome = checks.validate_in_chunks(con, STG_LINES, STG_LINES.query, {})
    assert outcome.passed is passes


def test_a_row_without_a_day_is_validated_when_chunking_by_day(con, monkeypatch):
    """A null chunk key (here a line with no creation time) must land in a chunk, where not-null catches it."""
    _stg_lines(con, "case when i = 5 then null else timestamp '2026-01-01 10:00' + to_days(i // 3) end")
    monkeypatch.setattr(checks, "CHUNK_ROWS", 4)
    outcome = checks.validate_in_chunks(con, STG_LINES, STG_LINES.query, {})
    assert outcome.rows == 12 and outcome.chunks > 1
    assert not outcome.passed
    not_null = [d for d in outcome.details if d["expectation"] == "expect_column_values_to_not_be_null"]
    created = next(d for d in not_null if d["column"] == "created_at")
    assert not created["success"] and created["unexpected_count"] == 1


def test_frames_come_through_arrow_exactly_as_duckdb_makes_them(con):
    """`fetch_frame` (Arrow, fast on text) must hand GX the DataFrame `.df()` would, nulls included."""
    columns = {
        "s": "'text ' || i",
        "amount": "cast(i * 1.25 as decimal(18, 2))",
        "day": "date '2026-01-01' + cast(i as integer)",
        "at": "timestamp '2026-01-01 10:00' + to_hours(i)",
        "flag": "i % 2 = 0",
        "small": "cast(i as utinyint)",
        "big": "i * 1000000000000",
    }
    every_type = ", ".join(
        [f"{expr} as {name}" for name, expr in columns.items()]
        + [f"case when i % 3 = 0 then null else {expr} end as maybe_{name}" for name, expr in columns.items()]
    )
    con.execute(f"create table t as select i, {every_type} from range(50) as r(i)")
    query = "select * from t where i >= $low order by i"
    fetched = checks.fetch_frame(con, query, {"low": 3})
    pd.testing.assert_frame_equal(fetched, con.execute(query, {"low": 3}).df())
    assert str(fetched["maybe_small"].dtype) == "UInt8" and str(fetched["maybe_flag"].dtype) == "boolean"


def test_days_as_a_range_of_the_time_keep_the_rows_their_dates_would(con):
    """The order lines' window and chunks find days as a range of `created_at` (fast), not by its date: the same
    rows for any days, a microsecond before midnight and midnight itself included, nulls in neither."""
    con.execute(
        """create table t as
        select case when i % 97 = 0 then null
                    else timestamp '2026-01-01' + to_microseconds(i * 7919 * 1000003 % 3456000000000) end as made
        from range(5000) as r(i)
        union all select * from (values (timestamp '2026-01-10 23:59:59.999999'), (timestamp '2026-01-11 00:00:00'),
                                        (timestamp '2026-01-09 00:00:00'), (timestamp '2026-01-08 23:59:59.999999'))"""
    )
    suite = dataclasses.replace(STG_LINES, window=("orders", "cast(made as date)"), window_time="made")
    for first, last in [("2026-01-09", "2026-01-10"), ("2026-01-01", "2026-01-01"), ("2026-01-05", "2026-02-20")]:
        condition, params = checks.keys_between(suite, first, last, "day")
        by_range = con.execute(f"select made from t where {condition} order by made", params).fetchall()
        by_date = con.execute(
            f"select made from t where cast(made as date) between '{first}' and '{last}' order by made"
        )
        assert by_range == by_date.fetchall() and by_range, (first, last)
    condition, params = checks.keys_between(suite, "2026-01-09", "2026-01-10", "day")
    assert "cast" not in condition
    kept = {made for (made,) in con.execute(f"select made from t where {condition}", params).fetchall()}
    assert {datetime(2026, 1, 10, 23, 59, 59, 999999), datetime(2026, 1, 9)} <= kept
    assert not {datetime(2026, 1, 11), datetime(2026, 1, 8, 23, 59, 59, 999999)} & kept


def test_chunks_by_a_range_of_the_time_validate_every_row_once(con, monkeypatch):
    # three lines a day, the last of each a microsecond before midnight, the first at midnight
    _stg_lines(con, "timestamp '2026-01-01' + to_days(i // 3) + to_microseconds((i % 3) * 43199999999)")
    monkeypatch.setattr(checks, "CHUNK_ROWS", 4)
    outcome = checks.validate_in_chunks(con, STG_LINES, STG_LINES.query, {})
    assert STG_LINES.window_time == "created_at"
    assert outcome.chunks == 4 and outcome.rows == 12 and outcome.passed
