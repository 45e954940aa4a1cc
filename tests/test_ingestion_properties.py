"""Property-based tests (hypothesis): the value checks ingestion quarantines by, and whole generated order
files with injected faults, where every row must end up loaded or quarantined on its own line."""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingestion.formats import ORDER_HEADERS_CURRENT, ORDER_TAB_SUFFIXED
from ingestion.load import ingest
from ingestion.manifest import accounting_problems
from ingestion.parsing import TYPE_CHECKS, clean_cell, clean_sql
from tests.exports import order_row

_con = duckdb.connect()


def accepted(typ: str, values: list[str]) -> list[bool]:
    """What ingestion's check for `typ` says about each (already trimmed) value."""
    cond = TYPE_CHECKS[typ].format(c="v")
    rows = _con.execute(
        f"select coalesce({cond}, false) from (select unnest($v::varchar[]) as v, generate_subscripts($v, 1) as i) "
        "order by i",
        {"v": values},
    ).fetchall()
    return [r[0] for r in rows]


def dotted(n: int) -> str:
    return f"{n:,}".replace(",", ".")


amounts = st.integers(0, 10**13)
money = st.one_of(
    amounts.map(str),  # 50000
    amounts.map(lambda n: "IDR " + dotted(n)),  # IDR 12.000
    amounts.map(lambda n: "Rp" + dotted(n)),  # Rp10.945.407
    st.integers(1000, 10**12).map(lambda n: f"{n}.000"),  # 1407834.000
    amounts.map(lambda n: f"{n:,}"),  # 1,234,567
    amounts.map(lambda n: "-" + str(n)),  # refunds written negative
)
whole = st.one_of(st.integers(-(10**12), 10**12).map(str), st.integers(1000, 10**12).map(dotted))
percentages = st.one_of(
    st.floats(0, 1000, allow_nan=False).map(lambda x: f"{x:.2f}%"),
    st.floats(0, 1000, allow_nan=False).map(lambda x: f"{x:.2f}%".replace(".", ",")),
    st.floats(0, 1, allow_nan=False).map(lambda x: f"{x:.4f}"),
)
moments = st.datetimes(datetime(2000, 1, 1), datetime(2099, 12, 31))
timestamps = st.one_of(
    moments.map(lambda d: d.strftime("%d/%m/%Y %H:%M:%S")),  # order exports, WIB
    moments.map(lambda d: d.strftime("%Y-%m-%d %H:%M")),  # analytics exports
    moments.map(lambda d: d.strftime("%Y-%m-%d %H:%M:%S")),
)
# text with at least one letter that is not part of a currency prefix: never a number of any kind
wordy = st.text(min_size=1, max_size=12).filter(lambda s: any(c.isalpha() and c not in "RpIDR" for c in s))


@settings(max_examples=60, deadline=None)
@given(st.lists(money, min_size=1, max_size=40))
def test_every_rupiah_form_seller_center_writes_is_accepted(values):
    assert all(accepted("idr", values)), values


@settings(max_examples=60, deadline=None)
@given(st.lists(whole, min_size=1, max_size=40))
def test_whole_numbers_are_accepted(values):
    assert all(accepted("int", values)), values


@settings(max_examples=60, deadline=None)
@given(st.lists(percentages, min_size=1, max_size=40))
def test_percentages_are_accepted(values):
    assert all(accepted("pct", values)), values


@settings(max_examples=60, deadline=None)
@given(st.lists(timestamps, min_size=1, max_size=40))
def test_every_valid_time_is_accepted(values):
    assert all(accepted("ts", values)), values


@settings(max_examples=80, deadline=None)
@given(st.lists(wordy, min_size=1, max_size=40))
def test_words_are_never_numbers_or_times(values):
    for typ in ("idr", "int", "pct", "ts"):
        assert not any(accepted(typ, values)), (typ, values)


edge_text = st.text(alphabet=st.sampled_from([" ", "\t", "\r", "\n", "a", "-", "é", "😀", "\u0301", "\u00a0", "0"]))


@settings(max_examples=80, deadline=None)
@given(st.lists(edge_text, min_size=1, max_size=60))
def test_the_cheap_trim_is_the_trim(values):
    """`clean_sql` takes a shortcut for `value + tab`; it must give exactly what trimming gives, for any text."""
    reference = "nullif(nullif(trim(v, E' \\t\\r\\n'), ''), '--')"
    rows = _con.execute(
        f"select v, {clean_sql('v')}, {reference} from (select unnest($v::varchar[]) as v)", {"v": values}
    ).fetchall()
    assert [r[1] for r in rows] == [r[2] for r in rows], rows


@settings(max_examples=80, deadline=None)
@given(st.lists(edge_text, min_size=1, max_size=60))
def test_workbook_cells_are_cleaned_as_sql_cleans_csv_values(values):
    """XLSX cells are trimmed in Python before DuckDB sees them; the result must be what `clean_sql` gives."""
    rows = _con.execute(f"select {clean_sql('v')} from (select unnest($v::varchar[]) as v)", {"v": values}).fetchall()
    assert [clean_cell(v) for v in values] == [r[0] for r in rows]


@settings(max_examples=60, deadline=None)
@given(st.dates(), st.integers(1, 99))
def test_impossible_calendar_dates_are_rejected(day, bump):
    """dd/mm/yyyy with a day past the end of its month (31/02, 32/01 …) is not a date-time."""
    bad_day = 28 + bump if bump < 4 else 31 + bump  # 29..31 or 32+
    text = f"{bad_day:02d}/{day.month:02d}/{day.year:04d} 10:00:00"
    try:
        datetime.strptime(text, "%d/%m/%Y %H:%M:%S")
        valid = True
    except ValueError:
        valid = False
    assert accepted("ts", [text]) == [valid]


