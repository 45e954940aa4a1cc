"""What the warm dbt server saves: `lapak run` on the same exports with and without it, taking turns.

    .venv/bin/python benchmarks/warm_dbt.py                 # 10k order lines, 3 rounds
    .venv/bin/python benchmarks/warm_dbt.py --scale 100k --rounds 2

Each round runs `lapak run` three times on a fresh home: with `LAPAK_WARM_DBT=off` (every dbt command a
new dbt process, importing dbt again), with a server that only imports dbt (`LAPAK_WARM_DBT_PARSE=off`),
and as lapak runs by default (orchestration/warm_dbt.py: the server imports dbt and runs one parse
before it forks the commands). They take turns so that a slower minute of the machine hits all three.
Prints each run's dbt stage, jobs total, process wall time and peak RSS, then the medians and their ratios
to the default (off / warm, imported / warm).
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

from benchmarks.run import SCALES, benchmark_landing, fmt_bytes, run_lapak  # noqa: E402
from orchestration.warm_dbt import ENV, OFF, PARSE_ENV  # noqa: E402

MODES = {"off": {ENV: OFF}, "imported": {PARSE_ENV: OFF}, "warm": {}}  # environment of each mode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="10k", choices=sorted(SCALES))
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="lapak-warm-dbt-"))
    try:
        landing = work / "landing"
        benchmark_landing(landing, SCALES[args.scale])
        runs: dict[str, list[dict]] = {mode: [] for mode in MODES}
        for round_ in range(args.rounds):
            for mode, env in MODES.items():
                home = work / f"home-{mode}-{round_}"
                for name in (ENV, PARSE_ENV):
                    os.environ.pop(name, None)
                os.environ.update(env)
                started = time.perf_counter()
                summary, peak = run_lapak(landing, home)
                for name in env:
                    os.environ.pop(name, None)
                row = {
                    "dbt": summary["stage_seconds"]["dbt"], "total": summary["seconds"], "wall": summary["wall_s"],
                    "peak": peak, "exit": summary["exit_code"], "took": time.perf_counter() - started,
                }  # fmt: skip
                runs[mode].append(row)
                print(
                    f"round {round_ + 1} {mode:>8}: dbt {row['dbt']:.1f}s, total {row['total']:.1f}s, "
                    f"wall {row['wall']:.1f}s, peak RSS {fmt_bytes(peak)}, exit {row['exit']}",
                    flush=True,
                )
                shutil.rmtree(home, ignore_errors=True)
        print(f"\n{args.scale} order lines, {args.rounds} rounds, {os.cpu_count()} cores: medians, each mode / warm")
        for key in ("dbt", "total", "wall"):
            median = {m: statistics.median(r[key] for r in runs[m]) for m in MODES}
            warm = median["warm"]
            shown = ", ".join(
                f"{m} {v:.1f}s = {v / warm:.2f}x ({v - warm:.1f}s saved)" for m, v in median.items() if m != "warm"
            )
            print(f"  {key:>5}: warm {warm:.1f}s; {shown}")
        peaks = ", ".join(f"{m} {fmt_bytes(statistics.median(r['peak'] for r in runs[m]))}" for m in MODES)
        print(f"   peak: {peaks}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
