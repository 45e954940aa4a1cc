"""The window and mart planners on hand-made warehouse state: the ingestion manifest's rows and lapak's build records,
written with plain SQL or the recorders the dbt steps call, with no file ingested and no dbt run (issue 32, item 7)."""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import dagster as dg
import duckdb
import pytest

from ingestion.manifest import ensure_schema
from orchestration.marts import (
    MartPlan,
    mart_build_of,
    plan_marts,
    project_fingerprint,
    record_mart_build,
    record_mart_step,
)
from orchestration.windows import (
    CHANGED,
    DAILY,
    EVERY_DAY,
    RANGE_END_TAG,
    RANGE_START_TAG,
    WINDOW_TAG,
    build_tags,
    changed_windows,
    is_backfill,
    pending_range,
    rebuilt_scope,
    record_fact_build,
    windows_for_run,
)

FP = "project-1"
NOTHING = ("9999-12-31", "0001-01-01")  # rebuilt_scope's empty range of days


def at(minute: int) -> datetime:
    """When a file was loaded: minutes after 09:00 on 16 November 2026."""
    return datetime(2026, 11, 16, 9, minute)


# lapak's build records, with the columns record_fact_build and record_mart_build give them
FACT_BUILDS = (
    "lapak.fact_builds (shop_id varchar, loaded_through timestamp, run_id varchar, built_at timestamp, "
    "window_vars varchar, fingerprint varchar)"
)
MART_BUILDS = (
    "lapak.mart_builds (shop_id varchar, loaded_through timestamp, run_id varchar, built_at timestamp, "
    "fingerprint varchar, shops_rebuilt varchar[], reason varchar)"
)


