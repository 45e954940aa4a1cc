"""Content: which videos and LIVEs sell, view-through and CTR over time, and the A/B tests' verdicts."""

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import data, ui
from dashboard import formatting as fmt
from dashboard.ui import Col

ctx = ui.current()
st.title(ctx.t("page_content"))
st.caption(ctx.t("period_caption", period=ctx.period()))

if ui.section(ctx, "content_rates_title", "video_daily", "content_rates_caption"):
    rates = data.video_rates_by_day(ctx.con, ctx.shop, ctx.start, ctx.end)
    long = rates.melt(id_vars="date", value_vars=["view_through_rate", "ctr"], var_name="metric", value_name="value")
    long["metric"] = long["metric"].map({"view_through_rate": ctx.t("kpi_vtr"), "ctr": ctx.t("kpi_ctr")})
    long["value_text"] = [ui.percent(v) for v in long["value"]]
    ui.chart(
        ctx,
        alt.Chart(long)
        .mark_line(point=True)
        .encode(
            x=alt.X("date:T", title=None, axis=ui.date_axis()),
            y=alt.Y("value:Q", title=None, axis=alt.Axis(format=ui.PERCENT_AXIS)),
            color=alt.Color("metric:N", title=None, legend=alt.Legend(orient="top")),
            tooltip=[
                alt.Tooltip("date:T", title=ctx.t("col_date"), format="%e %b %Y"),
                alt.Tooltip("metric:N", title=" "),
                alt.Tooltip("value_text:N", title=" "),
            ],
        ),
    )

if ui.section(ctx, "content_videos_title", "video_daily", "content_videos_caption"):
    videos = data.top_videos(ctx.con, ctx.shop, ctx.start, ctx.end)
    ui.table(
        ctx,
        videos,
        [
            Col("video_id", "col_video", numeric=False),
            Col("creator_name", "col_creator", numeric=False),
            Col("views", "col_views", ui.integer),
            Col("view_through_rate", "kpi_vtr", ui.percent),
            Col("ctr", "kpi_ctr", ui.percent),
            Col("orders", "col_attributed_orders", ui.integer),
            Col("gmv_idr", "col_attributed_gmv", ui.rupiah),
        ],
        rank=True,
    )

if ui.section(ctx, "content_lives_title", "live_sessions", "content_lives_caption"):
    lives = data.top_lives(ctx.con, ctx.shop, ctx.start, ctx.end)
    lives["started"] = [f"{fmt.date(ts.date(), ctx.lang)} {ts:%H:%M}" for ts in lives["live_started_at"]]
    ui.table(
        ctx,
        lives,
        [
            Col("started", "col_live_start", numeric=False),
            Col("creator_name", "col_host", numeric=False),
            Col("duration_s", "col_minutes", lambda s: ui.integer(None if pd.isna(s) else s / 60)),
            Col("viewers", "col_viewers", ui.integer),
            Col("ctr", "kpi_ctr", ui.percent),
            Col("orders", "col_orders", ui.integer),
            Col("gmv_idr", "col_gmv", ui.rupiah),
            Col("lift_pct", "col_lift", lambda v: fmt.change_text(ui.nan_to_none(v)) or fmt.MISSING),
        ],
        rank=True,
    )
    if lives.empty:
        st.caption(ctx.t("none_in_period"))

if ui.section(ctx, "content_experiments_title", "experiment_results", "content_experiments_caption"):
    tests = data.experiments(ctx.con, ctx.shop)
    points = ctx.t("points")

    def diff(row) -> str:
        if pd.isna(row.ctr_diff):
            return fmt.MISSING
        low, high = (fmt.number(row[c] * 100, 1) for c in ("ctr_diff_ci_low", "ctr_diff_ci_high"))
        return f"{fmt.points_text(row.ctr_diff, points)} ({low} … {high})"

    tests["diff_text"] = [diff(row) for _, row in tests.iterrows()]
    tests["verdict_text"] = [ctx.label("verdict_", v) for v in tests["verdict"]]
    colours = {"winner": f"background-color: #e8f5e9; color: {ui.GREEN}", "loser": f"color: {ui.RED}"}
    ui.table(
        ctx,
        tests,
        [
            Col("experiment_id", "col_experiment", numeric=False),
            Col("variant", "col_variant", numeric=False),
            Col("verdict_text", "col_verdict", numeric=False),
            Col("ctr", "kpi_ctr", ui.percent),
            Col("diff_text", "col_ctr_diff"),
            Col("p_value", "col_p_value", lambda p: fmt.number(ui.nan_to_none(p), 3)),
            Col("views", "col_views", ui.integer),
            Col("videos", "col_videos", ui.integer),
            Col("view_through_rate", "kpi_vtr", ui.percent),
        ],
        row_style=lambda row: colours.get(row.verdict, ""),
    )
