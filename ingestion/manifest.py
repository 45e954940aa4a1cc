"""The raw schema's bookkeeping: the manifest (one row per file seen) and the quarantine (one row per problem), the
raw tables' columns, and the check that every row of the warehouse is accounted for by its manifest."""

from __future__ import annotations

import duckdb

from ingestion.formats import KINDS, LINEAGE_COLUMNS

RAW_SCHEMA = "raw"

MANIFEST_COLUMNS: dict[str, str] = {
    "file_sha256": "varchar not null",
    "source_file": "varchar not null",
    "shop_id": "varchar",
    "kind": "varchar",
    "layout": "varchar",
    "language": "varchar",
    "export_at": "timestamp",
    "period_start": "date",
    "period_end": "date",
    "rows_read": "bigint",
    "rows_loaded": "bigint",
    "rows_quarantined": "bigint",
    "rows_skipped": "bigint",
    "status": "varchar not null",
    "reason": "varchar",
    "schema_drift": "varchar",
    "ignored_columns": "varchar",
    "load_id": "varchar",
    "loaded_at": "timestamp",
    # added with the manifest-completeness work; older warehouses get them by `alter table`
    "duplicates_superseded": "bigint",
    "period_source": "varchar",  # 'preamble' ([Date Range] row) | 'data' (min/max of the rows' time)
    "encoding": "varchar",
    "file_size": "bigint",
    "missing_optional": "varchar",
    "file_mtime_ns": "bigint",  # with file_size: a file seen before at this path is not read or hashed again
}
MANIFEST_DDL = (
    f"create table if not exists {RAW_SCHEMA}._manifest ("
    + ", ".join(f"{c} {t}" for c, t in MANIFEST_COLUMNS.items())
    + ")"
)
QUARANTINE_DDL = f"""
create table if not exists {RAW_SCHEMA}._quarantine (
    shop_id varchar,
    kind varchar,
    source_file varchar,
    file_sha256 varchar,
    source_row bigint,
    column_name varchar,
    raw_value varchar,
    reason varchar,
    load_id varchar,
    quarantined_at timestamp
)"""


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"create schema if not exists {RAW_SCHEMA}")
    con.execute(MANIFEST_DDL)
    for c, t in MANIFEST_COLUMNS.items():
        con.execute(f"alter table {RAW_SCHEMA}._manifest add column if not exists {c} {t.replace(' not null', '')}")
    con.execute(QUARANTINE_DDL)
    # lapak once kept the whole text of a line the CSV reader rejected: buyers' names, phones and addresses
    con.execute(
        f"update {RAW_SCHEMA}._quarantine set raw_value = null "
        "where column_name = '(whole row)' and raw_value is not null"
    )
    for kind in KINDS.values():
        cols = [f'"{c}" varchar' for c in kind.columns]
        if kind.name == "orders":
            cols.append("customer_key varchar")
        cols += [f"{c} {t}" for c, t in LINEAGE_COLUMNS.items()]
        con.execute(f"create table if not exists {RAW_SCHEMA}.{kind.name} ({', '.join(cols)})")
        existing = {r[0] for r in con.execute(
            "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
            [RAW_SCHEMA, kind.name],
        ).fetchall()}  # fmt: skip
        for c in kind.columns:  # a format that learned a new column: add it, old rows get NULL
            if c not in existing:
                con.execute(f'alter table {RAW_SCHEMA}.{kind.name} add column "{c}" varchar')


def accounting_problems(con: duckdb.DuckDBPyConnection) -> list[dict[str, object]]:
    """Every way the warehouse could disagree with its manifest; empty when every row is accounted for.

    A file is its shop's content: (shop, sha256), since the same bytes in two shops' folders load once for each.

    - a loaded file whose rows read <> rows loaded + rows quarantined,
    - a loaded file whose raw / quarantine rows differ from the manifest's counts,
    - raw or quarantine rows of a file the manifest does not list as loaded (a partial load),
    - a file (shop, sha256) listed as loaded more than once.
    """
    union = " union all ".join(
        f"select _shop_id as shop, _file_sha256 as sha, count(*) as n from {RAW_SCHEMA}.{kind.name} group by all"
        for kind in KINDS.values()
    )
    rows = con.execute(
        f"""with loaded as (select shop, sha, sum(n) as n from ({union}) group by all),
        quarantined as (
            select shop_id as shop, file_sha256 as sha, count(distinct source_row) as n
            from {RAW_SCHEMA}._quarantine group by all
        ),
        manifest as (
            select shop_id as shop, file_sha256 as sha, count(*) as entries, any_value(source_file) as source_file,
                   sum(rows_read) as rows_read, sum(rows_loaded) as rows_loaded,
                   sum(rows_quarantined) as rows_quarantined
            from {RAW_SCHEMA}._manifest where status = 'loaded' group by all
        )
        select coalesce(m.source_file, '(not in the manifest) ' || coalesce(shop, '(no shop)') || ' ' || sha)
                   as source_file,
               m.entries, m.rows_read, m.rows_loaded, m.rows_quarantined,
               coalesce(l.n, 0) as in_raw, coalesce(q.n, 0) as in_quarantine
        from manifest as m
        full outer join loaded as l using (shop, sha)
        full outer join quarantined as q using (shop, sha)
        where m.sha is null
           or m.entries <> 1
           or m.rows_read <> m.rows_loaded + m.rows_quarantined
           or coalesce(l.n, 0) <> m.rows_loaded
           or coalesce(q.n, 0) <> m.rows_quarantined
        order by 1"""
    ).fetchall()
    keys = [
        "source_file",
        "manifest_entries",
        "rows_read",
        "rows_loaded",
        "rows_quarantined",
        "in_raw",
        "in_quarantine",
    ]
    return [dict(zip(keys, r, strict=True)) for r in rows]
