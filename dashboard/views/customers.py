"""Customers: weekly cohort LTV, repeat buyers and NPS per campaign. Counts and averages only: no customer row,
no customer key, ever."""

import altair as alt
import streamlit as st

from dashboard import data, ui
from dashboard import formatting as fmt
from dashboard.ui import Col

SMALL_SAMPLE = 30  # docs/metrics.md: below ~30 responses an NPS swings by tens of points per answer

ctx = ui.current()
st.title(ctx.t("page_customers"))
st.caption(ctx.t("customers_caption"))

summary = data.customer_summary(ctx.con, ctx.shop) if "customers" in ctx.tables else None
nps = data.nps_by_campaign(ctx.con, ctx.shop) if "nps_by_campaign" in ctx.tables else None
responses = int(nps["responses"].sum()) if nps is not None else 0
overall_nps = fmt.ratio(100 * (nps["promoters"].sum() - nps["detractors"].sum()), responses) if responses else None
for column, (key, value, help_values) in zip(
    st.columns(3, border=True),
    [
        ("kpi_customers", fmt.number(summary["customers"] if summary else None), {}),
        (
            "kpi_repeat_rate",
            fmt.percent(fmt.ratio(summary["repeat_buyers"], summary["customers"]) if summary else None),
            {},
        ),
        ("kpi_nps", fmt.number(overall_nps, 0), {}),
    ],
    strict=True,
):
    column.metric(ctx.t(key), value, help=ctx.t(f"help_{key}", **help_values))
if responses:
    st.caption(ctx.t("nps_responses_total", n=fmt.number(responses)))

if ui.section(ctx, "ltv_title", "ltv_weekly", "ltv_caption"):
    ltv = data.cohort_ltv(ctx.con, ctx.shop)
    ltv["cohort"] = [fmt.date(d, ctx.lang) for d in ltv["cohort_week"]]
    ltv["label"] = [fmt.rupiah_compact(v, ctx.lang).removeprefix("Rp ") for v in ltv["ltv_idr"]]
    ltv["ltv_text"] = [ui.rupiah(v) for v in ltv["ltv_idr"]]
    ltv["customers_text"] = [ui.integer(v) for v in ltv["cohort_customers"]]
    order = list(dict.fromkeys(ltv["cohort"]))
    base = alt.Chart(ltv).encode(
        x=alt.X("weeks_since_first_order:O", title=ctx.t("ltv_x"), axis=alt.Axis(labelAngle=0)),
        y=alt.Y("cohort:O", sort=order, title=ctx.t("ltv_y"), axis=alt.Axis(labelOverlap=False)),
    )
    cells = base.mark_rect().encode(
        color=alt.Color("ltv_idr:Q", title="LTV", scale=alt.Scale(scheme="greens"),
                        legend=alt.Legend(format=ui.RUPIAH_AXIS)),
        tooltip=[
            alt.Tooltip("cohort:N", title=ctx.t("ltv_y")),
            alt.Tooltip("weeks_since_first_order:O", title=ctx.t("ltv_x")),
            alt.Tooltip("customers_text:N", title=ctx.t("col_cohort_customers")),
            alt.Tooltip("ltv_text:N", title="LTV"),
        ],
    )  # fmt: skip
    text = base.mark_text(fontSize=10).encode(
        text="label:N",
        color=alt.condition(alt.datum.ltv_idr > ltv["ltv_idr"].quantile(0.6), alt.value("white"), alt.value("black")),
    )
    ui.chart(ctx, (cells + text).properties(height=max(220, 28 * len(order))))

if ui.section(ctx, "repeat_title", "retention_weekly", "repeat_caption"):
    curve = data.repeat_curve(ctx.con, ctx.shop)
    curve["rate_text"] = [ui.percent(v) for v in curve["repeat_rate"]]
    ui.chart(
        ctx,
        alt.Chart(curve)
        .mark_line(point=alt.OverlayMarkDef(color=ui.BLUE), color=ui.BLUE)
        .encode(
            x=alt.X("weeks_since_first_order:Q", title=ctx.t("ltv_x"), axis=alt.Axis(tickMinStep=1, format="d")),
            y=alt.Y("repeat_rate:Q", title=None, axis=alt.Axis(format=ui.PERCENT_AXIS)),
            tooltip=[
                alt.Tooltip("weeks_since_first_order:Q", title=ctx.t("ltv_x")),
                alt.Tooltip("rate_text:N", title=ctx.t("kpi_repeat_rate")),
            ],
        ),
    )

if ui.section(ctx, "nps_title", "nps_by_campaign", "nps_caption"):

    def campaign(row) -> str:
        if row.campaign_id == "(none)":
            return ctx.t("no_campaign")
        return row.campaign_name if isinstance(row.campaign_name, str) else row.campaign_id

    nps["campaign"] = [campaign(row) for row in nps.itertuples()]
    nps["label"] = nps["campaign"] + (" · " + nps["shop_id"] if ctx.many_shops else "")
    nps["nps_text"] = [fmt.number(v, 0) for v in nps["nps"]]
    nps["n_text"] = ["n = " + fmt.number(v) for v in nps["responses"]]
    nps["small"] = nps["responses"] < SMALL_SAMPLE
    nps["text_x"] = nps["nps"].clip(lower=0)  # the n label right of the bar, or right of 0 for a negative NPS
    bars = alt.Chart(nps).encode(
        y=alt.Y("label:N", sort=list(nps["label"]), title=None, axis=ui.name_axis()),
        x=alt.X("nps:Q", title="NPS", scale=alt.Scale(domain=[-100, 100])),
        tooltip=[
            alt.Tooltip("label:N", title=ctx.t("col_campaign")),
            alt.Tooltip("nps_text:N", title="NPS"),
            alt.Tooltip("n_text:N", title=ctx.t("col_responses")),
        ],
    )
    ui.chart(
        ctx,
        bars.mark_bar().encode(
            color=alt.condition(alt.datum.small, alt.value("#b0bec5"), alt.value(ui.BLUE)),
        )
        + bars.mark_text(align="left", dx=4).encode(x="text_x:Q", text="n_text:N"),
    )
    st.caption(ctx.t("nps_small_note", n=SMALL_SAMPLE))
    ui.table(
        ctx,
        nps,
        [
            Col("campaign", "col_campaign", numeric=False),
            Col(
                "campaign_type", "col_campaign_type", lambda v: v if isinstance(v, str) else fmt.MISSING, numeric=False
            ),
            Col("responses", "col_responses", ui.integer),
            Col("promoters", "col_promoters", ui.integer),
            Col("passives", "col_passives", ui.integer),
            Col("detractors", "col_detractors", ui.integer),
            Col("nps", "col_nps", lambda v: fmt.number(ui.nan_to_none(v), 0)),
            Col("small", "col_small_sample", lambda s: ctx.t("yes") if s else "", numeric=False),
        ],
    )
