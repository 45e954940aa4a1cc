"""Where a new day's time goes, process by process: `lapak run` of one new day under py-spy.

    pip install py-spy                                                        # not one of lapak's dependencies
    .venv/bin/python benchmarks/run.py --scales 5m --work W                   # builds W/5m/home
    .venv/bin/python benchmarks/profile_new_day.py --work W --scale 5m [--rate 100] [--top 25]
    .venv/bin/python benchmarks/profile_new_day.py --work W --scale 5m --full --rate 25   # a whole build instead

The same new day as `benchmarks/ab.py --mode new-day` (one day of one shop's orders on a copy of W's home), recorded by
`py-spy record --subprocesses` (active samples only: a thread py-spy sees idle, waiting on a lock or a socket, is
left out, though threads that poll, like multiprocessing's pool handlers, still show; DuckDB's own threads are
native and do not show, the Python frame that called it does). Prints, for
each process with samples (lapak's, the warm dbt server, each dbt command it forked, Dagster's helpers), its
CPU seconds and the functions its samples were in (inclusive: a function counts with everything it called),
then lapak's stages. A profile, not a timing: sampling slows the run (use ab.py or run.py for times).
With `--full`, the same for a whole `lapak run` of W's landing into a new home.
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
from benchmarks.run import SCALES, lapak_env  # noqa: E402

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
        ("orchestration.warm_dbt", "warm dbt (the server, or a dbt command it forked)"),
        ("lapak-dbt", "dbt client (hands a command to the warm dbt)"),
        ("watch_orphans", "Dagster's orphan watcher"),
        ("resource_tracker", "multiprocessing's resource tracker"),
    ):
        if marker in cmd:
            return f"{pid} {name}"
    return f"{pid} {cmd[:80] or '(py-spy read no command line)'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", required=True, help="benchmarks/run.py's --work folder, with <scale>/home")
    parser.add_argument("--scale", default="5m", choices=sorted(SCALES))
    parser.add_argument("--rate", type=int, default=100, help="samples per second")
    parser.add_argument("--top", type=int, default=25, help="functions to print per process")
    parser.add_argument("--keep", type=Path, help="also keep py-spy's raw samples in this file")
    parser.add_argument(
        "--full", action="store_true", help="profile a whole build of <work>/<scale>/landing into a new home instead"
    )
    args = parser.parse_args()
    py_spy = shutil.which("py-spy") or shutil.which("py-spy", path=str(Path(sys.executable).parent))
    if py_spy is None:
        raise SystemExit("py-spy is not installed (pip install py-spy): it is not one of lapak's dependencies")
    built, landing, shop = new_day_paths(Path(args.work), args.scale)
    work = Path(tempfile.mkdtemp(prefix="lapak-profile-"))
    try:
        home, raw = work / "home", work / "samples.txt"
        new_file = None
        if not args.full:  # a whole build reads the same landing as it is, into the new (empty) home
            export = new_day_export(work, args.scale)
            shutil.copytree(built, home)
            new_file = shop / NEW_FILE
            shutil.copy(export, new_file)
        lapak = [sys.executable, "-m", "lapak.cli", "run", "--landing", str(landing), "--home", str(home), "--json"]
        cmd = [py_spy, "record", "--subprocesses", "--format", "raw", "-r", str(args.rate), "-o", str(raw), "--"]
        try:
            proc = subprocess.run(cmd + lapak, cwd=ROOT, env=lapak_env(), capture_output=True, text=True)
        finally:
            if new_file is not None:
                new_file.unlink()
        summary = None  # lapak's JSON summary, among py-spy's own lines
        if (start := proc.stdout.find("\n{")) >= 0 or proc.stdout.startswith("{"):
            summary = json.JSONDecoder().raw_decode(proc.stdout[start + 1 :])[0]
        if summary is None or summary.get("exit_code") != 0:
            raise SystemExit(f"lapak run failed under py-spy:\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}")
        if args.keep:
            shutil.copy(raw, args.keep)
        per = profile(raw)
        what = f"a full build of {args.scale}'s landing" if args.full else f"a new day on {args.scale}'s home"
        print(f"{what} under py-spy ({args.rate} samples/s, CPU samples only)")
        for process, counts in sorted(per.items(), key=lambda kv: -kv[1]["(all)"]):
            total = counts["(all)"]
            if total < args.rate / 10:  # under 0.1 s of CPU
                continue
            print(f"\n{label(process)}: {total / args.rate:.1f} s of CPU")
            for frame, n in counts.most_common(args.top + 1):
                if frame != "(all)":
                    print(f"  {100 * n / total:5.1f}%  {frame[:130]}")
        stages = ", ".join(f"{k} {v:.2f} s" for k, v in summary["stage_seconds"].items())
        print(f"\nlapak's jobs: {summary['seconds']:.1f} s ({stages}), under the profiler")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
