"""The dashboard without a browser: pure helpers (rupiah, periods, i18n), the queries, and every page through
Streamlit's AppTest on the published marts of `sample_run`, on a one-shop copy and on an empty warehouse.
The real browser test is tests/test_dashboard_browser.py."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import string
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import data, i18n
from dashboard import formatting as fmt
from dashboard.__main__ import command
from orchestration.publish import link, switch

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "dashboard" / "app.py")
PAGES = ["views/glance.py", "views/content.py", "views/creators.py", "views/customers.py", "views/stock.py"]
TITLES = {"views/glance.py": "page_glance", "views/content.py": "page_content", "views/creators.py": "page_creators",
          "views/customers.py": "page_customers", "views/stock.py": "page_stock"}  # fmt: skip


# -- pure helpers -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1234567, "Rp 1.234.567"),
        (1234567.5, "Rp 1.234.568"),  # half up
        (0, "Rp 0"),
        (999, "Rp 999"),
        (-1234, "-Rp 1.234"),
        (-0.4, "Rp 0"),
        (None, "–"),
        (float("nan"), "–"),
        (__import__("decimal").Decimal("166299500.00"), "Rp 166.299.500"),
    ],
)
def test_rupiah_is_written_the_indonesian_way(value, expected):
    assert fmt.rupiah(value) == expected


def test_numbers_percentages_and_changes():
    assert fmt.number(1234) == "1.234"
    assert fmt.number(1234.56, 1) == "1.234,6"
    assert fmt.percent(0.12345) == "12,3%"
    assert fmt.percent(None) == "–"
    assert fmt.change_text(0.1234) == "+12,3%"
    assert fmt.change_text(-0.04) == "-4,0%"
    assert fmt.change_text(0) == "0,0%"
    assert fmt.change_text(None) is None
    assert fmt.points_text(0.012, "poin") == "+1,2 poin"
    assert fmt.points_text(-0.0071, "pts") == "-0,7 pts"
    assert fmt.rupiah_compact(1_234_567, "id") == "Rp 1,2 jt"
    assert fmt.rupiah_compact(85_000, "id") == "Rp 85 rb"
    assert fmt.rupiah_compact(85_000, "en") == "Rp 85 k"
    assert fmt.rupiah_compact(123_456_789, "id") == "Rp 123 jt"


def test_period_comparison():
    start, end = dt.date(2026, 11, 14), dt.date(2026, 11, 20)
    assert fmt.previous_period(start, end) == (dt.date(2026, 11, 7), dt.date(2026, 11, 13))
    assert fmt.previous_period(end, end) == (dt.date(2026, 11, 19), dt.date(2026, 11, 19))
    assert fmt.relative_change(110, 100) == pytest.approx(0.10)
    assert fmt.relative_change(5, 0) is None  # nothing to compare with, not +inf
    assert fmt.relative_change(None, 100) is None
    assert fmt.point_change(0.25, 0.20) == pytest.approx(0.05)
    assert fmt.ratio(10, 0) is None
    assert fmt.date_range(start, end, "id") == "14–20 Nov 2026"
    assert fmt.date_range(dt.date(2026, 7, 28), dt.date(2026, 8, 3), "id") == "28 Jul – 3 Agu 2026"
    assert fmt.date_range(dt.date(2025, 12, 29), dt.date(2026, 1, 4), "en") == "29 Dec 2025 – 4 Jan 2026"


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_both_languages_have_every_key_with_the_same_placeholders():
    assert set(i18n.LANGUAGES) == set(i18n.TEXT) == {"id", "en"}
    ids, ens = i18n.TEXT["id"], i18n.TEXT["en"]
    assert sorted(set(ids) ^ set(ens)) == []
    for key in ids:
        assert ids[key].strip() and ens[key].strip(), key
        assert _placeholders(ids[key]) == _placeholders(ens[key]), key


def test_every_label_the_code_asks_for_exists():
    used: set[str] = set()
    for path in (ROOT / "dashboard").rglob("*.py"):
        used |= set(re.findall(r"""\bt\(\s*["']([a-z0-9_]+)["']""", path.read_text()))
        used |= set(re.findall(r"""(?:section|no_data)\([^)]*?["']([a-z0-9_]+)["']""", path.read_text()))
    dynamic = {f"kpi_{k}" for k in ("gmv", "orders", "aov", "vtr", "ctr", "cvr")}
    dynamic |= {f"help_{k}" for k in ("gmv", "orders", "aov", "vtr", "ctr", "cvr")}
    dynamic |= {f"status_{s}" for s in data.STATUS_ORDER}
    dynamic |= {f"verdict_{v}" for v in ("control", "winner", "loser", "no_difference_yet", "needs_more_views")}
    dynamic |= {"no_data_missing", "no_data_empty", "page_glance", "page_content", "page_creators", "page_customers"}
    assert len(used) > 40
    missing = sorted((used | dynamic) - set(i18n.TEXT["id"]) - {"lang"})
    assert missing == []


def test_label_falls_back_to_the_raw_value_for_a_new_status():
    assert i18n.label("status_", "urgent", "id") == "Mendesak"
    assert i18n.label("status_", "urgent", "en") == "Urgent"
    assert i18n.label("verdict_", "no difference yet", "en") == "no difference yet"
    assert i18n.label("status_", "backordered", "en") == "backordered"


def test_dashboard_binds_to_localhost_and_sends_no_usage_statistics():
    cmd = command()
    assert cmd[cmd.index("--server.address") + 1] == "127.0.0.1"
    assert cmd[cmd.index("--browser.gatherUsageStats") + 1] == "false"
    assert cmd[cmd.index("--server.headless") + 1] == "true"


# -- marts fixtures -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def marts(sample_run) -> Path:
    return sample_run.home / "serve" / "marts.duckdb"


@pytest.fixture(scope="module")
def one_shop_home(marts, tmp_path_factory) -> Path:
    """A published copy holding only the first shop's rows."""
    home = tmp_path_factory.mktemp("one_shop")
    target = home / "serve" / "marts.duckdb"
    target.parent.mkdir()
    with duckdb.connect(str(target)) as con:
        con.execute("attach ? as src (read_only)", [str(marts)])
        shop = con.execute("select min(shop_id) from src.kpi_daily").fetchone()[0]
        for (name,) in con.execute("select table_name from duckdb_tables() where database_name = 'src'").fetchall():
            columns = [c[0] for c in con.execute(f'describe src."{name}"').fetchall()]
            where = "where shop_id = $shop" if "shop_id" in columns else ""
            con.execute(f'create table "{name}" as select * from src."{name}" {where}', {"shop": shop} if where else {})
    return home


@pytest.fixture(scope="module")
def empty_home(marts, tmp_path_factory) -> Path:
    """A published copy with every mart and no rows (a run on a landing folder without exports)."""
    home = tmp_path_factory.mktemp("empty")
    target = home / "serve" / "marts.duckdb"
    target.parent.mkdir()
    with duckdb.connect(str(target)) as con:
        con.execute("attach ? as src (read_only)", [str(marts)])
        for (name,) in con.execute("select table_name from duckdb_tables() where database_name = 'src'").fetchall():
            con.execute(f'create table "{name}" as select * from src."{name}" limit 0')
    return home


@pytest.fixture
def home(monkeypatch, sample_run):
    def use(path: Path, landing: Path | None = None) -> Path:
        monkeypatch.setenv("LAPAK_HOME", str(path))
        monkeypatch.setenv("LAPAK_LANDING", str(landing or path / "landing"))
        return path

    return use


def app(page: str | None = None, lang: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    if lang:
        at.sidebar.radio(key="lang").set_value(lang).run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def default_period(marts: Path) -> tuple[dt.date, dt.date]:
    with duckdb.connect(str(marts), read_only=True) as con:
        last = con.execute("select max(date) from kpi_daily").fetchone()[0]
    return last - dt.timedelta(days=6), last


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


# -- the queries --------------------------------------------------------------------------------------------------


def test_queries_bind_parameters_and_never_select_customer_keys(marts):
    con = data.connect(marts)
    try:
        start, end = default_period(marts)
        assert data.kpi_totals(con, "x' or 1=1 --", start, end)["orders"] is None  # bound, not spliced
        assert data.kpi_totals(con, None, start, end)["orders"] > 0
    finally:
        con.close()
    source = (ROOT / "dashboard" / "data.py").read_text()
    assert "customer_key" not in source.replace("`customer_key`", "")
    assert not re.search(r"f\"\"\"[^\"]*\{(?!SHOP_FILTER\})", source), "only the constant shop filter is formatted in"


def test_connect_is_read_only(marts):
    con = data.connect(marts)
    try:
        with pytest.raises(duckdb.Error, match="read-only"):
            con.execute("create table x (a int)")
    finally:
        con.close()
    assert data.connect(marts.parent / "nothing.duckdb") is None


# -- the pages ----------------------------------------------------------------------------------------------------


def test_glance_numbers_equal_the_marts(home, sample_run, marts):
    home(sample_run.home)
    start, end = default_period(marts)
    prev_start, prev_end = fmt.previous_period(start, end)
    with duckdb.connect(str(marts), read_only=True) as con:
        sql = "select sum(gmv_idr), sum(orders) from kpi_daily where date between ? and ?"
        gmv, orders = con.execute(sql, [start, end]).fetchone()
        prev_gmv, _ = con.execute(sql, [prev_start, prev_end]).fetchone()
        vtr = con.execute(
            "select sum(views * view_through_rate) / sum(views) from video_daily "
            "where view_through_rate is not null and date between ? and ?",
            [start, end],
        ).fetchone()[0]
    at = app()
    shown = metrics(at)
    assert shown["GMV"] == fmt.rupiah(gmv)
    assert int(shown["GMV"].removeprefix("Rp ").replace(".", "")) == round(gmv)
    assert shown["Pesanan"] == fmt.number(orders)
    assert shown["Rata-rata nilai pesanan (AOV)"] == fmt.rupiah(gmv / orders)
    assert shown["Ditonton sampai habis"] == fmt.percent(vtr)
    gmv_metric = next(m for m in at.metric if m.label == "GMV")
    assert gmv_metric.delta == fmt.change_text((gmv - prev_gmv) / prev_gmv)
    assert fmt.date_range(start, end, "id") in at.caption[0].value


def test_shop_filter_narrows_every_number(home, sample_run, marts):
    home(sample_run.home)
    start, end = default_period(marts)
    at = app()
    assert at.sidebar.selectbox(key="shop_id").options[0] == "Semua toko"
    shop = at.sidebar.selectbox(key="shop_id").options[2]
    at.sidebar.selectbox(key="shop_id").set_value(shop).run()
    with duckdb.connect(str(marts), read_only=True) as con:
        gmv = con.execute(
            "select sum(gmv_idr) from kpi_daily where shop_id = ? and date between ? and ?", [shop, start, end]
        ).fetchone()[0]
    assert metrics(at)["GMV"] == fmt.rupiah(gmv)


def test_date_range_filter(home, sample_run, marts):
    home(sample_run.home)
    _, end = default_period(marts)
    start = end - dt.timedelta(days=27)
    at = app()
    at.sidebar.date_input(key="period").set_value((start, end)).run()
    with duckdb.connect(str(marts), read_only=True) as con:
        orders = con.execute("select sum(orders) from kpi_daily where date between ? and ?", [start, end]).fetchone()[0]
    assert metrics(at)["Pesanan"] == fmt.number(orders)
    assert fmt.date_range(start, end, "id") in at.caption[0].value


def test_shop_choice_survives_the_language_switch(home, sample_run):
    home(sample_run.home)
    at = app()
    shop = at.sidebar.selectbox(key="shop_id").options[2]
    at.sidebar.selectbox(key="shop_id").set_value(shop).run()
    assert at.query_params["shop"] == shop
    at.sidebar.radio(key="lang").set_value("en").run()
    assert at.sidebar.selectbox(key="shop_en").value == shop
    assert at.sidebar.selectbox(key="shop_en").options[0] == "All shops"
    at.sidebar.selectbox(key="shop_en").set_value("*").run()
    assert "shop" not in at.query_params
    at.sidebar.radio(key="lang").set_value("id").run()
    assert at.sidebar.selectbox(key="shop_id").value == "*"


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_page_renders_in_both_languages(home, sample_run, page, lang):
    home(sample_run.home)
    at = app(page, lang)
    assert at.title[0].value == i18n.t(TITLES[page], lang)
    assert at.sidebar.radio(key="lang").value == lang
    other = "en" if lang == "id" else "id"
    assert at.title[0].value != i18n.t(TITLES[page], other)  # every title is translated
    labels = set(i18n.TEXT[lang].values())
    assert {h.value for h in at.subheader} <= labels
    assert {m.label for m in at.metric} <= labels
    assert not at.info, [i.value for i in at.info]  # no "no data" note on the full sample
    if page != "views/glance.py":
        assert at.dataframe, "each page shows at least one table"


def test_no_customer_key_or_personal_column_on_any_page(home, sample_run, marts):
    home(sample_run.home)
    with duckdb.connect(str(marts), read_only=True) as con:
        keys = {r[0] for r in con.execute("select customer_key from customers").fetchall()}
    forbidden = {"customer_key", "buyer", "username", "phone", "address", "recipient"}
    at = app()
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception
        for frame in at.dataframe:
            values = frame.value
            assert not {str(c).lower() for c in values.columns} & forbidden
            cells = set(values.astype(str).to_numpy().ravel())
            assert not cells & keys
        texts = [e.value for e in (*at.markdown, *at.caption, *at.metric) if isinstance(e.value, str)]
        assert not any(k in text for text in texts for k in keys)


def test_stock_page_puts_urgent_first_in_red(home, sample_run, marts):
    home(sample_run.home)
    with duckdb.connect(str(marts), read_only=True) as con:
        urgent = con.execute("select count(*) from reorder_signals where status in ('urgent', 'oversold')").fetchone()[
            0
        ]
    assert urgent > 0, "the sample sells out a SKU in each shop"
    at = app("views/stock.py")
    reorder = at.dataframe[0]
    statuses = list(reorder.value["Status"])
    assert statuses[:urgent] == ["Mendesak"] * urgent
    assert "Aman" in statuses[urgent:]
    styles = reorder.proto.arrow_data.styler.styles
    assert "#c62828" in styles and "row0_col0" in styles
    assert at.error and f"{urgent} mendesak" in at.error[0].value


def test_creators_roi_and_customer_sample_sizes(home, sample_run):
    home(sample_run.home)
    at = app("views/creators.py")
    board = at.dataframe[0].value
    assert list(board.columns[:3]) == ["#", "Toko", "Kreator"]
    assert board["GMV"].str.match(r"^Rp \d{1,3}(\.\d{3})*$").all()
    at.switch_page("views/customers.py").run()
    nps = at.dataframe[0].value
    assert {"Jawaban", "NPS", "Sampel kecil"} <= set(nps.columns)
    assert nps["Jawaban"].str.match(r"^\d").all()


def test_a_newly_published_copy_is_picked_up_on_the_next_click(home, sample_run, one_shop_home, tmp_path):
    serve = home(tmp_path) / "serve"
    for run, source in (("all", sample_run.home), ("one", one_shop_home)):
        (serve / "runs" / run).mkdir(parents=True)
        shutil.copy(source / "serve" / "marts.duckdb", serve / "runs" / run / "marts.duckdb")
    switch(serve, serve / "runs" / "all")
    link(serve / "marts.duckdb", Path("current") / "marts.duckdb")
    at = app()
    assert len(at.sidebar.selectbox(key="shop_id").options) == 3
    switch(serve, serve / "runs" / "one")  # as orchestration/publish.py makes a publication current
    at.run()
    assert len(at.sidebar.selectbox(key="shop_id").options) == 1


@pytest.mark.parametrize("page", PAGES)
def test_one_shop_only(home, one_shop_home, page):
    home(one_shop_home)
    at = app(page)
    options = at.sidebar.selectbox(key="shop_id").options
    assert len(options) == 1 and "Semua toko" not in options
    for frame in at.dataframe:
        assert "Toko" not in frame.value.columns  # no shop column for a single shop


@pytest.mark.parametrize("lang", ["id", "en"])
def test_empty_warehouse_names_the_landing_folder(home, tmp_path, lang):
    landing = tmp_path / "my-landing"
    home(tmp_path / "home", landing)
    at = app(lang=lang)
    assert at.info and str(landing) in at.info[0].value
    assert ("Belum ada data" if lang == "id" else "No data yet") in at.info[0].value
    assert not at.metric and not at.dataframe


def test_published_copy_without_rows_is_empty_too(home, empty_home):
    home(empty_home)
    at = app()
    assert at.info and str(empty_home / "landing") in at.info[0].value
    assert "belum berisi pesanan" in at.caption[0].value
