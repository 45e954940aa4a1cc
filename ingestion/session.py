"""A loader's connection: its statements, timed per step when `LAPAK_PROFILE` is set, and `_file`, the table that
holds the rows of the file being loaded, with what its reader learned about them."""

from __future__ import annotations

import os
import time

import duckdb

from ingestion.detect import FileLayout

# every temp table a load creates; all are dropped after each file or batch
TEMP_TABLES = ("_file", "_files", "_bad", "_badrows", "_rejects", "_rejects_scan", "_lines", "_buyers")


class Statements:
    """A connection's statements; with `LAPAK_PROFILE` set, the time of each is added to its label in `profile`."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con
        self.profile: dict[str, float] | None = {} if os.environ.get("LAPAK_PROFILE") else None

    def run(self, label: str, sql: str, params: object = None) -> duckdb.DuckDBPyConnection:
        if self.profile is None:
            return self.con.execute(sql, params) if params is not None else self.con.execute(sql)
        start = time.perf_counter()
        out = self.con.execute(sql, params) if params is not None else self.con.execute(sql)
        self.tally(label, start)
        return out

    def tally(self, label: str, start: float) -> None:
        """Add the time since `start` to `label` in the profile (`LAPAK_PROFILE`)."""
        if self.profile is not None:
            self.profile[label] = self.profile.get(label, 0.0) + time.perf_counter() - start


class FileTable:
    """`_file`, one row per record of the file being loaded (in file order, `c0`, `c1` … by header position), and
    what its reader found: which columns still need trimming, how many rows it holds."""

    def __init__(self) -> None:
        self.dirty: set[int] = set()  # positions whose values need trimming
        self.precleaned = False  # the values were trimmed before DuckDB saw them (XLSX, Arrow)
        self.arrow = False  # `_file` is an Arrow table registered with the connection, not a temp table
        self.base: int | None = None  # the first rowid in `_file`, once asked for
        self.rows = 0

    def rowid_base(self, con: duckdb.DuckDBPyConnection) -> int:
        """Temp tables number their rows from a large offset, in insertion (= file) order."""
        if self.base is None:
            self.base = con.execute("select coalesce(min(rowid), 0) from _file").fetchone()[0]
        return self.base

    def drop(self, db: Statements) -> None:
        """Drop `_file` and every other temp table of the load."""
        if self.arrow:
            db.con.unregister("_file")
            self.arrow = False
        db.run("drop_temp", "; ".join(f"drop table if exists {t}" for t in TEMP_TABLES))


def kept_positions(layout: FileLayout) -> list[int]:
    """The header positions whose values are loaded: named columns and schema drift (the rest are personal data)."""
    return sorted({*layout.columns, *layout.extra})
