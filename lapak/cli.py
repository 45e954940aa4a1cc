"""`lapak`: generate sample exports, run the pipeline, inspect what was quarantined.

`lapak run` executes the same Dagster jobs the UI shows (`lapak_ingest`, then `lapak_build` over the
days the new exports cover), recorded in the Dagster instance under `<home>/dagster`, so `make ui`
shows the CLI's runs and materialisations too. `lapak backfill` runs `lapak_build` over chosen days.
Both hold the home's run lock for the whole run (orchestration/run_lock.py): one writer per warehouse.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from lapak.pipeline import EXIT_FAILED, EXIT_OK, EXIT_USAGE, one_writer, run_pipeline

if TYPE_CHECKING:
    from orchestration.run_lock import RunLockTimeout


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


def _run_and_report(args: argparse.Namespace, title: str, **kwargs) -> int:
    """Run the pipeline with progress lines on a terminal; print the summary (or JSON); return the exit code."""
    progress = sys.stderr.isatty() and not args.json
    if progress:
        print(title, file=sys.stderr)
    # Dagster's, dbt's and lapak's definitions live as long as the process: frozen, the full collections
    # during the run no longer walk them (docs/performance.md, decision log). Only in this command's own process.
    import orchestration.definitions  # noqa: F401
    from lapak.summary import print_summary
    from orchestration.run_lock import RunLockTimeout

    gc.freeze()
    try:
        summary = run_pipeline(home=args.home, progress=progress, shop=args.shop, command=title, **kwargs)
    except RunLockTimeout as exc:
        return _report_lock_timeout(args, title, exc)
    if args.json:
        print(json.dumps(summary, indent=2, default=str))
    else:
        print_summary(summary)
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
