"""Which loaded files each raw suite has checked, so that no loaded file goes unchecked.

A run killed after ingestion committed but before its checks leaves files loaded that no check has seen.
The raw suites (quality/suites.py) therefore validate every loaded file that has no row for them in
`raw._checked_files`, whichever run loaded it, and a file gets its row once its check is done (passed,
or held). A row names the load too: a held file that a later run loads again is checked again. A file is
its shop's copy of its content, (shop, sha256): the same bytes in two shops' folders are two files, checked
and held each on its own. The table is quality's own: the manifest (`raw._manifest`) belongs to ingestion. A
warehouse from before this table checks every file it holds once; a row from before its `shop_id` column
(NULL) is of the one shop that had loaded that content by that load.
"""

from __future__ import annotations

import duckdb

CHECKED_TABLE = "raw._checked_files"
CHECKED_DDL = f"""create table if not exists {CHECKED_TABLE} (
    file_sha256 varchar not null,
    load_id varchar,
    suite varchar not null,
    run_id varchar,
    checked_at timestamp,
    shop_id varchar
)"""

# a file: (shop id, sha256)
File = tuple[str, str]


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    """The table's columns; none when it does not exist."""
    schema, name = table.split(".")
    return {
        c
        for (c,) in con.execute(
            "select column_name from duckdb_columns() where schema_name = $schema and table_name = $name",
            {"schema": schema, "name": name},
        ).fetchall()
    }


def unchecked_files(con: duckdb.DuckDBPyConnection, suite: str, kind: str) -> dict[File, str]:
    """The loaded files of `kind` that `suite` has not checked yet: (shop id, sha256) -> the load id that loaded it."""
    if not _columns(con, "raw._manifest"):
        return {}
    checked = ""
    # read-only here: a warehouse without the table has checked nothing yet, one without its shop column checked
    # files of one shop per content
    if columns := _columns(con, CHECKED_TABLE):
        same_shop = "and (c.shop_id is null or c.shop_id = m.shop_id)" if "shop_id" in columns else ""
        checked = f"""and not exists (select 1 from {CHECKED_TABLE} as c
            where c.suite = $suite and c.file_sha256 = m.file_sha256 and c.load_id is not distinct from m.load_id
            {same_shop})"""
    rows = con.execute(
        f"""select shop_id, file_sha256, max(load_id) from raw._manifest as m
        where status = 'loaded' and kind = $kind {checked}
        group by shop_id, file_sha256 order by shop_id, file_sha256""",
        {"kind": kind, "suite": suite} if checked else {"kind": kind},
    ).fetchall()
    return {(shop, sha): load_id for shop, sha, load_id in rows}


def mark_checked(con: duckdb.DuckDBPyConnection, files: dict[File, str], suite: str, run_id: str) -> None:
    """Record that `suite` has checked `files` ((shop id, sha256) -> the load id that loaded it) in run `run_id`."""
    if not files:
        return
    con.execute(CHECKED_DDL)
    con.execute(f"alter table {CHECKED_TABLE} add column if not exists shop_id varchar")  # a table from before
    con.execute(  # one statement: the first run on an older warehouse marks every file it holds
        f"insert into {CHECKED_TABLE} (shop_id, file_sha256, load_id, suite, run_id, checked_at) "
        "select unnest($shops::varchar[]), unnest($shas::varchar[]), unnest($loads::varchar[]), $suite, $run_id, "
        "now()::timestamp",
        {
            "shops": [shop for shop, _ in files],
            "shas": [sha for _, sha in files],
            "loads": list(files.values()),
            "suite": suite,
            "run_id": run_id,
        },
    )
