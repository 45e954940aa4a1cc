"""The dashboard in a real browser: start it as `make dashboard` does, open it in Debian's headless Chromium
through Playwright, wait for the charts, compare the key numbers with the marts, switch the language, and keep
screenshots in test-artifacts/dashboard/.

Chromium is a system package (`apt-get install -y chromium`, /usr/bin/chromium); Playwright never downloads a
browser here. Without it this test FAILS (it does not skip): CI installs it.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest

from dashboard.__main__ import command

pytestmark = pytest.mark.e2e  # the dashboard in Chromium, on the whole pipeline's output

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path(os.environ.get("LAPAK_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
ARTIFACTS = ROOT / "test-artifacts" / "dashboard"
TIMEOUT_MS = 30_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(home: Path, landing: Path, log: Path):
    """The dashboard as `make dashboard` starts it, on a free localhost port; stopped on exit."""
    port = free_port()
    env = {**os.environ, "LAPAK_HOME": str(home), "LAPAK_LANDING": str(landing)}
    with log.open("w") as out:
        proc = subprocess.Popen(command("127.0.0.1", port), cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            assert proc.poll() is None, "the dashboard exited:\n" + log.read_text()[-3000:]
            assert time.monotonic() < deadline, "the dashboard did not answer within 60 s:\n" + log.read_text()[-3000:]
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def dashboard(sample_run, tmp_path_factory):
    """The dashboard on the sample's published marts."""
    log = tmp_path_factory.mktemp("dashboard") / "streamlit.log"
    with serve(sample_run.home, sample_run.landing, log) as url:
        yield url


