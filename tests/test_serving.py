"""Running it like production: sensor, schedule, failure alerts, freshness, and marts published for BI
that a reader can query while the pipeline runs, without ever seeing a lock or a half-updated state."""

import http.server
import json
import shutil
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

import dagster as dg
import duckdb
import pytest
import sqlalchemy as sa

from ingestion.assets import MANIFEST_KEY, report_from_metadata
from ingestion.load import ingest
from ingestion.scan import sha256_file
from lapak.cli import run_pipeline
from orchestration.automation import notify_failure
from orchestration.definitions import defs
from tests.exports import order_row, write_orders_csv

ROOT = Path(__file__).resolve().parent.parent
SHOP = "toko-saji"


def orders_file(landing: Path, name: str, first_order: int, n: int = 3, created: str = "05/10/2026 10:00:00") -> Path:
    rows = []
    for i in range(n):
        values = {"Order ID": f"57600000000000{first_order + i:04d}", "Buyer Username": f"buyer{(first_order + i) % 4}"}
        rows.append(order_row(**values, **{"Created Time": created, "Paid Time": created}))
    return write_orders_csv(landing / SHOP / name, rows)


# --- sensor and schedule ------------------------------------------------------------------------


def test_sensor_starts_one_run_per_new_file_set(tmp_path, monkeypatch):
    landing = tmp_path / "landing"
    monkeypatch.setenv("LAPAK_LANDING", str(landing))
    monkeypatch.setenv("LAPAK_HOME", str(tmp_path / "home"))
    first = orders_file(landing, "Semua pesanan-2026-10-20-09_00.csv", 1)
    sensor = defs.get_sensor_def("lapak_new_exports")
    with dg.instance_for_test() as instance:
        tick = sensor.evaluate_tick(dg.build_sensor_context(instance=instance))
        assert len(tick.run_requests) == 1
        key = tick.run_requests[0].run_key
        assert tick.run_requests[0].tags["lapak/new_files"] == "1"

        # until a run lists them in the manifest the files stay new, under the same run key: Dagster starts one run
        again = sensor.evaluate_tick(dg.build_sensor_context(instance=instance, cursor=tick.cursor))
        assert [r.run_key for r in again.run_requests] == [key]  # same files: the same run

        shutil.copy(first, landing / SHOP / "copy of the same export.csv")
        renamed = sensor.evaluate_tick(dg.build_sensor_context(instance=instance, cursor=again.cursor))
        assert [r.run_key for r in renamed.run_requests] == [key]  # same content under another name: the same run

        orders_file(landing, "Semua pesanan-2026-11-10-09_00.csv", 100)
        new = sensor.evaluate_tick(dg.build_sensor_context(instance=instance, cursor=renamed.cursor))
        assert len(new.run_requests) == 1 and new.run_requests[0].run_key != key


def test_the_manifest_keeps_unchanged_files_as_hashes_that_the_sensor_knows(tmp_path, monkeypatch):
    """A run's report lists the files it loaded in full and the unchanged ones as hashes only (the report had
    grown with the landing folder); a sensor without a cursor still starts no run for either."""
    landing, home = tmp_path / "landing", tmp_path / "home"
    monkeypatch.setenv("LAPAK_LANDING", str(landing))
    monkeypatch.setenv("LAPAK_HOME", str(home))
    first = orders_file(landing, "Semua pesanan-2026-10-20-09_00.csv", 1)
    ingest(home / "warehouse.duckdb", landing, home, load_id="first")
    shutil.copy(first, landing / SHOP / "copy of the same export.csv")
    orders_file(landing, "Semua pesanan-2026-11-10-09_00.csv", 100)
    report = ingest(home / "warehouse.duckdb", landing, home, load_id="second")
    assert sorted(f.status for f in report.files) == ["duplicate", "loaded", "unchanged"]

    data = json.loads(json.dumps(report.to_dict()))
    assert sorted(f["status"] for f in data["files"]) == ["duplicate", "loaded"]
    assert data["unchanged_sha256"] == [sha256_file(first)]
    again = report_from_metadata({"report": data})
    assert again.totals() == report.totals() and again.totals()["files_unchanged"] == 1
    assert again.known_sha256() == report.known_sha256() and again.to_dict() == data

    sensor = defs.get_sensor_def("lapak_new_exports")
    with dg.instance_for_test() as instance:
        instance.report_runless_asset_event(
            dg.AssetMaterialization(MANIFEST_KEY, metadata={"report": dg.MetadataValue.json(data)})
        )
        tick = sensor.evaluate_tick(dg.build_sensor_context(instance=instance))
        assert tick.run_requests == []  # every file's content is known: no run
        orders_file(landing, "Semua pesanan-2026-11-11-09_00.csv", 200)
        tick = sensor.evaluate_tick(dg.build_sensor_context(instance=instance, cursor=tick.cursor))
        assert len(tick.run_requests) == 1 and tick.run_requests[0].tags["lapak/new_files"] == "1"


def test_daily_schedule_runs_everything_at_six_wib():
    schedule = defs.get_schedule_def("lapak_daily")
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("0 6 * * *", "Asia/Jakarta")
    assert schedule.job_name == "lapak_ingest"  # the build follows (lapak_build_after_ingest)
    with dg.instance_for_test() as instance:
        ctx = dg.build_schedule_context(instance=instance, scheduled_execution_time=datetime(2026, 11, 25, 6, 0))
        assert len(schedule.evaluate_tick(ctx).run_requests) == 1


