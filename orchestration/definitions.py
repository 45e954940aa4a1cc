"""lapak's Dagster code location: ingestion, dbt, quality checks, publishing, and what runs them."""

import dagster as dg

from ingestion.assets import every_file_accepted, ingest_landing, rows_accounted_for
from orchestration.automation import (
    build_schedule,
    build_sensor,
    lapak_failure_alert,
    orders_export_is_fresh,
    published_marts,
)
from orchestration.dbt import dbt_marts, dbt_resource, dbt_staging
from orchestration.progress import progress_logger
from orchestration.settings import settings_from_env
from quality.checks import GX_CHECKS

# Everything, in one run: what `lapak run` executes, what "Materialize all" does in the UI,
# and what the schedule and the landing-folder sensor start.
lapak_all = dg.define_asset_job(
    "lapak_all",
    selection=dg.AssetSelection.all(),
    description="Ingest new exports, build every dbt model, run every check, publish the marts for BI.",
)

defs = dg.Definitions(
    assets=[ingest_landing, dbt_staging, dbt_marts, published_marts],
    asset_checks=[every_file_accepted, rows_accounted_for, orders_export_is_fresh, *GX_CHECKS],
    jobs=[lapak_all],
    schedules=[build_schedule(lapak_all)],
    sensors=[build_sensor(lapak_all), lapak_failure_alert],
    resources={"settings": settings_from_env(), "dbt": dbt_resource()},
    # DuckDB has one writer: steps run one after another in one process.
    executor=dg.in_process_executor,
    # runs without logger config (the UI) use the console logger; `lapak run` on a terminal picks lapak_progress
    loggers={"console": dg.colored_console_logger, "lapak_progress": progress_logger},
)