@contextmanager
def chromium():
    """Debian's Chromium driven by Playwright; a missing /usr/bin/chromium fails the test (CI installs it)."""
    if not CHROMIUM.is_file():
        pytest.fail(
            f"{CHROMIUM} is missing: the dashboard's browser test needs Debian's Chromium. "
            "Install it with `apt-get install -y chromium` (CI does this; Playwright must not download a browser).",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def settle(page) -> None:
    """Wait until the script run is over and every chart on the page is drawn.

    The run's end is Streamlit's own `data-test-script-state="notRunning"` (what Streamlit's e2e tests wait for):
    the status widget alone is not enough, it shows only after a delay, so a page that had drawn its title and not
    yet its metric cards once passed for settled (CI, stop 16: KeyError 'GMV')."""
    page.wait_for_selector(
        '[data-testid="stApp"][data-test-connection-state="CONNECTED"][data-test-script-state="notRunning"]',
        timeout=TIMEOUT_MS,
    )
    page.wait_for_function(
        """() => {
            const app = document.querySelector('[data-testid="stApp"]');
            if (app.getAttribute('data-test-script-state') !== 'notRunning') return false;
            if (document.querySelector('[data-testid="stStatusWidget"]')) return false;   // still running
            const main = document.querySelector('[data-testid="stMain"]');
            if (!main || !main.querySelector('h1')) return false;
            const charts = [...main.querySelectorAll('[data-testid="stVegaLiteChart"]')];
            return charts.every(c => c.querySelector('canvas, svg'));
        }""",
        timeout=TIMEOUT_MS,
    )
    page.wait_for_timeout(600)  # the charts' entry transition


def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def metrics(page) -> dict[str, str]:
    """Label -> value of every metric card, as the browser shows them."""
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('[data-testid="stMetric"]')].map(m => [
            m.querySelector('[data-testid="stMetricLabel"]').innerText.trim(),
            m.querySelector('[data-testid="stMetricValue"]').innerText.trim(),
        ]))"""
    )


def rupiah_to_int(text: str) -> int:
    assert text.startswith("Rp "), text
    digits = text.removeprefix("Rp ")
    assert all(part.isdigit() for part in digits.split(".")), text  # Rp 1.234.567: dots group thousands
    return int(digits.replace(".", ""))


def test_dashboard_in_chromium(dashboard, sample_run):
    marts = sample_run.home / "serve" / "marts.duckdb"
    with duckdb.connect(str(marts), read_only=True) as con:
        last = con.execute("select max(date) from kpi_daily").fetchone()[0]
        start = last - dt.timedelta(days=6)  # the default period: the last 7 days
        gmv, orders = con.execute(
            "select sum(gmv_idr), sum(orders) from kpi_daily where date between ? and ?", [start, last]
        ).fetchone()
        urgent = con.execute("select count(*) from reorder_signals where status = 'urgent'").fetchone()[0]
        oversold = con.execute("select count(*) from reorder_signals where status = 'oversold'").fetchone()[0]

    with chromium() as browser:
        context = browser.new_context(viewport={"width": 1400, "height": 2000}, locale="en-US")
        try:
            check_pages(context.new_page(), dashboard, gmv, orders, urgent, oversold)
        finally:
            context.close()


def check_pages(page, dashboard: str, gmv, orders: int, urgent: int, oversold: int) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(dashboard, timeout=TIMEOUT_MS)
    settle(page)
    # Indonesian by default, numbers as in the marts, rupiah the Indonesian way whatever the browser locale
    assert page.locator("h1").first.inner_text().strip() == "Sekilas"
    shown = metrics(page)
    assert rupiah_to_int(shown["GMV"]) == round(gmv)
    assert shown["Pesanan"] == f"{orders:,}".replace(",", ".")
    assert rupiah_to_int(shown["Rata-rata nilai pesanan (AOV)"]) == round(gmv / orders)
    assert page.locator('[data-testid="stMetricDelta"]').count() == 6  # every KPI against the previous period
    assert page.locator('[data-testid="stVegaLiteChart"]').count() == 2
    assert f"{urgent} mendesak, {oversold} oversold" in page.locator('[data-testid="stAlert"]').first.inner_text()
    shot(page, "id-glance")

    for title in ["Konten", "Kreator", "Pelanggan", "Stok"]:
        page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()
        page.wait_for_function(f"() => document.querySelector('h1')?.innerText.trim() === '{title}'")
        settle(page)
        assert page.locator('[data-testid="stException"]').count() == 0
        assert page.locator('[data-testid="stVegaLiteChart"]').count() >= 1
        shot(page, f"id-{title.lower()}")

    # switch to English: labels change, numbers stay, the choice survives a page change
    page.locator('[data-testid="stSidebar"]').get_by_text("English", exact=True).click()
    page.wait_for_function("() => document.querySelector('h1')?.innerText.trim() === 'Stock'")
    settle(page)
    assert "lang=English" in page.url  # bookmarkable: language and shop are kept in the address
    assert page.locator('[data-testid="stSidebarNav"]').get_by_text("At a glance", exact=True).is_visible()
    assert page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"] input').input_value() == "All shops"
    shot(page, "en-stock")
    page.locator('[data-testid="stSidebarNav"]').get_by_text("At a glance", exact=True).click()
    page.wait_for_function("() => document.querySelector('h1')?.innerText.trim() === 'At a glance'")
    settle(page)
    shown = metrics(page)
    assert rupiah_to_int(shown["GMV"]) == round(gmv)
    assert shown["Orders"] == f"{orders:,}".replace(",", ".")
    assert f"{urgent} urgent, {oversold} oversold" in page.locator('[data-testid="stAlert"]').first.inner_text()
    shot(page, "en-glance")
    assert page.locator('[data-testid="stException"]').count() == 0
    assert errors == []


def test_empty_warehouse_in_chromium(tmp_path):
    """Before the first run: the dashboard starts and says where to drop the exports."""
    landing = tmp_path / "landing"
    with chromium() as browser, serve(tmp_path / "home", landing, tmp_path / "streamlit.log") as url:
        page = browser.new_page(viewport={"width": 1200, "height": 800})
        page.goto(url, timeout=TIMEOUT_MS)
        page.wait_for_selector('[data-testid="stAlert"]', timeout=TIMEOUT_MS)
        text = page.locator('[data-testid="stAlert"]').first.inner_text()
        assert "Belum ada data" in text and str(landing) in text
        shot(page, "id-empty")
