"""Which days the incremental fact models rebuild on a run.

The order, video and LIVE facts are partitioned by day (WIB). Ingestion is driven by files, the facts
by days, so they run as two jobs: `lapak_ingest`, then `lapak_build` over a partition range.

- **After ingestion** (`lapak run`, or the `lapak_build_after_ingest` sensor after a scheduled or
  sensor-started ingest), the build run is tagged `lapak/window=changed`: per kind, the days rebuilt
  are the span of the export ranges of the files loaded since the facts were last built for that
  shop, and the run's partition range is the envelope of those days. A late export that changes
  month-old orders covers those days, so they are rebuilt too. Only the shops with such files are
  rebuilt: a shop's facts are built from its own exports alone, so an agency's run that loaded one shop's
  new day leaves the other shops' rows of those days as they are.
- **A backfill** over a partition range (the Dagster UI, or `lapak backfill --start --end`) rebuilds
  exactly those days, for every shop or for `--shop`.

The window reaches dbt as JSON (`lapak_windows`, `lapak_shops`) in the `LAPAK_REBUILD_WINDOWS` environment
variable (see dbt_project/macros/windows.sql; `--vars` would cost dbt a full re-parse on every run).
What a normal run has built is recorded per shop in `lapak.fact_builds` in the warehouse, so a failed
run leaves its files to the next one.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import duckdb

FACT_KINDS = ("orders", "videos", "lives")
WINDOW_TAG = "lapak/window"
CHANGED = "changed"
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"
EVERY_DAY = ["0001-01-01", "9999-12-31"]
BUILDS_TABLE = "lapak.fact_builds"

DAILY = dg.DailyPartitionsDefinition(
    # TikTok Shop opened in Indonesia in 2021; older days are still built, but cannot be backfilled alone
    start_date=os.environ.get("LAPAK_PARTITIONS_START", "2021-01-01"),
    timezone="Asia/Jakarta",
    end_offset=1,  # today's partition exists: exports of today are partial but real
)


class FactsConfig(dg.Config):
    shop: str | None = None
    """Rebuild only this shop's facts (its folder name under the landing folder)."""


def _vars(windows: dict[str, list[str]], shops: Iterable[str] = ()) -> dict:
    out: dict = {"lapak_windows": windows}
    if shops := sorted(shops):
        out["lapak_shops"] = shops
    return out


def partition_windows(first_day: str, last_day: str, shop: str | None = None) -> dict:
    """The window of a backfill over [first_day, last_day]."""
    return _vars({kind: [first_day, last_day] for kind in FACT_KINDS}, [shop] if shop else [])


FACT_KINDS_SQL = ", ".join(f"'{k}'" for k in FACT_KINDS)


def table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str, database: str | None = None) -> bool:
    """Whether `schema.table` exists (in the attached `database`, when given)."""
    params = {"schema": schema, "table": table} | ({"db": database} if database else {})
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_schema = $schema and table_name = $table"
            + (" and table_catalog = $db" if database else ""),
            params,
        ).fetchone()[0]
    )


def _has_builds_table(con: duckdb.DuckDBPyConnection) -> bool:
    return table_exists(con, *BUILDS_TABLE.split("."))


def changed_windows(
    con: duckdb.DuckDBPyConnection, shop: str | None = None, fingerprint: str | None = None
) -> tuple[dict | None, dict]:
    """(The window for the days that loads since the last build cover, or None for "every day"; per-shop watermark).

    The window names the shops those loads came from (`lapak_shops`): no other shop's facts changed. With the dbt
    project's `fingerprint` (orchestration/marts.py), a last build by another project is also "every day": the
    facts it left were computed by other SQL, and must not stay beside rows of the new (a new lapak release, an
    edited model; also a model's new column, which its incremental build refuses: `on_schema_change='fail'`)."""
    shop_filter = "and shop_id = $shop" if shop else ""
    params = {"shop": shop} if shop else {}
    loaded_through = dict(
        con.execute(
            f"select shop_id, max(loaded_at) from raw._manifest where status = 'loaded' {shop_filter} group by shop_id",
            params,
        ).fetchall()
    )
    if not _has_builds_table(con):
        return None, loaded_through
    if fingerprint is not None and built_by(con, BUILDS_TABLE) != fingerprint:
        return None, loaded_through
    rows = con.execute(
        f"""
        with marks as (
            select shop_id, max(loaded_through) as mark from {BUILDS_TABLE} group by shop_id
        )
        select
            m.kind,
            min(m.period_start),
            max(m.period_end),
            bool_or(m.period_start is null or m.period_end is null),
            list(distinct m.shop_id)
        from raw._manifest as m
        left join marks as w on m.shop_id = w.shop_id
        where m.status = 'loaded'
            and m.kind in ({FACT_KINDS_SQL})
            and (w.mark is null or m.loaded_at > w.mark)
            {shop_filter.replace("shop_id", "m.shop_id")}
        group by m.kind
        order by m.kind
        """,
        params,
    ).fetchall()
    windows = {
        kind: EVERY_DAY if undated else [first.isoformat(), last.isoformat()] for kind, first, last, undated, _ in rows
    }
    return _vars(windows, {s for *_, shops in rows for s in shops}), loaded_through


def built_by(con: duckdb.DuckDBPyConnection, table: str) -> str | None:
    """The fingerprint of the dbt project behind the newest build in `table` (the facts' or the marts' record);
    None when it holds none (earlier versions of lapak recorded none for the facts)."""
    columns = {c for (c,) in con.execute(f"select column_name from (describe {table})").fetchall()}
    if "fingerprint" not in columns:
        return None
    row = con.execute(f"select fingerprint from {table} order by built_at desc, run_id desc limit 1").fetchone()
    return row[0] if row else None


