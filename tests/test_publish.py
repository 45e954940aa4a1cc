"""The published copy for BI, updated in place for the shops a build rebuilt only when that is safe: after
every sequence of builds it holds exactly the warehouse's marts (orchestration/publish.py)."""

import errno
import shutil
from pathlib import Path

import duckdb
import pytest

from orchestration import publish as publish_module
from orchestration.marts import MartPlan, record_mart_build, record_mart_step
from orchestration.publish import MAX_IN_PLACE, publish

SHOPS = ["toko-a", "toko-b", "toko-c"]


class Warehouse:
    """A warehouse with three marts keyed by shop, and lapak's records of the marts steps that built them."""

    def __init__(self, root: Path):
        self.path = root / "warehouse.duckdb"
        self.home = root / "home"
        with duckdb.connect(str(self.path)) as con:
            con.execute("create schema marts")
            con.execute("create table marts.customers (shop_id varchar, customer_key varchar, gmv_idr decimal(18, 2))")
            con.execute("create table marts.kpi_daily (shop_id varchar, date date, orders bigint)")
            con.execute(
                "create table marts.reorder_signals (shop_id varchar, sku_id varchar, product_name varchar, "
                "status varchar, stock_on_hand bigint, days_of_cover double, suggested_order_qty bigint)"
            )
        self.version = 0

    def build(self, run_id: str, shops: list[str] | None, succeed: bool = True) -> None:
        """A marts step of `run_id` that rebuilds `shops` (None: every shop), as dbt_models records it."""
        plan = MartPlan(shops, "test", {})
        record_mart_step(self.path, run_id, plan)
        self.version += 1
        with duckdb.connect(str(self.path)) as con:
            for shop in SHOPS if shops is None else shops:
                self.rewrite(con, shop)
        if succeed:
            record_mart_build(self.path, run_id, plan, "fingerprint")

    def rewrite(self, con: duckdb.DuckDBPyConnection, shop: str, rows: int = 3) -> None:
        con.execute("delete from marts.customers where shop_id = ?", [shop])
        con.execute("delete from marts.kpi_daily where shop_id = ?", [shop])
        con.execute(
            "insert into marts.customers select ?, 'c' || i, ? + i from range(?) as t(i)", [shop, self.version, rows]
        )
        con.execute("insert into marts.kpi_daily by name select ? as shop_id, ? as orders", [shop, self.version])
        con.execute("delete from marts.reorder_signals where shop_id = ?", [shop])
        con.execute(
            "insert into marts.reorder_signals values (?, 'sku-1', 'Kopi', 'urgent', ?, 2.5, 10)", [shop, self.version]
        )

    def publish(self, run_id: str):
        result = publish(self.path, self.home, run_id)
        with duckdb.connect(str(self.path), read_only=True) as con:
            built = {m: con.execute(f"select * from marts.{m} order by all").fetchall() for m in result.marts}
        with duckdb.connect(str(result.database), read_only=True) as con:
            published = {m: con.execute(f"select * from {m} order by all").fetchall() for m in result.marts}
            runs = con.execute("select distinct run_id from _published").fetchall()
            tags = con.execute("select tags from duckdb_databases() where database_name = 'marts'").fetchone()[0]
        assert published == built  # whatever the path, the copy holds the warehouse's marts
        assert runs == [(run_id,)]
        assert tags["storage_version"].startswith("v1.0.0")  # still readable by BI tools' older DuckDB
        for mart, rows in built.items():
            parquet = result.parquet_dir / f"{mart}.parquet"
            assert duckdb.connect().execute(f"select * from '{parquet}' order by all").fetchall() == rows
        csv = f"select * from read_csv('{result.reorder_csv}', header = true) order by all"
        assert duckdb.connect().execute(csv).fetchall() == built["reorder_signals"]
        return result


@pytest.fixture
def wh(tmp_path) -> Warehouse:
    return Warehouse(tmp_path)


