"""What freezing the garbage collector's long-lived objects saves `lapak run` (lapak/cli.py), taking turns.

    .venv/bin/python benchmarks/gc_freeze.py                 # 10k order lines, 3 rounds
    .venv/bin/python benchmarks/gc_freeze.py --scale 100k --rounds 2

The `lapak` command calls `gc.freeze()` twice: once Dagster's, dbt's and lapak's definitions are imported
(the full collections during the run no longer walk them), and when the command is done (the interpreter's
teardown runs full collections over everything left; frozen objects are skipped). Each round runs `lapak
run` on a fresh home as it is (`frozen`), and with `gc.freeze` replaced by a no-op (`off`), in a wrapper
that times every collection (`gc.callbacks`) and notes when `main()` returned. Prints, per run and as
medians: the time in full (generation 2) and in all collections, the exit (from `main()` returning to the
process ending), the jobs' total and the process wall time.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.run import SCALES, benchmark_landing  # noqa: E402

WRAPPER = """
import gc, json, sys, time
sys.path.insert(0, {root!r})
if sys.argv[1] == "off":
    gc.freeze = lambda: None
took = {{0: 0.0, 1: 0.0, 2: 0.0}}
count = {{0: 0, 1: 0, 2: 0}}
started = []
def timed(phase, info):
    if phase == "start":
        started.append(time.perf_counter())
    else:
        took[info["generation"]] += time.perf_counter() - started.pop()
        count[info["generation"]] += 1
gc.callbacks.append(timed)
from lapak.cli import main
code = main(sys.argv[2:])
gc.callbacks.remove(timed)
report = {{"gc_full_s": took[2], "gc_full_n": count[2], "gc_s": sum(took.values()), "returned_at": time.time()}}
print("LAPAK_GC " + json.dumps(report), file=sys.stderr, flush=True)
sys.exit(code)
"""


def run(variant: str, landing: Path, home: Path, wrapper: Path) -> dict:
    env = {**os.environ, "LAPAK_PII_KEY": "bench-0123456789abcdef0123456789abcdef"}
    env.pop("LAPAK_HOME", None)
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, str(wrapper), variant, "run", "--landing", str(landing), "--home", str(home), "--json"],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    ended = time.time()
    wall = time.perf_counter() - started
    line = next((x for x in proc.stderr.splitlines() if x.startswith("LAPAK_GC ")), None)
    if line is None or not proc.stdout.strip():
        raise RuntimeError(f"lapak run failed:\n{proc.stderr[-3000:]}")
    report = json.loads(line.removeprefix("LAPAK_GC "))
    summary = json.loads(proc.stdout)
    return {
        "gc_full": report["gc_full_s"], "gc_full_n": report["gc_full_n"], "gc": report["gc_s"],
        "exit": ended - report["returned_at"], "total": summary["seconds"], "wall": wall,
        "code": summary["exit_code"],
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="10k", choices=sorted(SCALES))
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="lapak-gc-freeze-"))
    try:
        landing = work / "landing"
        benchmark_landing(landing, SCALES[args.scale])
        wrapper = work / "wrapper.py"
        wrapper.write_text(WRAPPER.format(root=str(ROOT)))
        runs: dict[str, list[dict]] = {"off": [], "frozen": []}
        for round_ in range(args.rounds):
            for variant, rows in runs.items():
                home = work / f"home-{variant}-{round_}"
                row = run(variant, landing, home, wrapper)
                rows.append(row)
                print(
                    f"round {round_ + 1} {variant:>6}: full collections {row['gc_full_n']} in {row['gc_full']:.2f}s, "
                    f"all collections {row['gc']:.2f}s, exit {row['exit']:.2f}s, total {row['total']:.1f}s, "
                    f"wall {row['wall']:.1f}s, exit code {row['code']}",
                    flush=True,
                )
                shutil.rmtree(home, ignore_errors=True)
        print(f"\n{args.scale} order lines, {args.rounds} rounds, {os.cpu_count()} cores: medians, frozen / off")
        for key in ("gc_full", "gc", "exit", "total", "wall"):
            off, frozen = (statistics.median(r[key] for r in runs[v]) for v in ("off", "frozen"))
            print(f"  {key:>7}: off {off:.2f}s, frozen {frozen:.2f}s = {frozen / off:.2f}x ({off - frozen:.2f}s saved)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
