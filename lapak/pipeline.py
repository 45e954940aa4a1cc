"""`lapak run` and `lapak backfill` in-process: lapak's Dagster jobs run against the home's instance, and the
summary the CLI prints (and writes to `<home>/last_run.json`) is made from their results."""

from __future__ import annotations

import contextlib
import json
import os
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


STAGES = {
    "ingest_landing": "ingest",
    "dbt_daily_facts": "dbt",
    "dbt_models": "dbt",
    "serve__marts": "publish",
}


def step_seconds(instance, run_id: str) -> dict[str, float]:
    """Wall time of every step of a run, from the event log's timestamps."""
    starts: dict[str, float] = {}
    took: dict[str, float] = {}
    for entry in instance.all_logs(run_id):
        event = entry.dagster_event
        if event is None or not entry.step_key:
            continue
        if event.event_type_value == "STEP_START":
            starts[entry.step_key] = entry.timestamp
        elif event.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE") and entry.step_key in starts:
            took[entry.step_key] = entry.timestamp - starts[entry.step_key]
    return took


def stages(step_seconds: dict[str, float]) -> dict[str, float]:
    """Steps grouped as ingest / dbt / checks (Great Expectations and manifest checks) / publish."""
    out = {"ingest": 0.0, "dbt": 0.0, "checks": 0.0, "publish": 0.0}
    for step, secs in step_seconds.items():
        out[STAGES.get(step, "checks")] += secs
    return {k: round(v, 2) for k, v in out.items()}


@contextlib.contextmanager
def one_writer(landing: Path | str | None, home: Path | str | None, command: str) -> Iterator[tuple[Path, Path]]:
    """The resolved landing and home folders, the home created (owner-only) and its run lock held meanwhile.

    Raises RunLockTimeout if another run keeps the lock past `$LAPAK_LOCK_TIMEOUT` seconds."""
    from lapak.settings import resolve_paths
    from orchestration.home import prepare_home
    from orchestration.run_lock import describe, lock_timeout, run_lock

    landing_path, home_path = resolve_paths(landing, home)
    prepare_home(home_path)

    def waiting(holder: dict | None) -> None:
        print(
            f"waiting for another lapak run ({describe(holder)}) on {home_path}, up to {lock_timeout():.0f} s",
            file=sys.stderr,
        )

    with run_lock(home_path, command, on_wait=waiting):
        yield landing_path, home_path


def run_pipeline(
    landing: Path | None = None,
    home: Path | None = None,
    progress: bool = False,
    shop: str | None = None,
    backfill: tuple[str, str] | None = None,
    command: str = "lapak run",
) -> dict:
    """Run lapak's jobs in-process against a persistent Dagster instance; return the summary.

    Normally `lapak_ingest`, then `lapak_build` over the days the new files cover (unless a blocking check
    on the raw data failed). With `backfill=(first_day, last_day)`: only `lapak_build` over those days.
    Waits for a run already going on the same home (`one_writer`)."""
    with one_writer(landing, home, command) as (landing_path, home_path):
        return _run_pipeline(landing_path, home_path, progress, shop, backfill)


def step_errors(results: list) -> dict[str, str]:
    """Why each failed step failed: the innermost error of its failure event (`ingestion.pii.PiiKeyError: ...`)."""
    from orchestration.automation import innermost_error

    return {
        event.step_key: innermost_error(event.step_failure_data.error)
        for result in results
        for event in result.get_step_failure_events()
        if event.step_failure_data.error is not None
    }