# ---------------------------------------------------------------------------------------------
# Whole files with injected faults
# ---------------------------------------------------------------------------------------------

# fault -> (column, value) written into the row, and whether the row must be quarantined
CELL_FAULTS = {
    "bad_number": ("Quantity", "dua", True),
    "bad_date": ("Created Time", "31/02/2026 10:00:00", True),
    "bad_money": ("SKU Subtotal After Discount", "Rp 12,5 ribu", True),
    "no_order_id": ("Order ID", "", True),
    "padded_text": ("Product Name", "  Kopi Gayo  ", False),
    "dashes": ("Cancel Reason", "--", False),
    "line_break": ("Seller Note", "kirim pagi\njangan dibanting", False),
    "accent": ("Product Name", "Café Crème", False),
    "other_money": ("Order Amount", "IDR 1.407.834", False),
}
LINE_FAULTS = ("short_row", "long_row")  # wrong column count: quarantined by the CSV reader
FAULTS = ["none", *CELL_FAULTS, *LINE_FAULTS, "blank_line_before"]


def csv_cell(header: str, value: str) -> str:
    if header in ORDER_TAB_SUFFIXED:
        value += "\t"
    if any(ch in value for ch in ',"\n\r'):
        value = '"' + value.replace('"', '""') + '"'
    return value


@st.composite
def order_files(draw):
    faults = draw(st.lists(st.sampled_from(FAULTS), min_size=1, max_size=25))
    headers = list(ORDER_HEADERS_CURRENT)
    if draw(st.booleans()):
        headers = draw(st.permutations(headers))
    encoding = draw(st.sampled_from(["utf-8-sig", "utf-8", "cp1252"]))
    trailing_newline = draw(st.booleans())
    return faults, headers, encoding, trailing_newline


def build(faults, headers, encoding, trailing_newline):
    """The file's bytes and, per data row, (order id or None, first line, quarantined?)."""
    lines = [",".join(headers)]
    line_no = 1
    expected = []
    for i, fault in enumerate(faults):
        if fault == "blank_line_before":
            lines.append("")
            line_no += 1
        row = order_row(**{"Order ID": f"5760{i:014d}"})
        quarantined = False
        if fault in CELL_FAULTS:
            col, value, quarantined = CELL_FAULTS[fault]
            row[col] = value
        text = ",".join(csv_cell(h, row[h]) for h in headers)
        if fault == "short_row":
            text, quarantined = ",".join(text.split(",")[:3]), True
        elif fault == "long_row":
            text, quarantined = text + ",extra", True
        lines.append(text)
        expected.append((row["Order ID"] or None, line_no + 1, quarantined))
        line_no += 1 + text.count("\n")
    body = "\n".join(lines) + ("\n" if trailing_newline else "")
    return body.encode(encoding), expected


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(order_files())
def test_generated_files_with_faults_lose_nothing(spec):
    faults, _headers, _encoding, trailing_newline = spec
    data, expected = build(*spec)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        path = root / "landing" / "toko-prop" / "Semua pesanan-2026-11-05-10_00.csv"
        path.parent.mkdir(parents=True)
        path.write_bytes(data)
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("LAPAK_PII_KEY", "prop-key-0123456789abcdef0123456789abcdef")
            (f,) = ingest(root / "w.duckdb", root / "landing", root, load_id="prop").files
        last_is_short = not trailing_newline and faults[-1] == "short_row"
        if last_is_short:  # an incomplete last line with no line end: a truncated download
            assert f.status == "rejected" and "truncated" in f.reason
            return
        assert f.status == "loaded", f.reason
        want_loaded = [(oid, line) for oid, line, q in expected if not q]
        want_quarantined = sorted(line for _, line, q in expected if q)
        assert (f.rows_read, f.rows_loaded, f.rows_quarantined) == (
            len(expected),
            len(want_loaded),
            len(want_quarantined),
        )
        with duckdb.connect(str(root / "w.duckdb"), read_only=True) as con:
            got = con.execute("select order_id, _source_row from raw.orders order by _source_row").fetchall()
            quarantined = con.execute("select distinct source_row from raw._quarantine order by 1").fetchall()
            names = {r[0] for r in con.execute("select product_name from raw.orders").fetchall()}
            assert accounting_problems(con) == []
        assert got == want_loaded
        assert [q[0] for q in quarantined] == want_quarantined
        assert names <= {"Kopi Arabika Gayo 250g", "Kopi Gayo", "Café Crème"}


@pytest.mark.parametrize("digits", ["000000000000000001", "576000187512345678", "0012"])
def test_ids_stay_text_exactly(tmp_path, monkeypatch, digits):
    monkeypatch.setenv("LAPAK_PII_KEY", "k-0123456789abcdef0123456789abcdef")
    path = tmp_path / "landing" / "toko" / "orders.csv"
    path.parent.mkdir(parents=True)
    row = order_row(**{"Order ID": digits, "SKU ID": "1729" + digits})
    path.write_bytes(
        (",".join(ORDER_HEADERS_CURRENT) + "\n" + ",".join(csv_cell(h, row[h]) for h in ORDER_HEADERS_CURRENT) + "\n")
        .encode("utf-8-sig")
    )  # fmt: skip
    ingest(tmp_path / "w.duckdb", tmp_path / "landing", tmp_path, load_id="ids")
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        assert con.execute("select order_id, sku_id from raw.orders").fetchall() == [(digits, "1729" + digits)]
