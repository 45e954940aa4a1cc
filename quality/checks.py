"""Great Expectations suites as Dagster asset checks (dagster-ge does not support GX 1.x)."""

import os
from functools import cache
from typing import Any

import dagster as dg
import duckdb

from orchestration.settings import LapakSettings
from quality.suites import SUITES, Suite


@cache
def _gx() -> tuple[Any, Any]:
    """Import GX once, lazily, quietly, with an ephemeral (file-less) context."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("TQDM_DISABLE", "1")
    import great_expectations as gx

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False}
    return gx, context


def validate_frame(suite: Suite, frame) -> tuple[bool, list[dict]]:
    """Run a suite on a DataFrame; (passed, one result dict per expectation)."""
    gx, context = _gx()
    source = context.data_sources.add_or_update_pandas(f"lapak_{suite.name}")
    asset = source.add_dataframe_asset(suite.name)
    batch = asset.add_batch_definition_whole_dataframe("all").get_batch(batch_parameters={"dataframe": frame})
    expectation_suite = gx.ExpectationSuite(name=suite.name, expectations=suite.expectations(gx.expectations))
    result = batch.validate(expectation_suite)
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
    def _check(settings: LapakSettings) -> dg.AssetCheckResult:
        with duckdb.connect(str(settings.warehouse), read_only=True) as con:
            frame = con.execute(suite.query).df()
        passed, details = validate_frame(suite, frame)
        failed = [d for d in details if not d["success"]]
        return dg.AssetCheckResult(
            passed=passed,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={
                "rows_validated": len(frame),
                "expectations": len(details),
                "failed_expectations": dg.MetadataValue.json(failed),
            },
        )

    return _check


GX_CHECKS: list[dg.AssetChecksDefinition] = [_make_check(s) for s in SUITES]