def windows_for_run(
    context: dg.AssetExecutionContext, warehouse: Path, shop: str | None, fingerprint: str
) -> tuple[dict | None, dict]:
    """The window for this run's fact build (None: build every day, from scratch), and the watermark to record
    after it (empty for a backfill, which must not move it)."""
    if context.has_partition_key_range and context.run.tags.get(WINDOW_TAG) != CHANGED:
        window = context.partition_time_window
        first_day = window.start.date().isoformat()
        last_day = (window.end - timedelta(days=1)).date().isoformat()
        return partition_windows(first_day, last_day, shop), {}
    with duckdb.connect(str(warehouse)) as con:
        return changed_windows(con, shop, fingerprint)


def pending_range(warehouse: Path, shop: str | None = None, fingerprint: str | None = None) -> tuple[str, str]:
    """The partition range a build after ingestion covers: the envelope of the changed days, clipped to the
    partitions; today's partition when nothing changed (the marts are still rebuilt and published)."""
    first_key, last_key = DAILY.get_first_partition_key(), DAILY.get_last_partition_key()
    days: list[str] = []
    if warehouse.exists():
        with duckdb.connect(str(warehouse)) as con:
            if table_exists(con, "raw", "_manifest"):
                window_vars, _ = changed_windows(con, shop, fingerprint)
                spans = list(window_vars["lapak_windows"].values()) if window_vars is not None else [EVERY_DAY]
                if EVERY_DAY in spans:  # a first build, or undated files: everything loaded
                    spans = _loaded_spans(con, shop)
                days = [d for span in spans for d in span]
    if not days:
        return last_key, last_key
    first = min(max(min(days), first_key), last_key)
    last = max(min(max(days), last_key), first)
    return first, last


def _loaded_spans(con: duckdb.DuckDBPyConnection, shop: str | None) -> list[list[str]]:
    row = con.execute(
        f"""select min(period_start), max(period_end) from raw._manifest
        where status = 'loaded' and kind in ({FACT_KINDS_SQL})
        {"and shop_id = $shop" if shop else ""}""",
        {"shop": shop} if shop else {},
    ).fetchone()
    return [[row[0].isoformat(), row[1].isoformat()]] if row[0] and row[1] else []


def build_tags(first_key: str, last_key: str, changed: bool) -> dict[str, str]:
    """Tags of a `lapak_build` run over [first_key, last_key]."""
    tags = {RANGE_START_TAG: first_key, RANGE_END_TAG: last_key}
    if changed:
        tags[WINDOW_TAG] = CHANGED
    return tags


def record_fact_build(
    warehouse: Path, run_id: str, loaded_through: dict, window_vars: dict | None, fingerprint: str
) -> None:
    """Remember, per shop, the newest load the facts now include, and the dbt project that built them."""
    built_at = datetime.now(UTC).replace(tzinfo=None)
    windows = json.dumps(window_vars) if window_vars is not None else None
    append_build_rows(
        warehouse,
        BUILDS_TABLE,
        "shop_id varchar, loaded_through timestamp, run_id varchar, built_at timestamp, window_vars varchar, "
        "fingerprint varchar",
        [[shop, mark, run_id, built_at, windows, fingerprint] for shop, mark in sorted(loaded_through.items())],
    )


# DuckDB's memory limit for the connection that appends a build record: with its default, 80% of RAM, the
# checkpoint as it closes, right after dbt's facts step, took up to 2 GiB and seconds in lapak's own process; capped,
# none (docs/performance.md, decision log).
RECORD_MEMORY_LIMIT = "256MB"


def append_build_rows(warehouse: Path, table: str, columns: str, rows: list[list]) -> None:
    """Append `rows` to one of lapak's build records in the warehouse (`table`, created with `columns`)."""
    with duckdb.connect(str(warehouse), config={"memory_limit": RECORD_MEMORY_LIMIT}) as con:
        con.execute("create schema if not exists lapak")
        con.execute(f"create table if not exists {table} ({columns})")
        names = []
        for column in columns.split(", "):  # a record made by an older lapak lacks the newer columns
            con.execute(f"alter table {table} add column if not exists {column}")
            names.append(column.split()[0])
        if rows:
            con.executemany(f"insert into {table} ({', '.join(names)}) values ({', '.join('?' * len(names))})", rows)


def is_backfill(run: dg.DagsterRun) -> bool:
    """A build over a partition range chosen by hand (not the range of a build after ingestion)."""
    return RANGE_START_TAG in run.tags and run.tags.get(WINDOW_TAG) != CHANGED


def rebuilt_scope(
    con: duckdb.DuckDBPyConnection, run: dg.DagsterRun, kind: str
) -> tuple[tuple[str, str] | None, list[str] | None]:
    """(The days of `kind`, the shops) whose facts `run` rebuilt, for checks that validate only those; None:
    every day, every shop."""
    if is_backfill(run):  # its tags hold the days, and no shop
        return (run.tags[RANGE_START_TAG], run.tags[RANGE_END_TAG]), None
    if not _has_builds_table(con):
        return None, None
    row = con.execute(f"select any_value(window_vars) from {BUILDS_TABLE} where run_id = $run", {"run": run.run_id})
    recorded = row.fetchone()[0]
    if recorded is None:
        return None, None  # a first build, or a build of every day
    window_vars = json.loads(recorded)
    window = window_vars["lapak_windows"].get(kind)
    days = tuple(window) if window else ("9999-12-31", "0001-01-01")  # nothing of this kind was rebuilt
    return days, window_vars.get("lapak_shops")
