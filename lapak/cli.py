"""`lapak`: generate sample exports, run the pipeline, inspect what was quarantined.

`lapak run` executes the same Dagster jobs the UI shows (`lapak_ingest`, then `lapak_build` over the
days the new exports cover), recorded in the Dagster instance under `<home>/dagster`, so `make ui`
shows the CLI's runs and materialisations too. `lapak backfill` runs `lapak_build` over chosen days.
Both hold the home's run lock for the whole run (orchestration/run_lock.py): one writer per warehouse.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import sys
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from orchestration.run_lock import RunLockTimeout

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

PLANNED_EVENTS_ENV = "DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS"
OLD_DAGSTER_YAML = """\
# lapak's Dagster instance: runs from `lapak run` and from `dagster dev` land here.
telemetry:
  enabled: false
"""
STORAGE_DAGSTER_YAML = """\
# lapak's Dagster instance: runs from `lapak run` and from `dagster dev` land here.
telemetry:
  enabled: false
# Dagster's SQLite storage in its usual folders, with the event log's engines kept open
# (orchestration/instance.py): a build over many day partitions stores thousands of events.
storage:
  custom:
    module: orchestration.instance
    class: LapakSqliteStorage
    config:
      base_dir:
        env: DAGSTER_HOME
"""
# Dagster's own SQLite storage in its usual folders under $DAGSTER_HOME (lapak once kept the event log's engines open
# with a subclass of Dagster's private storage; public APIs only: docs/performance.md, decision log)
QUEUE_DAGSTER_YAML = """\
# The warehouse has one writer: the daemon starts one run at a time (the schedule's, a sensor's, the UI's) and
# queues the others. `lapak run` does not go through the queue; the home's run lock keeps it apart.
concurrency:
  runs:
    max_concurrent_runs: 1
"""
DAGSTER_YAML = OLD_DAGSTER_YAML + QUEUE_DAGSTER_YAML
# instance files lapak wrote before, which it may replace: a file the user edited is left alone
LAPAK_DAGSTER_YAMLS = (OLD_DAGSTER_YAML, STORAGE_DAGSTER_YAML, STORAGE_DAGSTER_YAML + QUEUE_DAGSTER_YAML)


def _dagster_home(home: Path) -> Path:
    path = home / "dagster"
    path.mkdir(parents=True, exist_ok=True)
    cfg = path / "dagster.yaml"
    if not cfg.exists() or cfg.read_text() in LAPAK_DAGSTER_YAMLS:
        tmp = path / f".dagster.yaml.{os.getpid()}.tmp"
        tmp.write_text(DAGSTER_YAML)
        os.replace(tmp, cfg)  # `dagster dev` reading it meanwhile sees the old file or the new one
    os.environ["DAGSTER_HOME"] = str(path)
    # A build over N day partitions plans one event per asset instead of one per asset and day (N x 13
    # rows in the event log before the first step starts). Trade-off: a failed run leaves its partitions
    # shown as missing, not failed, in the UI's partition view; the run itself still shows as failed.
    os.environ.setdefault(PLANNED_EVENTS_ENV, "1")
    return path


def prepare_instance(home: Path) -> Path:
    """The home (created owner-only) and its Dagster instance with lapak's dagster.yaml, as `lapak run` leaves
    them: for `make ui` and `make sample` before any run, so that `dagster dev` also runs one run at a time."""
    from orchestration.home import prepare_home

    prepare_home(home)
    return _dagster_home(home)


def _end_date(value: str) -> date:
    """`--end-date`: a day, or `yesterday` in Jakarta, so that sample exports look as fresh as a shop's today."""
    if value == "yesterday":
        from lapak.settings import WIB

        return datetime.now(WIB).date() - timedelta(days=1)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected YYYY-MM-DD or yesterday, got {value!r}") from None


def cmd_generate(args: argparse.Namespace) -> int:
    from lapak.generate import generate

    start = time.perf_counter()
    out = Path(args.out)
    result = generate(
        out,
        shops=args.shops,
        days=args.days,
        orders_per_day=args.orders_per_day,
        seed=args.seed,
        **({"end_date": args.end_date} if args.end_date else {}),
    )
    took = time.perf_counter() - start
    print(
        f"wrote {len(result.files)} export files for {len(result.shops)} shops "
        f"({result.order_lines:,} order lines) to {out} in {took:.1f}s"
    )
    for shop, story in result.stories.items():
        print(f"  {shop}: viral video {story.viral_video_id} sells out SKU {story.viral_sku_id} ({story.viral_date})")
    return EXIT_OK


STAGES = {
    "ingest_landing": "ingest",
    "dbt_daily_facts": "dbt",
    "dbt_models": "dbt",
    "serve__marts": "publish",
}


