"""Big files share a transaction until it holds `TXN_ROWS` rows, with exactly the outcome of loading them in a
transaction each.

Order exports are loaded each with statements of their own, but committed together (ingestion/load.py,
`Loader._load_open`): a commit per export wrote every row twice (WAL, then checkpoint). These tests load one
landing folder both ways and compare every raw row, quarantined row, manifest entry and per-file result, with
overlapping exports (superseded rows counted across files of one transaction), a bad value, a duplicate of a
file in the open transaction and a truncated file that fails it (rolled back, its files loaded one by one)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from ingestion import loader
from ingestion.file_load import Pending
from tests.exports import write_big_orders_csv
from tests.helpers.ingestion import reference_run, run

ROWS = 2_000


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("txn") / "landing"
    for s, shop in enumerate(("toko-a", "toko-b")):
        for k in range(4):  # 30-day exports downloaded daily overlap: each supersedes half of the one before
            first = s * 100_000 + k * ROWS // 2
            write_big_orders_csv(root / shop / f"Semua pesanan-2026-11-{10 + k:02d}-10_00.csv", ROWS, first=first)
    a = root / "toko-a"
    # a bad time on line 1501 (not among the lines of the export before it): quarantined, the rest loads
    bad = a / "Semua pesanan-2026-11-11-10_00.csv"
    lines = bad.read_bytes().split(b"\n")
    lines[1500] = re.sub(rb"\d\d/\d\d/2026 \d\d:\d\d:\d\d", b"31/02/2026 25:61:00", lines[1500], count=1)
    bad.write_bytes(b"\n".join(lines))
    # the same bytes under another name while the first is in the open transaction: its duplicate
    shutil.copy2(a / "Semua pesanan-2026-11-10-10_00.csv", a / "Semua pesanan-2026-11-10-10_00 (1).csv")
    # cut off mid-row: rejected, which rolls back the transaction it was loaded in
    cut = a / "Semua pesanan-2026-11-12-10_00.csv"
    data = cut.read_bytes()
    cut.write_bytes(data[: data.rindex(b"\n", 0, len(data) - 1) + 40])
    return root


@pytest.fixture(scope="module")
def one_by_one(landing, tmp_path_factory):
    return reference_run(
        landing, tmp_path_factory.mktemp("one-by-one"), "txn-test-0123456789abcdef0123456789abcdef", {"TXN_ROWS": 1}
    )


def test_shared_transactions_load_what_one_transaction_per_file_loads(landing, one_by_one, tmp_path, monkeypatch):
    monkeypatch.setenv("LAPAK_PII_KEY", "txn-test-0123456789abcdef0123456789abcdef")
    monkeypatch.setattr(loader, "TXN_ROWS", 3 * ROWS)
    commits, replays = [], []
    real_sql, real_replay = loader.Loader._sql, loader.Loader._replay_open

    def sql(self, label, *args):
        if label == "commit":
            commits.append(len([p for p in self._open if isinstance(p, Pending)]))
        return real_sql(self, label, *args)

    def replay(self):
        replays.append([p.result.source_file for p in self._open if isinstance(p, Pending)])
        return real_replay(self)

    monkeypatch.setattr(loader.Loader, "_sql", sql)
    monkeypatch.setattr(loader.Loader, "_replay_open", replay)
    got = run(landing, tmp_path)
    # files did share transactions, and the truncated one failed the one it was in
    assert max(commits) >= 3
    assert replays == [["toko-a/Semua pesanan-2026-11-11-10_00.csv", "toko-a/Semua pesanan-2026-11-12-10_00.csv"]]
    assert got[0] == one_by_one[0]
    assert got[1] == one_by_one[1]
    status = {r["source_file"]: (r["status"], r["rows_quarantined"], r["duplicates_superseded"]) for r in got[0]}
    # (" (1)" sorts before ".csv": the copy is found first, and the original is its duplicate)
    assert status["toko-a/Semua pesanan-2026-11-10-10_00.csv"][0] == "duplicate"
    assert status["toko-a/Semua pesanan-2026-11-12-10_00.csv"][0] == "rejected"
    assert status["toko-a/Semua pesanan-2026-11-11-10_00.csv"] == ("loaded", 1, ROWS // 2)
    assert status["toko-b/Semua pesanan-2026-11-13-10_00.csv"] == ("loaded", 0, ROWS // 2)
    # the results are handed back in file order, each once
    assert [r["source_file"] for r in got[0]] == sorted(r["source_file"] for r in got[0])
