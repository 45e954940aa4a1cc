"""The same sample on both engines: `lapak run` (DuckDB) against `lapak run --engine spark`.

    .venv/bin/python benchmarks/engines.py                          # 1 shop x 30 days (the test's sample)
    .venv/bin/python benchmarks/engines.py --shops 3 --days 120     # the `make demo` sample

Generates the sample once, then on one home folder: the DuckDB run (the whole Dagster job: ingest,
every model, data and unit tests, Great Expectations checks, publish), the Spark run (ingest, lake export,
every model and data test on dbt-spark), and the Spark run with `--no-tests` (models only). Spark runs in
local session mode: one JVM on this machine, so the figures measure overhead, not a cluster's reach.
Results go to stdout; docs/scale-out.md records a run.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lapak.generate import generate  # noqa: E402


def lapak(*args: str, home_env: Path) -> tuple[float, dict]:
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(home_env),
        "LAPAK_PII_KEY": "bench-key-0123456789abcdef0123456789abcdef",
    }
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "lapak.cli", *args, "--json"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    took = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"lapak {' '.join(args)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return took, json.loads(proc.stdout)


def dbt_run_duckdb(warehouse: Path, root: Path) -> float:
    """Every model on DuckDB, no tests: the counterpart of `--engine spark --no-tests`."""
    from orchestration.dbt import DBT_PROJECT_DIR, dbt_executable

    env = {**os.environ, "LAPAK_WAREHOUSE": str(warehouse), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    cmd = [
        dbt_executable(), "run", "--quiet", "--target", "duckdb", "--project-dir", str(DBT_PROJECT_DIR),
        "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(root / "duckdb-target"),
        "--log-path", str(root / "duckdb-logs"),
    ]  # fmt: skip
    start = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shops", type=int, default=1)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--orders-per-day", type=int, default=20)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lapak-engines-") as tmp:
        root = Path(tmp)
        landing, home = root / "landing", root / "home"
        result = generate(landing, shops=args.shops, days=args.days, orders_per_day=args.orders_per_day, seed=args.seed)
        print(f"sample: {args.shops} shop(s) x {args.days} days, {result.order_lines:,} order lines")
        paths = ["--landing", str(landing), "--home", str(home)]
        duck_s, duck = lapak("run", *paths, home_env=root)
        print(f"duckdb  lapak run                         {duck_s:6.1f}s  stages {duck['stage_seconds']}")
        spark_s, spark = lapak("run", "--engine", "spark", *paths, home_env=root)
        print(
            f"spark   lapak run --engine spark          {spark_s:6.1f}s  stages {spark['stage_seconds']}  "
            f"({spark['models_built']} models, {spark['tests_passed']} data tests)"
        )
        models_s, models = lapak("run", "--engine", "spark", "--no-tests", *paths, home_env=root)
        in_models = sum(v for k, v in models["dbt_seconds"].items() if k.startswith("model."))
        print(
            f"spark   lapak run --engine spark --no-tests {models_s:6.1f}s  stages {models['stage_seconds']}  "
            f"(the models' own statements: {in_models:.1f}s; the rest is JVM start, metastore, planning)"
        )
        duck_models_s = dbt_run_duckdb(home / "warehouse.duckdb", root)
        print(f"duckdb  dbt run --target duckdb (models only) {duck_models_s:6.1f}s")
        print(
            f"ratio spark/duckdb, whole run: {spark_s / duck_s:.1f}x; dbt stage: "
            f"{spark['stage_seconds']['dbt'] / duck['stage_seconds']['dbt']:.1f}x"
        )


if __name__ == "__main__":
    main()
