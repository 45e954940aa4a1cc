"""The fixture corpus: one file per real Seller Center quirk and per kind of bad input
(tests/fixtures/ingestion/files, built by build.py), each with its expected outcome in expected.json."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from ingestion.load import ingest
from ingestion.manifest import accounting_problems
from ingestion.report import IngestReport

CORPUS = Path(__file__).resolve().parent / "fixtures" / "ingestion"
EXPECTED: dict[str, dict] = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
SHOP = "toko-fixture"


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory) -> tuple[IngestReport, Path]:
    root = tmp_path_factory.mktemp("corpus")
    shutil.copytree(CORPUS / "files", root / "landing" / SHOP)
    mp = pytest.MonkeyPatch()
    mp.setenv("LAPAK_PII_KEY", "corpus-key-0123456789abcdef0123456789abcdef")
    try:
        report = ingest(root / "home" / "warehouse.duckdb", root / "landing", root / "home", load_id="corpus")
    finally:
        mp.undo()
    return report, root / "home" / "warehouse.duckdb"


def test_every_fixture_file_has_an_expectation_and_vice_versa():
    assert sorted(p.name for p in (CORPUS / "files").iterdir()) == sorted(EXPECTED)


def test_the_corpus_run_accounts_for_every_row(corpus_run):
    report, warehouse = corpus_run
    assert len(report.files) == len(EXPECTED)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert accounting_problems(con) == []
        statuses = dict(con.execute("select source_file, status from raw._manifest").fetchall())
    assert statuses == {f"{SHOP}/{name}": e["status"] for name, e in EXPECTED.items()}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture(corpus_run, name):
    report, warehouse = corpus_run
    exp = EXPECTED[name]
    rel = f"{SHOP}/{name}"
    (f,) = [f for f in report.files if f.source_file == rel]
    assert f.status == exp["status"], f.line
    for text in exp.get("reason_contains", []):
        assert text in (f.reason or ""), f.reason
    if f.status == "rejected":
        assert f.reason and "\n" not in f.reason  # one line, naming the reason
        with duckdb.connect(str(warehouse), read_only=True) as con:
            assert con.execute("select count(*) from raw._quarantine where source_file = ?", [rel]).fetchone() == (0,)
        return
    for key in ("kind", "layout", "language", "rows_read", "rows_loaded", "rows_quarantined", "rows_skipped",
                "schema_drift", "encoding"):  # fmt: skip
        if key in exp:
            assert getattr(f, key) == exp[key], (key, getattr(f, key))
    for col in exp.get("ignored_contains", []):
        assert col in f.ignored_columns
    for col in exp.get("missing_optional_contains", []):
        assert col in f.missing_optional
    if "period" in exp:
        assert [f.period_start, f.period_end] == exp["period"]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for col, values in exp.get("values", {}).items():
            got = [r[0] for r in con.execute(
                f'select "{col}" from raw.{f.kind} where _source_file = ? order by _source_row', [rel]
            ).fetchall()]  # fmt: skip
            assert got == values, col
        quarantined = con.execute(
            "select source_row, column_name, raw_value from raw._quarantine where source_file = ? order by 1, 2",
            [rel],
        ).fetchall()
    if "quarantine" in exp:
        assert [q[0] for q in quarantined] == [e[0] for e in exp["quarantine"]], quarantined
        for got, want in zip(quarantined, exp["quarantine"], strict=True):
            if want[1] != "?":
                assert got[1] == want[1], got
            if len(want) > 2:
                assert got[2] == want[2], got
    else:
        assert quarantined == []


def test_files_read_into_arrow_or_a_temp_table_load_the_same(corpus_run, tmp_path, monkeypatch):
    """CSVs up to ARROW_FILE_BYTES are read into an Arrow table, bigger ones into a DuckDB temp table: the corpus
    (rejects, quarantined rows, multi-line values, encodings) read the second way gives the same tables."""
    from ingestion import csv_reader

    _, arrow_warehouse = corpus_run
    shutil.copytree(CORPUS / "files", tmp_path / "landing" / SHOP)
    monkeypatch.setenv("LAPAK_PII_KEY", "corpus-key-0123456789abcdef0123456789abcdef")
    monkeypatch.setattr(csv_reader, "ARROW_FILE_BYTES", 0)
    ingest(tmp_path / "home" / "warehouse.duckdb", tmp_path / "landing", tmp_path / "home", load_id="corpus")
    skip = {"_manifest": {"loaded_at", "seconds"}, "_quarantine": {"quarantined_at"}}
    with duckdb.connect() as con:
        con.execute(f"attach '{arrow_warehouse}' as a (read_only)")
        con.execute(f"attach '{tmp_path / 'home' / 'warehouse.duckdb'}' as t (read_only)")
        tables = [
            r[0] for r in con.execute("select table_name from duckdb_tables() where database_name = 'a'").fetchall()
        ]
        assert "orders" in tables and "_quarantine" in tables
        for table in tables:
            columns = con.execute(
                "select column_name from duckdb_columns() where database_name = 'a' and table_name = ?", [table]
            ).fetchall()
            select = ", ".join(f'"{c}"' for (c,) in columns if c not in skip.get(table, set()))
            for x, y in (("a", "t"), ("t", "a")):
                extra = con.execute(
                    f"select {select} from {x}.raw.{table} except all select {select} from {y}.raw.{table}"
                )
                assert extra.fetchall() == [], (table, x)
        assert con.execute("select count(*) from a.raw._quarantine").fetchone()[0] > 0  # the bad rows were compared
