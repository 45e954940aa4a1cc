"""How a text value of an export is cleaned, and when it parses: the typed contract that ingestion checks before it
loads a row and that the dbt parsing macros (dbt_project/macros/parsing.sql) turn into numbers and timestamps.

tests/test_parsing_agreement.py keeps the two in step: whatever ingestion accepts, staging parses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ingestion.detect import cell_text
from ingestion.formats import Kind

if TYPE_CHECKING:
    import pyarrow as pa

# How a typed text column must look to be loadable. The dbt macros in dbt_project/macros/parsing.sql
# turn the same shapes into numbers and timestamps; tests/test_parsing_agreement.py keeps them in step.
TS_FORMATS = ["%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S"]
TS_LIST = "[" + ", ".join(f"'{f}'" for f in TS_FORMATS) + "]"
TYPE_PATTERNS = {
    "int": r"regexp_full_match({c}, '-?(\d+|\d{{1,3}}([.,]\d{{3}})+)(\.0+)?')",
    "idr": r"regexp_full_match(regexp_replace({c}, '^(Rp|IDR)\s*', ''), "
    r"'-?(\d{{1,3}}(\.\d{{3}})+|\d{{1,3}}(,\d{{3}})+(\.\d+)?|\d+(\.\d+)?)')",
    "pct": r"regexp_full_match({c}, '-?\d+([.,]\d+)?%|-?\d*\.?\d+')",
    # a digit first: DuckDB also reads `infinity` as a time
    "ts": "regexp_matches({c}, '^\\d') and try_strptime({c}, " + TS_LIST + ") is not null",
}
# A plain number (nearly every money and count cell: `149000`, `0`) matches the `int` and `idr` patterns. It is
# the value that comes back from a cast to a whole number and back to text, a test that costs a fraction of the
# regular expressions (docs/performance.md, decision log); the rest (`IDR 12.000`, `007`, `+5`, `1e3`) still go
# through them, so the checks accept exactly what the patterns accept (tests/test_parsing_agreement.py).
_PLAIN_NUMBER = "cast(try_cast({c} as ubigint) as varchar) = {c}"
TYPE_CHECKS = TYPE_PATTERNS | {
    typ: f"(case when {_PLAIN_NUMBER} then true else {TYPE_PATTERNS[typ]} end)" for typ in ("int", "idr")
}
# `^\d` as two comparisons of text (the first byte an ASCII digit), not a regular expression
TYPE_CHECKS["ts"] = "({c} >= '0' and {c} < ':' and try_strptime({c}, " + TS_LIST + ") is not null)"
TYPE_NAMES = {"int": "whole number", "idr": "rupiah amount", "pct": "percentage", "ts": "date-time"}

EDGE_SPACE = "suffix({c}, E'\\t') or suffix({c}, ' ') or prefix({c}, ' ') or prefix({c}, E'\\t')"


_WS = "(9, 10, 13, 32)"  # tab, line feed, carriage return, space: what `clean_sql` trims


def clean_sql(col: str) -> str:
    """Trim spaces, tabs and line ends; '' and '--' are NULL.

    Same result as `trim(col, E' \\t\\r\\n')`, but the usual case, an ID or time with one tab after it and
    nothing else to trim, takes a cheap path (dropping the last character is ~5x cheaper than DuckDB's
    `trim` with a character set, which a million-line export pays on every tab-suffixed column)."""
    fast = f"suffix({col}, E'\\t') and ascii({col}) not in {_WS} and ascii(right({col}, 2)) not in {_WS}"
    slow = f"nullif(nullif(trim({col}, E' \\t\\r\\n'), ''), '--')"
    # (nullif repeats its argument when DuckDB expands it: only the rare slow path pays for that)
    return f"case when {fast} then nullif(left({col}, -1), '--') else {slow} end"


def clean_arrow(column: pa.ChunkedArray, pool: pa.MemoryPool) -> pa.ChunkedArray:
    """A text column trimmed of spaces, tabs and line ends, '' and '--' as NULL: `clean_sql` in Arrow."""
    import pyarrow as pa
    import pyarrow.compute as pc

    trimmed = pc.utf8_trim(column, characters=" \t\r\n", memory_pool=pool)
    if pc.sum(pc.binary_length(trimmed)).as_py() == pc.sum(pc.binary_length(column)).as_py():
        # nothing was trimmed (most columns), and `read_csv`'s `nullstr` made '' and '--' NULL already: the test and
        # copy below are skipped. The trimmed copy, not `column`, is returned, so that DuckDB's arrays can go (kept,
        # they raised the 5M ingest's peak: docs/performance.md, decision log)
        return trimmed
    empty = pc.is_in(trimmed, value_set=pa.array(["", "--"]), memory_pool=pool)
    return pc.if_else(empty, pa.scalar(None, trimmed.type), trimmed, memory_pool=pool)


def clean_cell(v: object) -> str | None:
    """A workbook cell as text, cleaned as `clean_sql` does in SQL: trimmed of spaces, tabs and line ends; '' and
    '--' are None."""
    if v is None:
        return None
    text = (v if type(v) is str else cell_text(v)).strip(" \t\r\n")
    return None if text in ("", "--") else text


def type_conditions(
    kind: Kind, typed: list[tuple[str, str]], checks: dict[str, str] = TYPE_CHECKS
) -> tuple[dict[str, str], str]:
    """Per typed column, the SQL condition of a value that cannot be parsed; and of a row with any problem.
    (`checks`: TYPE_CHECKS, or TYPE_PATTERNS, the patterns alone, which tests compare them with.)"""
    conds = {}
    for col, typ in typed:
        check = checks[typ].format(c=f'"{col}"')
        conds[col] = f'"{col}" is not null and not coalesce({check}, false)'
    return conds, " or ".join([f'"{kind.key}" is null', *conds.values()])


def value_checks(
    kind: Kind, typed: list[tuple[str, str]], header: dict[str, str], conds: dict[str, str], lead: str = ""
) -> list[str]:
    """Selects over `_badrows` of one quarantine reason per bad value (`lead`: columns selected first)."""
    key_name = header.get(kind.key, kind.key)
    checks = [
        f"""select {lead}_line, '{key_name}' as column_name, null::varchar as raw_value,
          'missing value: the row has data but no {key_name}' as reason
          from _badrows where "{kind.key}" is null"""
    ]
    for col, typ in typed:
        checks.append(
            f"""select {lead}_line, '{header[col]}', "{col}", 'not a valid {TYPE_NAMES[typ]}'
            from _badrows where {conds[col]}"""
        )
    return checks


def sql_str(s: str) -> str:
    """Escape text for a single-quoted SQL literal."""
    return s.replace("'", "''")
