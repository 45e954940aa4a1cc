"""A change from two checkouts, taking turns: the whole `lapak run`, a new day on a built home, or ingestion alone.

    git worktree add /tmp/before <commit>          # or any clone of the commit to compare against
    .venv/bin/python benchmarks/ab.py --baseline /tmp/before                     # run: 10k order lines, 3 rounds
    .venv/bin/python benchmarks/ab.py --baseline /tmp/before --scale 5m --rounds 2 --nodes 10
    .venv/bin/python benchmarks/run.py --scales 5m --work W                       # builds W/5m/home for new-day
    .venv/bin/python benchmarks/ab.py --baseline /tmp/before --mode new-day --work W --scale 5m --rounds 3
    .venv/bin/python benchmarks/ab.py --baseline /tmp/before --mode ingest --landing W/5m/landing --rounds 2

Each run is a subprocess with the checkout's own code (and its own dbt project, partial-parse state included),
this venv's packages; the two checkouts take turns, so both see the same machine. Then medians, and this / the
baseline.

- `run` (default): `lapak run` in a new home, as a user runs it. Each checkout first runs once untimed on 10k
  lines (its first dbt parse). Prints the process wall (interpreter start to exit), the jobs' total (what
  benchmarks/run.py calls `total`), the rest of the wall (imports, the Dagster instance, whatever precedes the
  first step and follows the last), the stages and peak RSS of the process tree; then dbt's steps and slowest
  nodes (`--nodes`), from the run results of each checkout's newest dbt targets.
- `new-day`: the incremental case of benchmarks/run.py (a day of one shop's orders on top of a year of history),
  which run.py measures once, alone. Each checkout first brings its own copy of W's home up to date with its own
  code, untimed, rebuilding every mart whole (`force_full_mart_build`); then each runs `lapak run` on a fresh copy
  of that home with one new order export in the first shop's folder (the newest day of a generated export, like
  run.py's, but another day's orders). Prints the same figures as `run`, and dbt's two steps.
- `ingest`: `ingest()` of a landing folder into a new warehouse, with the subprocess's peak RSS, then the row
  groups of `raw.orders` and the time of the next checkpoint any writer pays (a small table written, then
  CHECKPOINT): DuckDB merges partial row groups that lie close together at a checkpoint, rewriting the full
  ones between them, so a load can leave work to whoever checkpoints next.
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

from benchmarks.dbt_steps import STEPS, newest_targets, target_root  # noqa: E402
from benchmarks.measure import lapak_env, run_lapak  # noqa: E402
from benchmarks.run import SCALES, benchmark_landing, one_day, shape  # noqa: E402
from lapak.generate import generate  # noqa: E402

KEYS = ("wall", "total", "rest", "ingest", "dbt", "checks", "publish", "peak_mib")
INGEST_KEYS = ("wall", "ingest", "next_checkpoint", "peak_mib")
DBT_STEPS = ("facts step", "models step")
NEW_FILE = "Semua pesanan-2026-11-22-08_00.csv"  # a day after run.py's own new day (2026-11-21)
DEFAULTS = {"run": ("10k", 3), "new-day": ("5m", 3), "ingest": (None, 2)}  # mode: (scale, rounds)

INGEST_CHILD = """
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


def dbt_times(root: Path, home: Path) -> dict[str, float]:
    """Each dbt step's elapsed time and its nodes' times, from the newest target folder of each step of the run in
    `home` by the checkout at `root` (dagster-dbt gives every invocation its own: `<step>-<run id>-<uuid>`)."""
    times: dict[str, float] = {}
    for folder in newest_targets(target_root(home, root)):
        results = json.loads((folder / "run_results.json").read_text())
        times[f"{STEPS[folder.name.split('-')[0]]} step"] = results["elapsed_time"]
        for node in results["results"]:
            times[node["unique_id"].split(".", 2)[-1]] = node["execution_time"]
    return times


def run_row(summary: dict, peak: int) -> dict[str, float]:
    """One `lapak run`'s figures: the process wall, the jobs' total, the rest of the wall, the stages, peak MiB."""
    row = {"wall": summary["wall_s"], "total": summary["seconds"], **summary["stage_seconds"]}
    return row | {"rest": row["wall"] - row["total"], "peak_mib": peak / 2**20}


def header(what: str, rounds: int, roots: dict[str, Path]) -> None:
    print(
        f"\n{what}, {rounds} rounds, {os.cpu_count()} cores; medians, "
        f"this ({commit(roots['this'])}) / baseline ({commit(roots['baseline'])})"
    )


