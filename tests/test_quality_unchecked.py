"""A file loaded by a run that died before its checks is still checked, and held when bad, by the next run:
the raw suites validate every loaded file they have not checked yet, not only the current load."""

import dagster as dg
import duckdb

from ingestion.load import ingest
from orchestration.definitions import GX_CHECKS
from orchestration.settings import LapakSettings
from quality.checked import CHECKED_TABLE
from quality.screening import screen_raw_files
from tests.exports import order_row, write_orders_csv

SHOP = "toko-saji"
GOOD, BAD, LATER = (f"{SHOP}/Semua pesanan-2026-11-0{d}-09_00.csv" for d in (1, 2, 3))
RAW_ORDERS_CHECK = next(c for c in GX_CHECKS if any(k.name == "gx_raw_orders" for k in c.check_keys))


@dg.asset(key=["raw", "orders"])
def raw_orders() -> None:
    """Stands in for ingestion: the run that checks has nothing new to load."""


def line(order_id: str) -> dict[str, str]:
    return order_row(**{"Order ID": order_id, "Created Time": "01/11/2026 10:00:00"})


def check_run(landing, home) -> tuple[str, dg.AssetCheckEvaluation]:
    """A Dagster run of the screening step and the raw orders' check (its run id is new: not the load id of any
    file)."""
    settings = LapakSettings(landing_dir=str(landing), home_dir=str(home))
    result = dg.materialize(
        [raw_orders, screen_raw_files, RAW_ORDERS_CHECK], resources={"settings": settings}, raise_on_error=False
    )
    (evaluation,) = result.get_asset_check_evaluations()
    return result.run_id, evaluation


def test_files_of_a_run_that_died_before_its_checks_are_checked_by_the_next(tmp_path):
    landing, home = tmp_path / "landing", tmp_path / "home"
    warehouse = home / "warehouse.duckdb"
    write_orders_csv(landing / GOOD, [line("5760000000000000A1")])
    write_orders_csv(landing / BAD, [line("5760000000000000B1"), line("5760000000000000#2")])
    ingest(warehouse, landing, home, load_id="died-before-its-checks")

    run_id, first = check_run(landing, home)
    assert not first.passed and first.severity == dg.AssetCheckSeverity.WARN  # the bad file is held: a warning
    assert first.metadata["files_validated"].value == 2 and first.metadata["rows_validated"].value == 3
    with duckdb.connect(str(warehouse), read_only=True) as con:
        manifest = dict(con.execute("select source_file, status from raw._manifest").fetchall())
        raw_files = con.execute("select distinct _source_file from raw.orders").fetchall()
        checked = con.execute(f"select suite, run_id from {CHECKED_TABLE} order by all").fetchall()
    assert manifest == {GOOD: "loaded", BAD: "held"}
    assert raw_files == [(GOOD,)]
    assert checked == [("gx_raw_orders", run_id)] * 2  # the good file passed, the bad one is held

    _, again = check_run(landing, home)  # nothing loaded since: nothing to validate
    assert again.passed and again.metadata["files_validated"].value == 0

    write_orders_csv(landing / LATER, [line("5760000000000000C1")])
    ingest(warehouse, landing, home, load_id="later")
    _, later = check_run(landing, home)
    # the new file, and the held one, which ingestion loads again while it sits in the landing folder: not the good one
    assert later.metadata["files_validated"].value == 2 and later.metadata["rows_validated"].value == 3
    assert [f["source_file"] for f in later.metadata["held_files"].value] == [BAD]


def test_a_check_that_fails_without_holding_marks_nothing_checked(tmp_path, monkeypatch):
    """A failure that names no rows holds nothing and blocks the run: the files stay to be checked next time."""
    from quality import validation

    landing, home = tmp_path / "landing", tmp_path / "home"
    write_orders_csv(landing / GOOD, [line("5760000000000000A1")])
    ingest(home / "warehouse.duckdb", landing, home, load_id="A")

    def table_level_failure(suite, frame):
        return False, [{"expectation": "expect_table_row_count_to_equal", "column": None, "success": False,
                        "unexpected_count": None, "examples": [], "rows": []}]  # fmt: skip

    monkeypatch.setattr(validation, "validate_frame", table_level_failure)
    _, failed = check_run(landing, home)
    assert not failed.passed and failed.severity == dg.AssetCheckSeverity.ERROR
    monkeypatch.undo()
    _, next_run = check_run(landing, home)
    assert next_run.passed and next_run.metadata["files_validated"].value == 1


def test_the_raw_check_observes_and_holds_nothing_itself(tmp_path):
    """Holding is the screening step's: the check alone reports that nothing was screened, and the bad file stays."""
    landing, home = tmp_path / "landing", tmp_path / "home"
    warehouse = home / "warehouse.duckdb"
    write_orders_csv(landing / BAD, [line("5760000000000000B1"), line("5760000000000000#2")])
    ingest(warehouse, landing, home, load_id="A")
    settings = LapakSettings(landing_dir=str(landing), home_dir=str(home))
    result = dg.materialize([raw_orders, RAW_ORDERS_CHECK], resources={"settings": settings}, raise_on_error=False)
    (evaluation,) = result.get_asset_check_evaluations()
    assert not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR
    assert "not screened" in evaluation.metadata["reason"].value
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select status from raw._manifest").fetchall() == [("loaded",)]
