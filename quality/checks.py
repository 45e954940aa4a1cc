"""Great Expectations suites as Dagster asset checks (dagster-ge does not support GX 1.x)."""

import os
import threading
from dataclasses import asdict
from functools import cache
from typing import Any

import dagster as dg
import duckdb

from orchestration.settings import LapakSettings
from orchestration.windows import rebuilt_days
from quality.suites import SUITES, Suite


def _import_gx():
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("TQDM_DISABLE", "1")
    import great_expectations

    return great_expectations


def prefetch_gx() -> threading.Thread:
    """Start importing GX in a background thread and return it (join it before exit).

    The import takes seconds (scipy, pydantic models) and the first check needs it only after ingestion:
    `lapak run` starts it beside ingestion, which spends most of its time in DuckDB with the GIL released.
    Only the module import runs here; the context is still made once, by `_gx()`."""
    thread = threading.Thread(target=_import_gx, name="import-great-expectations", daemon=True)
    thread.start()
    return thread


@cache
def _gx() -> tuple[Any, Any]:
    """Import GX once, lazily, quietly, with an ephemeral (file-less) context."""
    gx = _import_gx()

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False}
    return gx, context


def validate_frame(suite: Suite, frame) -> tuple[bool, list[dict]]:
    """Run a suite on a DataFrame; (passed, one result dict per expectation, with the failing rows' index
    labels under `rows` when the suite holds files)."""
    gx, context = _gx()
    source = context.data_sources.add_or_update_pandas(f"lapak_{suite.name}")
    asset = source.add_dataframe_asset(suite.name)
    batch = asset.add_batch_definition_whole_dataframe("all").get_batch(batch_parameters={"dataframe": frame})
    expectation_suite = gx.ExpectationSuite(name=suite.name, expectations=suite.expectations(gx.expectations))
    result_format = {"result_format": "COMPLETE" if suite.holds_files else "SUMMARY"}  # COMPLETE: the failing rows
    result = batch.validate(expectation_suite, result_format=result_format)
    details = []
    for r in result.results:
        cfg = r.expectation_config
        res = r.result or {}
        details.append(
            {
                "expectation": cfg.type,
                "column": cfg.kwargs.get("column") or cfg.kwargs.get("column_list") or cfg.kwargs.get("column_set"),
                "success": bool(r.success),
                "unexpected_count": res.get("unexpected_count"),
                "examples": [str(v) for v in (res.get("partial_unexpected_list") or [])[:5]],
                "rows": list(res.get("unexpected_index_list") or []),
            }
        )
    return bool(result.success), details


def _make_check(suite: Suite) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=dg.AssetKey(list(suite.asset_key)),
        name=suite.name,
        description=f"Great Expectations: {suite.description}",
        blocking=suite.blocking,
    )
    def _check(context: dg.AssetCheckExecutionContext, settings: LapakSettings) -> dg.AssetCheckResult:
        params = {"load_id": context.run.run_id} if suite.holds_files else {}
        query = suite.query
        with duckdb.connect(str(settings.warehouse), read_only=True) as con:
            days = rebuilt_days(con, context.run, suite.window[0]) if suite.window else None
            if days is not None:
                query = f"select * from ({query}) where {suite.window[1]} between $first_day and $last_day"
                params.update(first_day=days[0], last_day=days[1])
            frame = con.execute(query, params).df()
        passed, details = validate_frame(suite, frame)
        failed = [d for d in details if not d["success"]]
        held = _hold(suite, frame, failed, settings, context.run.run_id) if failed and suite.holds_files else []
        for d in failed:
            d.pop("rows", None)
        # the failing files are out of the warehouse: the rest goes on, so this warns instead of blocking
        severity = dg.AssetCheckSeverity.WARN if held else dg.AssetCheckSeverity.ERROR
        metadata = {
            "rows_validated": len(frame),
            "days_validated": "every day" if days is None else f"{days[0]} .. {days[1]}",
            "expectations": len(details),
            "failed_expectations": dg.MetadataValue.json(failed),
        }
        if held:
            metadata["held_files"] = dg.MetadataValue.json([asdict(f) for f in held])
        return dg.AssetCheckResult(passed=passed, severity=severity, metadata=metadata)

    return _check


def _hold(suite: Suite, frame, failed: list[dict], settings: LapakSettings, load_id: str) -> list:
    """Hold the files the failing rows came from; nothing when a failure names no rows (a table-level one)."""
    from ingestion.hold import HeldFile, hold_files

    if any(not d["rows"] for d in failed):
        return []
    problems: dict[tuple[str, str, str], list[str]] = {}
    for d in failed:
        rows = frame.loc[d["rows"]]
        for (shop, file, sha), group in rows.groupby(["_shop_id", "_source_file", "_file_sha256"], sort=True):
            lines = ", ".join(str(int(r)) for r in sorted(group["_source_row"])[:5])
            more = f" and {len(group) - 5} more" if len(group) > 5 else ""
            column = d["column"] if isinstance(d["column"], str) else "+".join(d["column"] or [])
            problems.setdefault((shop, file, sha), []).append(
                f"{d['expectation']} on column {column}: row {lines}{more}"
            )
    files = [
        HeldFile(shop, file, sha, f"held: check {suite.name} failed: " + "; ".join(why))
        for (shop, file, sha), why in sorted(problems.items())
    ]
    with duckdb.connect(str(settings.warehouse)) as con:
        return hold_files(con, files, load_id)


GX_CHECKS: list[dg.AssetChecksDefinition] = [_make_check(s) for s in SUITES]