def _step_seconds(instance, run_id: str) -> dict[str, float]:
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


def _stages(step_seconds: dict[str, float]) -> dict[str, float]:
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
    dagster_home = _dagster_home(home_path)

    import dagster as dg

    from ingestion.assets import MANIFEST_KEY, report_from_metadata
    from lapak.settings import warehouse_path
    from orchestration.automation import CLI_TAG, notify_failure
    from orchestration.dbt import plan_build_after_ingest, prepare_partial_parse
    from orchestration.definitions import defs
    from orchestration.marts import mart_build_of
    from orchestration.windows import build_tags

    warehouse = warehouse_path(home_path)
    prepare_partial_parse(home_path, warehouse)
    ingest_job, build_job = defs.resolve_job_def("lapak_ingest"), defs.resolve_job_def("lapak_build")
    loggers = {"lapak_progress": {}} if progress else {"console": {"config": {"log_level": "CRITICAL"}}}
    started = time.perf_counter()
    log_path = home_path / "logs" / "last_run.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    results, step_seconds, window = [], {}, None
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
            step_seconds.update(_step_seconds(instance, ingest.run_id))
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
            step_seconds.update(_step_seconds(instance, build.run_id))
    seconds = time.perf_counter() - started

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
        "stage_seconds": _stages(step_seconds),
        "landing": str(landing_path),
        "shop": shop,
        "days_rebuilt": list(window) if len(results) == len(jobs) else None,
        "marts_rebuilt_for": mart_build_of(warehouse, last.run_id) if len(results) == len(jobs) else None,
        "backfill": backfill is not None,
        "warehouse": str(warehouse),
        "dagster_home": str(dagster_home),
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


def _print_summary(s: dict) -> None:
    f = s["files"]
    ok = s["exit_code"] == EXIT_OK
    print()
    print(f"lapak run {'OK' if ok else 'FAILED'} in {s['seconds']}s  (run {s['run_id'][:8]})")
    print(
        f"  files:   {f.get('files_loaded', 0)} loaded, {f.get('files_unchanged', 0)} unchanged, "
        f"{f.get('files_duplicate', 0)} duplicate, {f.get('files_rejected', 0)} rejected"
    )
    print(
        f"  rows:    {f.get('rows_loaded', 0):,} loaded, {f.get('rows_quarantined', 0):,} quarantined "
        f"(of {f.get('rows_read', 0):,} read)"
    )
    for r in s["rejected_files"]:
        print(f"  rejected: {r['file']}: {r['reason']}")
    for r in s.get("skipped_files", []):
        print(f"  skipped: {r['file']}: {r['reason']}")
    for q in s["quarantined_files"]:
        print(f"  quarantined: {q['rows']} rows of {q['file']}  (see `lapak quarantine`)")
    for h in s.get("held_files", []):
        print(f"  held out: {h['file']} ({h['reason']}); shop {h['shop']} keeps its last good data")
    drift: dict[tuple[str, ...], list[str]] = {}
    for file, cols in s["schema_drift"].items():
        drift.setdefault(tuple(cols), []).append(file)
    for cols, files in drift.items():
        where = files[0] if len(files) == 1 else f"{len(files)} files, e.g. {files[0]}"
        print(f"  columns lapak does not know yet, kept in _extra: {', '.join(cols)} ({where})")
    if s.get("days_rebuilt"):
        first, last = s["days_rebuilt"]
        span = first if first == last else f"{first} .. {last}"
        print(f"  days:    {span} ({'backfill' if s['backfill'] else 'the days the new exports cover'})")
    if s.get("marts_rebuilt_for"):
        shops = s["marts_rebuilt_for"]["shops"]
        who = "every shop" if shops == "all" else ", ".join(shops) or "no shop"
        print(f"  marts:   rebuilt for {who} ({s['marts_rebuilt_for']['reason']})")
    marts = ", ".join(m.split("/")[1] for m in s["marts_built"]) or "none"
    print(f"  models:  {s['models_built']} dbt models built; marts: {marts}")
    n_failed = len(s["checks_failed"])
    print(f"  checks:  {s['checks_passed']} passed, {n_failed} failed")
    for c in s["checks_failed"]:
        details = json.dumps(c["details"], default=str)[:300]
        print(f"    ✗ {c['check']} on {c['asset']} [{c['severity'].lower()}]: {details}")
    for step in s["failed_steps"]:
        error = s.get("step_errors", {}).get(step)
        print(f"  failed step: {step}{f': {error}' if error else ''} (see the run in the Dagster UI)")
    for step in s["skipped_steps"]:
        print(f"  skipped: {step} (an upstream blocking check failed)")
    print(f"  warehouse: {s['warehouse']}  (written by runs; BI reads the published copy)")
    if s.get("published"):
        pub = s["published"]
        print(f"  published: {pub['path']}  (read-only copy for BI; Parquet in {pub['parquet_dir']})")
        if pub.get("reorder_signals_csv"):
            actions = pub.get("reorder_actions") or []
            counts = {st: sum(a["status"] == st for a in actions) for st in ("oversold", "urgent", "reorder")}
            print(
                f"  reorder signals: {counts['oversold']} oversold, {counts['urgent']} urgent, "
                f"{counts['reorder']} to reorder  ({pub['reorder_signals_csv']})"
            )
            for a in actions[:8]:
                cover = "-" if a["days_of_cover"] is None else f"{float(a['days_of_cover']):.1f}"
                print(
                    f"    {a['status']:<8} {a['shop_id']} / {a['product_name']} (SKU {a['sku_id']}): "
                    f"stock {a['stock_on_hand']}, {cover} days of cover, order {a['suggested_order_qty']}"
                )
    else:
        print("  published: nothing new (the last good copy stays in place)")
    dagster = Path(sys.executable).parent / "dagster"
    root = Path(__file__).resolve().parent.parent
    print(f"  Dagster UI: make ui  (or: cd {root} && DAGSTER_HOME={s['dagster_home']} {dagster} dev -w workspace.yaml)")


