"""`lapak run` from two checkouts on the same exports, each in fresh homes, taking turns.

    git worktree add /tmp/before <commit>          # or any clone of the commit to compare against
    .venv/bin/python benchmarks/ab.py --baseline /tmp/before              # 10k order lines, 3 rounds
    .venv/bin/python benchmarks/ab.py --baseline /tmp/before --scale 100k --rounds 2

What a change buys the whole command, as a user runs it: each run is `lapak run` in a new home, a
subprocess with the checkout's own code and its own dbt project (its partial-parse state included), this
venv's packages. Each checkout first runs once untimed on 10k lines (its first dbt parse, its first run). Prints per run
and as medians: the process wall (interpreter start to exit), the jobs' total (what benchmarks/run.py
calls `total`), the rest of the wall (imports, the Dagster instance, whatever precedes the first step and
follows the last), the stages, and peak RSS of the process tree; then this checkout / the baseline, and the
same for dbt's steps and slowest nodes (`--nodes`), from the run results of each checkout's newest dbt targets.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.dbt_steps import newest_targets  # noqa: E402
from benchmarks.run import SCALES, benchmark_landing, run_lapak  # noqa: E402

KEYS = ("wall", "total", "rest", "ingest", "dbt", "checks", "publish", "peak_mib")


def commit(root: Path) -> str:
    done = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return done.stdout.strip() or "?"


def print_medians(runs: dict[str, list[dict[str, float]]], keys: tuple[str, ...], width: int, places: int) -> None:
    """Each key's median per checkout, and this checkout's / the baseline's (`runs` by "baseline" and "this")."""
    for key in keys:
        base, this = (statistics.median(r[key] for r in runs[name]) for name in ("baseline", "this"))
        unit = " MiB" if key == "peak_mib" else "s"
        ratio = f"{this / base:.2f}x" if base else "-"
        print(f"  {key:>{width}}: baseline {base:.{places}f}{unit}, this {this:.{places}f}{unit} = {ratio}")


def dbt_times(root: Path) -> dict[str, float]:
    """Each dbt step's elapsed time and its nodes' times, from the newest target folder of each step under `root`
    (dagster-dbt gives every invocation its own: `<step>-<run id>-<uuid>`)."""
    times: dict[str, float] = {}
    for folder in newest_targets(root / "dbt_project" / "target"):
        results = json.loads((folder / "run_results.json").read_text())
        times[f"{folder.name.split('-')[0]} step"] = results["elapsed_time"]
        for node in results["results"]:
            times[node["unique_id"].split(".", 2)[-1]] = node["execution_time"]
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", required=True, help="a checkout of the commit to compare against")
    parser.add_argument("--scale", default="10k", choices=sorted(SCALES))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--nodes", type=int, default=6, help="dbt nodes to compare, the baseline's slowest")
    args = parser.parse_args()
    roots = {"baseline": Path(args.baseline).resolve(), "this": ROOT}
    work = Path(tempfile.mkdtemp(prefix="lapak-ab-"))
    try:
        landing, small = work / "landing", work / "small"
        benchmark_landing(landing, SCALES[args.scale])
        benchmark_landing(small, SCALES["10k"])  # the untimed first runs: dbt's first parse, not the data
        for name, root in roots.items():
            run_lapak(small, work / f"first-{name}", root=root)
            shutil.rmtree(work / f"first-{name}", ignore_errors=True)
        runs: dict[str, list[dict]] = {name: [] for name in roots}
        nodes: dict[str, list[dict[str, float]]] = {name: [] for name in roots}
        for round_ in range(args.rounds):
            for name, root in roots.items():
                home = work / f"home-{name}-{round_}"
                summary, peak = run_lapak(landing, home, root=root)
                if summary["exit_code"] != 0:
                    raise RuntimeError(f"{name}: lapak run exited with {summary['exit_code']}")
                row = {"wall": summary["wall_s"], "total": summary["seconds"], **summary["stage_seconds"]}
                row |= {"rest": row["wall"] - row["total"], "peak_mib": peak / 2**20}
                runs[name].append(row)
                nodes[name].append(dbt_times(root))
                stages = ", ".join(f"{k} {row[k]:.1f}" for k in ("ingest", "dbt", "checks", "publish"))
                print(
                    f"round {round_ + 1} {name:>8}: wall {row['wall']:.1f}s, jobs {row['total']:.1f}s "
                    f"({stages}), rest {row['rest']:.1f}s, peak {row['peak_mib']:.0f} MiB",
                    flush=True,
                )
                shutil.rmtree(home, ignore_errors=True)
        print(
            f"\n{args.scale} order lines, {args.rounds} rounds, {os.cpu_count()} cores; medians, "
            f"this ({commit(ROOT)}) / baseline ({commit(roots['baseline'])})"
        )
        print_medians(runs, KEYS, width=8, places=1)
        med: dict[str, dict[str, float]] = {}
        for name in roots:
            keys = {k for t in nodes[name] for k in t}
            med[name] = {k: statistics.median(t.get(k, 0.0) for t in nodes[name]) for k in keys}
        steps = sorted(k for k in med["baseline"] if k.endswith(" step"))[::-1]  # staging, then marts
        slowest = sorted((k for k in med["baseline"] if k not in steps), key=lambda k: -med["baseline"][k])
        print("dbt (run results' elapsed and node times, medians):")
        for key in steps + slowest[: args.nodes]:
            base, this = med["baseline"][key], med["this"].get(key, 0.0)
            ratio = f"{this / base:.2f}x" if base else "-"
            print(f"  {key}: baseline {base:.1f}s, this {this:.1f}s = {ratio}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
