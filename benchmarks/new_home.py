"""What a new home costs `lapak run` before its first step: dbt's partial-parse state kept, or parsed again.

    .venv/bin/python benchmarks/new_home.py                 # 10k order lines, 3 rounds
    .venv/bin/python benchmarks/new_home.py --rounds 5

dbt throws its partial-parse state away when the rendered profile changes, and the profile holds the
warehouse's path: before lapak-dbt hashed only the warehouse's file name (orchestration/warm_dbt.py,
`folder_blind_state_check`), every new home (a new shop's, each test's, each benchmark scale's) paid a full
`dbt parse` of the project before its first step. Each round runs `lapak run` in a fresh home twice, taking
turns: as it is (`kept`: the state parsed for another home serves), and with the marker that says what the
state was parsed for removed first (`parsed`: the full parse that every new home ran before). Prints, per
run and as medians: the process wall, the jobs' total (what benchmarks/run.py calls `total`), and the
rest of the wall (interpreter start, imports, the Dagster instance, the parse, the exit).
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.run import SCALES, benchmark_landing, run_lapak  # noqa: E402
from orchestration.warm_dbt import DBT_PROJECT_DIR, PARSED_FOR  # noqa: E402

MARKER = DBT_PROJECT_DIR / "target" / PARSED_FOR


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="10k", choices=sorted(SCALES))
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="lapak-new-home-"))
    try:
        landing = work / "landing"
        benchmark_landing(landing, SCALES[args.scale])
        run_lapak(landing, work / "first")  # the project's state parsed once, for a home of its own
        shutil.rmtree(work / "first", ignore_errors=True)
        runs: dict[str, list[dict]] = {"parsed": [], "kept": []}
        for round_ in range(args.rounds):
            for variant, rows in runs.items():
                home = work / f"home-{variant}-{round_}"
                if variant == "parsed":
                    MARKER.unlink(missing_ok=True)
                summary, _ = run_lapak(landing, home)
                row = {"wall": summary["wall_s"], "total": summary["seconds"], "code": summary["exit_code"]}
                row["rest"] = row["wall"] - row["total"]
                rows.append(row)
                print(
                    f"round {round_ + 1} {variant:>6}: wall {row['wall']:.1f}s, jobs {row['total']:.1f}s, "
                    f"rest {row['rest']:.1f}s, exit code {row['code']}",
                    flush=True,
                )
                shutil.rmtree(home, ignore_errors=True)
        print(f"\n{args.scale} order lines, {args.rounds} rounds, {os.cpu_count()} cores: medians, kept / parsed")
        for key in ("wall", "total", "rest"):
            parsed, kept = (statistics.median(r[key] for r in runs[v]) for v in ("parsed", "kept"))
            saved = f"{kept / parsed:.2f}x ({parsed - kept:.1f}s saved)"
            print(f"  {key:>5}: parsed {parsed:.1f}s, kept {kept:.1f}s = {saved}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