def ab_run(roots: dict[str, Path], scale: str, rounds: int, n_nodes: int, work: Path) -> None:
    """`lapak run` in fresh homes on the same exports."""
    landing, small = work / "landing", work / "small"
    benchmark_landing(landing, SCALES[scale])
    benchmark_landing(small, SCALES["10k"])  # the untimed first runs: dbt's first parse, not the data
    for name, root in roots.items():
        run_lapak(small, work / f"first-{name}", root=root)
        shutil.rmtree(work / f"first-{name}", ignore_errors=True)
    runs: dict[str, list[dict]] = {name: [] for name in roots}
    nodes: dict[str, list[dict[str, float]]] = {name: [] for name in roots}
    for round_ in range(rounds):
        for name, root in roots.items():
            home = work / f"home-{name}-{round_}"
            summary, peak = run_lapak(landing, home, root=root)
            if summary["exit_code"] != 0:
                raise RuntimeError(f"{name}: lapak run exited with {summary['exit_code']}")
            row = run_row(summary, peak)
            runs[name].append(row)
            nodes[name].append(dbt_times(root, home))
            stages = ", ".join(f"{k} {row[k]:.1f}" for k in ("ingest", "dbt", "checks", "publish"))
            print(
                f"round {round_ + 1} {name:>8}: wall {row['wall']:.1f}s, jobs {row['total']:.1f}s "
                f"({stages}), rest {row['rest']:.1f}s, peak {row['peak_mib']:.0f} MiB",
                flush=True,
            )
            shutil.rmtree(home, ignore_errors=True)
    header(f"{scale} order lines", rounds, roots)
    print_medians(runs, KEYS, width=8, places=1)
    med: dict[str, dict[str, float]] = {}
    for name in roots:
        keys = {k for t in nodes[name] for k in t}
        med[name] = {k: statistics.median(t.get(k, 0.0) for t in nodes[name]) for k in keys}
    steps = sorted(k for k in med["baseline"] if k.endswith(" step"))[::-1]  # staging, then marts
    slowest = sorted((k for k in med["baseline"] if k not in steps), key=lambda k: -med["baseline"][k])
    print("dbt (run results' elapsed and node times, medians):")
    for key in steps + slowest[:n_nodes]:
        base, this = med["baseline"][key], med["this"].get(key, 0.0)
        ratio = f"{this / base:.2f}x" if base else "-"
        print(f"  {key}: baseline {base:.1f}s, this {this:.1f}s = {ratio}")


def new_day_export(work: Path, scale: str) -> Path:
    """One day of one shop's orders at `scale`'s daily volume: the newest day of a generated month."""
    month = work / "month"
    generate(month, shops=1, days=30, orders_per_day=shape(SCALES[scale])["orders_per_day"], seed=100)
    newest = max(month.rglob("Semua pesanan-*.csv"), key=lambda p: p.name, default=None)
    newest = newest or max(month.rglob("All order-*.csv"), key=lambda p: p.name)
    out = work / NEW_FILE
    one_day(newest, out)
    shutil.rmtree(month)
    return out


def new_day_paths(work: Path, scale: str) -> tuple[Path, Path, Path]:
    """`benchmarks/run.py`'s built home and landing folder at `scale` under `work`, and the shop folder the new day's
    export goes into (the first); refused while an earlier run's export is still there."""
    built, landing = work / scale / "home", work / scale / "landing"
    shop = sorted(p for p in landing.iterdir() if p.is_dir())[0]
    if (shop / NEW_FILE).exists():
        raise SystemExit(f"{shop / NEW_FILE} is there already: remove it (a run of this script was cut short)")
    return built, landing, shop


def force_full_mart_build(warehouse: Path) -> None:
    """Make the next `lapak run` on `warehouse` rebuild every shop's marts, as a changed dbt project does.

    Both checkouts settle their homes this way, so that a new day starts from marts left by the same kind of
    build: otherwise publish and the marts step differ between the checkouts with no change to either."""
    import duckdb

    from orchestration.marts import BUILDS_TABLE

    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            f"insert into {BUILDS_TABLE} (run_id, built_at, fingerprint, reason) "
            "values ('new-day-ab', now()::timestamp, 'new-day-ab', 'ab.py --mode new-day: rebuild every mart')"
        )


