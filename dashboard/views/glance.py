"""At a glance: the period's GMV, orders, AOV, view-through, CTR and CVR against the period before, and stock
that needs attention today."""

import altair as alt
import streamlit as st

from dashboard import data, ui
from dashboard import formatting as fmt

ctx = ui.current()
st.title(ctx.t("page_glance"))
prev_start, prev_end = fmt.previous_period(ctx.start, ctx.end)
st.caption(ctx.t("glance_period", period=ctx.period(), previous=fmt.date_range(prev_start, prev_end, ctx.lang)))


def kpis(totals: dict) -> dict:
    """The six headline numbers of a period, recomputed from its sums (docs/metrics.md)."""
    return {
        "gmv": totals["gmv_idr"],
        "orders": totals["orders"],
        "aov": fmt.ratio(totals["gmv_idr"], totals["orders"]),
        "vtr": fmt.ratio(totals["vtr_weighted"], totals["vtr_views"]),
        "ctr": fmt.ratio(totals["product_clicks"], totals["product_impressions"]),
        "cvr": fmt.ratio(totals["video_attributed_orders"], totals["product_clicks"]),
    }


now = kpis(data.kpi_totals(ctx.con, ctx.shop, ctx.start, ctx.end))
before_totals = data.kpi_totals(ctx.con, ctx.shop, prev_start, prev_end)
before = kpis(before_totals) if before_totals["days"] else dict.fromkeys(now)
money = {"gmv", "aov"}
rates = {"vtr", "ctr", "cvr"}
rows = [["gmv", "orders", "aov"], ["vtr", "ctr", "cvr"]]
for row in rows:
    for column, key in zip(st.columns(len(row), border=True), row, strict=True):
        value = now[key]
        if key in money:
            shown = fmt.rupiah(value)
        elif key in rates:
            shown = fmt.percent(value)
        else:
            shown = fmt.number(value or 0)
        if key in rates:
            delta = fmt.points_text(fmt.point_change(value, before[key]), ctx.t("points"))
        else:
            delta = fmt.change_text(fmt.relative_change(value, before[key]))
        column.metric(
            ctx.t(f"kpi_{key}"),
            shown,
            delta=delta,
            delta_description=ctx.t("vs_previous") if delta else None,
            help=ctx.t(f"help_{key}"),
        )
if not before_totals["days"]:
    st.caption(ctx.t("no_previous"))

# stock that needs attention: the one thing a seller must act on today
if "reorder_signals" in ctx.tables:
    counts = data.status_counts(ctx.con, ctx.shop)
    urgent, oversold, reorder = (counts.get(s, 0) for s in ("urgent", "oversold", "reorder"))
    if urgent or oversold:
        st.error(ctx.t("attention_urgent", urgent=urgent, oversold=oversold), icon=":material/warning:")
    elif reorder:
        st.warning(ctx.t("attention_reorder", reorder=reorder))
    else:
        st.success(ctx.t("attention_ok"))
    if urgent or oversold or reorder:
        st.page_link("views/stock.py", label=ctx.t("attention_link"), icon=":material/arrow_forward:")

daily = data.kpi_by_day(ctx.con, ctx.shop, ctx.start, ctx.end)
daily["gmv_text"] = [ui.rupiah(v) for v in daily["gmv_idr"]]
daily["orders_text"] = [ui.integer(v) for v in daily["orders"]]
left, right = st.columns(2)
base = alt.Chart(daily).encode(
    x=alt.X("yearmonthdate(date):T", title=None, axis=ui.date_axis()),
    tooltip=[
        alt.Tooltip("date:T", title=ctx.t("col_date"), format="%e %b %Y"),
        alt.Tooltip("gmv_text:N", title=ctx.t("kpi_gmv")),
        alt.Tooltip("orders_text:N", title=ctx.t("kpi_orders")),
    ],
)
with left:
    st.subheader(ctx.t("chart_gmv_daily"))
    ui.chart(
        ctx, base.mark_bar(color=ui.BLUE).encode(y=alt.Y("gmv_idr:Q", title=None, axis=alt.Axis(format=ui.RUPIAH_AXIS)))
    )
with right:
    st.subheader(ctx.t("chart_orders_daily"))
    ui.chart(
        ctx,
        base.mark_line(point=alt.OverlayMarkDef(color=ui.GREEN), color=ui.GREEN).encode(
            y=alt.Y("orders:Q", title=None)
        ),
    )
