"""Small workbooks load in batches, with exactly the outcome of loading them one by one.

A year of one shop is ~1,500 daily video, LIVE, product and creator workbooks of a few dozen rows each;
`Loader` loads consecutive ones of the same kind and header in one transaction (ingestion/load.py,
`_load_workbooks`). These tests load the same landing folder both ways and compare every raw row,
quarantined row, manifest entry and per-file result, with bad values, blank rows, a duplicate inside a batch,
schema drift and a failing batch included."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from python_calamine import CalamineWorkbook

import ingestion.load as load
from ingestion.load import ingest
from lapak.generate import generate
from tests.exports import write_xlsx
from tests.helpers.ingestion import reference_run, run, snapshot


def _sheet(path: Path) -> list[list[object]]:
    wb = CalamineWorkbook.from_path(str(path))
    return wb.get_sheet_by_name(wb.sheet_names[0]).to_python(skip_empty_area=False)


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("batch") / "landing"
    generate(root, shops=2, days=30, orders_per_day=5, seed=11)
    shop = sorted(p for p in root.iterdir() if p.is_dir())[0]
    videos = sorted(shop.glob("Video Performance List_*.xlsx"))
    assert len(videos) >= 10
    rows = _sheet(videos[3])
    h = next(i for i, r in enumerate(rows) if "ID Video" in r)  # the header row (the preamble varies)
    header = rows[h]
    # bad values and a blank row in the middle of a batch: quarantined with their lines, the rest loads
    bad = [list(r) for r in rows]
    bad[h + 1][header.index("VV")] = "banyak"  # line h + 2
    bad[h + 2][header.index("ID Video")] = ""  # line h + 3
    bad.insert(h + 3, [""] * len(header))
    write_xlsx(videos[3].with_name("Video Performance List_20261101120000.xlsx"), bad)
    # the same bytes under another name, in the same batch: a duplicate of the first
    shutil.copy2(videos[5], videos[5].with_name("Video Performance List_20261102120000 (1).xlsx"))
    # schema drift: an unknown column changes the header, so it starts a batch of its own
    drift = [list(r) + ([""] if i != h else ["Kolom Baru"]) for i, r in enumerate(rows)]
    drift[h + 1][-1] = "x"
    write_xlsx(videos[6].with_name("Video Performance List_20261103120000.xlsx"), drift)
    (root.parent / "header_row").write_text(str(h + 1))
    return root


@pytest.fixture(scope="module")
def one_by_one(landing, tmp_path_factory):
    return reference_run(
        landing,
        tmp_path_factory.mktemp("one-by-one"),
        "batch-test-0123456789abcdef0123456789abcdef",
        {"BATCH_FILES": 1},
    )


def test_batches_load_what_one_by_one_loads(landing, one_by_one, tmp_path, monkeypatch):
    monkeypatch.setenv("LAPAK_PII_KEY", "batch-test-0123456789abcdef0123456789abcdef")
    batches: list[int] = []
    real = load.Loader._load_workbooks
    monkeypatch.setattr(load.Loader, "_load_workbooks", lambda self, b: batches.append(len(b)) or real(self, b))
    got = run(landing, tmp_path)
    assert batches and max(batches) > 10  # the workbooks did load in batches
    assert got[0] == one_by_one[0]
    assert got[1] == one_by_one[1]
    statuses = {r["source_file"].rsplit("/", 1)[-1]: r["status"] for r in got[0]}
    assert statuses["Video Performance List_20261102120000 (1).xlsx"] == "duplicate"
    quarantined = got[1]["_quarantine"]
    line = int((landing.parent / "header_row").read_text()) + 1
    assert {(q[2].rsplit("/", 1)[-1], q[4], q[5]) for q in quarantined} >= {
        ("Video Performance List_20261101120000.xlsx", line, "VV"),
        ("Video Performance List_20261101120000.xlsx", line + 1, "ID Video"),
    }


def test_a_failing_batch_is_loaded_again_file_by_file(landing, one_by_one, tmp_path, monkeypatch):
    """Anything going wrong inside a batch rolls it back whole; its files then load one by one."""
    monkeypatch.setenv("LAPAK_PII_KEY", "batch-test-0123456789abcdef0123456789abcdef")
    real = load.Loader._load_workbooks
    failed = []

    def fail_after_writing(self, batch):
        real(self, batch)
        failed.append(len(batch))
        raise duckdb.IOException("disk full")

    monkeypatch.setattr(load.Loader, "_load_workbooks", fail_after_writing)
    assert run(landing, tmp_path) == one_by_one
    assert failed


def test_rerun_after_batches_changes_nothing(landing, tmp_path, monkeypatch):
    monkeypatch.setenv("LAPAK_PII_KEY", "batch-test-0123456789abcdef0123456789abcdef")
    _, first = run(landing, tmp_path)
    report = ingest(tmp_path / "warehouse.duckdb", landing, tmp_path, load_id="l2")
    assert {f.status for f in report.files} == {"unchanged"}
    assert snapshot(tmp_path / "warehouse.duckdb") == first
