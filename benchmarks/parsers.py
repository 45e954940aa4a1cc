"""The money and count parsers of staging, and ingestion's checks of the same columns, against their patterns alone.

    .venv/bin/python benchmarks/parsers.py                            # 1M order lines
    .venv/bin/python benchmarks/parsers.py --scale 100k --rounds 5

`parse_idr` and `parse_int` (dbt_project/macros/parsing.sql) cast a plain number (`50000`, `0`: nearly every
cell of an export) directly and send the rest (`IDR 12.000`, `1,234`) through the patterns that read every
format; `duckdb__parse_idr_any_format` / `duckdb__parse_int_any_format` are those patterns alone, as every
value went before. The benchmark's order exports (benchmarks/run.py's landing) are read into one table as raw
text, in a database file, compressed as the warehouse stores `raw.orders` (an in-memory table, uncompressed,
made both ways several times slower when this was written). Then the sum of each parser over every
money or count column of the order export is timed both ways, taking turns (medians); both must give the same
sums. Likewise ingestion's validity checks of every typed order column, money, counts and times
(`ingestion.parsing.TYPE_CHECKS`, which pass a plain number without the patterns and test a time's first digit
without one) against `TYPE_PATTERNS` alone: the count of values each rejects must agree.
"""

import argparse
import contextlib
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.run import SCALES, benchmark_landing, order_csvs  # noqa: E402
from ingestion.formats import KINDS  # noqa: E402
from ingestion.parsing import TYPE_CHECKS, TYPE_PATTERNS, type_conditions  # noqa: E402
from tests.test_parsing_agreement import compile_select  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="1m", choices=list(SCALES))
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    columns = {c: t for c, t in KINDS["orders"].types.items() if t in ("idr", "int")}
    macro = {"idr": "parse_idr", "int": "parse_int"}
    with tempfile.TemporaryDirectory() as tmp:
        landing = Path(tmp) / "landing"
        benchmark_landing(landing, SCALES[args.scale])
        files = [str(p) for p in order_csvs(landing)]
        con = duckdb.connect(str(Path(tmp) / "parsers.duckdb"))
        con.execute(
            "create table t as select * from read_csv($files, all_varchar = true, normalize_names = true, "
            "union_by_name = true, nullstr = ['', '--'])",
            {"files": files},
        )
        con.execute("checkpoint")
        n = con.execute("select count(*) from t").fetchone()[0]
        ways = {
            "patterns only": ", ".join(
                f"sum({{{{ duckdb__{macro[t]}_any_format('{c}') }}}})" for c, t in columns.items()
            ),
            "as compiled": ", ".join(f"sum({{{{ {macro[t]}('{c}') }}}})" for c, t in columns.items()),
        }
        with contextlib.redirect_stdout(io.StringIO()):  # dbt prints what it compiled
            sql = {way: compile_select(select) for way, select in ways.items()}
        checks = {
            "patterns only": TYPE_PATTERNS,
            "as ingestion": TYPE_CHECKS,
        }
        typed = list(KINDS["orders"].types.items())
        check_sql = {  # the count of values of each column that the check rejects, as ingestion tests them
            way: "select "
            + ", ".join(
                f"count(*) filter (where {cond})" for cond in type_conditions(KINDS["orders"], typed, found)[0].values()
            )
            + " from t"
            for way, found in checks.items()
        }
        times = {"parse": timed(con, sql, args.rounds), "check": timed(con, check_sql, args.rounds)}
        con.close()
    print(f"{n:,} order lines ({args.scale}), {len(columns)} columns ({', '.join(columns)}), {args.rounds} rounds")
    for what, label in (
        ("parse", "staging's parsers (sums)"),
        ("check", f"ingestion's checks, {len(KINDS['orders'].types)} columns (values rejected)"),
    ):
        results, took = times[what]
        if len(set(results.values())) != 1:
            raise SystemExit(f"{label}: the two ways disagree: {results}")
        print(f"{label}:")
        base = statistics.median(took["patterns only"])
        for way, ts in took.items():
            med = statistics.median(ts)
            print(f"  {way:<14} median {med:6.3f} s  ({med / base:.2f}x the patterns only)")


def timed(
    con: duckdb.DuckDBPyConnection, sql: dict[str, str], rounds: int
) -> tuple[dict[str, tuple], dict[str, list[float]]]:
    """Each way's result and its times over `rounds`, the ways taking turns."""
    times: dict[str, list[float]] = {way: [] for way in sql}
    results: dict[str, tuple] = {}
    for _ in range(rounds):
        for way, q in sql.items():
            start = time.perf_counter()
            results[way] = con.execute(q).fetchone()
            times[way].append(time.perf_counter() - start)
    return results, times


if __name__ == "__main__":
    main()
