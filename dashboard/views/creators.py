"""Creators (affiliates): what each one sold, what their commission cost, and what was left after it."""

import altair as alt
import streamlit as st

from dashboard import data, ui
from dashboard import formatting as fmt
from dashboard.ui import Col

ctx = ui.current()
st.title(ctx.t("page_creators"))
st.caption(ctx.t("creators_caption", period=ctx.period()))

if ui.section(ctx, "creators_summary_title", "creator_performance"):
    board = data.creator_leaderboard(ctx.con, ctx.shop, ctx.start, ctx.end)
    gmv, commission = board["gmv_idr"].sum(), board["commission_idr"].sum()
    margin = None if board["margin_idr"].isna().any() else board["margin_idr"].sum()
    for column, (key, value) in zip(
        [*st.columns(2, border=True), *st.columns(2, border=True)],
        [
            ("creators_gmv", fmt.rupiah(gmv)),
            ("creators_commission", fmt.rupiah(commission)),
            ("creators_margin", fmt.rupiah(margin)),
            ("creators_roi", fmt.number(fmt.ratio(margin, commission), 1)),
        ],
        strict=True,
    ):
        column.metric(ctx.t(key), value, help=ctx.t(f"help_{key}"))

    st.subheader(ctx.t("creators_board_title"))
    if board.empty:
        st.caption(ctx.t("none_in_period"))
    else:
        ranked = board.head(10).copy()
        has_margin = ranked["margin_idr"].notna().all()
        measure = "margin_idr" if has_margin else "gmv_idr"
        ranked["label"] = ranked["creator_handle"] + (" · " + ranked["shop_id"] if ctx.many_shops else "")
        ranked["value_text"] = [ui.rupiah(v) for v in ranked[measure]]
        ranked["roi_text"] = [fmt.number(ui.nan_to_none(v), 1) for v in ranked["roi"]]
        ui.chart(
            ctx,
            alt.Chart(ranked)
            .mark_bar(color=ui.GREEN if has_margin else ui.BLUE)
            .encode(
                x=alt.X(f"{measure}:Q", title=ctx.t("creators_margin" if has_margin else "creators_gmv"),
                        axis=alt.Axis(format=ui.RUPIAH_AXIS)),
                y=alt.Y("label:N", sort="-x", title=None, axis=ui.name_axis()),
                tooltip=[
                    alt.Tooltip("label:N", title=ctx.t("col_creator")),
                    alt.Tooltip("value_text:N", title=ctx.t("creators_margin" if has_margin else "creators_gmv")),
                    alt.Tooltip("roi_text:N", title=ctx.t("col_roi")),
                ],
            ),
        )  # fmt: skip
    ui.table(
        ctx,
        board,
        [
            Col("creator_handle", "col_creator", numeric=False),
            Col("orders", "col_orders", ui.integer),
            Col("gmv_idr", "col_gmv", ui.rupiah),
            Col("refunds_idr", "col_refunds", ui.rupiah),
            Col("commission_idr", "col_commission", ui.rupiah),
            Col("margin_idr", "col_margin", ui.rupiah),
            Col("roi", "col_roi", lambda v: fmt.number(ui.nan_to_none(v), 1)),
            Col("gmv_per_commission", "col_gmv_per_commission", lambda v: fmt.number(ui.nan_to_none(v), 1)),
            Col("videos", "col_videos", ui.integer),
            Col("lives", "col_lives", ui.integer),
        ],
        rank=True,
    )
    st.caption(ctx.t("creators_roi_note"))