# --- failure alerts -----------------------------------------------------------------------------


def test_failures_go_to_the_log_and_the_webhook(tmp_path, monkeypatch):
    received: list[dict] = []

    class Hook(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("LAPAK_ALERT_WEBHOOK", f"http://127.0.0.1:{server.server_port}/hook")
    try:
        log = notify_failure(tmp_path, "run-1", "lapak_build", "check gx_stg_order_lines failed")
    finally:
        server.shutdown()
    assert json.loads(log.read_text().splitlines()[-1])["run_id"] == "run-1"
    assert received and received[0]["run_id"] == "run-1" and "gx_stg_order_lines" in received[0]["text"]


# --- publishing under load ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    root = tmp_path_factory.mktemp("serve")
    landing, home = root / "landing", root / "home"
    orders_file(landing, "Semua pesanan-2026-10-20-09_00.csv", 1)
    first = run_pipeline(landing, home)
    assert first["exit_code"] == 0, (first["failed_steps"], first["checks_failed"])
    return landing, home, first


@pytest.mark.e2e
def test_run_publishes_a_read_only_copy_parquet_and_freshness_warning(published):
    _, home, first = published
    db = home / "serve" / "marts.duckdb"
    assert first["published"]["path"] == str(db)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(*) from marts.customers").fetchone()[0] == 3
        assert con.execute("select count(distinct run_id) from _published").fetchone()[0] == 1
    parquet = home / "serve" / "parquet" / "customers.parquet"
    assert duckdb.connect().execute(f"select count(*) from '{parquet}'").fetchone()[0] == 3
    # the sample export is weeks old: a warning, not a failure
    (fresh,) = [c for c in first["checks_failed"] if c["check"] == "orders_export_is_fresh"]
    assert fresh["severity"] == "WARN"


@pytest.mark.e2e
def test_bi_clients_read_the_published_file(published):
    _, home, _ = published
    db = home / "serve" / "marts.duckdb"
    engine = sa.create_engine(f"duckdb:///{db}", connect_args={"read_only": True})
    with engine.connect() as con:
        assert con.execute(sa.text("select count(*) from customers")).scalar() == 3
        assert "ltv_weekly" in sa.inspect(con).get_table_names()
    engine.dispose()
    cli = Path(sys.executable).parent / "duckdb"
    out = subprocess.run(
        [str(cli), "-readonly", "-csv", str(db), "-c", "select count(*) as n from marts.customers"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert out.stdout.split() == ["n", "3"]


@pytest.mark.e2e
def test_reader_never_sees_a_lock_or_a_half_updated_state(published, tmp_path):
    landing, home, first = published
    db = home / "serve" / "marts.duckdb"
    stop, out = tmp_path / "stop", tmp_path / "reader.json"
    reader = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "helpers" / "reader.py"), str(db), str(stop), str(out)]
    )
    try:
        time.sleep(1)
        orders_file(landing, "Semua pesanan-2026-11-10-09_00.csv", 100, n=5, created="02/11/2026 12:00:00")
        second = run_pipeline(landing, home)  # writes the warehouse, then swaps in a new published copy
        time.sleep(1)
    finally:
        stop.touch()
        reader.wait(timeout=60)
    seen = json.loads(out.read_text())
    assert second["exit_code"] == 0, second
    assert second["published"]["copy"] == "shops updated in place"  # the last copy, its shop's rows replaced
    assert seen["error_count"] == 0, seen["errors"]
    assert seen["inconsistent"] == []
    assert seen["queries"] / seen["seconds"] >= 20, seen
    assert seen["run_ids"] == sorted([first["run_id"], second["run_id"]])  # saw the old copy, then the new


@pytest.mark.e2e
def test_a_failed_run_publishes_nothing(published):
    landing, home, _ = published
    db = home / "serve" / "marts.duckdb"
    with duckdb.connect(str(db), read_only=True) as con:
        before = con.execute("select * from _published order by mart").fetchall()
    # an order created an hour after the export that contains it (a name stamp on the day of its rows is believed):
    # the blocking staging check fails
    orders_file(landing, "Semua pesanan-2026-10-25-09_00.csv", 500, created="25/10/2026 10:00:00")
    failed = run_pipeline(landing, home)
    assert failed["exit_code"] == 1 and failed["published"] is None
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select * from _published order by mart").fetchall() == before
    assert "gx_stg_order_lines" in (home / "logs" / "failures.log").read_text()


@pytest.mark.e2e
def test_run_limited_to_one_shop_leaves_other_shops_alone(tmp_path):
    landing, home = tmp_path / "landing", tmp_path / "home"
    orders_file(landing, "Semua pesanan-2026-10-20-09_00.csv", 1)
    other = landing / "toko-lain" / "Semua pesanan-2026-10-20-09_00.csv"
    write_orders_csv(other, [order_row(**{"Order ID": "576000000000009999"})])
    summary = run_pipeline(landing, home, shop=SHOP)
    assert summary["exit_code"] == 0 and summary["shop"] == SHOP
    assert summary["files"]["files_seen"] == summary["files"]["files_loaded"] == 1
    with duckdb.connect(summary["warehouse"], read_only=True) as con:
        assert con.execute("select distinct _shop_id from raw.orders").fetchall() == [(SHOP,)]