def _run_and_report(args: argparse.Namespace, title: str, **kwargs) -> int:
    """Run the pipeline with progress lines on a terminal; print the summary (or JSON); return the exit code."""
    progress = sys.stderr.isatty() and not args.json
    if progress:
        print(title, file=sys.stderr)
    # Dagster's, dbt's and lapak's definitions live as long as the process: frozen, the full collections
    # during the run no longer walk them (docs/performance.md, decision log). Only in this command's own process.
    import orchestration.definitions  # noqa: F401
    from orchestration.run_lock import RunLockTimeout

    gc.freeze()
    try:
        summary = run_pipeline(home=args.home, progress=progress, shop=args.shop, command=title, **kwargs)
    except RunLockTimeout as exc:
        return _report_lock_timeout(args, title, exc)
    if args.json:
        print(json.dumps(summary, indent=2, default=str))
    else:
        _print_summary(summary)
    return summary["exit_code"]


def _report_lock_timeout(args: argparse.Namespace, title: str, exc: RunLockTimeout) -> int:
    """A run that never started because another held the home: said on stderr (and as JSON with --json) and
    in the failure log and alert. `last_run.json` stays the other run's: it describes runs that ran."""
    from orchestration.automation import notify_failure

    print(f"{title}: {exc}", file=sys.stderr)
    if args.json:
        print(json.dumps({"success": False, "exit_code": EXIT_FAILED, "error": str(exc), "locked_by": exc.holder}))
    notify_failure(exc.home, "not-started", title, str(exc))
    return EXIT_FAILED


def _check_environment() -> str | None:
    """What is wrong with lapak's own environment variables, before anything runs."""
    from orchestration.home import home_mode
    from orchestration.run_lock import lock_timeout

    try:
        home_mode()
        lock_timeout()
    except ValueError as exc:
        return str(exc)
    return None


def cmd_run(args: argparse.Namespace) -> int:
    if problem := _check_environment():
        print(f"lapak run: {problem}", file=sys.stderr)
        return EXIT_USAGE
    if args.engine == "spark":
        from lapak.spark import print_summary, run_spark
        from orchestration.run_lock import RunLockTimeout

        try:
            with one_writer(args.landing, args.home, "lapak run --engine spark") as (landing, home):
                summary = run_spark(landing, home, shop=args.shop, select=args.select, tests=not args.no_tests)
        except RunLockTimeout as exc:
            return _report_lock_timeout(args, "lapak run --engine spark", exc)
        if args.json:
            print(json.dumps(summary, indent=2, default=str))
        else:
            print_summary(summary)
        return summary["exit_code"]
    return _run_and_report(args, "lapak run", landing=args.landing)


def cmd_backfill(args: argparse.Namespace) -> int:
    from orchestration.windows import DAILY

    if problem := _check_environment():
        print(f"lapak backfill: {problem}", file=sys.stderr)
        return EXIT_USAGE

    first, last = args.start, args.end or args.start
    keys = set(DAILY.get_partition_keys())
    for day in (first, last):
        if day not in keys:
            print(
                f"no partition {day}: days run from {DAILY.get_first_partition_key()} to "
                f"{DAILY.get_last_partition_key()} (YYYY-MM-DD; $LAPAK_PARTITIONS_START moves the first)",
                file=sys.stderr,
            )
            return EXIT_USAGE
    if last < first:
        print(f"--end {last} is before --start {first}", file=sys.stderr)
        return EXIT_USAGE
    return _run_and_report(args, f"lapak backfill {first} .. {last}", landing=None, backfill=(first, last))