def _run_pipeline(
    landing_path: Path, home_path: Path, progress: bool, shop: str | None, backfill: tuple[str, str] | None
) -> dict:
    import dagster as dg

    from ingestion.assets import MANIFEST_KEY, report_from_metadata
    from lapak.settings import warehouse_path
    from orchestration.automation import CLI_TAG, notify_failure
    from orchestration.dagster_home import dagster_home
    from orchestration.dbt import plan_build_after_ingest
    from orchestration.definitions import defs
    from orchestration.marts import mart_build_of
    from orchestration.windows import build_tags
    from quality.validation import import_gx

    dagster_home_path = dagster_home(home_path)  # before Dagster reads $DAGSTER_HOME
    # the checks need GX after ingestion, whose DuckDB work leaves the GIL free: import it meanwhile
    gx_import = threading.Thread(target=import_gx, name="import-great-expectations", daemon=True)
    gx_import.start()
    warehouse = warehouse_path(home_path)
    ingest_job, build_job = defs.resolve_job_def("lapak_ingest"), defs.resolve_job_def("lapak_build")
    loggers = {"lapak_progress": {}} if progress else {"console": {"config": {"log_level": "CRITICAL"}}}
    started = time.perf_counter()
    log_path = home_path / "logs" / "last_run.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    results, seconds_by_step, window = [], {}, None
    # dbt's own output goes to the log file: stdout stays clean for the summary (and for --json).
    with log_path.open("w") as log, contextlib.redirect_stdout(log), dg.DagsterInstance.get() as instance:
        ingest_ok = True
        if backfill is None:
            ingest = ingest_job.execute_in_process(
                instance=instance,
                raise_on_error=False,
                run_config={"loggers": loggers, "ops": {"ingest_landing": {"config": {"shop": shop}}}},
                tags={CLI_TAG: "cli"},
            )
            results.append(ingest)
            seconds_by_step.update(step_seconds(instance, ingest.run_id))
            ingest_ok = ingest.success and not any(
                not c.passed and c.severity == dg.AssetCheckSeverity.ERROR for c in ingest.get_asset_check_evaluations()
            )
            window, tags = plan_build_after_ingest(warehouse, shop)
        else:
            window, tags = backfill, build_tags(*backfill, changed=False)
        if ingest_ok:
            build = build_job.execute_in_process(
                instance=instance,
                raise_on_error=False,
                run_config={"loggers": loggers, "ops": {"dbt_daily_facts": {"config": {"shop": shop}}}},
                tags={CLI_TAG: "cli", **tags},
            )
            results.append(build)
            seconds_by_step.update(step_seconds(instance, build.run_id))
    seconds = time.perf_counter() - started
    gx_import.join()  # an import still running at interpreter exit can fail half-way (a run that stopped early)

    materialisations = [e for r in results for e in r.get_asset_materialization_events()]
    materialised = {e.asset_key for e in materialisations}
    report, published = None, None
    for event in materialisations:
        if event.asset_key == MANIFEST_KEY:
            report = report_from_metadata(event.materialization.metadata)
        elif event.asset_key == dg.AssetKey(["serve", "marts"]):
            published = {k: getattr(v, "value", v) for k, v in event.materialization.metadata.items()}
    checks = [c for r in results for c in r.get_asset_check_evaluations()]
    failed_checks = [
        {
            "asset": "/".join(c.asset_key.path),
            "check": c.check_name,
            "severity": c.severity.value,
            "details": {k: getattr(v, "value", v) for k, v in c.metadata.items() if k != "rows_validated"},
        }
        for c in checks
        if not c.passed
    ]
    failed_steps = sorted(step for r in results for step in r.get_failed_step_keys())
    errors = step_errors(results)
    # steps downstream of a failed step or a failed blocking check never start
    started_steps = {e.step_key for r in results for e in r.all_events if e.event_type_value == "STEP_START"}
    jobs = [build_job] if backfill else [ingest_job, build_job]
    skipped = sorted({n.name for job in jobs for n in job.graph.nodes} - started_steps)
    totals = report.totals() if report else {}
    last = results[-1]
    summary = {
        "run_id": last.run_id,
        "run_ids": [r.run_id for r in results],
        "success": all(r.success for r in results) and len(results) == len(jobs),
        "seconds": round(seconds, 1),
        "stage_seconds": stages(seconds_by_step),
        "landing": str(landing_path),
        "shop": shop,
        "days_rebuilt": list(window) if len(results) == len(jobs) else None,
        "marts_rebuilt_for": mart_build_of(warehouse, last.run_id) if len(results) == len(jobs) else None,
        "backfill": backfill is not None,
        "warehouse": str(warehouse),
        "dagster_home": str(dagster_home_path),
        "log": str(log_path),
        "files": totals,
        "rejected_files": [{"file": f.source_file, "reason": f.reason} for f in report.rejected] if report else [],
        # links out of a shop folder, FIFOs, files that vanished mid-run: not read, and said so
        "skipped_files": [{"file": f.source_file, "reason": f.reason} for f in report.of("skipped") if f.reason]
        if report
        else [],
        "quarantined_files": [
            {"file": f.source_file, "rows": f.rows_quarantined}
            for f in (report.of("loaded") if report else [])
            if f.rows_quarantined
        ],
        "schema_drift": {
            f.source_file: f.schema_drift for f in (report.of("loaded") if report else []) if f.schema_drift
        },
        "marts_built": sorted("/".join(k.path) for k in materialised if k.path[0] == "marts"),
        "models_built": sum(1 for k in materialised if k.path[0] != "raw"),
        "checks_passed": sum(1 for c in checks if c.passed),
        "checks_failed": failed_checks,
        "failed_steps": failed_steps,
        "step_errors": errors,
        "skipped_steps": skipped,
    }
    # files a check on the raw data held out of the warehouse (ingestion/hold.py): the other shops went on
    summary["held_files"] = [
        {"file": f["source_file"], "shop": f["shop_id"], "reason": f["reason"]}
        for c in failed_checks
        for f in (c["details"].get("held_files") or [])
    ]
    blocking_failed = any(c["severity"] == "ERROR" for c in failed_checks)
    summary["published"] = published
    something_wrong = (
        not summary["success"]
        or blocking_failed
        or summary["rejected_files"]
        or summary["skipped_files"]
        or summary["held_files"]
    )
    summary["exit_code"] = EXIT_FAILED if something_wrong else EXIT_OK
    if summary["exit_code"] != EXIT_OK:
        reasons = [f"rejected {r['file']}: {r['reason']}" for r in summary["rejected_files"]]
        reasons += [f"skipped {r['file']}: {r['reason']}" for r in summary["skipped_files"]]
        reasons += [f"held {h['file']}: {h['reason']}" for h in summary["held_files"]]
        reasons += [f"check {c['check']} failed on {c['asset']}" for c in failed_checks if c["severity"] == "ERROR"]
        reasons += [f"step {step} failed" + (f": {errors[step]}" if step in errors else "") for step in failed_steps]
        job_name = build_job.name if backfill or len(results) > 1 else ingest_job.name
        notify_failure(home_path, last.run_id, job_name, "; ".join(reasons) or "run failed")
    tmp = home_path / f".last_run.json.{last.run_id}.tmp"
    tmp.write_text(json.dumps(summary, indent=2, default=str))
    os.replace(tmp, home_path / "last_run.json")  # a reader sees the previous run's summary or this one's, whole
    return summary
