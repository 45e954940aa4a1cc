"""Publish the marts for BI: a read-only copy that is switched in whole, never written in place.

DuckDB allows one writer and no readers beside it ("Could not set lock on file"), so BI tools never
open the warehouse. After a successful build, a publication is written whole into a new folder,
`serve/runs/<run_id>/`: `marts.duckdb`, `parquet/<mart>.parquet` (spreadsheets, Evidence, pandas) and
`reorder_signals.csv`, synced to disk, then made current by one atomic rename of the symlink
`serve/current`. The three outputs therefore switch together: a reader sees the previous publication or
the new one, never a mix of two runs, and a crash or a full disk before the switch leaves the last one
current and whole (the unfinished folder is removed). Readers keep their stable paths, symlinks through
`current`: `serve/marts.duckdb`, `serve/parquet/` and `<home>/reorder_signals.csv`. The current and
the previous publication are kept (a reader may still have the previous one open); older ones are deleted.
A failed run never reaches this step.

The new marts.duckdb starts either empty, every table of schema `marts` copied in, or, when the build rebuilt
some shops only (orchestration/marts.py), as a copy of the current publication's file in which those shops' rows
are replaced (`_shop_update`): at 5M order lines in half the time of a whole copy (docs/performance.md). The
copy is updated only when it holds exactly the build before this one: the file records the mart build
it holds (`_publication.mart_build`), and the warehouse every marts step that started
(`lapak.mart_steps`), succeeded or not. Anything else (a first build, a full rebuild, a step that failed
or ran some marts only, another file, columns that differ, a file updated in place `MAX_IN_PLACE`
times, row counts that disagree afterwards) gets a whole copy.

In the published file the marts sit in its `main` schema: a reader writes `customers`, or
`marts.customers` (the file's own name, `marts`, is the catalog), both resolve.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import duckdb

from orchestration.marts import BUILDS_TABLE, STEPS_TABLE
from orchestration.windows import table_exists

SERVE_DIR = "serve"
SERVE_DB = "marts.duckdb"
PARQUET_DIR = "parquet"
REORDER_CSV = "reorder_signals.csv"
RUNS_DIR = "runs"  # serve/runs/<run id>/: one folder per publication, written whole before it is made current
CURRENT = "current"  # serve/current: a symlink to the current publication's folder
PUBLISHED_TABLE = "_published"  # one row per mart: run id, row count, time: readers can check consistency
PUBLICATION_TABLE = "_publication"  # one row: the run, the mart build the file holds, how it was written
STORAGE_VERSION = os.environ.get("LAPAK_SERVE_STORAGE_VERSION", "v1.0.0")
# Rows deleted from a DuckDB table leave free blocks that later inserts reuse, so a file updated in place grows to a
# plateau (docs/performance.md, decision log); every so many updates, a whole copy starts it afresh anyway.
MAX_IN_PLACE = 30


@dataclass
class Published:
    database: Path
    marts: dict[str, int]  # mart -> rows
    parquet_dir: Path
    reorder_csv: Path | None
    seconds: float
    reorder_actions: list[dict] = field(default_factory=list)  # SKUs to act on: oversold, urgent, reorder
    shops_updated: list[str] | None = None  # the shops whose rows replaced the last copy's; None: a whole copy
    how: str = ""  # why a whole copy, or which build the update in place followed
    folder: Path | None = None  # serve/runs/<run id>: this publication's own files


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def mart_names(con: duckdb.DuckDBPyConnection, database: str = "wh") -> list[str]:
    """The marts to publish: every table of schema `marts` of the attached warehouse."""
    rows = con.execute(
        "select table_name from duckdb_tables() where database_name = $db and schema_name = 'marts' "
        "order by table_name",
        {"db": database},
    ).fetchall()
    return [r[0] for r in rows]


def _columns(con: duckdb.DuckDBPyConnection, database: str, schema: str) -> dict[str, list[tuple]]:
    rows = con.execute(
        "select table_name, column_name, data_type from duckdb_columns() "
        "where database_name = $db and schema_name = $schema and not starts_with(table_name, '_') "
        "and table_oid in (select table_oid from duckdb_tables()) "
        "order by table_name, column_index",
        {"db": database, "schema": schema},
    ).fetchall()
    out: dict[str, list[tuple]] = {}
    for table, column, dtype in rows:
        out.setdefault(table, []).append((column, dtype))
    return out


def mart_build_held(con: duckdb.DuckDBPyConnection) -> str | None:
    """The mart build that the warehouse's marts are now the result of (its run id), or None when that is not
    one recorded build: the last marts step that started failed, or ran some marts only (`wh` attached)."""
    if not (table_exists(con, *STEPS_TABLE.split("."), "wh") and table_exists(con, *BUILDS_TABLE.split("."), "wh")):
        return None
    row = con.execute(
        f"""with last_step as (
            select run_id, started_at from wh.{STEPS_TABLE} order by started_at desc, run_id desc limit 1
        )
        select s.run_id from last_step as s
        where exists (select 1 from wh.{BUILDS_TABLE} as b where b.run_id = s.run_id and b.built_at >= s.started_at)"""
    ).fetchone()
    return row[0] if row else None


def plan_update(con: duckdb.DuckDBPyConnection, held: str | None, names: list[str]) -> tuple[list[str] | None, str]:
    """(The shops whose rows to replace in the published copy, or None for a whole copy; why), with the
    warehouse attached as `wh` and the published file as `old`; `names`: the marts (tables) to publish."""
    if held is None:
        return None, "the marts are not the result of one recorded build"
    if not table_exists(con, "main", PUBLICATION_TABLE, "old"):
        return None, "the published copy does not say which build it holds"
    old_build, in_place = con.execute(
        f"select mart_build, in_place_updates from old.main.{PUBLICATION_TABLE}"
    ).fetchone()
    before = con.execute(
        f"""select run_id from wh.{STEPS_TABLE}
        where started_at < (select max(started_at) from wh.{STEPS_TABLE} where run_id = $held)
        order by started_at desc, run_id desc limit 1""",
        {"held": held},
    ).fetchone()
    if old_build == held:  # no marts step since the last publish
        return [], "the published copy holds this build already"
    if old_build is None or before is None or before[0] != old_build:
        return None, "the published copy does not hold the build before this one"
    if in_place >= MAX_IN_PLACE:
        return None, f"updated in place {in_place} times"
    built = _columns(con, "wh", "marts")
    if _columns(con, "old", "main") != {name: built.get(name) for name in names}:
        return None, "the marts or their columns changed"
    shops = con.execute(
        f"select shops_rebuilt from wh.{BUILDS_TABLE} where run_id = $held order by built_at desc limit 1",
        {"held": held},
    ).fetchone()[0]
    if shops is None:
        return None, "every shop was rebuilt"
    return sorted(shops), f"after build {old_build}"


def publish(warehouse: Path, home: Path, run_id: str) -> Published:
    """Write the marts whole into `serve/runs/<run_id>/`, then make that folder current in one switch."""
    started = time.perf_counter()
    serve = home / SERVE_DIR
    runs = serve / RUNS_DIR
    runs.mkdir(parents=True, exist_ok=True)
    for leftover in [*serve.glob(f".{CURRENT}.*.tmp"), *serve.glob(f".{SERVE_DB}.*.tmp*")]:  # from killed runs
        leftover.unlink(missing_ok=True)
    last = current_folder(serve)
    folder = new_folder(runs, run_id, last)
    try:
        # before the first publication of this layout, the last copy is an older lapak's `serve/marts.duckdb`
        written = write_publication(warehouse, last or serve, folder, run_id)
        sync_tree(folder)
    except BaseException:  # a crash, a full disk: the publication readers see stays whole
        shutil.rmtree(folder, ignore_errors=True)
        raise
    switch(serve, folder)
    link(serve / SERVE_DB, Path(CURRENT) / SERVE_DB)
    link(serve / PARQUET_DIR, Path(CURRENT) / PARQUET_DIR)
    reorder_csv = None
    if written.reorder_csv:
        reorder_csv = home / REORDER_CSV
        link(reorder_csv, Path(SERVE_DIR) / CURRENT / REORDER_CSV)
    prune(runs, keep={folder.name, last.name if last else ""})
    seconds = time.perf_counter() - started
    return Published(
        serve / SERVE_DB,
        written.marts,
        serve / PARQUET_DIR,
        reorder_csv,
        seconds,
        written.reorder_actions,
        written.shops,
        written.how,
        folder,
    )


@dataclass
class Written:
    marts: dict[str, int]
    shops: list[str] | None
    how: str
    reorder_csv: bool
    reorder_actions: list[dict]


def write_publication(warehouse: Path, last: Path, folder: Path, run_id: str) -> Written:
    """The marts of `warehouse` into the empty `folder`: marts.duckdb, parquet/<mart>.parquet and the reorder
    CSV; `last` is the folder of the last publication (its marts.duckdb and parquet/), if there is one."""
    parquet_dir = folder / PARQUET_DIR
    parquet_dir.mkdir(parents=True)
    final, old_file = folder / SERVE_DB, last / SERVE_DB
    marts: dict[str, int] = {}
    con = duckdb.connect()
    try:
        con.execute(f"attach '{warehouse}' as wh (read_only)")
        names = mart_names(con)
        held = mart_build_held(con)
        shops, how, in_place = None, "no published copy yet", 0
        if old_file.is_file():
            try:
                con.execute(f"attach '{old_file}' as old (read_only)")
            except duckdb.Error as exc:  # not a DuckDB file we can read: replaced whole
                how = f"the published copy cannot be read: {str(exc).splitlines()[0]}"
            else:
                shops, how = plan_update(con, held, names)
                if shops is not None:
                    in_place = con.execute(f"select in_place_updates from old.main.{PUBLICATION_TABLE}").fetchone()[0]
                con.execute("detach old")
        if shops is not None:
            shutil.copyfile(old_file, final)
            con.execute(f"attach '{final}' as pub")
            marts = _shop_update(con, names, shops)
            if marts is None:  # row counts disagree: the copy did not hold what it said
                con.execute("detach pub")
                final.unlink()
                shops, how = None, "the published copy's row counts disagreed with the warehouse after the update"
        if shops is None:
            # an older storage format so that BI tools embedding an older DuckDB (Metabase's driver, the
            # DuckDB CLI 1.x, DBeaver) can open the published file; the warehouse itself stays on the newest
            con.execute(f"attach '{final}' as pub (storage_version '{STORAGE_VERSION}')")
            marts = _whole_copy(con, names)
        con.execute(f"drop table if exists pub.main.{PUBLISHED_TABLE}")
        con.execute(
            f"create table pub.main.{PUBLISHED_TABLE} "
            "(mart varchar, row_count bigint, run_id varchar, published_at timestamp)"
        )
        con.executemany(
            f"insert into pub.main.{PUBLISHED_TABLE} values (?, ?, ?, now()::timestamp)",
            [[m, n, run_id] for m, n in marts.items()],
        )
        con.execute(f"drop table if exists pub.main.{PUBLICATION_TABLE}")
        con.execute(
            f"create table pub.main.{PUBLICATION_TABLE} (run_id varchar, mart_build varchar, "
            "shops_updated varchar[], in_place_updates integer, how varchar, published_at timestamp)"
        )
        con.execute(
            f"insert into pub.main.{PUBLICATION_TABLE} values (?, ?, ?, ?, ?, now()::timestamp)",
            [run_id, held, shops, in_place + 1 if shops is not None else 0, how],
        )
        con.execute("detach wh")
        con.execute("checkpoint pub")
        for name in names:
            target, before = parquet_dir / f"{name}.parquet", last / PARQUET_DIR / f"{name}.parquet"
            if shops == [] and before.is_file():  # no shop rebuilt: the mart is as it was
                copy_or_link(before, target)
            else:
                con.execute(f"copy pub.main.{_q(name)} to '{target}' (format parquet)")
        reorder_actions = []
        if "reorder_signals" in marts:
            write_reorder_csv(con, folder / REORDER_CSV)
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
    finally:
        con.close()
    return Written(marts, shops, how, "reorder_signals" in marts, reorder_actions)


def write_reorder_csv(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """`reorder_signals` of the attached `pub` as CSV, for the person who orders stock."""
    con.execute(f"copy (select * from pub.main.reorder_signals order by all) to '{path}' (header, delimiter ',')")


def copy_or_link(source: Path, target: Path) -> None:
    """A hard link to a file of the last publication (files there are never written again), else a copy."""
    try:
        os.link(source, target)
    except OSError:  # another file system, or one without hard links
        shutil.copyfile(source, target)


def current_folder(serve: Path) -> Path | None:
    """The folder of the publication readers see now, or None before the first publication of this layout."""
    link_path = serve / CURRENT
    return link_path.resolve() if link_path.is_symlink() and link_path.is_dir() else None


def new_folder(runs: Path, run_id: str, current: Path | None) -> Path:
    """`runs/<run_id>`, empty; another name when a publication of that run id is the current one."""
    base = re.sub(r"[^A-Za-z0-9_.-]", "_", run_id).lstrip(".") or "run"
    folder, n = runs / base, 1
    while current is not None and folder == current:
        n += 1
        folder = runs / f"{base}.{n}"
    shutil.rmtree(folder, ignore_errors=True)  # left by a publish that was killed before its switch
    return folder


def sync_tree(folder: Path) -> None:
    """Every file and folder under `folder` on disk, so that the switch never points to data still in memory."""
    for root, _dirs, files in os.walk(folder, topdown=False):
        for name in files:
            with open(os.path.join(root, name), "rb") as f:
                os.fsync(f.fileno())
        sync_dir(Path(root))
    sync_dir(folder.parent)


def sync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def switch(serve: Path, folder: Path) -> None:
    """Make `folder` the current publication: one rename of a symlink, atomic on one file system."""
    tmp = serve / f".{CURRENT}.{folder.name}.tmp"
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(Path(RUNS_DIR) / folder.name)  # relative: the home folder can be moved or mounted elsewhere
    os.replace(tmp, serve / CURRENT)
    sync_dir(serve)


def link(path: Path, target: Path) -> None:
    """`path` as a symlink to `target` (relative to its folder); an older lapak's file or folder there is replaced."""
    aside = path.with_name(f".{path.name}.old")
    shutil.rmtree(aside, ignore_errors=True)  # left by a run killed while it replaced an older lapak's folder
    if path.is_symlink() and Path(os.readlink(path)) == target:
        return
    tmp = path.with_name(f".{path.name}.link.tmp")
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(target)
    if path.is_dir() and not path.is_symlink():  # a symlink cannot replace a folder in one rename: moved aside first
        os.replace(path, aside)
        os.replace(tmp, path)
        shutil.rmtree(aside, ignore_errors=True)
    else:
        os.replace(tmp, path)