def test_a_build_of_some_shops_updates_only_their_rows_in_the_copy(wh):
    wh.build("r1", None)
    assert wh.publish("r1").shops_updated is None  # the first: a whole copy
    wh.build("r2", ["toko-b"])
    second = wh.publish("r2")
    assert second.shops_updated == ["toko-b"] and second.how == "after build r1"
    wh.build("r3", ["toko-a", "toko-c"])
    assert wh.publish("r3").shops_updated == ["toko-a", "toko-c"]
    wh.build("r4", None)  # every shop from scratch (a backfill, a new dbt project)
    fourth = wh.publish("r4")
    assert fourth.shops_updated is None and fourth.how == "every shop was rebuilt"


def test_a_step_that_failed_or_a_skipped_publish_means_a_whole_copy(wh):
    wh.build("r1", None)
    wh.publish("r1")
    wh.build("r2", ["toko-a"], succeed=False)  # changed toko-a's rows, then failed: not published
    wh.build("r3", ["toko-b"])
    third = wh.publish("r3")
    assert third.shops_updated is None  # an update of toko-b alone would keep toko-a's old rows
    assert third.how == "the published copy does not hold the build before this one"
    wh.build("r4", ["toko-c"])  # built, its checks failed: never published
    wh.build("r5", ["toko-a"])
    assert wh.publish("r5").shops_updated is None
    wh.build("r6", ["toko-a"])
    assert wh.publish("r6").shops_updated == ["toko-a"]
    wh.build("r7", ["toko-b"], succeed=False)
    seventh = wh.publish("r7")  # a publish after a failed step (not lapak's jobs, but possible by hand)
    assert seventh.shops_updated is None and seventh.how == "the marts are not the result of one recorded build"


def test_a_publish_without_a_build_since_keeps_the_copy_and_its_parquet(wh):
    wh.build("r1", None)
    first = wh.publish("r1")
    parquet = first.parquet_dir / "customers.parquet"
    written = parquet.stat().st_mtime_ns
    again = wh.publish("r2")  # publish alone, e.g. from the Dagster UI
    assert again.shops_updated == [] and again.how == "the published copy holds this build already"
    assert parquet.stat().st_mtime_ns == written


def test_rows_changed_outside_lapak_builds_are_caught_by_the_row_counts(wh):
    wh.build("r1", None)
    wh.publish("r1")
    with duckdb.connect(str(wh.path)) as con:  # e.g. a hand-run dbt build of one shop
        wh.rewrite(con, "toko-c", rows=5)
    wh.build("r2", ["toko-a"])
    second = wh.publish("r2")
    assert second.shops_updated is None and "row counts disagreed" in second.how


def test_changed_columns_or_many_updates_in_place_mean_a_whole_copy(wh):
    wh.build("r1", None)
    wh.publish("r1")
    for i in range(2, MAX_IN_PLACE + 2):
        wh.build(f"r{i}", ["toko-a"])
        assert wh.publish(f"r{i}").shops_updated == ["toko-a"]
    wh.build("r99", ["toko-a"])
    assert wh.publish("r99").how == f"updated in place {MAX_IN_PLACE} times"
    with duckdb.connect(str(wh.path)) as con:
        con.execute("alter table marts.kpi_daily add column units bigint default 0")
    wh.build("r100", ["toko-b"])
    hundredth = wh.publish("r100")
    assert hundredth.shops_updated is None and hundredth.how == "the marts or their columns changed"


def test_an_unreadable_copy_is_replaced_whole(wh):
    wh.build("r1", None)
    first = wh.publish("r1")
    first.database.write_bytes(b"not a database")
    wh.build("r2", ["toko-a"])
    second = wh.publish("r2")
    assert second.shops_updated is None and second.how.startswith("the published copy cannot be read")


# --- one publication, switched in whole ---------------------------------------------------------


def current_run(home: Path) -> str:
    return (home / "serve" / "current").resolve().name


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file of a publication's folder, by its path in the folder."""
    return {str(f.relative_to(folder)): f.read_bytes() for f in sorted(folder.rglob("*")) if f.is_file()}


