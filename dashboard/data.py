"""Every query the dashboard runs, one function each, against the published read-only marts.

The dashboard never opens the warehouse: it reads `$LAPAK_HOME/serve/marts.duckdb`, a link to the copy that
`lapak run` switches in whole after each successful run (orchestration/publish.py), read-only, with a new
connection for every page load so that a newly published copy is picked up at the next click.

Conventions: `shop` None means all shops; dates are inclusive; parameters are always bound (`$name`), never
formatted into the SQL. Ratios of a period are recomputed from sums (docs/metrics.md: averaging daily AOVs or
CTRs is not the period's figure). No query selects `customer_key` or any other personal column.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import duckdb
import pandas as pd

MARTS_FILE = Path("serve") / "marts.duckdb"
SHOP_FILTER = "($shop is null or shop_id = $shop)"


def home_dir() -> Path:
    """`$LAPAK_HOME`, default `./data`: the same rule as `lapak run` (orchestration/settings.py)."""
    return Path(os.environ.get("LAPAK_HOME") or "data").expanduser().resolve()


def landing_dir() -> Path:
    """`$LAPAK_LANDING`, default `./data/landing` (orchestration/settings.py)."""
    return Path(os.environ.get("LAPAK_LANDING") or "data/landing").expanduser().resolve()


def marts_path(home: Path | None = None) -> Path:
    return (home or home_dir()) / MARTS_FILE


def connect(path: Path) -> duckdb.DuckDBPyConnection | None:
    """A read-only connection to the published marts, or None when nothing has been published yet."""
    if not path.is_file():
        return None
    return duckdb.connect(str(path), read_only=True)


def _df(con: duckdb.DuckDBPyConnection, sql: str, **params) -> pd.DataFrame:
    return con.execute(sql, params).df()


def tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in con.execute("select table_name from duckdb_tables() where schema_name = 'main'").fetchall()}


def published(con: duckdb.DuckDBPyConnection) -> tuple[str, dt.datetime] | None:
    """(run id, time) of the run that published this copy."""
    return con.execute("select any_value(run_id), max(published_at) from _published having count(*) > 0").fetchone()


def shops(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute("select distinct shop_id from kpi_daily order by shop_id").fetchall()]


def date_bounds(con: duckdb.DuckDBPyConnection) -> tuple[dt.date, dt.date] | None:
    """First and last day of `kpi_daily` over all shops; None when it has no rows."""
    row = con.execute("select min(date), max(date) from kpi_daily").fetchone()
    return None if row[0] is None else (row[0], row[1])


def kpi_totals(con: duckdb.DuckDBPyConnection, shop: str | None, start: dt.date, end: dt.date) -> dict:
    """Sums of a period: orders, GMV, video views, impressions, clicks, attributed orders; view-through weighted
    by views over the videos that report a finish rate (the definition of `kpi_daily.view_through_rate`)."""
    row = con.execute(
        f"""
        select
            count(distinct date) as days,
            sum(orders) as orders,
            sum(gmv_idr) as gmv_idr,
            sum(product_impressions) as product_impressions,
            sum(product_clicks) as product_clicks,
            sum(video_attributed_orders) as video_attributed_orders
        from kpi_daily
        where date between $start and $end and {SHOP_FILTER}
        """,
        {"shop": shop, "start": start, "end": end},
    ).fetchone()
    totals = dict(zip(["days", "orders", "gmv_idr", "product_impressions", "product_clicks", "video_attributed_orders"],
                      row, strict=True))  # fmt: skip
    totals["vtr_views"], totals["vtr_weighted"] = con.execute(
        f"""
        select sum(views), sum(views * view_through_rate)
        from video_daily
        where view_through_rate is not null and date between $start and $end and {SHOP_FILTER}
        """,
        {"shop": shop, "start": start, "end": end},
    ).fetchone()
    return totals


def kpi_by_day(con: duckdb.DuckDBPyConnection, shop: str | None, start: dt.date, end: dt.date) -> pd.DataFrame:
    return _df(
        con,
        f"""
        select date, sum(orders) as orders, sum(gmv_idr) as gmv_idr
        from kpi_daily
        where date between $start and $end and {SHOP_FILTER}
        group by date
        order by date
        """,
        shop=shop, start=start, end=end,
    )  # fmt: skip


def video_rates_by_day(con: duckdb.DuckDBPyConnection, shop: str | None, start: dt.date, end: dt.date) -> pd.DataFrame:
    """View-through (weighted by views) and CTR (clicks / impressions) per day."""
    return _df(
        con,
        f"""
        select
            date,
            sum(views * view_through_rate) filter (where view_through_rate is not null)
                / nullif(sum(views) filter (where view_through_rate is not null), 0) as view_through_rate,
            sum(product_clicks) / nullif(sum(product_impressions), 0) as ctr
        from video_daily
        where date between $start and $end and {SHOP_FILTER}
        group by date
        order by date
        """,
        shop=shop, start=start, end=end,
    )  # fmt: skip


def top_videos(con: duckdb.DuckDBPyConnection, shop: str | None, start: dt.date, end: dt.date, limit: int = 20):
    return _df(
        con,
        f"""
        select
            shop_id,
            video_id,
            any_value(creator_name) as creator_name,
            sum(views) as views,
            sum(views * view_through_rate) filter (where view_through_rate is not null)
                / nullif(sum(views) filter (where view_through_rate is not null), 0) as view_through_rate,
            sum(product_clicks) / nullif(sum(product_impressions), 0) as ctr,
            sum(attributed_sku_orders) as orders,
            sum(attributed_gmv_idr) as gmv_idr
        from video_daily
        where date between $start and $end and {SHOP_FILTER}
        group by shop_id, video_id
        order by gmv_idr desc nulls last, views desc, video_id
        limit $limit
        """,
        shop=shop, start=start, end=end, limit=limit,
    )  # fmt: skip


def top_lives(con: duckdb.DuckDBPyConnection, shop: str | None, start: dt.date, end: dt.date, limit: int = 20):
    """LIVE sessions of the period by GMV, with their sales lift against the same hours of previous weeks."""
    return _df(
        con,
        """
        select
            s.shop_id, s.live_started_at, s.creator_name, s.duration_s, s.viewers, s.ctr, s.orders, s.gmv_idr,
            l.lift_pct
        from live_sessions as s
        left join live_sales_lift as l on l.event_type = 'live_session' and l.event_id = s.live_id
        where s.live_date between $start and $end and ($shop is null or s.shop_id = $shop)
        order by s.gmv_idr desc nulls last, s.live_started_at
        limit $limit
        """,
        shop=shop, start=start, end=end, limit=limit,
    )  # fmt: skip


def experiments(con: duckdb.DuckDBPyConnection, shop: str | None) -> pd.DataFrame:
    return _df(
        con,
        f"""
        select shop_id, experiment_id, variant, is_control, videos, views, view_through_rate, ctr, cvr,
               ctr_diff, ctr_diff_ci_low, ctr_diff_ci_high, p_value, verdict
        from experiment_results
        where {SHOP_FILTER}
        order by shop_id, experiment_id, is_control desc, variant
        """,
        shop=shop,
    )


def creator_leaderboard(con: duckdb.DuckDBPyConnection, shop: str | None, start: dt.date, end: dt.date):
    """Creators over the weeks (Monday starts) that overlap the period. ROI after commission = margin after
    commission / commission, only when every week of the creator has product costs (else NULL)."""
    return _df(
        con,
        f"""
        select
            shop_id,
            creator_handle,
            sum(orders) as orders,
            sum(gmv_idr) as gmv_idr,
            sum(refunds_idr) as refunds_idr,
            sum(estimated_commission_idr) as commission_idr,
            case when bool_and(has_product_cost) then sum(margin_after_commission_idr) end as margin_idr,
            case when bool_and(has_product_cost)
                then sum(margin_after_commission_idr) / nullif(sum(estimated_commission_idr), 0)
            end as roi,
            sum(gmv_idr) / nullif(sum(estimated_commission_idr), 0) as gmv_per_commission,
            sum(videos_posted) as videos,
            sum(lives) as lives
        from creator_performance
        where week_start_date between $start - interval 6 day and $end and {SHOP_FILTER}
        group by shop_id, creator_handle
        order by margin_idr desc nulls last, gmv_idr desc, creator_handle
        """,
        shop=shop, start=start, end=end,
    )  # fmt: skip


def customer_summary(con: duckdb.DuckDBPyConnection, shop: str | None) -> dict:
    """Customers and repeat buyers (2+ counted orders, ever): counts only, never a customer row."""
    customers, repeat = con.execute(
        f"select count(*), count(*) filter (where is_repeat_buyer) from customers where {SHOP_FILTER}",
        {"shop": shop},
    ).fetchone()
    return {"customers": customers, "repeat_buyers": repeat}


def cohort_ltv(con: duckdb.DuckDBPyConnection, shop: str | None) -> pd.DataFrame:
    """LTV per cohort week × weeks since first order (all shops: cumulative GMV over cohort customers)."""
    return _df(
        con,
        f"""
        select
            cohort_week,
            weeks_since_first_order,
            sum(cohort_customers) as cohort_customers,
            sum(cumulative_gmv_idr) / sum(cohort_customers) as ltv_idr
        from ltv_weekly
        where {SHOP_FILTER}
        group by cohort_week, weeks_since_first_order
        order by cohort_week, weeks_since_first_order
        """,
        shop=shop,
    )


def repeat_curve(con: duckdb.DuckDBPyConnection, shop: str | None) -> pd.DataFrame:
    """Share of a cohort that has ordered a second time by week k, over all cohorts that reached week k."""
    return _df(
        con,
        f"""
        select weeks_since_first_order, sum(repeat_customers) / sum(cohort_customers) as repeat_rate
        from retention_weekly
        where {SHOP_FILTER}
        group by weeks_since_first_order
        order by weeks_since_first_order
        """,
        shop=shop,
    )


def nps_by_campaign(con: duckdb.DuckDBPyConnection, shop: str | None) -> pd.DataFrame:
    return _df(
        con,
        f"""
        select shop_id, campaign_id, campaign_name, campaign_type, responses, promoters, passives, detractors, nps
        from nps_by_campaign
        where {SHOP_FILTER}
        order by responses desc, shop_id, campaign_id
        """,
        shop=shop,
    )


STATUS_ORDER = ["oversold", "urgent", "reorder", "unknown", "ok"]


def reorder_signals(con: duckdb.DuckDBPyConnection, shop: str | None) -> pd.DataFrame:
    """Latest signal per SKU, worst first: oversold, urgent, reorder, unknown, ok; then fewest days of cover."""
    return _df(
        con,
        f"""
        select shop_id, as_of_date, status, product_name, seller_sku, sku_id, stock_on_hand, open_order_units,
               days_of_cover, demand_rate_per_day, suggested_order_qty, is_spike, lead_time_days
        from reorder_signals
        where {SHOP_FILTER}
        order by coalesce(list_position($statuses, status), 99), days_of_cover nulls last, shop_id, sku_id
        """,
        shop=shop, statuses=STATUS_ORDER,
    )  # fmt: skip


def status_counts(con: duckdb.DuckDBPyConnection, shop: str | None) -> dict[str, int]:
    rows = con.execute(
        f"select status, count(*) from reorder_signals where {SHOP_FILTER} group by status", {"shop": shop}
    )
    return dict(rows.fetchall())


def best_sellers(con: duckdb.DuckDBPyConnection, shop: str | None, start: dt.date, end: dt.date, limit: int = 10):
    """SKUs of the period by units (then GMV), with returned units and return rate (returns on the order day)."""
    return _df(
        con,
        f"""
        select
            shop_id, sku_id,
            any_value(product_name order by date desc) as product_name,
            any_value(seller_sku order by date desc) as seller_sku,
            sum(units) as units,
            sum(gmv_idr) as gmv_idr,
            sum(returned_units) as returned_units,
            sum(returned_units) / nullif(sum(units), 0) as return_rate
        from sku_daily
        where date between $start and $end and {SHOP_FILTER}
        group by shop_id, sku_id
        order by units desc, gmv_idr desc, shop_id, sku_id
        limit $limit
        """,
        shop=shop, start=start, end=end, limit=limit,
    )  # fmt: skip


def return_rates(con: duckdb.DuckDBPyConnection, shop: str | None, start: dt.date, end: dt.date, min_units: int = 5):
    """SKUs with returns in the period, highest return rate first (at least `min_units` sold: fewer is noise)."""
    return _df(
        con,
        f"""
        select
            shop_id, sku_id,
            any_value(product_name order by date desc) as product_name,
            sum(units) as units,
            sum(returned_units) as returned_units,
            sum(returned_units) / nullif(sum(units), 0) as return_rate
        from sku_daily
        where date between $start and $end and {SHOP_FILTER}
        group by shop_id, sku_id
        having sum(units) >= $min_units and sum(returned_units) > 0
        order by return_rate desc, returned_units desc, shop_id, sku_id
        limit 10
        """,
        shop=shop, start=start, end=end, min_units=min_units,
    )  # fmt: skip
