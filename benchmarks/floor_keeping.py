"""The floor, against the floor of a pipeline that keeps what lapak keeps, on the same order CSVs.

    .venv/bin/python benchmarks/floor_keeping.py                       # 1M order lines, generated
    .venv/bin/python benchmarks/floor_keeping.py --landing W/5m/landing --rounds 1

benchmarks/run.py's floor (`FLOOR_SQL`) reads the seven columns it needs from the order CSVs, in memory, and
computes customers, the repeat rate and weekly LTV; it writes nothing. lapak keeps more, by design: every
column of every export in `raw.orders` (analysts and the quarantine trace a number back to its file and line),
and the newest version of every order line, every column, in `stg_tiktok__order_lines`, both in a database file.
The keeping floor is the least work of that: one DuckDB script that reads every column of the same CSVs as text
into a table of a database file, writes the newest version of each (order, SKU) with every column into a second
table, checkpoints both, then computes the same outputs as the floor from the second table. No trimming, no
checks, no quarantine, no lineage columns, no marts: a lower bound for any design that keeps those two copies.

Prints each one's time (medians, taking turns) and the keeping floor / the floor, the figure to set beside
lapak / floor from benchmarks/run.py. Both must give the same customers, repeat rate and LTV rows.
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.run import FLOOR_SQL, SCALES, benchmark_landing, floor, order_csvs, run_script  # noqa: E402

KEEP_SQL = """
create table raw_orders as
select * from read_csv($files, all_varchar = true, filename = true, union_by_name = true);

checkpoint;

create table order_lines as
select * from raw_orders
qualify row_number() over (
    partition by trim("Order ID", E'\\t '), trim("SKU ID", E'\\t ') order by filename desc
) = 1;

checkpoint
"""

# the floor's outputs from the kept newest versions instead of the CSVs
KEEP_OUTPUTS_SQL = FLOOR_SQL.replace(
    "from read_csv($files, all_varchar = true, filename = true, union_by_name = true) as a", "from order_lines as a"
)


def keeping_floor(files: list[Path], work: Path) -> tuple[float, dict, dict[str, float]]:
    """The keeping floor's time, its outputs and the time of each of its two parts."""
    path = work / "keeping.duckdb"
    path.unlink(missing_ok=True)
    start = time.perf_counter()
    con = duckdb.connect(str(path))
    run_script(con, KEEP_SQL, files)
    kept = time.perf_counter()
    run_script(con, KEEP_OUTPUTS_SQL, files)
    out = con.execute("select count(*), avg(is_repeat::int), (select count(*) from ltv) from customers").fetchone()
    con.close()
    end = time.perf_counter()
    path.unlink(missing_ok=True)
    outputs = {"customers": out[0], "repeat_rate": out[1], "ltv_rows": out[2]}
    return end - start, outputs, {"keep": kept - start, "outputs": end - kept}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="1m", choices=list(SCALES), help="generate a landing of this scale")
    parser.add_argument("--landing", help="a landing folder instead (benchmarks/run.py --work W: W/5m/landing)")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    assert "from read_csv($files" in FLOOR_SQL and KEEP_OUTPUTS_SQL != FLOOR_SQL, "the floor's source changed"
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        landing = Path(args.landing) if args.landing else work / "landing"
        if not args.landing:
            benchmark_landing(landing, SCALES[args.scale])
        files = order_csvs(landing)
        size = sum(f.stat().st_size for f in files)
        times: dict[str, list[float]] = {"floor": [], "keeping floor": []}
        parts: dict[str, list[float]] = {"keep": [], "outputs": []}
        for _ in range(args.rounds):
            took, floor_out = floor(files)
            times["floor"].append(took)
            took, keep_out, split = keeping_floor(files, work)
            times["keeping floor"].append(took)
            for part, secs in split.items():
                parts[part].append(secs)
            if floor_out != keep_out:
                raise SystemExit(f"the two disagree: floor {floor_out}, keeping floor {keep_out}")
    print(f"{len(files)} order CSVs, {size / 2**20:,.0f} MiB, {args.rounds} rounds; outputs {floor_out}")
    base = statistics.median(times["floor"])
    for name, ts in times.items():
        print(f"  {name:<14} median {statistics.median(ts):7.2f} s  ({statistics.median(ts) / base:.2f}x the floor)")
    print(
        f"  the keeping floor's parts: both copies written {statistics.median(parts['keep']):.2f} s, "
        f"the outputs from the newest versions {statistics.median(parts['outputs']):.2f} s"
    )


if __name__ == "__main__":
    main()