def test_the_three_outputs_switch_together(wh):
    wh.build("r1", None)
    wh.publish("r1")
    wh.build("r2", ["toko-b"])
    second = wh.publish("r2")
    serve = wh.home / "serve"
    assert current_run(wh.home) == "r2" and second.folder == serve / "runs" / "r2"
    # the stable paths readers use all go through `current`, to the files of one run
    assert second.database.resolve() == serve / "runs" / "r2" / "marts.duckdb"
    assert second.parquet_dir.resolve() == serve / "runs" / "r2" / "parquet"
    assert second.reorder_csv.resolve() == serve / "runs" / "r2" / "reorder_signals.csv"
    assert second.database == serve / "marts.duckdb" and second.reorder_csv == wh.home / "reorder_signals.csv"
    with duckdb.connect(str(serve / "current" / "marts.duckdb"), read_only=True) as con:
        assert con.execute("select distinct run_id from _published").fetchall() == [("r2",)]
    assert sorted(p.name for p in (serve / "current" / "parquet").iterdir()) == [
        "customers.parquet", "kpi_daily.parquet", "reorder_signals.parquet"
    ]  # fmt: skip


@pytest.mark.parametrize("failing", ["write_reorder_csv", "sync_tree"])
def test_a_publish_that_fails_before_the_switch_leaves_the_last_one_whole(wh, monkeypatch, failing):
    """A full disk after the Parquet files were written (or while syncing them): readers keep the last run's
    publication, every file of it as it was, and the unfinished folder is gone."""
    wh.build("r1", None)
    wh.publish("r1")
    before = snapshot(wh.home / "serve" / "current")
    wh.build("r2", ["toko-a"])

    def full_disk(*args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(publish_module, failing, full_disk)
    with pytest.raises(OSError, match="No space left"):
        publish(wh.path, wh.home, "r2")
    assert current_run(wh.home) == "r1"
    assert snapshot(wh.home / "serve" / "current") == before
    assert sorted(p.name for p in (wh.home / "serve" / "runs").iterdir()) == ["r1"]
    monkeypatch.undo()
    assert wh.publish("r2").shops_updated == ["toko-a"]  # the next run publishes as if nothing had happened


def test_publications_older_than_the_previous_one_are_deleted(wh):
    wh.build("r1", None)
    wh.publish("r1")
    (wh.home / "serve" / "runs" / "killed").mkdir()  # a publish killed before its switch
    (wh.home / "serve" / ".parquet.old").mkdir()  # a run killed as it replaced an older lapak's folder by the link
    for run in ("r2", "r3", "r4"):
        wh.build(run, ["toko-a"])
        wh.publish(run)
    assert sorted(p.name for p in (wh.home / "serve" / "runs").iterdir()) == ["r3", "r4"]
    assert not (wh.home / "serve" / ".parquet.old").exists()
    wh.publish("r4")  # the same run published again: never over the current folder
    assert current_run(wh.home) == "r4.2"
    assert sorted(p.name for p in (wh.home / "serve" / "runs").iterdir()) == ["r4", "r4.2"]


def test_an_older_lapak_s_published_files_become_links(wh):
    """An older lapak wrote `serve/marts.duckdb`, `serve/parquet/` and `reorder_signals.csv` as plain files: the
    first publication after the upgrade still updates that copy in place, and puts links there instead."""
    wh.build("r1", None)
    first = wh.publish("r1")
    serve = wh.home / "serve"
    legacy = wh.home.with_name("legacy")
    (legacy / "serve").mkdir(parents=True)
    shutil.copyfile(first.database, legacy / "serve" / "marts.duckdb")
    shutil.copytree(first.parquet_dir, legacy / "serve" / "parquet")
    shutil.copyfile(first.reorder_csv, legacy / "reorder_signals.csv")
    shutil.rmtree(wh.home)
    legacy.rename(wh.home)
    wh.build("r2", ["toko-c"])
    second = wh.publish("r2")
    assert second.shops_updated == ["toko-c"]
    for path in (serve / "marts.duckdb", serve / "parquet", wh.home / "reorder_signals.csv"):
        assert path.is_symlink() and path.resolve().is_relative_to(serve / "runs" / "r2")
    assert sorted(p.name for p in serve.iterdir()) == ["current", "marts.duckdb", "parquet", "runs"]
