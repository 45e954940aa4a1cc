"""Many order exports: the edge scan of a file two ways, and ingestion of many files with each, taking turns.

    .venv/bin/python benchmarks/ingest_files.py                          # the 100k sample's order CSVs
    .venv/bin/python benchmarks/ingest_files.py --landing W/5m/landing --shops 2 --rounds 2

A year of a busy shop is a few hundred order exports of ~10,000 lines, not one big file; per line that took
several times the 1M-line file of benchmarks/ingest_throughput.py (docs/performance.md). Part of it is cost
per file: DuckDB plans each statement again, and the edge scan (which columns have spaces or tabs to trim,
ingestion/load.py) tests four things on every column, ~260 expressions for an order export.

1. The edge scan alone, on `_file` tables read from an export of the landing: one data row, the export, and
   the export's rows ten times over; with one test per column (as before) and with one test over every value
   (UNPIVOT, as lapak now does up to `UNPIVOT_ROWS` rows). Best of 5; both find the same columns.
2. `ingest()` of the order CSVs of the first `--shops` shops into fresh warehouses (one loader), taking turns:
   as it is (a file of up to `ARROW_FILE_BYTES` read into Arrow and trimmed there); with `ARROW_FILE_BYTES = 0`
   (every file read into a DuckDB temp table, its columns to trim found by the edge scan over every value); and
   with `UNPIVOT_ROWS = 0` too (the edge scan one test per column). Prints each one's time and edge scans, and
   the medians against the first.
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.run import SCALES, benchmark_landing, order_csvs  # noqa: E402
from ingestion import load  # noqa: E402


def read_into_file(con: duckdb.DuckDBPyConnection, path: Path, times: int, rows: int | None, work: Path) -> int:
    """`_file` as ingestion reads it: every column text, from `path`'s data rows (the first `rows`), `times` over."""
    lines = path.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    body = lines[1 : 1 + rows] if rows else lines[1:]
    copy = work / "edges.csv"
    with copy.open("w", encoding="utf-8") as out:
        out.write(lines[0])
        for _ in range(times):
            out.writelines(body)
    n = len(lines[0].split(","))  # the order header has no quoted comma
    cols = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(n)) + "}"
    con.execute("drop table if exists _file")
    con.execute(
        f"""create temp table _file as select * from read_csv(?, header = false, skip = 1, columns = {cols},
        delim = ',', quote = '"', escape = '"', strict_mode = false, null_padding = true,
        nullstr = ['', '--', E'\\t'], auto_detect = false)""",
        [str(copy)],
    )
    return n


def edge_queries(n: int) -> tuple[str, str]:
    tests = ", ".join(f"bool_or({load._EDGE_SPACE.format(c=f'c{p}')})" for p in range(n))
    per_column = f"select {tests} from _file"
    columns = ", ".join(f"c{p}" for p in range(n))
    unpivot = (
        f"select name from (unpivot (select {columns} from _file) on columns(*) into name name value v) "
        f"group by name having bool_or({load._EDGE_SPACE.format(c='v')})"
    )
    return per_column, unpivot


def best(con: duckdb.DuckDBPyConnection, sql: str, repeat: int = 5) -> tuple[float, list]:
    times, out = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        out = con.execute(sql).fetchall()
        times.append(time.perf_counter() - started)
    return min(times), out


def edge_scans(export: Path, work: Path) -> None:
    con = duckdb.connect()
    print(f"edge scan of `_file` read from {export.name} (best of 5)")
    for label, times, rows in (("1 row", 1, 1), ("one export", 1, None), ("the export x10", 10, None)):
        n = read_into_file(con, export, times, rows, work)
        count = con.execute("select count(*) from _file").fetchone()[0]
        per_column, unpivot = edge_queries(n)
        t_col, flags = best(con, per_column)
        t_unp, names = best(con, unpivot)
        same = {f"c{p}" for p, flag in enumerate(flags[0]) if flag} == {name for (name,) in names}
        print(
            f"  {label:>15} ({count:>7,} rows): one test per column {t_col * 1000:6.1f} ms, over every value "
            f"{t_unp * 1000:6.1f} ms = {t_unp / t_col:.2f}x; same columns: {same}"
        )
    con.close()


VARIANTS: dict[str, dict[str, int]] = {
    "as it is": {},
    "temp table per file": {"ARROW_FILE_BYTES": 0},
    "temp table, test per column": {"ARROW_FILE_BYTES": 0, "UNPIVOT_ROWS": 0},
}


def ingest_once(landing: Path, work: Path, settings: dict[str, int]) -> tuple[float, float]:
    """Seconds of `ingest()` into a fresh warehouse (one loader), with `settings` of ingestion/load.py changed,
    and of its edge scans."""
    home = work / "home"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir()
    before = {name: getattr(load, name) for name in settings}
    for name, value in settings.items():
        setattr(load, name, value)
    edges: list[float] = []
    real_sql = load.Loader._sql

    def timed(self, label, sql, params=None):
        started = time.perf_counter()
        try:
            return real_sql(self, label, sql, params)
        finally:
            if label == "edges":
                edges.append(time.perf_counter() - started)

    load.Loader._sql = timed
    try:
        started = time.perf_counter()
        report = load.ingest(home / "warehouse.duckdb", landing, home, load_id="bench", workers=1)
        took = time.perf_counter() - started
    finally:
        load.Loader._sql = real_sql
        for name, value in before.items():
            setattr(load, name, value)
        shutil.rmtree(home, ignore_errors=True)
    assert not report.rejected, [r.reason for r in report.rejected]
    return took, sum(edges)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--landing", type=Path, help="a landing folder (default: generate the 100k sample)")
    parser.add_argument("--shops", type=int, default=3, help="the order CSVs of this many shops")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("LAPAK_PII_KEY", "bench-0123456789abcdef0123456789abcdef")
    work = Path(tempfile.mkdtemp(prefix="lapak-ingest-files-"))
    try:
        source = args.landing
        if source is None:
            source = work / "generated"
            benchmark_landing(source, SCALES["100k"])
        landing = work / "landing"
        shops = sorted(p for p in source.iterdir() if p.is_dir())[: args.shops]
        files = [f for shop in shops for f in order_csvs(shop)]
        for f in files:
            (landing / f.parent.name).mkdir(parents=True, exist_ok=True)
            shutil.copy2(f, landing / f.parent.name / f.name)
        lines = sum(sum(1 for _ in f.open("rb")) - 1 for f in files)
        print(f"{len(files)} order CSVs of {len(shops)} shops, {lines:,} lines\n")
        edge_scans(max(files, key=lambda f: f.stat().st_size), work)
        runs: dict[str, list[tuple[float, float]]] = {name: [] for name in VARIANTS}
        print(f"\ningest() of the {len(files)} files, one loader, fresh warehouses, taking turns")
        for round_ in range(args.rounds):
            for name, settings in VARIANTS.items():
                took, edges = ingest_once(landing, work, settings)
                runs[name].append((took, edges))
                print(f"  round {round_ + 1} {name:>29}: {took:6.1f}s, of which edge scans {edges:5.1f}s", flush=True)
        print(f"\nmedians of {args.rounds} rounds")
        now = statistics.median(t for t, _ in runs["as it is"])
        for name in VARIANTS:
            took, edges = (statistics.median(x[i] for x in runs[name]) for i in (0, 1))
            print(
                f"  {name:>29}: ingest {took:6.1f}s (as it is / this = {now / took:.2f}x), edge scans {edges:5.1f}s, "
                f"{lines / took:,.0f} lines/s"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
