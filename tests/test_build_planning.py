"""The build after an ingestion is planned once, for `lapak run` and the `lapak_build_after_ingest` sensor alike: the
days the new files cover, or every day when the dbt project changed since the facts were built (issue 32, item 2)."""

from __future__ import annotations

import duckdb
import pytest

from ingestion.load import ingest
from orchestration.dbt import DBT_PROJECT_DIR, plan_build_after_ingest
from orchestration.marts import project_fingerprint
from orchestration.windows import CHANGED, RANGE_END_TAG, RANGE_START_TAG, WINDOW_TAG, pending_range, record_fact_build
from tests.exports import order_row, write_orders_csv


@pytest.fixture
def warehouse(tmp_path, monkeypatch):
    """Orders of October built by some dbt project, then a new export of 15 November loaded."""
    monkeypatch.setenv("LAPAK_PII_KEY", "planning-key-0123456789abcdef0123456789abcdef")
    landing, home = tmp_path / "landing", tmp_path / "home"
    wh = home / "warehouse.duckdb"

    def export(name: str, created: str) -> None:
        row = order_row(**{"Order ID": f"5760000000{created[:2]}{created[3:5]}0000", "Created Time": created})
        write_orders_csv(landing / "toko-a" / name, [row])
        ingest(wh, landing, home, load_id=name)

    export("Semua pesanan-2026-10-02-09_00.csv", "01/10/2026 10:00:00")
    with duckdb.connect(str(wh), read_only=True) as con:
        (loaded_through,) = con.execute("select max(loaded_at) from raw._manifest").fetchone()
    return export, wh, {"toko-a": loaded_through}


def test_the_new_files_days_when_the_same_project_built_the_facts(warehouse):
    export, wh, loaded_through = warehouse
    record_fact_build(wh, "build-1", loaded_through, None, project_fingerprint(DBT_PROJECT_DIR))
    export("Semua pesanan-2026-11-16-09_00.csv", "15/11/2026 10:00:00")
    (first, last), tags = plan_build_after_ingest(wh)
    assert (first, last) == ("2026-11-15", "2026-11-15")
    assert tags == {RANGE_START_TAG: first, RANGE_END_TAG: last, WINDOW_TAG: CHANGED}


def test_every_day_when_another_project_built_the_facts(warehouse):
    export, wh, loaded_through = warehouse
    record_fact_build(wh, "build-1", loaded_through, None, "another-project")
    export("Semua pesanan-2026-11-16-09_00.csv", "15/11/2026 10:00:00")
    (first, last), _ = plan_build_after_ingest(wh)
    assert (first, last) == ("2026-10-01", "2026-11-15")
    # what the sensor planned before: the new file's days only, beside facts another project computed
    assert pending_range(wh) == ("2026-11-15", "2026-11-15")
