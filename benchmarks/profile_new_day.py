"""Where a new day's time (or memory) goes, process by process: `lapak run` of one new day under py-spy.

    pip install py-spy                                                        # not one of lapak's dependencies
    .venv/bin/python benchmarks/run.py --scales 5m --work W                   # builds W/5m/home
    .venv/bin/python benchmarks/profile_new_day.py --work W --scale 5m [--rate 100] [--top 25] [--keep S]
    .venv/bin/python benchmarks/profile_new_day.py --work W --scale 5m --full --rate 25   # a whole build instead
    .venv/bin/python benchmarks/profile_new_day.py --samples S --rate 100 --top 50        # samples kept earlier
    .venv/bin/python benchmarks/profile_new_day.py --work W --scale 5m [--full] --memory  # the memory peak

The same new day as `benchmarks/ab.py --mode new-day` (one day of one shop's orders on a copy of W's home), recorded by
`py-spy record --subprocesses` (active samples only: a thread py-spy sees idle, waiting on a lock or a socket, is
left out, though threads that poll, like multiprocessing's pool handlers, still show; DuckDB's own threads are
native and do not show, the Python frame that called it does). Prints, for
each process with samples (lapak's, each dbt command dagster-dbt started, Dagster's helpers), its
CPU seconds and the functions its samples were in (inclusive: a function counts with everything it called),
then lapak's stages. A profile, not a timing: sampling slows the run (use ab.py or run.py for times).
With `--full`, the same for a whole `lapak run` of W's landing into a new home. With `--memory`, no py-spy: the
peak RSS of the process tree and which processes held it, and the frames of lapak's own code its process was in at
its own peak (a sampler inside it, benchmarks/measure.py).
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.ab import NEW_FILE, new_day_export, new_day_paths  # noqa: E402
from benchmarks.measure import fmt_bytes, lapak_env, run_lapak  # noqa: E402
from benchmarks.run import SCALES  # noqa: E402

# frames every sample of a thread or a process starts with: they say nothing about where the time went
_PLUMBING = re.compile(
    r"^(Thread\._bootstrap|Thread\.run|_run_module_as_main|_run_code|<module> \(<string>|"
    r"_call_with_frames_removed|worker \(multiprocessing/pool)"
)


def profile(raw: Path) -> dict[str, collections.Counter]:
    """py-spy's raw (collapsed) samples, per process: the inclusive count of each frame (`function (file)`)."""
    per: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        procs = [i for i, f in enumerate(frames) if f.startswith("process ")]
        if not procs:
            continue
        process = frames[procs[-1]]
        n = int(count)
        per[process]["(all)"] += n
        seen = set()
        for frame in frames[procs[-1] + 1 :]:
            key = re.sub(r":\d+\)$", ")", frame)  # one entry per function, not per line
            if key not in seen and not _PLUMBING.match(key):
                per[process][key] += n
                seen.add(key)
    return per


def label(process: str) -> str:
    pid, _, cmd = process.removeprefix("process ").partition(":")
    cmd = cmd.strip('"')
    for marker, name in (
        ("lapak.cli run", "lapak run (Dagster, ingestion, checks, publish)"),
        ("bin/dbt ", "dbt (a command dagster-dbt started)"),
        ("watch_orphans", "Dagster's orphan watcher"),
        ("resource_tracker", "multiprocessing's resource tracker"),
    ):
        if marker in cmd:
            return f"{pid} {name}"
    return f"{pid} {cmd[:80] or '(py-spy read no command line)'}"


def print_profile(per: dict[str, collections.Counter], rate: int, top: int) -> None:
    """Each process with at least 0.1 s of CPU samples, busiest first: its CPU seconds and its `top` functions."""
    for process, counts in sorted(per.items(), key=lambda kv: -kv[1]["(all)"]):
        total = counts["(all)"]
        if total < rate / 10:
            continue
        print(f"\n{label(process)}: {total / rate:.1f} s of CPU")
        for frame, n in counts.most_common(top + 1):
            if frame != "(all)":
                print(f"  {100 * n / total:5.1f}%  {frame[:130]}")


