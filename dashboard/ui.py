"""What every page shares: the run's context (language, filters, connection), tables and charts.

`app.py` builds a `Context` on every script run (a page load or a click) and keeps it in the session state for
the page script it runs next; pages read it with `current()`. Tables are shown with formatted text (Rupiah the
Indonesian way, whatever the browser's locale) and every header and label goes through `i18n.t`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import altair as alt
import duckdb
import pandas as pd
import streamlit as st

from dashboard import formatting as fmt
from dashboard.i18n import label, t

CONTEXT_KEY = "_lapak_context"
ALL_SHOPS = "*"


@dataclass
class Context:
    lang: str
    con: duckdb.DuckDBPyConnection
    shops: list[str]
    shop: str | None  # None: all shops
    start: dt.date
    end: dt.date
    tables: set[str] = field(default_factory=set)
    marts: Path | None = None

    def t(self, key: str, **values) -> str:
        return t(key, self.lang, **values)

    def label(self, prefix: str, value: str) -> str:
        return label(prefix, value, self.lang)

    @property
    def many_shops(self) -> bool:
        """True when rows of several shops are shown together (a shop column is needed)."""
        return self.shop is None and len(self.shops) > 1

    def period(self) -> str:
        return fmt.date_range(self.start, self.end, self.lang)


def current() -> Context:
    return st.session_state[CONTEXT_KEY]


def has_rows(ctx: Context, table: str) -> bool:
    """The mart exists in the published copy and has rows for the chosen shop."""
    if table not in ctx.tables:
        return False
    sql = f'select 1 from "{table}" where ($shop is null or shop_id = $shop) limit 1'  # table: a constant of ours
    return ctx.con.execute(sql, {"shop": ctx.shop}).fetchone() is not None


def section(ctx: Context, title_key: str, table: str, caption_key: str | None = None) -> bool:
    """A section header; False (with a short note) when its mart has no rows for this shop."""
    st.subheader(ctx.t(title_key))
    if caption_key:
        st.caption(ctx.t(caption_key))
    if has_rows(ctx, table):
        return True
    st.info(ctx.t("section_empty", mart=table))
    return False


# -- tables -------------------------------------------------------------------------------------------------------


@dataclass
class Col:
    source: str
    label_key: str
    format: Callable[[object], str] | None = None  # None: shown as is
    numeric: bool = True  # right-aligned


def table(ctx: Context, df: pd.DataFrame, cols: list[Col], *, rank: bool = False, row_style=None, key=None) -> None:
    """Show `df` with translated headers and formatted values; a shop column when several shops are shown.
    `row_style(row of df) -> css` colours whole rows (e.g. urgent stock in red)."""
    if ctx.many_shops and "shop_id" in df.columns:
        cols = [Col("shop_id", "col_shop", numeric=False), *cols]
    shown = pd.DataFrame(index=df.index)
    config = {}
    if rank:
        shown[ctx.t("col_rank")] = range(1, len(df) + 1)
    for col in cols:
        label = ctx.t(col.label_key)
        values = df[col.source]
        shown[label] = [col.format(v) for v in values] if col.format else values
        config[label] = st.column_config.Column(alignment="right" if col.numeric else "left")
    data = shown.style.apply(lambda r: [row_style(df.loc[r.name])] * len(r), axis=1) if row_style else shown
    st.dataframe(data, hide_index=True, column_config=config, key=key)


def nan_to_none(value):
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else value


def integer(value) -> str:
    return fmt.number(nan_to_none(value))


def rupiah(value) -> str:
    return fmt.rupiah(nan_to_none(value))


def percent(value) -> str:
    return fmt.percent(nan_to_none(value))


# -- charts -------------------------------------------------------------------------------------------------------

NUMBER_LOCALE = {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["Rp ", ""]}
TIME_LOCALE = {
    "id": {
        "dateTime": "%A, %e %B %Y %X", "date": "%d/%m/%Y", "time": "%H.%M.%S", "periods": ["AM", "PM"],
        "days": ["Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu"],
        "shortDays": ["Min", "Sen", "Sel", "Rab", "Kam", "Jum", "Sab"],
        "months": ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
                   "November", "Desember"],
        "shortMonths": fmt.MONTHS_SHORT["id"],
    },
    "en": {
        "dateTime": "%a %b %e %X %Y", "date": "%m/%d/%Y", "time": "%H:%M:%S", "periods": ["AM", "PM"],
        "days": ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"],
        "shortDays": ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"],
        "months": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                   "November", "December"],
        "shortMonths": fmt.MONTHS_SHORT["en"],
    },
}  # fmt: skip
RUPIAH_AXIS = "$,.0f"  # with NUMBER_LOCALE: Rp 1.234.567
PERCENT_AXIS = ".0%"
DATE_AXIS = "%e %b"
ONE_DAY_MS = 86_400_000


def date_axis() -> alt.Axis:
    """Day labels (`14 Nov`), never two ticks on one day."""
    return alt.Axis(format=DATE_AXIS, tickMinStep=ONE_DAY_MS, labelOverlap=True)


def name_axis() -> alt.Axis:
    """A y axis of product, creator or campaign names: long labels are kept."""
    return alt.Axis(labelLimit=320, labelOverlap=False)


RED, AMBER, GREEN, BLUE = "#c62828", "#ef6c00", "#2e7d32", "#1565c0"


def chart(ctx: Context, spec: alt.TopLevelMixin, *, title: str | None = None) -> None:
    """Render an Altair chart with Indonesian number formatting and month names in the UI language."""
    spec = spec.configure(locale={"number": NUMBER_LOCALE, "time": TIME_LOCALE[ctx.lang]})
    st.altair_chart(spec, width="stretch")


def no_data(lang: str, marts: Path, landing: Path, reason_key: str) -> None:
    st.title(t("app_title", lang))
    st.info(t("no_data", lang, landing=str(landing), marts=str(marts)))
    st.caption(t(reason_key, lang, marts=str(marts)))
