"""Daily partitions and incremental facts: exports that arrive over time, late changes to old orders and
backfills give exactly the marts of one full build over all the files."""

import json
import os
import re
import shutil
from datetime import date, timedelta
from pathlib import Path
from unittest import mock

import dagster as dg
import duckdb
import pytest

from tests.exports import order_row, write_orders_csv
from tests.helpers.pipeline import MARTS_SNAPSHOTTED, lapak_cli

pytestmark = pytest.mark.e2e  # whole `lapak run`s and backfills

# fact model -> (its day, a number to tamper with)
FACTS = {
    "staging.stg_tiktok__order_lines": ("order_date", "quantity"),
    "intermediate.int_orders_aggregated": ("order_date", "units"),
    "staging.stg_tiktok__videos": ("period_start_date", "views"),
    "staging.stg_tiktok__lives": ("cast(live_started_at as date)", "views"),
}
# incremental too, with no day of its own: compared whole
HISTORY = "staging.stg_tiktok__order_line_status_history"
STAMP = re.compile(r"(20\d\d)-?(\d\d)-?(\d\d)")


def _stamp(path: Path) -> date | None:
    m = STAMP.search(path.name)
    return date(int(m[1]), int(m[2]), int(m[3])) if m else None


def _table(warehouse: str, relation: str) -> list[tuple]:
    with duckdb.connect(warehouse, read_only=True) as con:
        return con.execute(f"select * from {relation} order by all").fetchall()


@pytest.fixture(scope="module")
def arrived_in_two_batches(sample_run, tmp_path_factory):
    """The sample's exports, landing in two batches: everything exported before the newest order export, then
    the rest. The newest order export re-exports 15 days of older orders with their later statuses."""
    root = tmp_path_factory.mktemp("incremental")
    landing, home = root / "landing", root / "home"
    order_exports = sorted(
        {_stamp(p) for p in sample_run.landing.rglob("*") if "order-" in p.name or "pesanan-" in p.name}
    )
    cutoff = order_exports[-1]
    files = [p for p in sample_run.landing.rglob("*") if p.is_file()]
    first = [p for p in files if (_stamp(p) or date.min) < cutoff]
    assert 0 < len(first) < len(files)
    summaries = []
    for batch in (first, files):
        for p in batch:
            target = landing / p.relative_to(sample_run.landing)
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(p, target)
        out = lapak_cli("run", "--landing", str(landing), "--home", str(home), "--json", home_env=root)
        assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
        summaries.append(json.loads(out.stdout))
    return {"home": home, "cutoff": cutoff, "first": summaries[0], "second": summaries[1]}


def test_incremental_runs_give_the_marts_of_one_full_build(sample_run, arrived_in_two_batches):
    second = arrived_in_two_batches["second"]
    full = sample_run.first["warehouse"]
    for mart in MARTS_SNAPSHOTTED:
        assert _table(second["warehouse"], f"marts.{mart}") == _table(full, f"marts.{mart}"), mart
    for fact in [*FACTS, HISTORY]:
        assert _table(second["warehouse"], fact) == _table(full, fact), fact


def test_a_late_export_rebuilds_the_old_days_it_changes(arrived_in_two_batches):
    cutoff, first, second = (arrived_in_two_batches[k] for k in ("cutoff", "first", "second"))
    first_day, last_day = (date.fromisoformat(d) for d in second["days_rebuilt"])
    # the newest order export covers 45 days: the 15 before the previous export's date are rebuilt too
    assert first_day <= cutoff - timedelta(days=40)
    assert last_day >= cutoff
    assert date.fromisoformat(first["days_rebuilt"][0]) < first_day  # the first run built the whole history
    with duckdb.connect(second["warehouse"], read_only=True) as con:
        changed = con.execute(
            """select count(*) from staging.stg_tiktok__order_line_status_history as h
            where h.order_id in (select order_id from staging.stg_tiktok__order_lines where order_date < ?)
            group by all having count(distinct order_status) > 1""",
            [cutoff - timedelta(days=30)],
        ).fetchall()
        builds = con.execute("select count(distinct run_id) from lapak.fact_builds").fetchone()[0]
    assert changed, "the sample should change statuses of orders older than the previous export"
    assert builds == 2


