"""End to end: generated sample exports → `lapak run` (the CLI, in a subprocess) twice → the marts
reveal the planted stories, and the second run changes nothing."""

from datetime import timedelta
from decimal import Decimal

import pytest

from tests.helpers.pipeline import MARTS_SNAPSHOTTED as MARTS
from tests.helpers.pipeline import SampleRun

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def sample(sample_run: SampleRun):
    con = sample_run.connect()
    yield sample_run.generated, sample_run.first, sample_run.second, sample_run.marts_after_first, con
    con.close()


def test_first_run_loads_every_file_and_passes_every_check(sample):
    result, summary, _, _, _ = sample
    assert summary["files"]["files_loaded"] == len(result.files)
    assert summary["files"]["rows_quarantined"] == 0
    assert summary["files"]["rows_read"] == summary["files"]["rows_loaded"] > 0
    # only the freshness warning may fail: the sample ends on a fixed date in the past
    assert {c["check"] for c in summary["checks_failed"]} <= {"orders_export_is_fresh"}
    assert all(c["severity"] == "WARN" for c in summary["checks_failed"]) and summary["checks_passed"] > 50
    assert set(MARTS) <= {m.split("/")[1] for m in summary["marts_built"]}


def test_second_run_loads_nothing_and_changes_no_mart(sample):
    result, _, second, snapshot, con = sample
    assert second["files"]["files_loaded"] == 0
    assert second["files"]["files_unchanged"] == len(result.files)
    for mart in MARTS:
        assert con.execute(f"select * from marts.{mart} order by all").fetchall() == snapshot[mart], mart


def test_viral_video_spikes_views_and_its_sku_units(sample):
    result, _, _, _, con = sample
    for shop, story in result.stories.items():
        before = story.viral_date - timedelta(days=14)
        trailing, spike = con.execute(
            """select
                coalesce(sum(units) filter (where date >= $before and date < $viral), 0) / 14.0,
                max(units) filter (where date between $viral and $viral + interval 3 day)
            from marts.sku_daily where shop_id = $shop and sku_id = $sku""",
            {"before": before, "viral": story.viral_date, "shop": shop, "sku": story.viral_sku_id},
        ).fetchone()
        assert spike >= 5 * max(trailing, 1), (shop, trailing, spike)
        views = con.execute(
            "select max(views) from marts.video_daily where shop_id = ? and video_id = ? and date >= ?",
            [shop, story.viral_video_id, story.viral_date],
        ).fetchone()[0]
        typical = con.execute(
            "select median(views) from marts.video_daily where shop_id = ? and video_id <> ?",
            [shop, story.viral_video_id],
        ).fetchone()[0]
        assert views >= 10 * typical, (shop, views, typical)


def test_repeat_buyers_and_growing_cohort_ltv(sample):
    _, _, _, _, con = sample
    share, customers = con.execute(
        "select avg(case when is_repeat_buyer then 1.0 else 0 end), count(*) from marts.customers"
    ).fetchone()
    assert customers > 100 and 0.15 <= share <= 0.6, share
    # LTV of the first cohort grows past its week-0 value
    w0, last = con.execute(
        """select min(ltv_idr) filter (where weeks_since_first_order = 0), max(ltv_idr)
        from marts.ltv_weekly where cohort_week = (select min(cohort_week) from marts.ltv_weekly)"""
    ).fetchone()
    assert last > w0 * Decimal("1.2")


def test_campaigns_have_clearly_different_nps(sample):
    result, _, _, _, con = sample
    for shop, story in result.stories.items():
        nps = dict(
            con.execute("select campaign_id, nps from marts.nps_by_campaign where shop_id = ?", [shop]).fetchall()
        )
        high = [nps[c] for c, band in story.campaign_nps.items() if band == "high" and c in nps]
        low = [nps[c] for c, band in story.campaign_nps.items() if band == "low" and c in nps]
        assert high and low, (shop, nps)
        assert min(high) - max(low) >= 30, (shop, nps)


def test_status_changes_between_overlapping_exports_take_the_latest(sample):
    _, _, _, _, con = sample
    changed = con.execute(
        """with statuses as (
            select _shop_id, order_id, sku_id, count(distinct order_status) as n,
                   arg_max(order_status, _export_at) as latest
            from raw.orders group by all
        )
        select count(*), count(*) filter (where s.order_status = statuses.latest)
        from statuses
        join staging.stg_tiktok__order_lines as s
          on s.shop_id = statuses._shop_id and s.order_id = statuses.order_id and s.sku_id = statuses.sku_id
        where statuses.n > 1"""
    ).fetchone()
    assert changed[0] > 50 and changed[0] == changed[1]


def test_kpi_daily_gmv_reconciles_with_counted_order_lines(sample):
    _, _, _, _, con = sample
    kpi, lines = con.execute(
        """select (select sum(gmv_idr) from marts.kpi_daily),
                  (select sum(subtotal_after_discount_idr) from staging.stg_tiktok__order_lines where is_counted)"""
    ).fetchone()
    assert kpi == lines


def test_run_summary_lists_the_sold_out_viral_skus_and_writes_the_csv(sample_run: SampleRun):
    published = sample_run.first["published"]
    urgent = {
        (a["shop_id"], a["sku_id"]) for a in published["reorder_actions"] if a["status"] in ("urgent", "oversold")
    }
    for shop, story in sample_run.generated.stories.items():
        assert (shop, story.viral_sku_id) in urgent
    csv = sample_run.home / "reorder_signals.csv"
    assert published["reorder_signals_csv"] == str(csv)
    assert csv.read_text().splitlines()[0].startswith("shop_id,sku_id")
