"""What the warm dbt server saves: `lapak run` on the same exports with and without it, taking turns.

    .venv/bin/python benchmarks/warm_dbt.py                 # 10k order lines, 3 rounds
    .venv/bin/python benchmarks/warm_dbt.py --scale 100k --rounds 2

Each round runs `lapak run` twice on a fresh home: with `LAPAK_WARM_DBT=off` (every dbt command a new
dbt process, importing dbt again) and as lapak runs by default (orchestration/warm_dbt.py). The two
take turns so that a slower minute of the machine hits both. Prints each run's dbt stage, jobs total,
process wall time and peak RSS, then the medians' ratios (off / warm).
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.run import SCALES, fmt_bytes, run_lapak, shape, xlsx_orders_to_csv  # noqa: E402
from lapak.generate import generate  # noqa: E402
from orchestration.warm_dbt import ENV, OFF  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="10k", choices=sorted(SCALES))
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="lapak-warm-dbt-"))
    try:
        landing = work / "landing"
        generate(landing, seed=3, **shape(SCALES[args.scale]))
        xlsx_orders_to_csv(landing)
        runs: dict[str, list[dict]] = {"off": [], "warm": []}
        for round_ in range(args.rounds):
            for mode in ("off", "warm"):
                home = work / f"home-{mode}-{round_}"
                os.environ.pop(ENV, None)
                if mode == "off":
                    os.environ[ENV] = OFF
                started = time.perf_counter()
                summary, peak = run_lapak(landing, home)
                os.environ.pop(ENV, None)
                row = {
                    "dbt": summary["stage_seconds"]["dbt"], "total": summary["seconds"], "wall": summary["wall_s"],
                    "peak": peak, "exit": summary["exit_code"], "took": time.perf_counter() - started,
                }  # fmt: skip
                runs[mode].append(row)
                print(
                    f"round {round_ + 1} {mode:>4}: dbt {row['dbt']:.1f}s, total {row['total']:.1f}s, "
                    f"wall {row['wall']:.1f}s, peak RSS {fmt_bytes(peak)}, exit {row['exit']}",
                    flush=True,
                )
                shutil.rmtree(home, ignore_errors=True)
        print(f"\n{args.scale} order lines, {args.rounds} rounds, {os.cpu_count()} cores: medians, off / warm")
        for key in ("dbt", "total", "wall"):
            off, warm = (statistics.median(r[key] for r in runs[m]) for m in ("off", "warm"))
            print(f"  {key:>5}: off {off:.1f}s, warm {warm:.1f}s = {off / warm:.2f}x ({off - warm:.1f}s saved)")
        off, warm = (statistics.median(r["peak"] for r in runs[m]) for m in ("off", "warm"))
        print(f"   peak: off {fmt_bytes(off)}, warm {fmt_bytes(warm)}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
