"""Great Expectations suites as Dagster asset checks (dagster-ge does not support GX 1.x).

The suites on the daily facts validate the days and shops the run rebuilt; the raw suites report what the
ingest job's screening step found and held (quality/screening.py)."""

from collections.abc import Callable

import dagster as dg
import duckdb

from lapak.resources import LapakPaths
from quality.screening import SCREENED_KEY
from quality.suites import SUITES, Suite
from quality.validation import keys_between, validate_in_chunks

# (warehouse connection, run, fact kind) -> (first and last day rebuilt, shops rebuilt); None: every day / shop
ScopeOf = Callable[[duckdb.DuckDBPyConnection, dg.DagsterRun, str], tuple[tuple[str, str] | None, list[str] | None]]


def _make_check(suite: Suite, scope_of: ScopeOf) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=dg.AssetKey(list(suite.asset_key)),
        name=suite.name,
        description=f"Great Expectations: {suite.description}",
        blocking=suite.blocking,
    )
    def _check(context: dg.AssetCheckExecutionContext, settings: LapakPaths) -> dg.AssetCheckResult:
        params = {}
        query = suite.query
        with duckdb.connect(str(settings.warehouse), read_only=True) as con:
            days, shops = scope_of(con, context.run, suite.window[0]) if suite.window else (None, None)
            if days is not None:
                condition, bounds = keys_between(suite, days[0], days[1], "day")
                query = f"select * from ({query}) where {condition}"
                params.update(bounds)
            if shops is not None:
                query = f"select * from ({query}) where list_contains($shops, shop_id)"
                params["shops"] = shops
            outcome = validate_in_chunks(con, suite, query, params)
        metadata = {
            "rows_validated": outcome.rows,
            "days_validated": "every day" if days is None else f"{days[0]} .. {days[1]}",
            "shops_validated": "every shop" if shops is None else ", ".join(shops),
            "expectations": len(outcome.details),
            "failed_expectations": dg.MetadataValue.json([d for d in outcome.details if not d["success"]]),
        }
        if outcome.chunks > 1:
            metadata["chunks"] = outcome.chunks
        return dg.AssetCheckResult(passed=outcome.passed, metadata=metadata)

    return _check


def _raw_check(suite: Suite) -> dg.AssetChecksDefinition:
    """The check of a raw suite: what `screen_raw_files` found in this run (quality/screening.py).

    Not `blocking` in Dagster's sense (the step it reads runs after the raw assets): an ERROR still stops the
    build, which `lapak run` and the build sensor start only when no ERROR check failed."""

    @dg.asset_check(
        asset=dg.AssetKey(list(suite.asset_key)),
        name=suite.name,
        description=f"Great Expectations: {suite.description} Failing files are held (screen_raw_files).",
        additional_deps=[SCREENED_KEY],
    )
    def _check(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
        event = context.instance.get_latest_materialization_event(SCREENED_KEY)
        if event is None or event.run_id != context.run.run_id or event.asset_materialization is None:
            return dg.AssetCheckResult(passed=False, metadata={"reason": "the files were not screened in this run"})
        suites = event.asset_materialization.metadata["suites"]
        found = (suites.data if hasattr(suites, "data") else suites)[suite.name]
        metadata = {
            "rows_validated": found["rows"],
            "files_validated": found["files"],
            "expectations": len(found["details"]),
            "failed_expectations": dg.MetadataValue.json([d for d in found["details"] if not d["success"]]),
        }
        if found["chunks"] > 1:
            metadata["chunks"] = found["chunks"]
        if found["held"]:
            metadata["held_files"] = dg.MetadataValue.json(found["held_files"])
        # held files are out of the warehouse: the rest goes on, so this warns instead of blocking
        severity = dg.AssetCheckSeverity.WARN if found["held"] else dg.AssetCheckSeverity.ERROR
        return dg.AssetCheckResult(passed=found["passed"], severity=severity, metadata=metadata)

    return _check


def gx_checks(scope_of: ScopeOf) -> list[dg.AssetChecksDefinition]:
    """One asset check per suite. `scope_of(con, run, kind)` gives the days and shops whose facts a run rebuilt
    (None: all), which the suites with a window validate alone: orchestration plans builds, quality only reads them."""
    return [_raw_check(s) if s.holds_files else _make_check(s, scope_of) for s in SUITES]
