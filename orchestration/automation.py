"""Running lapak like production: a daily schedule, a sensor on the landing folder, failure alerts,
a freshness check on the order exports, and the published copy of the marts for BI."""

import hashlib
import json
import os
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import duckdb

from ingestion.assets import MANIFEST_KEY, RAW_KEYS, report_from_metadata
from ingestion.landing import discover
from ingestion.scan import sha256_file
from lapak.settings import WIB, resolve_paths, warehouse_path
from orchestration.dbt import dbt_models, plan_build_after_ingest
from orchestration.publish import publish
from orchestration.settings import LapakSettings

CLI_TAG = "lapak/launched_by"
FILES_TAG = "lapak/new_files_key"  # which new files a sensor run was requested for (see new_files_run_key)
# a sensor run that failed is requested again this long after it ended, not on every tick: a failure that
# lasts (a wrong PII key, a full disk) would otherwise start a run and send an alert every minute
RETRY_AFTER_S = 15 * 60
FINISHED = [dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED]


# --- publishing ---------------------------------------------------------------------------------

MART_KEYS = [k for k in dbt_models.keys if k.path[0] == "marts"]


@dg.asset(
    key=["serve", "marts"],
    deps=MART_KEYS,
    group_name="serve",
    kinds={"duckdb", "parquet"},
    description="Read-only copy of every mart for BI: `<home>/serve/marts.duckdb` (swapped in atomically) and "
    "`<home>/serve/parquet/<mart>.parquet`; `reorder_signals` also as `<home>/reorder_signals.csv`.",
)
def published_marts(context: dg.AssetExecutionContext, settings: LapakSettings) -> dg.MaterializeResult:
    result = publish(settings.warehouse, settings.home, context.run_id)
    return dg.MaterializeResult(
        metadata={
            "path": str(result.database),
            "parquet_dir": str(result.parquet_dir),
            "marts": dg.MetadataValue.json(result.marts),
            "reorder_signals_csv": str(result.reorder_csv) if result.reorder_csv else "",
            "reorder_actions": dg.MetadataValue.json(result.reorder_actions),
            "seconds": round(result.seconds, 2),
            "copy": "whole" if result.shops_updated is None else "shops updated in place",
            "shops_updated": dg.MetadataValue.json(result.shops_updated or []),
            "copy_reason": result.how,
        }
    )


# --- freshness ----------------------------------------------------------------------------------


@dg.asset_check(
    asset=RAW_KEYS["orders"],
    name="orders_export_is_fresh",
    description="Warns when a shop's newest order export is older than $LAPAK_FRESHNESS_DAYS days (default 2).",
)
def orders_export_is_fresh(settings: LapakSettings) -> dg.AssetCheckResult:
    max_days = float(os.environ.get("LAPAK_FRESHNESS_DAYS", "2"))
    now_wib = datetime.now(WIB).replace(tzinfo=None)
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        rows = con.execute(
            "select shop_id, max(export_at) from raw._manifest where kind = 'orders' and status = 'loaded' "
            "group by shop_id order by shop_id"
        ).fetchall()
    ages = {shop: round((now_wib - latest).total_seconds() / 86400, 1) for shop, latest in rows if latest}
    stale = {shop: age for shop, age in ages.items() if age > max_days}
    return dg.AssetCheckResult(
        passed=bool(ages) and not stale,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "max_age_days": max_days,
            "age_days_by_shop": dg.MetadataValue.json(ages),
            "stale_shops": dg.MetadataValue.json(sorted(stale)),
        },
    )


# --- schedule and sensor ------------------------------------------------------------------------


def build_schedule(job) -> dg.ScheduleDefinition:
    return dg.ScheduleDefinition(
        name="lapak_daily",
        job=job,
        cron_schedule=os.environ.get("LAPAK_SCHEDULE_CRON", "0 6 * * *"),
        execution_timezone=os.environ.get("LAPAK_SCHEDULE_TZ", "Asia/Jakarta"),
        description="The whole pipeline every morning (06:00 WIB unless $LAPAK_SCHEDULE_CRON says otherwise).",
        default_status=dg.DefaultScheduleStatus.RUNNING,
    )


