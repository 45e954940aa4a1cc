"""Holding a file out of the warehouse after a quality check found bad rows in it.

Ingestion quarantines rows it cannot parse. Some problems only show once a file is loaded: a check on the
raw data (quality/suites.py) finds, say, an order ID that cannot be real. Such a file is held: its rows
leave the raw tables and the quarantine in one transaction, and its manifest entry says `held` and why. A file
is its shop's copy of its content, (shop, sha256): the same bytes in another shop's folder are that shop's
file, loaded, checked and held on their own.
The shop's facts and marts stay as they were before the file arrived, and every other shop goes on:
one shop's bad file never blocks another shop's marts. A fixed file (new content) loads as usual.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import duckdb

from ingestion.formats import KINDS
from ingestion.manifest import RAW_SCHEMA


@dataclass(frozen=True)
class HeldFile:
    shop_id: str
    source_file: str
    sha256: str
    reason: str


def hold_files(con: duckdb.DuckDBPyConnection, files: Iterable[HeldFile], load_id: str) -> list[HeldFile]:
    """Take the rows of `files` (loaded by `load_id`) out of the raw tables; mark them `held` with the reason.

    A file is its shop's copy of its content: another shop's copy of the same bytes keeps its rows."""
    files = list(files)
    if not files:
        return []
    these = {"shops": [f.shop_id for f in files], "shas": [f.sha256 for f in files]}
    pairs = "(select unnest($shops::varchar[]), unnest($shas::varchar[]))"
    present = {
        name
        for (name,) in con.execute(
            "select table_name from information_schema.tables where table_schema = $schema", {"schema": RAW_SCHEMA}
        ).fetchall()
    }
    con.execute("begin transaction")
    try:
        for kind in (k for k in KINDS.values() if k.name in present):
            table = f"{RAW_SCHEMA}.{kind.name}"
            con.execute(f"delete from {table} where (_shop_id, _file_sha256) in {pairs}", these)
        con.execute(f"delete from {RAW_SCHEMA}._quarantine where (shop_id, file_sha256) in {pairs}", these)
        for f in files:
            con.execute(
                f"""update {RAW_SCHEMA}._manifest set status = 'held', reason = $reason
                where shop_id = $shop and file_sha256 = $sha and status = 'loaded' and load_id = $load_id""",
                {"reason": f.reason, "shop": f.shop_id, "sha": f.sha256, "load_id": load_id},
            )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return files
