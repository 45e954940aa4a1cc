"""End to end: the KPI marts reveal the stories planted in the sample data (`sample_run`: 2 shops, 60 days,
40 orders a day, seed 11, `lapak run` twice)."""

import math
from datetime import timedelta

import pytest

from tests.helpers.pipeline import SampleRun

pytestmark = pytest.mark.e2e

KPI_MARTS = [
    "reorder_signals_daily", "reorder_signals", "sku_health", "live_sessions", "live_sales_lift",
    "experiment_results", "creator_performance", "retention_weekly", "content_funnel_daily", "nps_monthly",
]  # fmt: skip


@pytest.fixture(scope="module")
def con(sample_run: SampleRun):
    con = sample_run.connect()
    yield con
    con.close()


def test_every_kpi_mart_is_built_and_not_empty(sample_run, con):
    built = {m.split("/")[1] for m in sample_run.first["marts_built"]}
    assert set(KPI_MARTS) <= built
    for mart in KPI_MARTS:
        assert con.execute(f"select count(*) from marts.{mart}").fetchone()[0] > 0, mart


def test_viral_sku_turns_urgent_before_it_sells_out(sample_run, con):
    for shop, story in sample_run.generated.stories.items():
        rows = con.execute(
            """select date, stock_on_hand, is_spike, status from marts.reorder_signals_daily
            where shop_id = ? and sku_id = ? order by date""",
            [shop, story.viral_sku_id],
        ).fetchall()
        by_date = {d: (stock, spike, status) for d, stock, spike, status in rows}
        # calm before the video: plenty of stock, no signal
        assert by_date[story.viral_date - timedelta(days=2)][2] == "ok", (shop, by_date)
        # the spike is seen, and the SKU is urgent while units are still on the shelf
        warned = [
            d
            for d, (stock, spike, status) in by_date.items()
            if story.viral_date <= d < story.sold_out_date and status == "urgent" and stock > 0
        ]
        assert warned and min(warned) < story.sold_out_date, (shop, story.sold_out_date, by_date)
        assert by_date[story.viral_date][1], (shop, "no spike on the viral day")
        # reconstructed stock runs out on the day the SKU sold out, and the latest signal agrees
        assert by_date[story.sold_out_date][0] == 0, (shop, by_date[story.sold_out_date])
        latest = con.execute(
            "select status, stock_on_hand, as_of_date from marts.reorder_signals where shop_id = ? and sku_id = ?",
            [shop, story.viral_sku_id],
        ).fetchone()
        assert latest[0] == "urgent" and latest[1] == 0, latest


def test_reorder_signals_is_the_latest_day_of_the_daily_history(con):
    mismatched = con.execute(
        """select count(*) from marts.reorder_signals as latest
        left join marts.reorder_signals_daily as daily
          on daily.shop_id = latest.shop_id and daily.sku_id = latest.sku_id and daily.date = latest.as_of_date
        where daily.status is distinct from latest.status
           or daily.stock_on_hand is distinct from latest.stock_on_hand"""
    ).fetchone()[0]
    assert mismatched == 0


def test_sku_health_ranks_and_stock_match_the_latest_product_list(sample_run, con):
    for shop, story in sample_run.generated.stories.items():
        stock, rank_28d = con.execute(
            "select stock_on_hand, best_seller_rank_28d from marts.sku_health where shop_id = ? and sku_id = ?",
            [shop, story.viral_sku_id],
        ).fetchone()
        assert stock == 0
        assert rank_28d <= 3, rank_28d  # the viral days make it a top seller of the month
    best = con.execute("select count(*) from marts.sku_health where best_seller_rank_7d = 1").fetchone()[0]
    assert best >= len(sample_run.generated.stories)


def test_story_live_lifts_sales_against_the_same_hours_of_earlier_weeks(sample_run, con):
    for shop, story in sample_run.generated.stories.items():
        session = con.execute(
            """select live_id, campaign_id, gmv_idr, viewers, ctr, orders from marts.live_sessions
            where shop_id = ? and live_started_at = ?""",
            [shop, story.live_start],
        ).fetchone()
        assert session is not None, shop
        live_id, campaign_id, gmv, viewers, ctr, orders = session
        assert campaign_id == story.live_campaign_id
        assert gmv > 0 and viewers > 0 and orders > 0 and 0 < ctr < 1
        for event_type, event_id in (("live_session", live_id), ("campaign", story.live_campaign_id)):
            weeks, window, baseline, lift, lift_pct = con.execute(
                """select baseline_weeks, window_gmv_idr, baseline_gmv_idr, lift_idr, lift_pct
                from marts.live_sales_lift where shop_id = ? and event_type = ? and event_id = ?""",
                [shop, event_type, event_id],
            ).fetchone()
            assert weeks >= 3, (shop, event_type, weeks)
            assert lift == window - baseline and lift > 0 and lift_pct > 0.5, (shop, event_type, lift_pct)