def new_file_set(landing: Path, cursor: dict, known_hashes: set[str]) -> tuple[list[tuple[str, str]], dict]:
    """Files under `landing` whose content is not in `known_hashes` (the manifest's); hashes only files that changed
    since the cursor. A file the sensor saw before is new until a run has put it in the manifest.

    Returns ([(path, sha256)], new cursor). The cursor maps path -> [size, mtime_ns, sha256].
    """
    new_cursor: dict = {}
    fresh: list[tuple[str, str]] = []
    known_hashes = set(known_hashes)  # a second copy of new content is not new twice
    for _, path in discover(landing):
        rel = path.relative_to(landing).as_posix()
        try:
            stat = path.stat()
            old = cursor.get(rel)
            sha = old[2] if old and old[0] == stat.st_size and old[1] == stat.st_mtime_ns else sha256_file(path)
        except FileNotFoundError:
            continue  # deleted or renamed since the listing: a renamed file is listed under its new name next tick
        new_cursor[rel] = [stat.st_size, stat.st_mtime_ns, sha]
        if sha not in known_hashes:
            fresh.append((rel, sha))
            known_hashes.add(sha)
    return fresh, new_cursor


def manifest_hashes(instance: dg.DagsterInstance) -> set[str]:
    """Every content the latest `raw/_manifest` materialisation lists (loaded, unchanged, duplicate, held or rejected:
    a rejected file comes back only changed, as new content)."""
    event = instance.get_latest_materialization_event(MANIFEST_KEY)
    if event is None or event.asset_materialization is None:
        return set()
    report = report_from_metadata(event.asset_materialization.metadata)
    return {f.sha256 for f in report.files if f.sha256} | set(report.unchanged_sha256)


def files_key(fresh: list[tuple[str, str]]) -> str:
    return hashlib.sha256("\n".join(sorted(sha for _, sha in fresh)).encode()).hexdigest()


def new_files_run_key(files: str, last_finished_run_id: str | None) -> str:
    """The sensor's run key for new files (`files_key`): one run per file set while no ingestion finishes, and a
    new key once one has finished and the files are still new (it failed before the manifest listed them)."""
    return f"{files}-after-{last_finished_run_id or 'none'}"


def last_finished_run(instance: dg.DagsterInstance, job_name: str) -> dg.RunRecord | None:
    records = instance.get_run_records(dg.RunsFilter(job_name=job_name, statuses=FINISHED), limit=1)
    return records[0] if records else None


def retry_in(last: dg.RunRecord | None, files: str, now: float) -> float:
    """Seconds until the files a sensor run failed (or was cancelled) for are requested again; 0: now."""
    if last is None or last.dagster_run.status == dg.DagsterRunStatus.SUCCESS or last.end_time is None:
        return 0.0
    if last.dagster_run.tags.get(FILES_TAG) != files:
        return 0.0  # other files, or a run the sensor did not start: no run has failed for these yet
    return max(0.0, last.end_time + RETRY_AFTER_S - now)


def build_sensor(job) -> dg.SensorDefinition:
    @dg.sensor(
        name="lapak_new_exports",
        job=job,
        minimum_interval_seconds=60,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Starts a run when export files the manifest does not list land; one run per new file set "
        "(keyed by the files' hashes), again after a run that failed to load them (15 minutes after it ended).",
    )
    def lapak_new_exports(context: dg.SensorEvaluationContext):
        landing, _ = resolve_paths(os.environ.get("LAPAK_LANDING"), os.environ.get("LAPAK_HOME"))
        cursor = json.loads(context.cursor) if context.cursor else {}
        instance = context.instance
        fresh, new_cursor = new_file_set(landing, cursor, manifest_hashes(instance))
        context.update_cursor(json.dumps(new_cursor, sort_keys=True))
        if not fresh:
            return dg.SkipReason(f"no new files in {landing}")
        files = files_key(fresh)
        last = last_finished_run(instance, job.name)
        wait = retry_in(last, files, time.time())
        if last is not None and wait:
            return dg.SkipReason(
                f"run {last.dagster_run.run_id} for these {len(fresh)} new files ended {last.dagster_run.status.value}"
                f": they are requested again in {wait / 60:.0f} min"
            )
        return dg.RunRequest(
            run_key=new_files_run_key(files, last.dagster_run.run_id if last else None),
            tags={"lapak/new_files": str(len(fresh)), "lapak/first_new_file": fresh[0][0][:200], FILES_TAG: files},
        )

    return lapak_new_exports


