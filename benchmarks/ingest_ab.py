"""Ingestion alone from two checkouts on the same landing folder, and what each leaves for the next writer.

    git worktree add /tmp/before <commit>          # or any clone of the commit to compare against
    .venv/bin/python benchmarks/ingest_ab.py --baseline /tmp/before --landing L --rounds 2

`ingest()` of `L` into a new warehouse, in a subprocess with the checkout's own code (this venv's packages),
the two checkouts taking turns. Prints for each run its wall time, the subprocess's peak RSS, then the row
groups of `raw.orders`, and the time of the next checkpoint any writer of the warehouse pays (dbt's first
model, say): a small table written, then CHECKPOINT. DuckDB merges partial row groups that lie close together
at a checkpoint, rewriting the full ones between them, so a load can leave work to whoever checkpoints next;
the row groups before and after that checkpoint say whether it did. Then medians, and this / the baseline.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.ab import commit, print_medians  # noqa: E402

CHILD = """
import json, resource, sys, time
from pathlib import Path
sys.path.insert(0, ".")
from ingestion.load import ingest
warehouse, landing = Path(sys.argv[1]), Path(sys.argv[2])
start = time.perf_counter()
report = ingest(warehouse, landing, warehouse.parent, load_id="ingest-ab")
seconds = time.perf_counter() - start
peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "peak_kib": peak_kib, "rows": report.totals()["rows_loaded"]}))
"""
# In a process of its own too: Linux carries a process's peak RSS into the children it starts, so a parent that
# had opened a warehouse would lend its peak to every later `ingest()`.
NEXT_WRITER = """
import json, sys, time
import duckdb
groups = "select count(distinct row_group_id) from pragma_storage_info('raw.orders')"
with duckdb.connect(sys.argv[1]) as con:
    before = con.execute(groups).fetchall()[0][0]
    con.execute("create table next_writer as select range as i from range(1000000)")
    start = time.perf_counter()
    con.execute("checkpoint")
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "before": before, "after": con.execute(groups).fetchall()[0][0]}))
"""
KEYS = ("wall", "ingest", "next_checkpoint", "peak_mib")


def _child(code: str, args: list[str], cwd: Path) -> dict:
    env = {**os.environ, "LAPAK_PII_KEY": "bench-0123456789abcdef0123456789abcdef"}
    done = subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"a child in {cwd} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_ingest(root: Path, landing: Path, home: Path) -> dict[str, float]:
    """One `ingest()` from `root` into a new warehouse under `home`, then the next writer's checkpoint."""
    home.mkdir(parents=True)
    warehouse = home / "warehouse.duckdb"
    started = time.perf_counter()
    child = _child(CHILD, [str(warehouse), str(landing)], root)
    wall = time.perf_counter() - started
    after = _child(NEXT_WRITER, [str(warehouse)], root)
    return {
        "wall": wall, "ingest": child["seconds"], "next_checkpoint": after["seconds"],
        "peak_mib": child["peak_kib"] / 1024, "rows": child["rows"], "groups_before": after["before"],
        "groups_after": after["after"],
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", required=True, help="a checkout of the commit to compare against")
    parser.add_argument("--landing", required=True, type=Path, help="a landing folder (benchmarks/run.py's)")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    roots = {"baseline": Path(args.baseline).resolve(), "this": ROOT}
    work = Path(tempfile.mkdtemp(prefix="lapak-ingest-ab-"))
    try:
        runs: dict[str, list[dict[str, float]]] = {name: [] for name in roots}
        for round_ in range(args.rounds):
            for name, root in roots.items():
                row = run_ingest(root, args.landing.resolve(), work / f"{name}-{round_}")
                runs[name].append(row)
                print(
                    f"round {round_ + 1} {name:>8}: wall {row['wall']:.1f}s, ingest() {row['ingest']:.1f}s, "
                    f"{row['rows']:,} rows loaded, peak {row['peak_mib']:.0f} MiB; raw.orders {row['groups_before']} "
                    f"row groups, the next checkpoint {row['next_checkpoint']:.2f}s -> {row['groups_after']}",
                    flush=True,
                )
                shutil.rmtree(work / f"{name}-{round_}", ignore_errors=True)
        print(
            f"\n{args.rounds} rounds, {os.cpu_count()} cores; medians, "
            f"this ({commit(ROOT)}) / baseline ({commit(roots['baseline'])})"
        )
        print_medians(runs, KEYS, width=15, places=2)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