def test_one_experiment_has_a_winner_and_the_other_does_not(sample_run, con):
    for shop, story in sample_run.generated.stories.items():
        verdicts = dict(
            con.execute(
                "select experiment_id, verdict from marts.experiment_results where shop_id = ? and not is_control",
                [shop],
            ).fetchall()
        )
        assert verdicts[story.ab_winner_experiment_id] == "winner", (shop, verdicts)
        assert verdicts[story.ab_null_experiment_id] == "no difference yet", (shop, verdicts)
        low, high, diff = con.execute(
            """select ctr_diff_ci_low, ctr_diff_ci_high, ctr_diff from marts.experiment_results
            where shop_id = ? and experiment_id = ? and not is_control""",
            [shop, story.ab_winner_experiment_id],
        ).fetchone()
        assert 0 < low < diff < high


def test_p_values_match_the_normal_distribution(con):
    rows = con.execute("select z_score, p_value from marts.experiment_results where z_score is not null").fetchall()
    assert rows
    for z, p in rows:
        assert abs(p - math.erfc(abs(z) / math.sqrt(2))) < 1e-6, (z, p)


def test_creators_differ_in_return_on_commission(sample_run, con):
    for shop in sample_run.generated.stories:
        rows = con.execute(
            """select creator_handle, sum(gmv_idr) / sum(estimated_commission_idr) as gmv_per_commission,
                      sum(estimated_commission_idr) / sum(gmv_idr) as rate, bool_and(has_product_cost)
            from marts.creator_performance
            where shop_id = ? and gmv_idr > 0 group by creator_handle having sum(gmv_idr) > 1000000""",
            [shop],
        ).fetchall()
        assert len(rows) >= 4, rows
        roi = sorted(float(r[1]) for r in rows)
        assert roi[-1] >= 2 * roi[0], (shop, roi)  # the best creator returns at least twice the worst per rupiah
        assert all(0.05 <= r[2] <= 0.35 for r in rows), rows  # rates come from the creator export (8-30 %)
        assert all(r[3] for r in rows)  # the sample has product_costs.csv, so margins are known
        margins = con.execute(
            "select count(*) from marts.creator_performance where shop_id = ? and gmv_idr > 0 "
            "and margin_after_commission_idr is null",
            [shop],
        ).fetchone()[0]
        assert margins == 0


def test_customers_net_revenue_and_net_ltv(con):
    bad = con.execute(
        "select count(*) from marts.customers "
        "where net_revenue_idr <> gmv_idr - refund_idr or net_revenue_idr > gmv_idr"
    ).fetchone()[0]
    assert bad == 0
    refunded = con.execute("select sum(refund_idr) from marts.customers").fetchone()[0]
    assert refunded > 0
    gross, net = con.execute(
        """select sum(cumulative_gmv_idr), sum(cumulative_net_revenue_idr) from marts.ltv_weekly
        where (shop_id, cohort_week, weeks_since_first_order) in (
            select shop_id, cohort_week, max(weeks_since_first_order) from marts.ltv_weekly group by all)"""
    ).fetchone()
    assert 0 < net < gross
    # repeat rate of the oldest cohorts grows week by week and ends between 15 % and 80 %
    rate = con.execute(
        """select max(repeat_rate) from marts.retention_weekly
        where cohort_week = (select min(cohort_week) from marts.retention_weekly)"""
    ).fetchone()[0]
    assert 0.15 <= rate <= 0.8, rate


def test_content_funnel_accounts_for_every_rupiah_of_gmv(con):
    # product-card rows take what videos and LIVEs do not claim, so the day's funnel GMV is at least kpi_daily's
    short = con.execute(
        """select count(*) from marts.kpi_daily as k
        join (select shop_id, date, sum(gmv_idr) as gmv from marts.content_funnel_daily group by all) as f
          using (shop_id, date)
        where f.gmv < k.gmv_idr"""
    ).fetchone()[0]
    assert short == 0
    types = {r[0] for r in con.execute("select distinct content_type from marts.content_funnel_daily").fetchall()}
    assert types == {"video", "live", "product_card"}


def test_nps_monthly_shows_trend_and_sample_size(sample_run, con):
    rows = con.execute(
        "select shop_id, month_start_date, sum(responses) filter (where channel <> 'all'), "
        "max(responses) filter (where channel = 'all') from marts.nps_monthly group by all"
    ).fetchall()
    assert rows and all(per_channel == total for _, _, per_channel, total in rows)
    assert {r[0] for r in rows} == set(sample_run.generated.stories)
