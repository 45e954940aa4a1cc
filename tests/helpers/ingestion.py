"""Ingesting a landing folder in tests: the per-file results and every raw table's rows, to compare two ways of
loading the same files (batches or one by one, shared transactions or not, one loader or several)."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import duckdb
import pytest

from ingestion import batch, loader
from ingestion.formats import KINDS
from ingestion.load import ingest
from ingestion.manifest import accounting_problems

RAW = "* exclude (_load_id)"


def snapshot(warehouse: Path) -> dict[str, list]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        out = {
            kind.name: con.execute(f"select {RAW} from raw.{kind.name} order by all").fetchall()
            for kind in KINDS.values()
        }
        out["_quarantine"] = con.execute(
            "select * exclude (load_id, quarantined_at) from raw._quarantine order by all"
        ).fetchall()
        out["_manifest"] = con.execute(
            "select * exclude (load_id, loaded_at) from raw._manifest order by source_file"
        ).fetchall()
        assert accounting_problems(con) == []
    return out


def results(report) -> list[dict]:
    return [{k: v for k, v in asdict(f).items() if k != "seconds"} for f in report.files]


def run(landing: Path, home: Path, **kwargs):
    """Ingest `landing` into a warehouse under `home`: the per-file results and every raw table's rows."""
    report = ingest(home / "warehouse.duckdb", landing, home, load_id="l1", **kwargs)
    return results(report), snapshot(home / "warehouse.duckdb")


def reference_run(landing: Path, home: Path, pii_key: str, settings: dict | None = None, **kwargs):
    """`run` with `LAPAK_PII_KEY` set and loader settings (`TXN_ROWS`, `BATCH_FILES`) patched for this run only:
    the plain way (one file per batch, per transaction, one loader) that a test compares the fast way with."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LAPAK_PII_KEY", pii_key)
        for name, value in (settings or {}).items():
            mp.setattr({"TXN_ROWS": loader, "BATCH_FILES": batch}[name], name, value)
        return run(landing, home, **kwargs)