def cmd_quarantine(args: argparse.Namespace) -> int:
    import duckdb

    from lapak.settings import resolve_paths, warehouse_path

    _, home = resolve_paths(None, args.home)
    warehouse = warehouse_path(home)
    if not warehouse.exists():
        print(f"no warehouse at {warehouse}: run `lapak run` first", file=sys.stderr)
        return EXIT_USAGE
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.IOException as exc:  # DuckDB has one writer and no readers beside it
        if "lock" not in str(exc).lower():
            raise
        from orchestration.run_lock import describe, read_holder

        print(
            f"a lapak run is writing {warehouse} right now ({describe(read_holder(home))}): try again when it ends",
            file=sys.stderr,
        )
        return EXIT_FAILED
    with con:
        where, params = "", []
        if args.file:
            where, params = "where source_file like ?", [f"%{args.file}%"]
        rows = con.execute(
            f"""select source_file, source_row, column_name, raw_value, reason from raw._quarantine {where}
            order by source_file, source_row limit {int(args.limit)}""",
            params,
        ).fetchall()
    if args.json:
        keys = ["file", "row", "column", "raw_value", "reason"]
        print(json.dumps([dict(zip(keys, r, strict=True)) for r in rows], indent=2))
        return EXIT_OK
    if not rows:
        print("nothing quarantined")
    for file, row, column, value, reason in rows:
        shown = (value or "").replace("\t", "\\t")
        print(f"{file}: row {row}, column {column!r}: {reason} (value: {shown[:80]!r})")
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="lapak", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    g = sub.add_parser("generate", help="write realistic sample Seller Center exports")
    g.add_argument("--out", required=True, help="landing folder to write into (one sub-folder per shop)")
    g.add_argument("--shops", type=int, default=3)
    g.add_argument("--days", type=int, default=120)
    g.add_argument("--orders-per-day", type=int, default=60)
    g.add_argument("--seed", type=int, default=7)
    g.add_argument(
        "--end-date", type=_end_date,
        help="last day of data, YYYY-MM-DD or `yesterday` (in WIB); default: the generator's fixed date",
    )  # fmt: skip
    g.set_defaults(func=cmd_generate)

    r = sub.add_parser("run", help="ingest new exports and build every mart and check")
    r.add_argument("--landing", help="landing folder (default $LAPAK_LANDING or ./data/landing)")
    r.add_argument("--home", help="home folder holding warehouse.duckdb (default $LAPAK_HOME or ./data)")
    r.add_argument("--shop", help="ingest and rebuild only this shop's exports (the marts are rebuilt for all)")
    r.add_argument("--json", action="store_true", help="print the summary as JSON")
    r.add_argument(
        "--engine", choices=["duckdb", "spark"], default="duckdb",
        help="build the marts with DuckDB (default) or with dbt-spark over the Parquet lake (docs/scale-out.md)",
    )  # fmt: skip
    r.add_argument("--select", nargs="+", help="--engine spark: dbt selection to build (default: every model)")
    r.add_argument("--no-tests", action="store_true", help="--engine spark: build the models, skip dbt's data tests")
    r.set_defaults(func=cmd_run)

    b = sub.add_parser("backfill", help="rebuild the daily facts over a range of days, then every mart; publish")
    b.add_argument("--start", required=True, help="first day, YYYY-MM-DD")
    b.add_argument("--end", help="last day, YYYY-MM-DD (default: --start)")
    b.add_argument("--home", help="home folder holding warehouse.duckdb (default $LAPAK_HOME or ./data)")
    b.add_argument("--shop", help="rebuild only this shop's facts")
    b.add_argument("--json", action="store_true", help="print the summary as JSON")
    b.set_defaults(func=cmd_backfill)

    q = sub.add_parser("quarantine", help="list rows that could not be loaded, with file, row, column and reason")
    q.add_argument("--home", help="home folder (default $LAPAK_HOME or ./data)")
    q.add_argument("--file", help="only files whose path contains this text")
    q.add_argument("--limit", type=int, default=200)
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_quarantine)

    args = parser.parse_args(argv)
    code = args.func(args)
    # The interpreter's teardown runs full garbage collections over every object Dagster, dbt and GX left
    # behind: 2+ s after a `lapak run` (docs/performance.md, decision log). Frozen objects are skipped; their memory
    # goes back to the OS with the process. Only for the `lapak` command: main() ends its process.
    gc.freeze()
    return code


if __name__ == "__main__":
    sys.exit(main())
