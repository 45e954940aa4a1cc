"""The raw tables as a Parquet lake that DuckDB and Spark both read (`lapak run --engine spark`).

Layout: `<lake>/<table>/shop=<shop id>/day=<YYYY-MM-DD>/data_0.parquet`, one folder per raw table,
Hive-partitioned by shop and by the day of the export the rows came from (`_export_at`, the export
time in WIB from the file name, else the file's modification time). A shop's new daily export therefore
adds a partition and leaves the others alone; a cluster can prune by shop and by day.

The files hold every column of `raw.<table>` (text as exported, lineage columns typed), so the dbt
sources read the same rows on either engine; `shop` and `day` exist only as partition folders.
Writing is idempotent: each table is written to a temporary folder and swapped in whole, so a re-run
replaces the table and a reader never sees a half-written one. DuckDB (the default engine) does not
need the lake: nothing here runs unless it is asked for.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from ingestion.formats import KINDS
from ingestion.manifest import RAW_SCHEMA

LAKE_TABLES: tuple[str, ...] = tuple(kind.name for kind in KINDS.values())
PARTITION_BY = ("shop", "day")
# The partition an empty raw table is written to, so that its folder and schema exist for Spark.
EMPTY_PARTITION = "shop=_none/day=1970-01-01"


def lake_path(home: Path) -> Path:
    return home / "lake"


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def export_lake(warehouse: Path, lake: Path) -> dict[str, int]:
    """Write every raw table of `warehouse` to `lake`; return the rows written per table."""
    lake.mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for table in LAKE_TABLES:
            source = f"{RAW_SCHEMA}.{table}"
            (rows,) = con.execute(f"select count(*) from {source}").fetchone()
            tmp, old, final = lake / f".{table}.tmp", lake / f".{table}.old", lake / table
            for leftover in (tmp, old):
                shutil.rmtree(leftover, ignore_errors=True)
            if rows:
                con.execute(
                    f"""copy (
                        select *, _shop_id as shop, cast(coalesce(_export_at, _file_modified_at) as date) as day
                        from {source}
                    ) to '{_sql_path(tmp)}' (format parquet, partition_by ({", ".join(PARTITION_BY)}))"""
                )
            else:
                empty = tmp / EMPTY_PARTITION
                empty.mkdir(parents=True)
                con.execute(
                    f"copy (select * from {source} limit 0) to '{_sql_path(empty / 'data_0.parquet')}' (format parquet)"
                )
            if final.exists():
                final.rename(old)
            tmp.rename(final)
            shutil.rmtree(old, ignore_errors=True)
            written[table] = rows
    return written


def lake_counts(lake: Path) -> dict[str, int]:
    """Rows per table as DuckDB reads the lake back (the partition folders included)."""
    counts: dict[str, int] = {}
    with duckdb.connect() as con:
        for table in LAKE_TABLES:
            pattern = _sql_path(lake / table / "**" / "*.parquet")
            (rows,) = con.execute(
                f"select count(*) from read_parquet('{pattern}', hive_partitioning = true) where shop <> '_none'"
            ).fetchone()
            counts[table] = rows
    return counts