def ab_new_day(roots: dict[str, Path], built_work: Path, scale: str, rounds: int, work: Path) -> None:
    """One new day of exports on copies of the same built home."""
    built, landing, shop = new_day_paths(built_work, scale)
    export = new_day_export(work, scale)
    bases = {}
    for name, root in roots.items():  # each checkout's own home, up to date with its code: untimed
        bases[name] = work / f"base-{name}"
        shutil.copytree(built, bases[name], symlinks=True)
        force_full_mart_build(bases[name] / "warehouse.duckdb")
        summary, _ = run_lapak(landing, bases[name], root=root)
        print(f"{name}: home brought up to date in {summary['seconds']:.1f}s", flush=True)
    runs: dict[str, list[dict]] = {name: [] for name in roots}
    steps: dict[str, list[dict[str, float]]] = {name: [] for name in roots}
    for round_ in range(rounds):
        for name, root in roots.items():
            home = work / "home"
            shutil.copytree(bases[name], home, symlinks=True)
            shutil.copy(export, shop / NEW_FILE)
            try:
                summary, peak = run_lapak(landing, home, root=root)
            finally:
                (shop / NEW_FILE).unlink()
            if summary["exit_code"] != 0 or summary["files"].get("files_loaded") != 1:
                raise RuntimeError(f"{name}: exit {summary['exit_code']}, files {summary['files']}")
            row = run_row(summary, peak)
            runs[name].append(row)
            times = dbt_times(root, home)
            steps[name].append({k: times.get(k, 0.0) for k in DBT_STEPS})
            stages = ", ".join(f"{k} {row[k]:.2f}" for k in ("ingest", "dbt", "checks", "publish"))
            print(
                f"round {round_ + 1} {name:>8}: wall {row['wall']:.1f}s, jobs {row['total']:.1f}s ({stages}), "
                f"peak {row['peak_mib']:.0f} MiB, marts rebuilt for {summary['marts_rebuilt_for']}",
                flush=True,
            )
            shutil.rmtree(home)
    header(f"a new day on {scale}'s home", rounds, roots)
    print_medians(runs, KEYS, width=8, places=2)
    print_medians(steps, DBT_STEPS, width=16, places=2)


def _child(code: str, args: list[str], cwd: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, env=lapak_env(), capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"a child in {cwd} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_ingest(root: Path, landing: Path, home: Path) -> dict[str, float]:
    """One `ingest()` from `root` into a new warehouse under `home`, then the next writer's checkpoint."""
    home.mkdir(parents=True)
    warehouse = home / "warehouse.duckdb"
    started = time.perf_counter()
    child = _child(INGEST_CHILD, [str(warehouse), str(landing)], root)
    wall = time.perf_counter() - started
    after = _child(NEXT_WRITER, [str(warehouse)], root)
    return {
        "wall": wall, "ingest": child["seconds"], "next_checkpoint": after["seconds"],
        "peak_mib": child["peak_kib"] / 1024, "rows": child["rows"], "groups_before": after["before"],
        "groups_after": after["after"],
    }  # fmt: skip


def ab_ingest(roots: dict[str, Path], landing: Path, rounds: int, work: Path) -> None:
    """`ingest()` alone on the same landing folder, and what each checkout leaves for the next writer."""
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in roots}
    for round_ in range(rounds):
        for name, root in roots.items():
            row = run_ingest(root, landing, work / f"{name}-{round_}")
            runs[name].append(row)
            print(
                f"round {round_ + 1} {name:>8}: wall {row['wall']:.1f}s, ingest() {row['ingest']:.1f}s, "
                f"{row['rows']:,} rows loaded, peak {row['peak_mib']:.0f} MiB; raw.orders {row['groups_before']} "
                f"row groups, the next checkpoint {row['next_checkpoint']:.2f}s -> {row['groups_after']}",
                flush=True,
            )
            shutil.rmtree(work / f"{name}-{round_}", ignore_errors=True)
    header(f"ingest() of {landing}", rounds, roots)
    print_medians(runs, INGEST_KEYS, width=15, places=2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", required=True, help="a checkout of the commit to compare against")
    parser.add_argument("--mode", default="run", choices=sorted(DEFAULTS))
    parser.add_argument("--scale", choices=sorted(SCALES), help="run: default 10k; new-day: default 5m")
    parser.add_argument("--rounds", type=int, help="default 3 (run, new-day), 2 (ingest)")
    parser.add_argument("--nodes", type=int, default=6, help="run: dbt nodes to compare, the baseline's slowest")
    parser.add_argument("--work", type=Path, help="new-day: benchmarks/run.py's --work folder, with <scale>/home")
    parser.add_argument("--landing", type=Path, help="ingest: a landing folder (benchmarks/run.py's)")
    args = parser.parse_args()
    scale, rounds = (args.scale or DEFAULTS[args.mode][0]), (args.rounds or DEFAULTS[args.mode][1])
    needs = {"new-day": ("work", args.work), "ingest": ("landing", args.landing)}.get(args.mode)
    if needs and needs[1] is None:
        parser.error(f"--mode {args.mode} needs --{needs[0]}")
    roots = {"baseline": Path(args.baseline).resolve(), "this": ROOT}
    work = Path(tempfile.mkdtemp(prefix=f"lapak-ab-{args.mode}-"))
    try:
        if args.mode == "run":
            ab_run(roots, scale, rounds, args.nodes, work)
        elif args.mode == "new-day":
            ab_new_day(roots, args.work, scale, rounds, work)
        else:
            ab_ingest(roots, args.landing.resolve(), rounds, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
