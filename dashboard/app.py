"""lapak dashboard, the entry point: `streamlit run dashboard/app.py` (or `make dashboard`, `python -m dashboard`).

Every run of this script (a page load or a click) opens a fresh read-only connection to the published marts,
draws the sidebar (language, shop, period), hands a `ui.Context` to the chosen page and closes the connection.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `streamlit run dashboard/app.py` puts dashboard/, not the repository, on the path
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from dashboard import data, ui  # noqa: E402
from dashboard import formatting as fmt  # noqa: E402
from dashboard.i18n import LANGUAGES, t  # noqa: E402

DEFAULT_DAYS = 7
PAGES = [  # url path, file, title key, icon
    ("glance", "views/glance.py", "page_glance", ":material/speed:"),
    ("content", "views/content.py", "page_content", ":material/smart_display:"),
    ("creators", "views/creators.py", "page_creators", ":material/groups:"),
    ("customers", "views/customers.py", "page_customers", ":material/favorite:"),
    ("stock", "views/stock.py", "page_stock", ":material/inventory_2:"),
]

st.set_page_config(page_title="lapak", page_icon=":material/storefront:", layout="wide")

lang = st.sidebar.radio(
    "Bahasa / Language",
    list(LANGUAGES),
    format_func=LANGUAGES.get,
    key="lang",
    horizontal=True,
    bind="query-params",
)
pages = [
    st.Page(file, title=t(title, lang), icon=icon, url_path=path, default=(path == "glance"))
    for path, file, title, icon in PAGES
]


def _period_widget(lang: str, bounds: tuple[dt.date, dt.date]) -> tuple[dt.date, dt.date]:
    first, last = bounds
    chosen = st.session_state.get("period")
    if not chosen or any(not first <= d <= last for d in chosen):  # first visit, or a new copy with other days
        st.session_state["period"] = (max(first, last - dt.timedelta(days=DEFAULT_DAYS - 1)), last)
    picked = st.sidebar.date_input(
        t("filter_period", lang), min_value=first, max_value=last, key="period", format="DD/MM/YYYY"
    )
    start, end = (picked[0], picked[-1]) if picked else st.session_state["period"]  # mid-pick: one day
    return start, end


def _shop_widget(lang: str, shops: list[str]) -> str:
    """Shop choice, kept across languages and in the address (`?shop=`). The widget is keyed per language:
    Streamlit keeps a selectbox's value as its shown label, which the language switch changes ("Semua toko")."""
    options = ([ui.ALL_SHOPS] if len(shops) > 1 else []) + shops
    chosen = st.session_state.get("shop", st.query_params.get("shop", options[0]))
    shop = st.sidebar.selectbox(
        t("filter_shop", lang),
        options,
        index=options.index(chosen) if chosen in options else 0,
        format_func=lambda s: t("all_shops", lang) if s == ui.ALL_SHOPS else s,
        key=f"shop_{lang}",
    )
    st.session_state["shop"] = shop
    if shop == options[0]:
        st.query_params.pop("shop", None)
    else:
        st.query_params["shop"] = shop
    return shop


marts = data.marts_path()
con = data.connect(marts)
try:
    tables = data.tables(con) if con else set()
    bounds = data.date_bounds(con) if "kpi_daily" in tables else None
    if bounds is None:
        st.navigation(pages, position="hidden")
        reason = "no_data_missing" if con is None else "no_data_empty"
        ui.no_data(lang, marts, data.landing_dir(), reason)
    else:
        navigation = st.navigation(pages)
        shops = data.shops(con)
        shop = _shop_widget(lang, shops)
        start, end = _period_widget(lang, bounds)
        run = data.published(con) if "_published" in tables else None
        if run:
            st.sidebar.caption(
                t("published_at", lang, when=f"{fmt.date(run[1].date(), lang)} {run[1]:%H:%M}", run=run[0][:8])
            )
        st.sidebar.caption(t("data_until", lang, day=fmt.date(bounds[1], lang)))
        st.session_state[ui.CONTEXT_KEY] = ui.Context(
            lang=lang,
            con=con,
            shops=shops,
            shop=None if shop == ui.ALL_SHOPS else shop,
            start=start,
            end=end,
            tables=tables,
            marts=marts,
        )
        navigation.run()
finally:
    st.session_state.pop(ui.CONTEXT_KEY, None)
    if con is not None:
        con.close()