class Warehouse:
    """A warehouse holding the raw schema (ingestion.manifest.ensure_schema), and the rows a test puts in its
    manifest and build records, written in one go when the warehouse is next read, at `path` (each connection
    costs DuckDB tens of milliseconds)."""

    def __init__(self, path: Path):
        self._path = path
        self.files: list[list] = []
        self.pending: list[tuple[str, list]] = []
        self.builds = 0

    @property
    def path(self) -> Path:
        """The warehouse file, with every row put so far."""
        if self.pending:
            with duckdb.connect(str(self._path)) as con:
                for sql, params in self.pending:
                    con.execute(sql, params)
            self.pending.clear()
        return self._path

    def load(self, shop: str, kind: str, first: str | None, last: str | None, minute: int, status: str = "loaded"):
        """One file of `shop`'s `kind` over [first, last] in the manifest, loaded at `at(minute)`."""
        n = len(self.files) + 1
        row = [f"{n:064x}", f"{shop}/{kind}-{n}.csv", shop, kind, first, last, status, at(minute)]
        self.files.append(row)
        self.pending.append(
            (
                "insert into raw._manifest (file_sha256, source_file, shop_id, kind, period_start, period_end, "
                "status, loaded_at) values (?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
        )

    def marks(self, shop: str | None = None) -> dict:
        """Per shop (or of `shop`), its newest load so far: the watermark of a build of everything loaded."""
        marks: dict = {}
        for *_, file_shop, _kind, _first, _last, status, loaded_at in self.files:
            if status == "loaded" and shop in (None, file_shop):
                marks[file_shop] = max(marks.get(file_shop, loaded_at), loaded_at)
        return marks

    def record(self, table: str, rows: list[list]) -> None:
        self.pending += [("create schema if not exists lapak", []), (f"create table if not exists {table}", [])]
        self.pending += [(f"insert into {table.split()[0]} values ({', '.join('?' * len(r))})", r) for r in rows]
        self.builds += 1

    def facts_built(self, run_id: str, shop: str | None = None, fingerprint: str = FP) -> None:
        """lapak.fact_builds as a facts build of every file loaded so far (of `shop`) by `fingerprint` leaves it."""
        built_at = datetime(2026, 11, 16, 12, self.builds)
        self.record(FACT_BUILDS, [[s, m, run_id, built_at, None, fingerprint] for s, m in self.marks(shop).items()])

    def marts_built(self, run_id: str, fingerprint: str = FP) -> None:
        """lapak.mart_builds as a marts build of every file loaded so far by `fingerprint` leaves it."""
        built_at = datetime(2026, 11, 16, 12, self.builds)
        rows = [[s, m, run_id, built_at, fingerprint, None, "first build"] for s, m in self.marks().items()]
        self.record(MART_BUILDS, rows)

    def windows(self, shop: str | None = None, fingerprint: str | None = FP) -> tuple[dict | None, dict]:
        with duckdb.connect(str(self.path), read_only=True) as con:
            return changed_windows(con, shop, fingerprint)

    def build_facts(self, run_id: str, shop: str | None = None, fingerprint: str = FP) -> dict | None:
        """A facts build after ingestion as dbt_daily_facts does it: plan the window, then record it and the
        watermark."""
        window_vars, loaded_through = self.windows(shop, fingerprint)
        record_fact_build(self.path, run_id, loaded_through, window_vars, fingerprint)
        return window_vars

    def scope(self, run: dg.DagsterRun, kind: str):
        with duckdb.connect(str(self.path), read_only=True) as con:
            return rebuilt_scope(con, run, kind)

    def build_marts(self, run_id: str, fingerprint: str = FP) -> MartPlan:
        """A whole marts step after ingestion as dbt_models does it: plan, then record the build."""
        plan = plan_marts(self.path, after_ingest(run_id), fingerprint)
        record_mart_build(self.path, run_id, plan, fingerprint)
        return plan


@pytest.fixture(scope="module")
def empty_warehouse(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("planners") / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        ensure_schema(con)
    return path


@pytest.fixture
def wh(empty_warehouse, tmp_path) -> Warehouse:
    shutil.copy(empty_warehouse, tmp_path / "warehouse.duckdb")
    return Warehouse(tmp_path / "warehouse.duckdb")


def after_ingest(run_id: str, first: str = "2026-11-15", last: str = "2026-11-16") -> dg.DagsterRun:
    """A `lapak_build` run started after an ingestion (`lapak run`, or the sensor)."""
    return dg.DagsterRun(job_name="lapak_build", run_id=run_id, tags=build_tags(first, last, changed=True))


def backfill(run_id: str, first: str, last: str) -> dg.DagsterRun:
    """A `lapak_build` run over a partition range chosen by hand (`lapak backfill`, the Dagster UI)."""
    return dg.DagsterRun(job_name="lapak_build", run_id=run_id, tags=build_tags(first, last, changed=False))


def today() -> str:
    return datetime.now(ZoneInfo("Asia/Jakarta")).date().isoformat()


# changed_windows


def test_changed_windows_is_every_day_before_the_first_facts_build(wh):
    wh.load("toko-a", "orders", "2026-10-01", "2026-10-01", 0)
    wh.load("toko-a", "orders", "2026-10-02", "2026-10-02", 5)
    assert wh.windows() == (None, {"toko-a": at(5)})


def test_changed_windows_spans_per_kind_the_days_of_files_loaded_since_the_last_build(wh):
    wh.load("toko-a", "orders", "2026-10-01", "2026-10-31", 0)
    wh.facts_built("build-1")
    wh.load("toko-a", "orders", "2026-11-16", "2026-11-16", 10)
    wh.load("toko-a", "orders", "2026-11-15", "2026-11-15", 11)
    wh.load("toko-a", "videos", "2026-11-10", "2026-11-14", 12)
    window_vars, loaded_through = wh.windows()
    assert window_vars == {
        "lapak_windows": {"orders": ["2026-11-15", "2026-11-16"], "videos": ["2026-11-10", "2026-11-14"]},
        "lapak_shops": ["toko-a"],
    }
    assert loaded_through == {"toko-a": at(12)}


def test_changed_windows_a_late_export_puts_an_old_orders_day_back_in_the_window(wh):
    """An export of today holding a return of an order of 3 September covers that day: it is rebuilt too."""
    wh.load("toko-a", "orders", "2026-09-01", "2026-10-31", 0)
    wh.facts_built("build-1")
    wh.load("toko-a", "orders", "2026-09-03", "2026-11-16", 10)
    window_vars, _ = wh.windows()
    assert window_vars["lapak_windows"] == {"orders": ["2026-09-03", "2026-11-16"]}


def test_changed_windows_names_only_the_shops_with_new_files(wh):
    wh.load("toko-a", "orders", "2026-10-01", "2026-10-31", 0)
    wh.load("toko-b", "orders", "2026-10-01", "2026-10-31", 1)
    wh.facts_built("build-1")
    wh.load("toko-b", "lives", "2026-11-16", "2026-11-16", 10)
    window_vars, loaded_through = wh.windows()
    assert window_vars == {"lapak_windows": {"lives": ["2026-11-16", "2026-11-16"]}, "lapak_shops": ["toko-b"]}
    assert loaded_through == {"toko-a": at(0), "toko-b": at(10)}


def test_changed_windows_for_one_shop_ignores_the_other_shops_files(wh):
    wh.load("toko-a", "orders", "2026-10-01", "2026-10-31", 0)
    wh.load("toko-b", "orders", "2026-10-01", "2026-10-31", 1)
    wh.facts_built("build-1")
    wh.load("toko-a", "orders", "2026-11-15", "2026-11-15", 10)
    wh.load("toko-b", "orders", "2026-11-01", "2026-11-16", 11)
    window_vars, loaded_through = wh.windows(shop="toko-a")
    assert window_vars == {"lapak_windows": {"orders": ["2026-11-15", "2026-11-15"]}, "lapak_shops": ["toko-a"]}
    assert loaded_through == {"toko-a": at(10)}


def test_changed_windows_keeps_a_watermark_per_shop(wh):
    """A shop whose facts were never built has every file pending, even files older than another shop's mark."""
    wh.load("toko-b", "videos", "2026-09-01", "2026-09-30", 0)
    wh.load("toko-a", "orders", "2026-10-01", "2026-10-31", 5)
    wh.facts_built("build-1", shop="toko-a")
    window_vars, _ = wh.windows()
    assert window_vars == {"lapak_windows": {"videos": ["2026-09-01", "2026-09-30"]}, "lapak_shops": ["toko-b"]}


def test_changed_windows_is_empty_when_nothing_was_loaded_since_the_last_build(wh):
    wh.load("toko-a", "orders", "2026-10-01", "2026-10-31", 0)
    wh.facts_built("build-1")
    assert wh.windows() == ({"lapak_windows": {}}, {"toko-a": at(0)})


def test_changed_windows_counts_only_loaded_files(wh):
    """A rejected or duplicate file changes no day and does not move the watermark."""
    wh.load("toko-a", "orders", "2026-10-01", "2026-10-31", 0)
    wh.facts_built("build-1")
    wh.load("toko-a", "orders", "2026-11-16", "2026-11-16", 10, status="rejected")
    wh.load("toko-a", "orders", "2026-11-16", "2026-11-16", 11, status="duplicate")
    assert wh.windows() == ({"lapak_windows": {}}, {"toko-a": at(0)})


def test_changed_windows_leaves_out_kinds_without_daily_facts_but_they_move_the_watermark(wh):
    wh.load("toko-a", "orders", "2026-10-01", "2026-10-31", 0)
    wh.facts_built("build-1")
    wh.load("toko-a", "products", "2026-11-16", "2026-11-16", 10)
    assert wh.windows() == ({"lapak_windows": {}}, {"toko-a": at(10)})


def test_changed_windows_is_every_day_of_a_kind_with_an_undated_new_file(wh):
    wh.load("toko-a", "orders", "2026-10-01", "2026-10-31", 0)
    wh.facts_built("build-1")
    wh.load("toko-a", "orders", None, None, 10)
    wh.load("toko-a", "videos", "2026-11-16", "2026-11-16", 11)
    window_vars, _ = wh.windows()
    assert window_vars["lapak_windows"] == {"orders": EVERY_DAY, "videos": ["2026-11-16", "2026-11-16"]}


def test_changed_windows_is_every_day_when_another_project_built_the_facts(wh):
    wh.load("toko-a", "orders", "2026-10-01", "2026-10-31", 0)
    wh.facts_built("build-1", fingerprint="project-0")
    wh.load("toko-a", "orders", "2026-11-16", "2026-11-16", 10)
    assert wh.windows(fingerprint=FP) == (None, {"toko-a": at(10)})
    assert wh.windows(fingerprint="project-0")[0]["lapak_windows"] == {"orders": ["2026-11-16", "2026-11-16"]}


def test_changed_windows_is_every_day_after_a_build_by_a_lapak_that_recorded_no_project(wh):
    wh.load("toko-a", "orders", "2026-10-01", "2026-10-31", 0)
    wh.record(  # lapak.fact_builds as lapak wrote it before the fingerprint column
        "lapak.fact_builds (shop_id varchar, loaded_through timestamp, run_id varchar, built_at timestamp, "
        "window_vars varchar)",
        [["toko-a", at(0), "old", at(1), None]],
    )
    wh.load("toko-a", "orders", "2026-11-16", "2026-11-16", 10)
    assert wh.windows()[0] is None
    # without a fingerprint (pending_range's default) the project is not compared
    assert wh.windows(fingerprint=None)[0]["lapak_windows"] == {"orders": ["2026-11-16", "2026-11-16"]}
    wh.build_facts("build-2")  # the record gains the column; this build's project is compared from now on
    assert wh.windows() == ({"lapak_windows": {}}, {"toko-a": at(10)})


def test_windows_for_run_of_a_backfill_is_its_partition_range_and_moves_no_watermark(wh):
    wh.load("toko-a", "orders", "2026-11-16", "2026-11-16", 0)
    window = dg.TimeWindow(
        DAILY.time_window_for_partition_key("2026-10-01").start, DAILY.time_window_for_partition_key("2026-10-03").end
    )
    context = SimpleNamespace(
        has_partition_key_range=True, partition_time_window=window, run=backfill("r", "2026-10-01", "2026-10-03")
    )
    days = ["2026-10-01", "2026-10-03"]
    window_vars = {"lapak_windows": {"orders": days, "videos": days, "lives": days}, "lapak_shops": ["toko-b"]}
    assert windows_for_run(context, wh.path, "toko-b", FP) == (window_vars, {})


def test_windows_for_run_after_ingestion_is_the_changed_window_whatever_its_range(wh):
    wh.load("toko-a", "orders", "2026-10-01", "2026-10-31", 0)
    wh.facts_built("build-1")
    wh.load("toko-a", "orders", "2026-11-16", "2026-11-16", 10)
    window = DAILY.time_window_for_partition_key("2026-11-16")
    context = SimpleNamespace(has_partition_key_range=True, partition_time_window=window, run=after_ingest("r"))
    assert windows_for_run(context, wh.path, None, FP) == (
        {"lapak_windows": {"orders": ["2026-11-16", "2026-11-16"]}, "lapak_shops": ["toko-a"]},
        {"toko-a": at(10)},
    )


# pending_range


def test_pending_range_is_todays_partition_without_a_warehouse_or_a_manifest(tmp_path):
    assert pending_range(tmp_path / "none.duckdb", fingerprint=FP) == (today(), today())
    duckdb.connect(str(tmp_path / "empty.duckdb")).close()
    assert pending_range(tmp_path / "empty.duckdb", fingerprint=FP) == (today(), today())


def test_pending_range_is_todays_partition_when_nothing_changed(wh):
    wh.load("toko-a", "orders", "2026-10-01", "2026-10-31", 0)
    wh.facts_built("build-1")
    assert pending_range(wh.path, fingerprint=FP) == (today(), today())


def test_pending_range_is_the_first_and_last_day_of_the_pending_windows(wh):
    wh.load("toko-a", "orders", "2026-10-01", "2026-10-31", 0)
    wh.facts_built("build-1")
    wh.load("toko-a", "orders", "2026-11-15", "2026-11-16", 10)
    wh.load("toko-a", "videos", "2026-11-10", "2026-11-14", 11)
    wh.load("toko-b", "lives", "2026-11-12", "2026-11-12", 12)
    assert pending_range(wh.path, fingerprint=FP) == ("2026-11-10", "2026-11-16")
    assert pending_range(wh.path, shop="toko-b", fingerprint=FP) == ("2026-11-12", "2026-11-12")


def test_pending_range_is_every_loaded_day_on_a_first_build(wh):
    wh.load("toko-a", "orders", "2026-10-01", "2026-10-31", 0)
    wh.load("toko-b", "videos", "2026-09-20", "2026-10-05", 1)
    wh.load("toko-b", "products", "2026-01-01", "2026-01-01", 2)  # no daily facts
    wh.load("toko-b", "orders", "2026-08-01", "2026-08-31", 3, status="rejected")
    assert pending_range(wh.path, fingerprint=FP) == ("2026-09-20", "2026-10-31")
    assert pending_range(wh.path, shop="toko-a", fingerprint=FP) == ("2026-10-01", "2026-10-31")


def test_pending_range_is_every_loaded_day_when_the_project_changed(wh):
    wh.load("toko-a", "orders", "2026-10-01", "2026-10-31", 0)
    wh.facts_built("build-1", fingerprint="project-0")
    wh.load("toko-a", "orders", "2026-11-16", "2026-11-16", 10)
    assert pending_range(wh.path, fingerprint=FP) == ("2026-10-01", "2026-11-16")


def test_pending_range_is_every_loaded_day_when_a_new_file_is_undated(wh):
    wh.load("toko-a", "orders", "2026-10-01", "2026-10-31", 0)
    wh.facts_built("build-1")
    wh.load("toko-a", "videos", None, None, 10)
    wh.load("toko-a", "orders", "2026-11-16", "2026-11-16", 11)
    assert pending_range(wh.path, fingerprint=FP) == ("2026-10-01", "2026-11-16")


def test_pending_range_is_clipped_to_the_partitions(wh):
    first_key = DAILY.get_first_partition_key()
    wh.load("toko-a", "orders", "2000-01-01", "2000-01-31", 0)
    wh.load("toko-a", "videos", "2026-10-01", "2999-12-31", 1)
    assert pending_range(wh.path, fingerprint=FP) == (first_key, today())


def test_pending_range_of_days_all_after_today_is_todays_partition(wh):
    wh.load("toko-a", "orders", "2999-01-01", "2999-01-02", 0)
    assert pending_range(wh.path, fingerprint=FP) == (today(), today())


# build_tags, is_backfill, rebuilt_scope


def test_build_tags_mark_a_build_after_ingestion_so_it_is_no_backfill():
    assert build_tags("2026-11-15", "2026-11-16", changed=True) == {
        RANGE_START_TAG: "2026-11-15",
        RANGE_END_TAG: "2026-11-16",
        WINDOW_TAG: CHANGED,
    }
    assert not is_backfill(after_ingest("r"))
    assert is_backfill(backfill("r", "2026-10-01", "2026-10-03"))
    assert not is_backfill(dg.DagsterRun(job_name="lapak_build", run_id="r", tags={}))


def test_rebuilt_scope_of_a_backfill_is_its_days_and_every_shop(wh):
    assert wh.scope(backfill("r", "2026-10-01", "2026-10-03"), "orders") == (("2026-10-01", "2026-10-03"), None)


def test_rebuilt_scope_of_a_build_after_ingestion_is_its_recorded_window_and_shops(wh):
    wh.load("toko-a", "orders", "2026-10-01", "2026-10-31", 0)
    wh.load("toko-b", "orders", "2026-10-01", "2026-10-31", 1)
    wh.facts_built("build-1")
    wh.load("toko-b", "orders", "2026-11-15", "2026-11-16", 10)
    wh.load("toko-b", "videos", "2026-11-01", "2026-11-16", 11)
    wh.build_facts("build-2")
    run = after_ingest("build-2")
    assert wh.scope(run, "orders") == (("2026-11-15", "2026-11-16"), ["toko-b"])
    assert wh.scope(run, "videos") == (("2026-11-01", "2026-11-16"), ["toko-b"])
    assert wh.scope(run, "lives") == (NOTHING, ["toko-b"])  # nothing of this kind was rebuilt


def test_rebuilt_scope_of_a_build_of_one_shop_names_that_shop(wh):
    wh.load("toko-a", "orders", "2026-10-01", "2026-10-31", 0)
    wh.facts_built("build-1")
    wh.load("toko-a", "orders", "2026-11-16", "2026-11-16", 10)
    wh.load("toko-b", "orders", "2026-11-01", "2026-11-16", 11)
    wh.build_facts("build-2", shop="toko-a")
    assert wh.scope(after_ingest("build-2"), "orders") == (("2026-11-16", "2026-11-16"), ["toko-a"])


def test_rebuilt_scope_of_a_build_that_rebuilt_nothing_is_no_day(wh):
    wh.load("toko-a", "orders", "2026-10-01", "2026-10-31", 0)
    wh.facts_built("build-1")
    wh.build_facts("build-2")
    assert wh.scope(after_ingest("build-2"), "orders") == (NOTHING, None)


def test_rebuilt_scope_of_a_first_build_is_every_day_and_every_shop(wh):
    wh.load("toko-a", "orders", "2026-10-01", "2026-10-31", 0)
    assert wh.scope(after_ingest("build-1"), "orders") == (None, None)  # no builds record yet
    wh.build_facts("build-1")
    assert wh.scope(after_ingest("build-1"), "orders") == (None, None)
    assert wh.scope(after_ingest("never-recorded"), "orders") == (None, None)


def test_rebuilt_scope_after_the_project_changed_is_every_day_and_every_shop(wh):
    wh.load("toko-a", "orders", "2026-10-01", "2026-10-31", 0)
    wh.facts_built("build-1", fingerprint="project-0")
    wh.load("toko-a", "orders", "2026-11-16", "2026-11-16", 10)
    assert wh.build_facts("build-2") is None
    assert wh.scope(after_ingest("build-2"), "orders") == (None, None)


def test_record_fact_build_keeps_the_window_as_json_and_a_row_per_shop(wh):
    wh.load("toko-a", "orders", "2026-10-01", "2026-10-31", 0)
    wh.load("toko-b", "orders", "2026-10-01", "2026-10-31", 1)
    window_vars = {"lapak_windows": {"orders": ["2026-10-01", "2026-10-31"]}}
    record_fact_build(wh.path, "build-1", {"toko-b": at(1), "toko-a": at(0)}, window_vars, FP)
    with duckdb.connect(str(wh.path), read_only=True) as con:
        rows = con.execute(
            "select shop_id, loaded_through, run_id, window_vars, fingerprint from lapak.fact_builds order by all"
        ).fetchall()
    assert rows == [
        ("toko-a", at(0), "build-1", json.dumps(window_vars), FP),
        ("toko-b", at(1), "build-1", json.dumps(window_vars), FP),
    ]


# plan_marts, MartPlan, record_mart_build, mart_build_of


def test_plan_marts_rebuilds_every_shop_on_the_first_build(wh):
    wh.load("toko-a", "orders", "2026-10-01", "2026-10-31", 0)
    wh.load("toko-b", "products", "2026-10-01", "2026-10-31", 1)
    plan = plan_marts(wh.path, after_ingest("r"), FP)
    assert plan == MartPlan(None, "first build", {"toko-a": at(0), "toko-b": at(1)})
    assert (plan.full_refresh, plan.window_vars(), plan.record) == (True, None, True)


def test_plan_marts_rebuilds_only_the_shops_with_new_files(wh):
    wh.load("toko-a", "orders", "2026-10-01", "2026-10-31", 0)
    wh.load("toko-b", "orders", "2026-10-01", "2026-10-31", 1)
    wh.load("toko-c", "orders", "2026-10-01", "2026-10-31", 2)
    wh.marts_built("build-1")
    wh.load("toko-c", "orders", "2026-11-16", "2026-11-16", 10)
    wh.load("toko-a", "products", "2026-11-16", "2026-11-16", 11)  # marts read products: no daily facts needed
    wh.load("toko-b", "orders", "2026-11-16", "2026-11-16", 12, status="rejected")
    plan = plan_marts(wh.path, after_ingest("r"), FP)
    assert plan == MartPlan(["toko-a", "toko-c"], "new files", {"toko-a": at(11), "toko-b": at(1), "toko-c": at(10)})
    assert (plan.full_refresh, plan.window_vars(), plan.record) == (
        False,
        {"lapak_mart_shops": ["toko-a", "toko-c"]},
        True,
    )


def test_plan_marts_of_a_step_run_without_a_partition_range_is_planned_per_shop(wh):
    wh.load("toko-a", "orders", "2026-10-01", "2026-10-31", 0)
    wh.load("toko-b", "orders", "2026-10-01", "2026-10-31", 1)
    wh.marts_built("build-1")
    wh.load("toko-b", "orders", "2026-11-16", "2026-11-16", 10)
    run = dg.DagsterRun(job_name="lapak_build", run_id="r", tags={})
    assert plan_marts(wh.path, run, FP).shops == ["toko-b"]


def test_plan_marts_rebuilds_no_shop_when_nothing_was_loaded(wh):
    wh.load("toko-a", "orders", "2026-10-01", "2026-10-31", 0)
    wh.marts_built("build-1")
    plan = plan_marts(wh.path, after_ingest("r"), FP)
    assert plan == MartPlan([], "no new files", {"toko-a": at(0)})
    assert (plan.full_refresh, plan.window_vars()) == (False, {"lapak_mart_shops": []})


def test_plan_marts_rebuilds_every_shop_when_the_project_changed(wh):
    wh.load("toko-a", "orders", "2026-10-01", "2026-10-31", 0)
    wh.marts_built("build-1", fingerprint="project-0")
    plan = plan_marts(wh.path, after_ingest("r"), FP)
    assert plan == MartPlan(None, "the dbt project changed since the last build", {"toko-a": at(0)})
    assert plan.full_refresh


def test_plan_marts_rebuilds_every_shop_on_a_backfill(wh):
    wh.load("toko-a", "orders", "2026-10-01", "2026-10-31", 0)
    wh.marts_built("build-1")
    plan = plan_marts(wh.path, backfill("r", "2026-10-01", "2026-10-03"), FP)
    assert plan == MartPlan(None, "a backfill", {"toko-a": at(0)})
    assert (plan.full_refresh, plan.record) == (True, True)


def test_plan_marts_of_some_marts_rebuilds_those_in_full_and_moves_no_watermark(wh):
    wh.load("toko-a", "orders", "2026-10-01", "2026-10-31", 0)
    wh.marts_built("build-1")
    wh.load("toko-a", "orders", "2026-11-16", "2026-11-16", 10)
    plan = plan_marts(wh.path, after_ingest("r"), FP, whole_step=False)
    assert plan == MartPlan(None, "only some marts selected: those, in full", {}, record=False)
    assert (plan.full_refresh, plan.window_vars()) == (True, None)


def test_plan_marts_after_a_build_with_no_data_rebuilds_the_shops_loaded_since(wh):
    """A build of an empty warehouse records the project (a row with no shop): the next one is no first build."""
    assert wh.build_marts("build-1") == MartPlan(None, "first build", {})
    assert mart_build_of(wh.path, "build-1") == {"shops": "all", "reason": "first build"}
    assert plan_marts(wh.path, after_ingest("r"), FP) == MartPlan([], "no new files", {})
    wh.load("toko-a", "orders", "2026-10-01", "2026-10-31", 0)
    assert plan_marts(wh.path, after_ingest("r"), FP) == MartPlan(["toko-a"], "new files", {"toko-a": at(0)})


def test_plan_marts_reads_a_warehouse_without_a_manifest(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    duckdb.connect(str(path)).close()
    assert plan_marts(path, after_ingest("r"), FP) == MartPlan(None, "first build", {})


def test_a_recorded_mart_build_moves_each_shops_watermark(wh):
    wh.load("toko-a", "orders", "2026-10-01", "2026-10-31", 0)
    wh.load("toko-b", "orders", "2026-10-01", "2026-10-31", 1)
    wh.marts_built("build-1")
    wh.load("toko-a", "orders", "2026-11-16", "2026-11-16", 10)
    assert wh.build_marts("build-2").shops == ["toko-a"]
    assert plan_marts(wh.path, after_ingest("r"), FP).shops == []
    with duckdb.connect(str(wh.path), read_only=True) as con:
        rows = con.execute(
            "select shop_id, loaded_through, shops_rebuilt, reason, fingerprint from lapak.mart_builds "
            "where run_id = 'build-2' order by shop_id"
        ).fetchall()
    assert rows == [("toko-a", at(10), ["toko-a"], "new files", FP), ("toko-b", at(1), ["toko-a"], "new files", FP)]


def test_mart_build_of_says_what_a_runs_marts_step_rebuilt(wh, tmp_path):
    assert mart_build_of(tmp_path / "none.duckdb", "build-1") is None
    assert mart_build_of(wh.path, "build-1") is None  # no record yet
    wh.load("toko-a", "orders", "2026-10-01", "2026-10-31", 0)
    wh.build_marts("build-1")
    wh.load("toko-b", "orders", "2026-11-16", "2026-11-16", 10)
    wh.build_marts("build-2")
    assert mart_build_of(wh.path, "build-1") == {"shops": "all", "reason": "first build"}
    assert mart_build_of(wh.path, "build-2") == {"shops": ["toko-b"], "reason": "new files"}
    assert mart_build_of(wh.path, "build-3") is None


def test_record_mart_step_records_a_step_before_its_build(wh):
    record_mart_step(wh.path, "build-1", MartPlan(["toko-a"], "new files"))
    record_mart_step(wh.path, "build-2", MartPlan(None, "a backfill"))
    with duckdb.connect(str(wh.path), read_only=True) as con:
        rows = con.execute("select run_id, shops, reason from lapak.mart_steps order by run_id").fetchall()
    assert rows == [("build-1", ["toko-a"], "new files"), ("build-2", None, "a backfill")]
    assert mart_build_of(wh.path, "build-1") is None  # a step that started is no build


# project_fingerprint


def dbt_project(root: Path, model: str = "select 1") -> Path:
    for path, text in {
        "dbt_project.yml": "name: lapak\n",
        "models/marts/kpi.sql": model,
        "macros/shops.sql": "{% macro shops() %}{% endmacro %}",
        "tests/assert_kpi.sql": "select 1 where false",
    }.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    return root


def test_project_fingerprint_changes_with_dbt_project_yml_models_macros_and_tests_only(tmp_path):
    base = project_fingerprint(dbt_project(tmp_path / "a"))
    assert project_fingerprint(dbt_project(tmp_path / "b")) == base  # where the project lies does not count
    assert project_fingerprint(dbt_project(tmp_path / "c", model="select 2")) != base
    other = dbt_project(tmp_path / "d")
    (other / "target").mkdir()
    (other / "target" / "manifest.json").write_text("{}")
    (other / "profiles.yml").write_text("lapak: {}\n")
    assert project_fingerprint(other) == base
    renamed = dbt_project(tmp_path / "e")
    (renamed / "models/marts/kpi.sql").rename(renamed / "models/marts/kpi_daily.sql")
    assert project_fingerprint(renamed) != base
    assert len(base) == 16


def test_project_fingerprint_of_a_project_without_singular_tests(tmp_path):
    """git drops an empty tests/ folder, and dbt builds a project without singular tests."""
    project = dbt_project(tmp_path / "a")
    shutil.rmtree(project / "tests")
    assert len(project_fingerprint(project)) == 16
