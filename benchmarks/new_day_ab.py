"""One new day of exports from two checkouts, on copies of the same built home, taking turns.

    git worktree add /tmp/before <commit>          # or any clone of the commit to compare against
    .venv/bin/python benchmarks/run.py --scales 5m --work W                     # builds W/5m/home
    .venv/bin/python benchmarks/new_day_ab.py --baseline /tmp/before --work W --scale 5m --rounds 3

What a change buys the incremental case of benchmarks/run.py (a day of one shop's orders on top of a year
of history), which one run.py measures once, alone, on a different day of the machine than its baseline.
Here each checkout first brings its own copy of W's home up to date with its own code, untimed, rebuilding
every mart whole (`force_full_mart_build`); then, in turns, each runs `lapak run` on a fresh copy of that
home with one new order export in the first shop's folder (the newest day of a generated export, like
run.py's, but another day's orders: W's landing keeps run.py's). Prints per run and as medians the process
wall, the jobs' total, the stages and peak RSS, then this / the baseline, and dbt's two steps (run results'
elapsed).
"""

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.ab import KEYS, commit, dbt_times, print_medians  # noqa: E402
from benchmarks.run import SCALES, one_day, run_lapak, shape  # noqa: E402
from lapak.generate import generate  # noqa: E402
from orchestration.marts import BUILDS_TABLE  # noqa: E402

NEW_FILE = "Semua pesanan-2026-11-22-08_00.csv"  # a day after run.py's own new day (2026-11-21)


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

    Both checkouts settle their homes this way, whether or not their dbt project differs from the home's, so
    that a new day starts from marts left by the same kind of build. In a first version of this script only the
    baseline's settling run rebuilt every mart (its project differed), and publish took 1.72 -> 1.30 s and the
    marts step 6.70 -> 6.01 s with no change to either. It was not the marts' row layout (a whole build leaves
    every shop in every row group): with whole builds writing rows in shop order (0346f94, reverted) a new day
    took the same (docs/performance.md, sixteenth measurement)."""
    import duckdb

    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            f"insert into {BUILDS_TABLE} (run_id, built_at, fingerprint, reason) "
            "values ('new-day-ab', now()::timestamp, 'new-day-ab', 'benchmarks/new_day_ab.py: rebuild every mart')"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", required=True, help="a checkout of the commit to compare against")
    parser.add_argument("--work", required=True, help="benchmarks/run.py's --work folder, with <scale>/home")
    parser.add_argument("--scale", default="5m", choices=sorted(SCALES))
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    roots = {"baseline": Path(args.baseline).resolve(), "this": ROOT}
    built, landing, shop = new_day_paths(Path(args.work), args.scale)
    work = Path(tempfile.mkdtemp(prefix="lapak-new-day-ab-"))
    try:
        export = new_day_export(work, args.scale)
        bases = {}
        for name, root in roots.items():  # each checkout's own home, up to date with its code: untimed
            bases[name] = work / f"base-{name}"
            shutil.copytree(built, bases[name])
            force_full_mart_build(bases[name] / "warehouse.duckdb")
            summary, _ = run_lapak(landing, bases[name], root=root)
            print(f"{name}: home brought up to date in {summary['seconds']:.1f}s", flush=True)
        runs: dict[str, list[dict]] = {name: [] for name in roots}
        steps: dict[str, list[dict[str, float]]] = {name: [] for name in roots}
        for round_ in range(args.rounds):
            for name, root in roots.items():
                home = work / "home"
                shutil.copytree(bases[name], home)
                shutil.copy(export, shop / NEW_FILE)
                try:
                    summary, peak = run_lapak(landing, home, root=root)
                finally:
                    (shop / NEW_FILE).unlink()
                if summary["exit_code"] != 0 or summary["files"].get("files_loaded") != 1:
                    raise RuntimeError(f"{name}: exit {summary['exit_code']}, files {summary['files']}")
                row = {"wall": summary["wall_s"], "total": summary["seconds"], **summary["stage_seconds"]}
                row |= {"rest": row["wall"] - row["total"], "peak_mib": peak / 2**20}
                runs[name].append(row)
                steps[name].append({k: v for k, v in dbt_times(root).items() if k.endswith(" step")})
                stages = ", ".join(f"{k} {row[k]:.2f}" for k in ("ingest", "dbt", "checks", "publish"))
                print(
                    f"round {round_ + 1} {name:>8}: wall {row['wall']:.1f}s, jobs {row['total']:.1f}s ({stages}), "
                    f"peak {row['peak_mib']:.0f} MiB, marts rebuilt for {summary['marts_rebuilt_for']}",
                    flush=True,
                )
                shutil.rmtree(home)
        print(
            f"\na new day on {args.scale}'s home, {args.rounds} rounds, {os.cpu_count()} cores; medians, "
            f"this ({commit(ROOT)}) / baseline ({commit(roots['baseline'])})"
        )
        print_medians(runs, KEYS, width=8, places=2)
        print_medians(
            {name: [{k: t.get(k, 0.0) for k in ("dbt_staging step", "dbt_marts step")} for t in steps[name]]
             for name in roots},
            ("dbt_staging step", "dbt_marts step"), width=16, places=2,
        )  # fmt: skip
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
