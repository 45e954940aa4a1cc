"""The Great Expectations suites lapak runs, as plain data.

Each suite reads a DataFrame from DuckDB (GX's SQL path on DuckDB is broken upstream, so we validate
DataFrames) and applies expectations built lazily, because importing great_expectations takes
seconds and must not slow down loading the code location.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# the rows of the files a raw suite checks: `$shops` and `$files`, each file's shop and sha256
NEW_FILES = "where (_shop_id, _file_sha256) in (select unnest($shops::varchar[]), unnest($files::varchar[]))"
ORDER_STATUS_CATEGORIES = ["unpaid", "to_ship", "shipped", "completed", "cancelled", "other"]


@dataclass(frozen=True)
class Suite:
    name: str
    asset_key: tuple[str, ...]
    query: str
    expectations: Callable[[Any], list]  # receives `great_expectations.expectations`
    description: str
    blocking: bool = True
    # a suite on raw data validates only the rows of the loaded files it has not checked yet (`NEW_FILES`: the same
    # bytes in two shops' folders are two files; quality/checked.py) and holds the files its failing rows came from,
    # instead of blocking every shop (ingestion/hold.py); its asset key's table name is the files' kind
    holds_files: bool = False
    # a suite on a daily fact validates only the days (and shops, column `shop_id`) this run rebuilt: (kind,
    # day column); see orchestration/windows.py. The whole table's keys stay covered by dbt's unique tests.
    window: tuple[str, str] | None = None
    # the TIMESTAMP column whose date is the window's day (`cast(<it> as date)`), if it is one: days are then
    # found as a range of it (`>= the first day's midnight and < the midnight after the last`), which DuckDB
    # checks as it scans each column segment, where a cast to date is computed for every row first
    # (docs/performance.md, decision log)
    window_time: str | None = None


SUITES: list[Suite] = [
    # --- raw: what ingestion wrote ------------------------------------------------------------
    Suite(
        name="gx_raw_orders",
        asset_key=("raw", "orders"),
        # only the columns the expectations and the failing rows' lineage read: every column fetched costs its
        # conversion to pandas, 5.3M rows at 5M lines. Ingestion rejects an order file without its required
        # columns (ingestion/formats.py), so a check of the columns here could not fail.
        query=f"select order_id, sku_id, _shop_id, _source_file, _source_row, _file_sha256 from raw.orders {NEW_FILES}",
        expectations=lambda gxe: [
            *[gxe.ExpectColumnValuesToNotBeNull(column=c) for c in ("order_id", "sku_id", "_shop_id", "_source_row")],
            gxe.ExpectColumnValuesToMatchRegex(column="order_id", regex=r"^[0-9A-Za-z-]+$"),
            gxe.ExpectCompoundColumnsToBeUnique(column_list=["_shop_id", "_file_sha256", "order_id", "sku_id"]),
        ],
        description="Raw order lines: keys not null, order IDs well-formed, one line per order × SKU per file.",
        holds_files=True,
    ),
    Suite(
        name="gx_raw_videos",
        asset_key=("raw", "videos"),
        query="select video_id, views, _shop_id, _source_file, _source_row, _file_sha256, _period_start, _period_end "
        f"from raw.videos {NEW_FILES}",
        expectations=lambda gxe: [
            *[gxe.ExpectColumnValuesToNotBeNull(column=c) for c in ("video_id", "_shop_id", "_source_row")],
            gxe.ExpectCompoundColumnsToBeUnique(column_list=["_shop_id", "_file_sha256", "video_id"]),
        ],
        description="Raw video rows: keys not null, one row per video per file.",
        holds_files=True,
    ),
    Suite(
        name="gx_raw_nps_responses",
        asset_key=("raw", "nps_responses"),
        query="select response_id, score, responded_at, _shop_id, _source_file, _source_row, _file_sha256 "
        f"from raw.nps_responses {NEW_FILES}",
        expectations=lambda gxe: [
            *[gxe.ExpectColumnValuesToNotBeNull(column=c) for c in ("response_id", "score", "_shop_id")],
        ],
        description="Raw NPS answers: id, score and shop present.",
        holds_files=True,
    ),
    # --- staging: typed, deduplicated ---------------------------------------------------------
    Suite(
        name="gx_stg_order_lines",
        asset_key=("staging", "stg_tiktok__order_lines"),
        query="""select order_line_id, shop_id, order_id, sku_id, quantity, returned_quantity,
                 subtotal_after_discount_idr, order_amount_idr, order_refund_amount_idr, order_status_category,
                 created_at, export_at,
                 -- export file names carry the export time to the minute (`All order-2026-11-20-23_07`):
                 -- an order created at 23:07:18 can be in that file
                 created_at < export_at + interval 1 minute as is_created_before_export
              from staging.stg_tiktok__order_lines""",
        window=("orders", "cast(created_at as date)"),  # = order_date
        window_time="created_at",
        expectations=lambda gxe: [
            gxe.ExpectColumnValuesToNotBeNull(column="order_line_id"),
            gxe.ExpectColumnValuesToBeUnique(column="order_line_id"),
            gxe.ExpectColumnValuesToNotBeNull(column="created_at"),
            gxe.ExpectColumnValuesToBeBetween(column="quantity", min_value=1),
            gxe.ExpectColumnValuesToBeBetween(column="returned_quantity", min_value=0, mostly=1.0),
            *[
                gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0)
                for c in ("subtotal_after_discount_idr", "order_amount_idr", "order_refund_amount_idr")
            ],
            gxe.ExpectColumnValuesToBeInSet(column="order_status_category", value_set=ORDER_STATUS_CATEGORIES),
            # an order cannot be created after the export that contains it
            gxe.ExpectColumnValuesToBeInSet(column="is_created_before_export", value_set=[True]),
        ],
        description="Order lines: key unique, amounts ≥ 0, status known, created within the export's range.",
    ),
    Suite(
        name="gx_stg_videos",
        asset_key=("staging", "stg_tiktok__videos"),
        query="""select shop_id, video_id, period_start_date, period_end_date, views, product_impressions,
                 product_clicks, ctr, view_through_rate,
                 period_start_date <= period_end_date as is_period_ordered,
                 cast(posted_at as date) <= period_end_date as is_posted_within_export
              from staging.stg_tiktok__videos""",
        window=("videos", "period_start_date"),
        expectations=lambda gxe: [
            gxe.ExpectCompoundColumnsToBeUnique(
                column_list=["shop_id", "video_id", "period_start_date", "period_end_date"]
            ),
            *[gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0) for c in ("views", "product_clicks")],
            *[
                gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0, max_value=1)
                for c in ("ctr", "view_through_rate")
            ],
            gxe.ExpectColumnValuesToBeInSet(column="is_period_ordered", value_set=[True]),
            gxe.ExpectColumnValuesToBeInSet(column="is_posted_within_export", value_set=[True]),
        ],
        description="Videos: one row per video per export period, rates within 0–1, posted within the export range.",
    ),
    Suite(
        name="gx_stg_nps_responses",
        asset_key=("staging", "stg_seller__nps_responses"),
        query="select response_id, shop_id, score from staging.stg_seller__nps_responses",
        expectations=lambda gxe: [
            gxe.ExpectColumnValuesToNotBeNull(column="score"),
            gxe.ExpectColumnValuesToBeBetween(column="score", min_value=0, max_value=10),
            gxe.ExpectCompoundColumnsToBeUnique(column_list=["shop_id", "response_id"]),
        ],
        description="NPS answers: scores 0–10, one answer per response id.",
    ),
]
