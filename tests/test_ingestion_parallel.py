"""Shops load side by side (`ingest(workers=N)`), with exactly the outcome of one loader taking every file.

Each shop's files are loaded in order by one loader on a connection of its own; no raw row, quarantine row,
superseded count or manifest entry of one shop depends on another shop's files, not even when the same content
sits in two shops' folders: a file is a duplicate only of its own shop's content (tests/test_shared_content.py)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

import ingestion.load as load
from lapak.generate import generate
from tests.exports import write_big_orders_csv
from tests.helpers.ingestion import reference_run, run, snapshot


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("parallel") / "landing"
    generate(root, shops=3, days=30, orders_per_day=5, seed=7)
    shops = sorted(p for p in root.iterdir() if p.is_dir())
    # overlapping order exports (superseded rows), a bad time, a file cut off mid-row, a duplicate in one shop
    for k in range(3):
        write_big_orders_csv(shops[0] / f"Semua pesanan-2026-12-{10 + k:02d}-10_00.csv", 1_500, first=k * 750)
    bad = shops[0] / "Semua pesanan-2026-12-11-10_00.csv"
    lines = bad.read_bytes().split(b"\n")
    lines[1200] = re.sub(rb"\d\d/\d\d/2026 \d\d:\d\d:\d\d", b"31/02/2026 25:61:00", lines[1200], count=1)
    bad.write_bytes(b"\n".join(lines))
    cut = shops[0] / "Semua pesanan-2026-12-12-10_00.csv"
    data = cut.read_bytes()
    cut.write_bytes(data[: data.rindex(b"\n", 0, len(data) - 1) + 40])
    shutil.copy2(shops[0] / "Semua pesanan-2026-12-10-10_00.csv", shops[0] / "Semua pesanan-2026-12-10-10_00 (1).csv")
    write_big_orders_csv(shops[1] / "Semua pesanan-2026-12-10-10_00.csv", 1_500, first=50_000)
    return root


@pytest.fixture(scope="module")
def serial(landing, tmp_path_factory):
    return reference_run(
        landing, tmp_path_factory.mktemp("serial"), "parallel-test-0123456789abcdef0123456789abcdef", workers=1
    )


def _spy(monkeypatch) -> list[int]:
    calls: list[int] = []
    real = load.run_parallel
    monkeypatch.setattr(load, "run_parallel", lambda con, first, files, groups, *a: calls.append(len(groups)) or real(
        con, first, files, groups, *a))  # fmt: skip
    return calls


@pytest.mark.parametrize("workers", [2, 3])
def test_shops_side_by_side_load_what_one_loader_loads(landing, serial, tmp_path, monkeypatch, workers):
    monkeypatch.setenv("LAPAK_PII_KEY", "parallel-test-0123456789abcdef0123456789abcdef")
    calls = _spy(monkeypatch)
    got = run(landing, tmp_path, workers=workers)
    assert calls == [workers]  # it did run side by side
    assert got[0] == serial[0]  # the same results, in the same (file) order
    assert got[1] == serial[1]  # and the same rows, quarantine and manifest
    first = sorted(p.name for p in landing.iterdir() if p.is_dir())[0]
    status = {r["source_file"]: r["status"] for r in got[0]}
    assert status[f"{first}/Semua pesanan-2026-12-12-10_00.csv"] == "rejected"
    assert status[f"{first}/Semua pesanan-2026-12-10-10_00.csv"] == "duplicate"
    # a second run changes nothing, and says so without loading anything side by side
    again = load.ingest(tmp_path / "warehouse.duckdb", landing, tmp_path, load_id="p2", workers=workers)
    assert {f.status for f in again.files} <= {"unchanged", "rejected"}
    assert snapshot(tmp_path / "warehouse.duckdb") == serial[1]
    assert calls == [workers]


def test_the_same_new_content_in_two_shops_loads_side_by_side_for_each(landing, tmp_path, monkeypatch):
    monkeypatch.setenv("LAPAK_PII_KEY", "parallel-test-0123456789abcdef0123456789abcdef")
    copy = tmp_path / "landing"
    shutil.copytree(landing, copy)
    shops = sorted(p for p in copy.iterdir() if p.is_dir())
    shutil.copy2(shops[1] / "Semua pesanan-2026-12-10-10_00.csv", shops[2] / "Semua pesanan-2026-12-10-10_00.csv")
    one = run(copy, tmp_path / "one", workers=1)
    calls = _spy(monkeypatch)
    two = run(copy, tmp_path / "two", workers=2)
    assert calls == [2]
    assert two == one
    status = {r["source_file"]: r["status"] for r in two[0]}
    assert status[f"{shops[1].name}/Semua pesanan-2026-12-10-10_00.csv"] == "loaded"
    assert status[f"{shops[2].name}/Semua pesanan-2026-12-10-10_00.csv"] == "loaded"


def test_workers_come_from_the_environment_with_a_clear_error(monkeypatch):
    monkeypatch.setenv("LAPAK_INGEST_WORKERS", "3")
    assert load.ingest_workers() == 3
    monkeypatch.setenv("LAPAK_INGEST_WORKERS", "0")
    assert load.ingest_workers() == 1
    monkeypatch.setenv("LAPAK_INGEST_WORKERS", "two")
    with pytest.raises(ValueError, match="LAPAK_INGEST_WORKERS must be a whole number"):
        load.ingest_workers()
    monkeypatch.delenv("LAPAK_INGEST_WORKERS")
    assert 1 <= load.ingest_workers() <= 4
