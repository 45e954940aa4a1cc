"""Ingestion's validity checks and dbt's parsing macros must agree on every value.

Ingestion quarantines a row whose typed column does not look like a number / percentage / time
(`ingestion.parsing.TYPE_CHECKS`); staging parses the same text with dbt macros. A value ingestion lets
through must parse to the right number in staging, never to NULL.
"""

import os
import sys
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingestion.parsing import TYPE_CHECKS, TYPE_PATTERNS

DBT_DIR = Path(__file__).resolve().parent.parent / "dbt_project"
MACROS = {"idr": "parse_idr", "int": "parse_int", "pct": "parse_pct", "ts": "parse_wib_ts"}
# DuckDB's money and count parsers cast a plain number directly and send the rest through their patterns
FAST_PATHS = {"parse_idr": "duckdb__parse_idr_any_format", "parse_int": "duckdb__parse_int_any_format"}


def compile_select(select: str) -> str:
    """`select <select> from t` as dbt compiles it on DuckDB."""
    from dbt.cli.main import dbtRunner

    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    res = dbtRunner().invoke(
        ["compile", "--quiet", "--target", "lint", "--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR),
         "--inline", f"select {select} from t"]
    )  # fmt: skip
    assert res.success, res.exception
    return res.result.results[0].node.compiled_code


@pytest.fixture(scope="module")
def parsers() -> dict[str, str]:
    """The SQL each dbt macro compiles to on DuckDB, as an expression of column `v`."""
    assert Path(sys.executable).exists()
    select = ", ".join(f"{{{{ {macro}('v') }}}} as {typ}" for typ, macro in MACROS.items())
    paths = ", ".join(f"{{{{ {m}('v') }}}} as {m}, {{{{ {slow}('v') }}}} as {slow}" for m, slow in FAST_PATHS.items())
    return {"select": compile_select(select), "paths": compile_select(paths)}


def values_table(values: list[str]) -> duckdb.DuckDBPyConnection:
    """A connection with table `t`: one text column `v` holding `values`, in order."""
    con = duckdb.connect()
    con.execute("create table t (v varchar)")
    con.executemany("insert into t values (?)", [[v] for v in values])
    return con


def evaluate(parsers: dict[str, str], values: list[str]) -> list[tuple]:
    """(value, ingestion says valid per type..., parsed per type...) for each value."""
    con = values_table(values)
    valid = ", ".join(f"coalesce({TYPE_CHECKS[t].format(c='v')}, false) as ok_{t}" for t in MACROS)
    return con.execute(f"select v, {valid}, parsed.* from t positional join ({parsers['select']}) as parsed").fetchall()


def test_known_examples(parsers):
    cases = {
        "50000": ("idr", Decimal("50000")),
        "IDR 12.000": ("idr", Decimal("12000")),
        "Rp10.945.407": ("idr", Decimal("10945407")),
        "1407834.000": ("idr", Decimal("1407834")),
        "1,234,567": ("idr", Decimal("1234567")),
        "12.34%": ("pct", 0.1234),
        "0.5": ("pct", 0.5),
        "12.345": ("int", 12345),
        "03/11/2026 10:00:00": ("ts", datetime(2026, 11, 3, 10, 0)),
        "2026-11-01 19:30": ("ts", datetime(2026, 11, 1, 19, 30)),
    }
    rows = {r[0]: r for r in evaluate(parsers, list(cases))}
    order = list(MACROS)
    for value, (typ, expected) in cases.items():
        row = rows[value]
        assert row[1 + order.index(typ)], f"ingestion rejects {value!r} as {typ}"
        got = row[1 + len(order) + order.index(typ)]
        assert got == pytest.approx(expected) if isinstance(expected, float) else got == expected, (value, got)


money = st.one_of(
    st.integers(0, 10**12).map(str),
    st.integers(0, 10**12).map(lambda n: "IDR " + f"{n:,}".replace(",", ".")),
    st.integers(0, 10**12).map(lambda n: "Rp" + f"{n:,}".replace(",", ".")),
    # `1407834.000`: a decimal point. With 1-3 digits before it (`1.000`) the dot reads as a thousands
    # separator, as in every rupiah amount Seller Center writes that way (docs/formats.md).
    st.integers(1000, 10**9).map(lambda n: f"{n}.000"),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(money, min_size=1, max_size=30))
def test_every_money_format_parses_to_its_value(parsers, values):
    for row in evaluate(parsers, values):
        value, ok_idr, parsed = row[0], row[1], row[1 + len(MACROS)]
        assert ok_idr, value
        digits = value.replace("IDR ", "").replace("Rp", "").replace(".", "")
        plain_decimal = value[0].isdigit() and value.endswith(".000") and "." not in value[:-4]
        expected = Decimal(digits[:-3]) if plain_decimal else Decimal(digits)
        assert parsed == expected, (value, parsed)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet="0123456789.,%-: /RpIDR", max_size=14), min_size=1, max_size=40))
def test_whatever_ingestion_accepts_staging_parses(parsers, values):
    n = len(MACROS)
    for row in evaluate(parsers, values):
        for i, typ in enumerate(MACROS):
            if row[1 + i]:
                assert row[1 + n + i] is not None, f"{row[0]!r} passes ingestion as {typ} but staging parses NULL"


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(alphabet="0123456789.,-+ eE_x\tRpIDRidr", max_size=14),
            st.integers(-(10**15), 10**15).map(str),
            st.sampled_from(["1e3", "+12", " 12", "12 ", "1_000", "0x10", "12.000", "1,234", "IDR 0", "- 5", "1 000"]),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_the_plain_number_path_gives_what_the_patterns_give(parsers, values):
    """parse_idr / parse_int cast a value without a dot or comma directly: never another value than their patterns."""
    con = values_table(values)
    for row in con.execute(f"select t.v, parsed.* from t positional join ({parsers['paths']}) as parsed").fetchall():
        value, idr, idr_any, count, count_any = row
        assert idr == idr_any, (value, idr, idr_any)
        assert count == count_any, (value, count, count_any)


# a leading zero or sign, an exponent, the edges of a 64-bit whole number, a digit that is not ASCII
ODD_NUMBERS = [
    "007", "00", "-0", "+5", "1e3", "0x10", "1_000", "18446744073709551615", "18446744073709551616", "٣",
    " 12", "12 ", "IDR 0", "12%", "infinity", ":12", "/01/2024 10:00", "01/02/2024 10:00", "٣1/02/2024 10:00",
]  # fmt: skip


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(alphabet="0123456789.,-+ eE_x\tRpIDR", max_size=14),
            st.integers(-(10**20), 10**20).map(str),
            st.sampled_from(ODD_NUMBERS),
            st.datetimes().map(lambda d: d.strftime("%d/%m/%Y %H:%M:%S")),
            st.text(alphabet="0123456789/:- T٣", max_size=20),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_the_checks_accept_what_the_patterns_accept(values):
    """Ingestion's checks pass a plain number (`int`, `idr`) or test a time's first digit (`ts`) without the
    patterns: never another answer."""
    con = values_table(values)
    ways = [
        f"coalesce({checks[typ].format(c='v')}, false)"
        for typ in TYPE_PATTERNS
        for checks in (TYPE_CHECKS, TYPE_PATTERNS)
    ]
    for value, *answers in con.execute(f"select v, {', '.join(ways)} from t").fetchall():
        for i, typ in enumerate(TYPE_PATTERNS):
            assert answers[2 * i] == answers[2 * i + 1], (typ, value, answers[2 * i], answers[2 * i + 1])