def record_cpu(py_spy: str, lapak: list[str], raw: Path, args: argparse.Namespace) -> dict:
    """`lapak` under py-spy: prints the profile, returns lapak's JSON summary."""
    cmd = [py_spy, "record", "--subprocesses", "--format", "raw", "-r", str(args.rate), "-o", str(raw), "--"]
    proc = subprocess.run(cmd + lapak, cwd=ROOT, env=lapak_env(), capture_output=True, text=True)
    summary = None  # lapak's JSON summary, among py-spy's own lines
    if (start := proc.stdout.find("\n{")) >= 0 or proc.stdout.startswith("{"):
        summary = json.JSONDecoder().raw_decode(proc.stdout[start + 1 :])[0]
    if summary is None or summary.get("exit_code") != 0:
        raise SystemExit(f"lapak run failed under py-spy:\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}")
    if args.keep:
        shutil.copy(raw, args.keep)
    print(f"under py-spy ({args.rate} samples/s, CPU samples only)")
    print_profile(profile(raw), args.rate, args.top)
    return summary


def record_memory(landing: Path, home: Path, stacks: Path) -> dict:
    """`lapak run` with the process tree's sampler and lapak's stack sampler: prints both peaks, returns the summary."""
    summary, peak = run_lapak(landing, home, stacks=stacks)
    if summary.get("exit_code") != 0:
        keys = ("failed_steps", "step_errors", "checks_failed", "rejected_files", "skipped_files", "held_files")
        raise SystemExit(
            f"lapak run exited with {summary.get('exit_code')}: {[summary[k] for k in keys if summary.get(k)]}"
        )
    print(f"peak RSS of the process tree {fmt_bytes(peak)} {summary['peak']}")
    own = summary.get("lapak_peak") or {}
    print(f"lapak's own process: {own.get('rss')} at {own.get('at_s', 0):.0f} s, in (innermost first):")
    for frame in own.get("frames") or ["(no frame of lapak's code)"]:
        print(f"  {frame}")
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", help="benchmarks/run.py's --work folder, with <scale>/home")
    parser.add_argument("--scale", default="5m", choices=sorted(SCALES))
    parser.add_argument("--rate", type=int, default=100, help="samples per second")
    parser.add_argument("--top", type=int, default=25, help="functions to print per process")
    parser.add_argument("--keep", type=Path, help="also keep py-spy's raw samples in this file")
    parser.add_argument("--samples", type=Path, help="print the profile of raw samples kept with --keep; no run")
    parser.add_argument(
        "--full", action="store_true", help="profile a whole build of <work>/<scale>/landing into a new home instead"
    )
    parser.add_argument("--memory", action="store_true", help="where the memory peak is, instead of a CPU profile")
    args = parser.parse_args()
    if args.samples:
        print(f"{args.samples} ({args.rate} samples/s)")
        print_profile(profile(args.samples), args.rate, args.top)
        return
    if args.work is None:
        parser.error("--work is needed to run lapak (or --samples to read samples kept earlier)")
    py_spy = shutil.which("py-spy") or shutil.which("py-spy", path=str(Path(sys.executable).parent))
    if py_spy is None and not args.memory:
        raise SystemExit("py-spy is not installed (pip install py-spy): it is not one of lapak's dependencies")
    built, landing, shop = new_day_paths(Path(args.work), args.scale)
    work = Path(tempfile.mkdtemp(prefix="lapak-profile-"))
    try:
        home = work / "home"
        new_file = None
        if not args.full:  # a whole build reads the same landing as it is, into the new (empty) home
            export = new_day_export(work, args.scale)
            shutil.copytree(built, home, symlinks=True)
            new_file = shop / NEW_FILE
            shutil.copy(export, new_file)
        print(f"a full build of {args.scale}'s landing" if args.full else f"a new day on {args.scale}'s home")
        lapak = [sys.executable, "-m", "lapak.cli", "run", "--landing", str(landing), "--home", str(home), "--json"]
        try:
            if args.memory:
                summary = record_memory(landing, home, work / "stacks.json")
            else:
                summary = record_cpu(py_spy, lapak, work / "samples.txt", args)
        finally:
            if new_file is not None:
                new_file.unlink()
        stages = ", ".join(f"{k} {v:.2f} s" for k, v in summary["stage_seconds"].items())
        under = "" if args.memory else ", under the profiler"
        print(f"\nlapak's jobs: {summary['seconds']:.1f} s ({stages}){under}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