def prune(runs: Path, keep: set[str]) -> None:
    """Delete the publications but the current one and the one before it (a reader may still have that open)."""
    for old in runs.iterdir():
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)


def _whole_copy(con: duckdb.DuckDBPyConnection, names: list[str]) -> dict[str, int]:
    """Every mart into the empty file `pub`; its row counts."""
    marts = {}
    for name in names:
        con.execute(f"create table pub.main.{_q(name)} as select * from wh.marts.{_q(name)}")
        marts[name] = con.execute(f"select count(*) from pub.main.{_q(name)}").fetchone()[0]
    return marts


def _shop_update(con: duckdb.DuckDBPyConnection, names: list[str], shops: list[str]) -> dict[str, int] | None:
    """Replace the rows of `shops` in every mart of `pub`, a copy of the last published file, in one
    transaction; its row counts, or None when they differ from the warehouse's (then nothing is kept)."""
    marts = {}
    con.execute("begin")
    for name in names:
        if shops:
            con.execute(f"delete from pub.main.{_q(name)} where list_contains($shops, shop_id)", {"shops": shops})
            rows = f"select * from wh.marts.{_q(name)} where list_contains($shops, shop_id)"
            con.execute(f"insert into pub.main.{_q(name)} {rows}", {"shops": shops})
        published, built = con.execute(
            f"select (select count(*) from pub.main.{_q(name)}), (select count(*) from wh.marts.{_q(name)})"
        ).fetchone()
        if published != built:
            con.execute("rollback")
            return None
        marts[name] = published
    con.execute("commit")
    return marts
