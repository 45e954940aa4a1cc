"""Publish the marts for BI: a read-only copy that is swapped in whole, never written in place.

DuckDB allows one writer and no readers beside it ("Could not set lock on file"), so BI tools never
open the warehouse. After a successful build, every table of schema `marts` is copied into a new
DuckDB file under a temporary name and swapped in with os.replace: a reader sees the previous copy
or the new one, never half of each. Each mart is also written to `serve/parquet/<mart>.parquet`
(spreadsheets, Evidence, pandas), and `reorder_signals` to `<home>/reorder_signals.csv`.
A failed run never reaches this step, so the last good copy stays in place.

In the published file the marts sit in its `main` schema: a reader writes `customers`, or
`marts.customers` (the file's own name, `marts`, is the catalog), both resolve.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import duckdb

SERVE_DIR = "serve"
SERVE_DB = "marts.duckdb"
PUBLISHED_TABLE = "_published"
STORAGE_VERSION = os.environ.get(
    "LAPAK_SERVE_STORAGE_VERSION", "v1.0.0"
)  # one row per mart: run id, row count, time: readers can check consistency


@dataclass
class Published:
    database: Path
    marts: dict[str, int]  # mart -> rows
    parquet_dir: Path
    reorder_csv: Path | None
    seconds: float
    reorder_actions: list[dict] = field(default_factory=list)  # SKUs to act on: oversold, urgent, reorder


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def publish(warehouse: Path, home: Path, run_id: str) -> Published:
    started = time.perf_counter()
    serve = home / SERVE_DIR
    parquet_dir = serve / "parquet"
    parquet_dir.mkdir(parents=True, exist_ok=True)
    final = serve / SERVE_DB
    tmp = serve / f".{SERVE_DB}.{run_id}.tmp"
    for leftover in serve.glob(f".{SERVE_DB}.*.tmp*"):  # from a run killed mid-publish
        leftover.unlink(missing_ok=True)
    marts: dict[str, int] = {}
    con = duckdb.connect()
    try:
        # an older storage format so that BI tools embedding an older DuckDB (Metabase's driver, the
        # DuckDB CLI 1.x, DBeaver) can open the published file; the warehouse itself stays on the newest
        con.execute(f"attach '{tmp}' as pub (storage_version '{STORAGE_VERSION}')")
        con.execute(f"attach '{warehouse}' as wh (read_only)")
        names = [
            r[0]
            for r in con.execute(
                "select table_name from duckdb_tables() where database_name = 'wh' and schema_name = 'marts' "
                "order by table_name"
            ).fetchall()
        ]
        for name in names:
            con.execute(f"create table pub.main.{_q(name)} as select * from wh.marts.{_q(name)}")
            marts[name] = con.execute(f"select count(*) from pub.main.{_q(name)}").fetchone()[0]
        con.execute(
            f"create table pub.main.{PUBLISHED_TABLE} "
            "(mart varchar, row_count bigint, run_id varchar, published_at timestamp)"
        )
        con.executemany(
            f"insert into pub.main.{PUBLISHED_TABLE} values (?, ?, ?, now()::timestamp)",
            [[m, n, run_id] for m, n in marts.items()],
        )
        con.execute("detach wh")
        con.execute("checkpoint pub")
        for name in names:
            part = parquet_dir / f".{name}.parquet.tmp"
            con.execute(f"copy pub.main.{_q(name)} to '{part}' (format parquet)")
            os.replace(part, parquet_dir / f"{name}.parquet")
        reorder_csv, reorder_actions = None, []
        if "reorder_signals" in marts:
            reorder_csv = home / "reorder_signals.csv"
            part = home / ".reorder_signals.csv.tmp"
            con.execute(
                f"copy (select * from pub.main.reorder_signals order by all) to '{part}' (header, delimiter ',')"
            )
            os.replace(part, reorder_csv)
            cur = con.execute(
                """select shop_id, sku_id, product_name, status, stock_on_hand, days_of_cover, suggested_order_qty
                from pub.main.reorder_signals where status in ('oversold', 'urgent', 'reorder')
                order by case status when 'oversold' then 0 when 'urgent' then 1 else 2 end, days_of_cover, shop_id"""
            )
            keys = [d[0] for d in cur.description]
            reorder_actions = [
                {k: float(v) if isinstance(v, Decimal) else v for k, v in zip(keys, row, strict=True)}
                for row in cur.fetchall()
            ]
        con.execute("detach pub")
    except BaseException:
        con.close()
        tmp.unlink(missing_ok=True)
        raise
    con.close()
    os.replace(tmp, final)  # atomic on one file system: readers see the old copy or the new one
    for stale in set(p.stem for p in parquet_dir.glob("*.parquet")) - set(marts):
        (parquet_dir / f"{stale}.parquet").unlink(missing_ok=True)
    return Published(final, marts, parquet_dir, reorder_csv, time.perf_counter() - started, reorder_actions)