def blocking_failures(instance: dg.DagsterInstance, run_id: str) -> list[str]:
    """The blocking (ERROR) checks that failed in a run: a build must not start after them."""
    failed = []
    for record in instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION).records:
        evaluation = record.event_log_entry.dagster_event.event_specific_data
        if not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR:
            failed.append(f"{evaluation.check_name} on {'/'.join(evaluation.asset_key.path)}")
    return failed


def build_after_ingest(ingest_job, build_job) -> dg.SensorDefinition:
    @dg.run_status_sensor(
        name="lapak_build_after_ingest",
        run_status=dg.DagsterRunStatus.SUCCESS,
        monitored_jobs=[ingest_job],
        request_job=build_job,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="After each successful ingestion, builds the days its files cover (a partition range) "
        "and every mart, then publishes; not when a blocking check on the raw data failed.",
    )
    def lapak_build_after_ingest(context: dg.RunStatusSensorContext):
        run = context.dagster_run
        if run.tags.get(CLI_TAG) == "cli":
            return dg.SkipReason("`lapak run` starts its own build")
        blocked = blocking_failures(context.instance, run.run_id)
        if blocked:
            return dg.SkipReason(f"blocking checks failed in {run.run_id}: {'; '.join(blocked)}")
        _, home = resolve_paths(os.environ.get("LAPAK_LANDING"), os.environ.get("LAPAK_HOME"))
        shop = (run.run_config.get("ops", {}).get("ingest_landing", {}).get("config") or {}).get("shop")
        _, tags = plan_build_after_ingest(warehouse_path(home), shop)
        run_config = {"ops": {"dbt_daily_facts": {"config": {"shop": shop}}}} if shop else {}
        return dg.RunRequest(
            run_key=f"build-after-{run.run_id}",
            run_config=run_config,
            tags={**tags, "lapak/after_ingest": run.run_id},
        )

    return lapak_build_after_ingest


# --- failure alerts -----------------------------------------------------------------------------


def innermost_error(error) -> str:
    """The message of the exception at the bottom of a Dagster error chain: `module.Error: what went wrong`."""
    while error.cause is not None:  # Dagster wraps the exception raised in a step or a resource
        error = error.cause
    return error.message.strip()[:1000]


def notify_failure(home: Path, run_id: str, job_name: str, message: str) -> Path:
    """Append the failure to `<home>/logs/failures.log` and POST it to $LAPAK_ALERT_WEBHOOK if set."""
    record = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "run_id": run_id,
        "job": job_name,
        "message": message[:4000],
    }
    log = home / "logs" / "failures.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("a") as fh:
        fh.write(json.dumps(record) + "\n")
    url = os.environ.get("LAPAK_ALERT_WEBHOOK")
    if url:
        request = urllib.request.Request(
            url, data=json.dumps({"text": f"lapak run {run_id} failed: {message[:500]}", **record}).encode(),
            headers={"Content-Type": "application/json"}, method="POST",
        )  # fmt: skip
        try:
            urllib.request.urlopen(request, timeout=10).close()
        except OSError as exc:  # an alert that cannot be delivered must not hide the failure itself
            with log.open("a") as fh:
                fh.write(json.dumps({"at": record["at"], "run_id": run_id, "webhook_error": str(exc)}) + "\n")
    return log


@dg.run_failure_sensor(
    name="lapak_failure_alert",
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Writes failed runs to <home>/logs/failures.log and to $LAPAK_ALERT_WEBHOOK if set "
    "(`lapak run` reports its own failures the same way).",
)
def lapak_failure_alert(context: dg.RunFailureSensorContext):
    if context.dagster_run.tags.get(CLI_TAG) == "cli":
        return  # the CLI already reported it
    _, home = resolve_paths(os.environ.get("LAPAK_LANDING"), os.environ.get("LAPAK_HOME"))
    message = context.failure_event.message or "run failed"
    error = context.failure_event.job_failure_data.error
    if error is not None:  # a run that failed before its steps (e.g. waiting for the run lock): say why
        message += f" {innermost_error(error)}"
    notify_failure(home, context.dagster_run.run_id, context.dagster_run.job_name, message)
