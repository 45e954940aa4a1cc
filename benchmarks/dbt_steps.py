"""Where a dbt step's time went on its threads, from the run results of the newest (or a given) target folder.

    .venv/bin/python benchmarks/dbt_steps.py --home data        # the newest dbt_daily_facts and dbt_models targets
    .venv/bin/python benchmarks/dbt_steps.py --target data/dbt_target/dbt_models-<run>-<id> --top 15

For each step: dbt's elapsed time; its nodes by kind with their summed time; the span from the first node's
start to the last node's end and how busy dbt's threads were within it (summed node time / threads × span:
near 100%, the step is bound by its nodes' total, and fewer or cheaper nodes shorten it; well below, by a
chain of nodes that wait on each other); the slowest nodes with when each ran; and the longest waits between
a model's end and the first of its data tests' start (dbt queues nodes by depth in the graph, not by the
longest chain behind them, so a model's tests can wait behind shallower nodes). Reads files only: run it after
`lapak run` left its targets in the home's `dbt_target` folder.
"""

import argparse
import json
import statistics
from collections import defaultdict
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# dagster-dbt's target folders are named for the step: `dbt_daily_facts` and `dbt_models` (before issue 32:
# `dbt_staging` and `dbt_marts`, which a baseline checkout of benchmarks/ab.py may still write)
STEPS = {"dbt_daily_facts": "facts", "dbt_staging": "facts", "dbt_models": "models", "dbt_marts": "models"}


def newest_targets(target_root: Path) -> list[Path]:
    """The newest target folder of each step that has run results (dagster-dbt's `<step>-<run id>-<uuid>`)."""
    newest = []
    for kind in ("facts", "models"):
        folders = [
            p
            for step, of_kind in STEPS.items()
            if of_kind == kind
            for p in target_root.glob(f"{step}-*-*")
            if (p / "run_results.json").exists()
        ]
        if folders:
            newest.append(max(folders, key=lambda p: p.stat().st_mtime))
    return newest


def target_root(home: Path, checkout: Path = ROOT) -> Path:
    """Where a home's dbt targets are: `<home>/dbt_target`, or the checkout's dbt_project/target for a lapak from
    before per-home targets (a baseline of benchmarks/ab.py)."""
    return home / "dbt_target" if (home / "dbt_target").is_dir() else checkout / "dbt_project" / "target"


def _ts(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def node_spans(results: dict) -> list[dict]:
    """Each node that ran: its id, kind, thread, start (its compile's) and end (its execute's), in seconds."""
    spans = []
    for node in results["results"]:
        timing = {t["name"]: t for t in node["timing"] if t.get("started_at")}
        if "execute" not in timing:
            continue
        start = timing.get("compile", timing["execute"])["started_at"]
        spans.append({
            "id": node["unique_id"], "kind": node["unique_id"].split(".", 1)[0], "thread": node["thread_id"],
            "start": _ts(start), "end": _ts(timing["execute"]["completed_at"]), "time": node["execution_time"],
        })  # fmt: skip
    return spans


def waits_for_tests(spans: list[dict], manifest: dict) -> list[tuple[float, str]]:
    """For each model, seconds from its end to the start of the first data test that depends on it."""
    ends = {s["id"]: s["end"] for s in spans if s["kind"] == "model"}
    first_test: dict[str, datetime] = {}
    for s in spans:
        if s["kind"] != "test":
            continue
        for parent in manifest["nodes"].get(s["id"], {}).get("depends_on", {}).get("nodes", []):
            if parent in ends and (parent not in first_test or s["start"] < first_test[parent]):
                first_test[parent] = s["start"]
    return sorted(((first_test[m] - ends[m]).total_seconds(), m) for m in first_test)[::-1]


def describe(target: Path, top: int) -> None:
    results = json.loads((target / "run_results.json").read_text())
    manifest = json.loads((target / "manifest.json").read_text())
    spans = node_spans(results)
    print(f"{target.name}: dbt elapsed {results['elapsed_time']:.2f}s, {len(results['results'])} nodes")
    if not spans:
        return
    times = defaultdict(list)  # node kind -> its nodes' times
    for s in spans:
        times[s["kind"]].append(s["time"])
    print("  " + ", ".join(
        f"{len(t)} {k}s {sum(t):.2f}s (median {statistics.median(t):.3f}s)" for k, t in sorted(times.items())
    ))  # fmt: skip
    # hooks (on-run-start/-end) run alone on dbt's main thread, before and after the nodes' threads
    nodes = [s for s in spans if s["kind"] != "operation"] or spans
    t0, t1 = min(s["start"] for s in nodes), max(s["end"] for s in nodes)
    span, threads, busy = (t1 - t0).total_seconds(), len({s["thread"] for s in nodes}), sum(s["time"] for s in nodes)
    print(f"  nodes but hooks: span {span:.2f}s on {threads} threads; their time {busy:.2f}s = "
          f"{100 * busy / (threads * span):.0f}% of threads x span")  # fmt: skip
    print("  slowest nodes (start, end in s from the first node's start, but hooks):")
    for s in sorted(spans, key=lambda s: -s["time"])[:top]:
        start, end = ((s[k] - t0).total_seconds() for k in ("start", "end"))
        print(f"    {s['time']:5.2f}s  {start:5.2f}-{end:5.2f}  {s['id'].split('.', 2)[-1]}")
    waits = [w for w in waits_for_tests(spans, manifest) if w[0] > 0.05][:top]
    if waits:
        print("  longest waits from a model's end to its first data test's start:")
        for wait, model in waits:
            print(f"    {wait:5.2f}s  {model.split('.', 2)[-1]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", action="append", help="a dbt target folder (repeatable); default: the newest")
    parser.add_argument("--home", type=Path, default=Path("data"), help="the home whose newest targets to read")
    parser.add_argument("--top", type=int, default=10)
    args = parser.parse_args()
    targets = [Path(t) for t in args.target] if args.target else newest_targets(target_root(args.home))
    if not targets:
        raise SystemExit("no dbt target folder with run results: run lapak first")
    for target in targets:
        describe(target, args.top)


if __name__ == "__main__":
    main()