def test_a_backfill_rebuilds_exactly_its_days(sample_run, arrived_in_two_batches):
    home = arrived_in_two_batches["home"]
    warehouse = str(home / "warehouse.duckdb")
    with duckdb.connect(warehouse) as con:
        inside, outside = (
            d.isoformat()
            for (d,) in con.execute(
                "select order_date from staging.stg_tiktok__order_lines group by 1 order by count(*) desc limit 2"
            ).fetchall()
        )
        for relation, (day, column) in FACTS.items():
            con.execute(f"update {relation} set {column} = {column} + 1000 where {day} in (?, ?)", [inside, outside])
    out = lapak_cli("backfill", "--start", inside, "--home", str(home), "--json", home_env=home.parent)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    summary = json.loads(out.stdout)
    assert summary["backfill"] and summary["days_rebuilt"] == [inside, inside]
    assert "ingest_landing" not in summary["skipped_steps"]  # a backfill does not ingest at all
    assert summary["marts_rebuilt_for"] == {"shops": "all", "reason": "a backfill"}  # every shop, from scratch
    full = sample_run.first["warehouse"]
    for relation, (day, _) in FACTS.items():
        where = f"where {day} = cast('{inside}' as date)"
        assert _table(warehouse, f"{relation} {where}") == _table(full, f"{relation} {where}"), relation
        where = f"where {day} = cast('{outside}' as date)"
        if "order" in relation:  # every day has orders; not every day has a LIVE
            assert _table(warehouse, f"{relation} {where}") != _table(full, f"{relation} {where}"), relation
    with duckdb.connect(warehouse, read_only=True) as con:
        # a backfill does not move the watermark of builds after ingestion
        assert con.execute("select count(distinct run_id) from lapak.fact_builds").fetchone()[0] == 2


def test_backfill_refuses_days_outside_the_partitions(tmp_path):
    out = lapak_cli("backfill", "--start", "1999-01-01", "--home", str(tmp_path), home_env=tmp_path)
    assert out.returncode == 2 and "no partition 1999-01-01" in out.stderr


def test_scheduled_ingest_is_followed_by_a_build_of_its_days(tmp_path, monkeypatch):
    """The Dagster-native path: an ingest run (as the schedule or the sensor starts it), then the
    `lapak_build_after_ingest` sensor requests the build over the days the new files cover."""
    from lapak.generate import generate
    from lapak.settings import resolve_paths
    from orchestration.definitions import defs

    landing, home = tmp_path / "landing", tmp_path / "home"
    generate(landing, shops=1, days=30, orders_per_day=6, seed=3)
    monkeypatch.setenv("LAPAK_PII_KEY", "sensor-key-0123456789abcdef0123456789abcdef")
    resolve_paths(landing, home)
    with dg.instance_for_test() as instance:
        ingest = defs.resolve_job_def("lapak_ingest").execute_in_process(instance=instance)
        assert ingest.success
        sensor = defs.get_sensor_def("lapak_build_after_ingest")
        context = dg.build_run_status_sensor_context(
            sensor_name=sensor.name,
            dagster_instance=instance,
            dagster_run=instance.get_run_by_id(ingest.run_id),
            dagster_event=ingest.get_run_success_event(),
        )
        request = sensor(context)
        assert isinstance(request, dg.RunRequest), request
        tags = request.tags
        assert tags["lapak/window"] == "changed"
        assert tags["dagster/asset_partition_range_start"] <= tags["dagster/asset_partition_range_end"]
        build = defs.resolve_job_def("lapak_build").execute_in_process(
            instance=instance, tags=tags, run_config=request.run_config
        )
        assert build.success
        materialized = {(e.asset_key.to_user_string(), e.partition) for e in build.get_asset_materialization_events()}
        day = tags["dagster/asset_partition_range_end"]
        assert ("staging/stg_tiktok__order_lines", day) in materialized
        assert ("serve/marts", None) in materialized
        with duckdb.connect(str(home / "serve" / "marts.duckdb"), read_only=True) as con:
            assert con.execute("select count(*) from customers").fetchone()[0] > 0


