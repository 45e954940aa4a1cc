"""Stock: reorder signals first (urgent and oversold in red), days of cover, best sellers and return rates."""

import altair as alt
import streamlit as st

from dashboard import data, ui
from dashboard import formatting as fmt
from dashboard.ui import Col

ctx = ui.current()
st.title(ctx.t("page_stock"))

if ui.section(ctx, "reorder_title", "reorder_signals"):
    signals = data.reorder_signals(ctx.con, ctx.shop)
    st.caption(ctx.t("reorder_caption", day=fmt.date(signals["as_of_date"].max(), ctx.lang)))
    counts = signals["status"].value_counts()
    urgent, oversold, reorder = (int(counts.get(s, 0)) for s in ("urgent", "oversold", "reorder"))
    if urgent or oversold:
        st.error(ctx.t("attention_urgent", urgent=urgent, oversold=oversold), icon=":material/warning:")
    if reorder:
        st.warning(ctx.t("attention_reorder", reorder=reorder))
    if not (urgent or oversold or reorder):
        st.success(ctx.t("attention_ok"))
    signals["status_text"] = [ctx.label("status_", s) for s in signals["status"]]
    signals["product"] = signals["product_name"].fillna(signals["sku_id"])
    styles = {
        "oversold": f"background-color: #ffebee; color: {ui.RED}; font-weight: 600",
        "urgent": f"background-color: #ffebee; color: {ui.RED}; font-weight: 600",
        "reorder": f"background-color: #fff3e0; color: {ui.AMBER}",
    }
    ui.table(
        ctx,
        signals,
        [
            Col("status_text", "col_status", numeric=False),
            Col("product", "col_product", numeric=False),
            Col("seller_sku", "col_seller_sku", numeric=False),
            Col("stock_on_hand", "col_stock", ui.integer),
            Col("days_of_cover", "col_days_of_cover", lambda v: fmt.number(ui.nan_to_none(v), 1)),
            Col("suggested_order_qty", "col_suggested", ui.integer),
            Col("demand_rate_per_day", "col_demand", lambda v: fmt.number(ui.nan_to_none(v), 1)),
            Col("is_spike", "col_spike", lambda s: ctx.t("spike_yes") if s else "", numeric=False),
            Col("lead_time_days", "col_lead_time", ui.integer),
        ],
        row_style=lambda row: styles.get(row.status, ""),
        key="reorder_table",
    )
    st.caption(ctx.t("reorder_note"))

if ui.section(ctx, "best_sellers_title", "sku_daily"):
    st.caption(ctx.t("period_caption", period=ctx.period()))
    best = data.best_sellers(ctx.con, ctx.shop, ctx.start, ctx.end)
    if best.empty:
        st.caption(ctx.t("none_in_period"))
    else:
        best["product"] = best["product_name"].fillna(best["sku_id"])
        best["label"] = best["product"] + " (" + best["seller_sku"].fillna(best["sku_id"]) + ")"
        best["units_text"] = [ui.integer(v) for v in best["units"]]
        best["gmv_text"] = [ui.rupiah(v) for v in best["gmv_idr"]]
        ui.chart(
            ctx,
            alt.Chart(best)
            .mark_bar(color=ui.BLUE)
            .encode(
                x=alt.X("units:Q", title=ctx.t("col_units")),
                y=alt.Y("label:N", sort="-x", title=None, axis=ui.name_axis()),
                tooltip=[
                    alt.Tooltip("label:N", title=ctx.t("col_product")),
                    alt.Tooltip("units_text:N", title=ctx.t("col_units")),
                    alt.Tooltip("gmv_text:N", title=ctx.t("col_gmv")),
                ],
            ),
        )
    ui.table(
        ctx,
        best,
        [
            Col("product_name", "col_product", numeric=False),
            Col("seller_sku", "col_seller_sku", numeric=False),
            Col("units", "col_units", ui.integer),
            Col("gmv_idr", "col_gmv", ui.rupiah),
            Col("returned_units", "col_returned", ui.integer),
            Col("return_rate", "col_return_rate", ui.percent),
        ],
        rank=True,
    )

if ui.section(ctx, "returns_title", "sku_daily"):
    st.caption(ctx.t("returns_caption", period=ctx.period(), n=5))
    returns = data.return_rates(ctx.con, ctx.shop, ctx.start, ctx.end)
    if returns.empty:
        st.caption(ctx.t("returns_none"))
    else:
        ui.table(
            ctx,
            returns,
            [
                Col("product_name", "col_product", numeric=False),
                Col("units", "col_units", ui.integer),
                Col("returned_units", "col_returned", ui.integer),
                Col("return_rate", "col_return_rate", ui.percent),
            ],
            row_style=lambda row: f"color: {ui.RED}" if row.return_rate >= 0.1 else "",
        )
