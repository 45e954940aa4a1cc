"""Publishing the marts: a whole copy against an update in place of one shop's rows, taking turns.

Runs on a home that `benchmarks/run.py --work W` built (default: W/5m/home), read-only: the published file
it writes goes to a temporary folder. Each round times, on the same warehouse,

- **whole**: every mart copied into an empty file (what `publish` does after a full rebuild), checkpointed;
- **in place**: a file copy of the last published file, one shop's rows of every mart replaced in one
  transaction (what `publish` does after an agency's new day for one shop), checkpointed;

the shop changing each round, and prints medians, their ratio and the file's size after each update in
place (deleted rows leave free blocks that later inserts reuse). Parquet, `_published` and the reorder CSV
are the same work on both paths and are not timed here.

    .venv/bin/python benchmarks/publish.py --home W/5m/home [--rounds 12]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from orchestration.publish import STORAGE_VERSION, _shop_update, _whole_copy, mart_names


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", required=True, type=Path, help="a home built by benchmarks/run.py")
    parser.add_argument("--rounds", type=int, default=12)
    args = parser.parse_args()
    warehouse = args.home / "warehouse.duckdb"
    scratch = Path(tempfile.mkdtemp(prefix="lapak-publish-"))
    whole_s, in_place_s, sizes = [], [], []
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            names = mart_names(con, database="warehouse")
            shops = [r[0] for r in con.execute("select distinct shop_id from marts.customers order by 1").fetchall()]
            rows = sum(con.execute(f"select count(*) from marts.{n}").fetchone()[0] for n in names)
        published = scratch / "published.duckdb"
        for i in range(args.rounds):
            whole = scratch / "whole.duckdb"
            whole.unlink(missing_ok=True)
            con = duckdb.connect()
            con.execute(f"attach '{warehouse}' as wh (read_only)")
            started = time.perf_counter()
            con.execute(f"attach '{whole}' as pub (storage_version '{STORAGE_VERSION}')")
            _whole_copy(con, names)
            con.execute("checkpoint pub")
            con.execute("detach pub")
            whole_s.append(time.perf_counter() - started)
            if i == 0:
                shutil.copyfile(whole, published)
                sizes.append(published.stat().st_size)
            shop = shops[i % len(shops)]
            updated = scratch / "updated.duckdb"
            started = time.perf_counter()
            shutil.copyfile(published, updated)
            con.execute(f"attach '{updated}' as pub")
            if _shop_update(con, names, [shop]) is None:
                raise SystemExit("row counts disagree after the update: is the home's published copy current?")
            con.execute("checkpoint pub")
            con.execute("detach pub")
            in_place_s.append(time.perf_counter() - started)
            con.close()
            updated.replace(published)
            sizes.append(published.stat().st_size)
            print(
                f"round {i + 1}: whole {whole_s[-1]:.2f} s, in place ({shop}) {in_place_s[-1]:.2f} s, "
                f"file {sizes[-1] / 2**20:.0f} MiB",
                flush=True,
            )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    whole_med, in_place_med = statistics.median(whole_s), statistics.median(in_place_s)
    print()
    print(f"{len(names)} marts, {rows:,} rows, {len(shops)} shops; {args.rounds} rounds, medians:")
    print(f"  whole copy        {whole_med:.2f} s")
    print(f"  one shop in place {in_place_med:.2f} s  ({in_place_med / whole_med:.2f}x the whole copy)")
    print(f"  file: {sizes[0] / 2**20:.0f} MiB whole, {max(sizes) / 2**20:.0f} MiB at most after updates in place")


if __name__ == "__main__":
    main()