def test_a_new_export_of_one_shop_rebuilds_that_shops_days_only(arrived_in_two_batches):
    """An agency's run that loaded one shop's new day rebuilds that shop's facts of that day, not every shop's."""
    home = arrived_in_two_batches["home"]
    warehouse = str(home / "warehouse.duckdb")
    lines = "staging.stg_tiktok__order_lines"
    with duckdb.connect(warehouse) as con:
        day, shop, other = con.execute(
            f"""select order_date, min(shop_id), max(shop_id) from {lines}
            group by order_date having count(distinct shop_id) = 2 order by order_date desc limit 1"""
        ).fetchone()
        sku_id, seller_sku, product_name = con.execute(
            f"select sku_id, seller_sku, product_name from {lines} where shop_id = ? limit 1", [shop]
        ).fetchone()
        # marks on both shops' order lines of that day, which a rebuild of a shop's day replaces: negative
        # quantities, so that the blocking Great Expectations suite on order lines fails the run if it reads a
        # shop that was not rebuilt
        con.execute(f"update {lines} set quantity = quantity - 1000 where order_date = ?", [day])
    created = f"{day:%d/%m/%Y} 21:00:00"
    row = order_row(**{
        "Order ID": "576999000000000001", "SKU ID": sku_id, "Seller SKU": seller_sku, "Product Name": product_name,
        "Created Time": created, "Paid Time": created, "Buyer Username": "pembeli_baru",
    })  # fmt: skip
    landing = home.parent / "landing"
    write_orders_csv(landing / shop / f"Semua pesanan-{day + timedelta(days=1):%Y-%m-%d}-08_00.csv", [row])
    out = lapak_cli("run", "--landing", str(landing), "--home", str(home), "--json", home_env=home.parent)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    summary = json.loads(out.stdout)
    assert summary["days_rebuilt"] == [day.isoformat(), day.isoformat()]
    assert summary["marts_rebuilt_for"]["shops"] == [shop]
    with duckdb.connect(warehouse, read_only=True) as con:
        recorded = con.execute(
            "select any_value(window_vars) from lapak.fact_builds where run_id = ?", [summary["run_id"]]
        ).fetchone()[0]
        marked = dict(
            con.execute(
                f"select shop_id, (bool_or(quantity < 0), bool_and(quantity < 0)) from {lines} "
                "where order_date = ? group by 1",
                [day],
            ).fetchall()
        )
        new_line = con.execute(f"select shop_id from {lines} where order_id = '576999000000000001'").fetchall()
        day_lines = con.execute(f"select count(*) from {lines} where order_date = ? and shop_id = ?", [day, shop])
        day_lines = day_lines.fetchone()[0]
    assert json.loads(recorded)["lapak_shops"] == [shop]
    # this shop's day rebuilt (no mark left), the other shop's left as it was (every mark still there)
    assert marked == {shop: (False, False), other: (True, True)}
    assert new_line == [(shop,)]
    # and the order lines' suite validated exactly the rebuilt shop's lines of that day: every one of them, the
    # other shop's (marked) none
    checked = check_metadata(summary, "gx_stg_order_lines")
    assert checked["days_validated"] == f"{day} .. {day}" and checked["shops_validated"] == shop
    assert checked["rows_validated"] == day_lines > 0


def check_metadata(summary: dict, check_name: str) -> dict:
    """The metadata of a check's evaluation in the run of a `lapak run --json` summary."""
    with (
        mock.patch.dict(os.environ, {"DAGSTER_HOME": summary["dagster_home"]}),  # its dagster.yaml reads it
        dg.DagsterInstance.get() as instance,
    ):
        records = instance.get_records_for_run(
            summary["run_id"], of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION
        ).records
    evaluations = [r.event_log_entry.dagster_event.event_specific_data for r in records]
    [evaluation] = [e for e in evaluations if e.check_name == check_name]
    return {k: v.value for k, v in evaluation.metadata.items()}
