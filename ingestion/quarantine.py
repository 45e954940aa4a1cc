"""Quarantine: rows that cannot be parsed go to `raw._quarantine` (file, row, column, raw value, reason) and leave
the raw table, in the transaction that loaded them. One pass picks the rows with any problem (`_badrows`); the
per-column reasons are worked out on those few (`_bad`)."""

from __future__ import annotations

from ingestion.detect import FileLayout
from ingestion.manifest import RAW_SCHEMA
from ingestion.parsing import sql_str, type_conditions, value_checks
from ingestion.report import FileResult
from ingestion.session import Statements
from lapak.settings import now_wib


def _typed(layout: FileLayout) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """The file's columns with a type to check, and each column's header as SQL text (for the reasons)."""
    kind, present = layout.kind, set(layout.columns.values())
    header = {c: sql_str(layout.header[p]) for p, c in layout.columns.items()}
    return [(col, typ) for col, typ in kind.types.items() if col in present], header


def _reader_rejects(layout: FileLayout) -> str:
    """The lines DuckDB's CSV reader rejected (`_rejects`), one quarantine row each."""
    header_of = (
        "case " + " ".join(f"when column_idx = {i} then '{sql_str(h)}'" for i, h in enumerate(layout.header)) + " end"
    )
    return f"""select line as _line,
                case when bool_or(error_type in ('MISSING COLUMNS', 'TOO MANY COLUMNS')) then '(whole row)'
                     else arg_min({header_of}, column_idx) end as column_name,
                null::varchar as raw_value,  -- the line itself may hold buyer names, phones, addresses
                lower(replace(arg_min(error_type, column_idx), '_', ' ')) || ': '
                || arg_min(error_message, column_idx) as reason
            from _rejects group by line"""


def quarantine_file(
    db: Statements, layout: FileLayout, mine: str, result: FileResult, load_id: str
) -> tuple[int, int, int]:
    """Quarantine the bad rows of one file, whose rows in the raw table are `mine` (SQL over `$sha` and `$shop`:
    another shop may hold the same content), and the lines the CSV reader rejected. Returns (lines rejected by the
    reader, rows quarantined, rows taken out of the raw table)."""
    kind = layout.kind
    typed, header = _typed(layout)
    this_file = {"sha": result.sha256, "shop": result.shop_id}
    conds, any_bad = type_conditions(kind, typed)
    cols = ", ".join(f'"{c}"' for c in dict.fromkeys([kind.key, *(c for c, _ in typed)]))
    n_badrows = db.run(
        "validate",
        f"create temp table _badrows as select _source_row as _line, {cols} from {mine} and ({any_bad})",
        this_file,
    ).fetchone()[0]
    n_rejected = (
        db.run("counts", "select count(distinct line) from _rejects").fetchone()[0] if layout.fmt == "csv" else 0
    )
    checks = value_checks(kind, typed, header, conds) if n_badrows else []
    if n_rejected:
        checks.append(_reader_rejects(layout))
    n_bad = 0
    if checks:  # most files have no bad row: then there is nothing to plan (a dozen checks) or to write
        db.run("bad", f"create temp table _bad as {' union all '.join(checks)}")
        db.run(
            "quarantine",
            f"""insert into {RAW_SCHEMA}._quarantine
            select ?, ?, ?, ?, _line, column_name, raw_value, reason, ?, ? from _bad order by _line, column_name""",
            [result.shop_id, kind.name, result.source_file, result.sha256, load_id, now_wib()],
        )
        n_bad = db.run("counts", "select count(distinct _line) from _bad").fetchone()[0]
    removed = 0
    if n_bad > n_rejected:  # reject lines never reached the raw table; the other bad rows leave it
        removed = db.run(
            "delete",
            f"delete from {mine} and _source_row in (select _line from _badrows)",
            this_file,
        ).fetchone()[0]
    return n_rejected, n_bad, removed


def quarantine_batch(db: Statements, layout: FileLayout, load_id: str) -> dict[int, int]:
    """Quarantine the bad rows of a batch of workbooks (`_file` with `_fidx`, `_files`, as `load_workbooks` made
    them), in the order one by one would. Returns the rows quarantined per `_fidx` (files with none left out)."""
    kind = layout.kind
    typed, header = _typed(layout)
    conds, any_bad = type_conditions(kind, typed)
    needed = dict.fromkeys([kind.key, *(c for c, _ in typed)])
    by_name = {c: f"c{p}" for p, c in layout.columns.items()}
    values = ", ".join(f'{by_name.get(c, "null::varchar")} as "{c}"' for c in needed)
    db.run(
        "validate",
        f"create temp table _badrows as select * from (select _fidx, _line, {values} from _file) where {any_bad}",
    )
    if not db.con.execute("select count(*) from _badrows").fetchone()[0]:
        return {}
    checks = value_checks(kind, typed, header, conds, lead="_fidx, ")
    db.run("bad", f"create temp table _bad as {' union all '.join(checks)}")
    db.run(
        "quarantine",
        f"""insert into {RAW_SCHEMA}._quarantine
        select f.shop, ?, f.rel, f.sha, _line, column_name, raw_value, reason, ?, ?
        from _bad join _files as f using (_fidx) order by _fidx, _line, column_name""",
        [kind.name, load_id, now_wib()],
    )
    bad_in_file = dict(db.con.execute("select _fidx, count(distinct _line) from _bad group by 1").fetchall())
    db.run(
        "delete",
        f"""delete from {RAW_SCHEMA}.{kind.name} where (_shop_id, _file_sha256, _source_row) in
        (select f.shop, f.sha, b._line from _badrows as b join _files as f using (_fidx))""",  # this shop's copy
    )
    return bad_in_file
