"""`lapak run --engine spark`: the same dbt project built by dbt-spark over the Parquet lake.

Steps: ingest new exports into `raw` exactly as the DuckDB pipeline does (ingestion/load.py), export the
raw tables to the lake (ingestion/lake.py), then `dbt build --target spark` in a subprocess. The `spark`
target in dbt_project/profiles.yml runs a local Spark session; its metastore, warehouse, dbt target and
logs all live under `<home>/spark`, so the DuckDB pipeline's dbt state is never touched. docs/scale-out.md
says how to point the target at a cluster instead.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import uuid
from pathlib import Path

# The marts the Spark build is checked against DuckDB for (tests/test_spark.py), and their upstream.
HEADLINE_MARTS = ("customers", "ltv_weekly", "kpi_daily", "nps_by_campaign", "reorder_signals")


def spark_dir(home: Path) -> Path:
    return home / "spark"


def spark_table_path(home: Path, schema: str, table: str) -> Path:
    """Where the local session's metastore keeps a table's Parquet files (`spark.sql.warehouse.dir`)."""
    return spark_dir(home) / "warehouse" / f"{schema}.db" / table


def check_spark_available() -> str | None:
    """Why Spark cannot run here, or None."""
    try:
        import dbt.adapters.spark  # noqa: F401
        import pyspark  # noqa: F401
    except ImportError as exc:
        return f"{exc}: install the Spark extra, pip install -e '.[spark]' (or `make setup`)"
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        return "no Java runtime: Spark needs Java 17 or later on PATH (or JAVA_HOME)"
    return None


def run_spark(
    landing: Path | None = None,
    home: Path | None = None,
    shop: str | None = None,
    select: list[str] | None = None,
    tests: bool = True,
) -> dict:
    """Ingest, export the lake, build with dbt-spark; return a summary like `lapak run`'s."""
    from ingestion.lake import export_lake, lake_path
    from ingestion.load import ingest
    from lapak.settings import resolve_paths, warehouse_path
    from orchestration.dbt import DBT_PROJECT_DIR, dbt_executable

    landing_path, home_path = resolve_paths(landing, home)
    home_path.mkdir(parents=True, exist_ok=True)
    work = spark_dir(home_path)
    (work / "logs").mkdir(parents=True, exist_ok=True)
    summary: dict = {"engine": "spark", "landing": str(landing_path), "shop": shop, "spark_dir": str(work)}
    problem = check_spark_available()
    if problem:
        return {**summary, "success": False, "exit_code": 1, "error": problem}

    stage_seconds: dict[str, float] = {}
    started = time.perf_counter()
    warehouse = warehouse_path(home_path)
    report = ingest(warehouse, landing_path, home_path, load_id=f"spark-{uuid.uuid4().hex[:12]}", shop=shop)
    stage_seconds["ingest"] = time.perf_counter() - started

    mark = time.perf_counter()
    lake = lake_path(home_path)
    lake_rows = export_lake(warehouse, lake)
    stage_seconds["lake"] = time.perf_counter() - mark

    mark = time.perf_counter()
    target = work / "target"
    cmd = [
        dbt_executable(), "build" if tests else "run", "--target", "spark", "--full-refresh",
        "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
        "--target-path", str(target), "--log-path", str(work / "logs"),
    ]  # fmt: skip
    if tests:
        cmd += ["--exclude-resource-type", "unit_test"]  # unit tests exercise SQL logic: DuckDB runs them
    if select:
        cmd += ["--select", *select]
    env = {**os.environ, "LAPAK_LAKE": str(lake), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    log_path = home_path / "logs" / "last_spark_run.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    (target / "run_results.json").unlink(missing_ok=True)
    with log_path.open("w") as log:
        # cwd: anything the session writes relative to it (Derby, spark-warehouse) lands under <home>/spark
        proc = subprocess.run(cmd, cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT, check=False)
    stage_seconds["dbt"] = time.perf_counter() - mark

    results = []
    run_results = target / "run_results.json"
    if run_results.exists():
        results = json.loads(run_results.read_text())["results"]
    failed = [r["unique_id"] for r in results if r["status"] not in ("success", "pass", "warn", "skipped")]
    marts = sorted(
        r["unique_id"].split(".")[-1]
        for r in results
        if r["unique_id"].startswith("model.") and r["status"] == "success"
        and (r.get("relation_name") or "").replace("`", "").startswith("marts.")
    )  # fmt: skip
    totals = report.totals()
    success = proc.returncode == 0 and not failed and not report.rejected
    return {
        **summary,
        "success": success,
        "exit_code": 0 if success else 1,
        "seconds": round(time.perf_counter() - started, 1),
        "stage_seconds": {k: round(v, 2) for k, v in stage_seconds.items()},
        "warehouse": str(warehouse),
        "lake": str(lake),
        "lake_rows": lake_rows,
        "files": totals,
        "rejected_files": [{"file": f.source_file, "reason": f.reason} for f in report.rejected],
        "marts_built": marts,
        "models_built": sum(1 for r in results if r["unique_id"].startswith("model.") and r["status"] == "success"),
        "tests_passed": sum(1 for r in results if r["status"] == "pass"),
        "failed_nodes": failed,
        "dbt_seconds": {r["unique_id"]: round(r["execution_time"], 2) for r in results},
        "log": str(log_path),
    }


def print_summary(s: dict) -> None:
    print()
    if s.get("error"):
        print(f"lapak run --engine spark FAILED: {s['error']}")
        return
    print(f"lapak run --engine spark {'OK' if s['success'] else 'FAILED'} in {s['seconds']}s  {s['stage_seconds']}")
    f = s["files"]
    print(f"  files:   {f.get('files_loaded', 0)} loaded, {f.get('files_unchanged', 0)} unchanged")
    print(f"  lake:    {sum(s['lake_rows'].values()):,} raw rows in {len(s['lake_rows'])} tables at {s['lake']}")
    print(f"  models:  {s['models_built']} built by dbt-spark; marts: {', '.join(s['marts_built']) or 'none'}")
    print(f"  tests:   {s['tests_passed']} passed, {len(s['failed_nodes'])} failed")
    for node in s["failed_nodes"]:
        print(f"    ✗ {node}")
    for r in s["rejected_files"]:
        print(f"  rejected: {r['file']}: {r['reason']}")
    print(f"  spark warehouse: {s['spark_dir']}/warehouse  (dbt log: {s['log']})")
