"""Which loaded files each raw suite has checked, so that no loaded file goes unchecked.

A run killed after ingestion committed but before its checks leaves files loaded that no check has seen.
The raw suites (quality/suites.py) therefore validate every loaded file that has no row for them in
`raw._checked_files`, whichever run loaded it, and a file gets its row once its check is done (passed,
or held). A row names the load too: a held file that a later run loads again is checked again. The
table is quality's own: the manifest (`raw._manifest`) belongs to ingestion. A warehouse from before
this table checks every file it holds once.
"""

from __future__ import annotations

import duckdb

CHECKED_TABLE = "raw._checked_files"
CHECKED_DDL = f"""create table if not exists {CHECKED_TABLE} (
    file_sha256 varchar not null,
    load_id varchar,
    suite varchar not null,
    run_id varchar,
    checked_at timestamp
)"""


def _exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    schema, name = table.split(".")
    return bool(
        con.execute(
            "select count(*) from duckdb_tables() where schema_name = $schema and table_name = $name",
            {"schema": schema, "name": name},
        ).fetchone()[0]
    )


def unchecked_files(con: duckdb.DuckDBPyConnection, suite: str, kind: str) -> dict[str, str]:
    """The loaded files of `kind` that `suite` has not checked yet: sha256 -> the load id that loaded it."""
    if not _exists(con, "raw._manifest"):
        return {}
    checked = ""
    if _exists(con, CHECKED_TABLE):  # read-only here: a warehouse without the table has checked nothing yet
        checked = f"""and not exists (select 1 from {CHECKED_TABLE} as c
            where c.suite = $suite and c.file_sha256 = m.file_sha256 and c.load_id is not distinct from m.load_id)"""
    rows = con.execute(
        f"""select file_sha256, max(load_id) from raw._manifest as m
        where status = 'loaded' and kind = $kind {checked}
        group by file_sha256 order by file_sha256""",
        {"kind": kind, "suite": suite} if checked else {"kind": kind},
    ).fetchall()
    return dict(rows)


def mark_checked(con: duckdb.DuckDBPyConnection, files: dict[str, str], suite: str, run_id: str) -> None:
    """Record that `suite` has checked `files` (sha256 -> the load id that loaded it) in run `run_id`."""
    if not files:
        return
    con.execute(CHECKED_DDL)
    con.execute(  # one statement: the first run on an older warehouse marks every file it holds
        f"insert into {CHECKED_TABLE} select unnest($shas::varchar[]), unnest($loads::varchar[]), $suite, $run_id, "
        "now()::timestamp",
        {"shas": list(files), "loads": list(files.values()), "suite": suite, "run_id": run_id},
    )
