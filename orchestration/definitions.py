"""lapak's Dagster code location: ingestion, dbt, quality checks, publishing, and what runs them."""

import dagster as dg

from ingestion.assets import every_file_accepted, ingest_landing, rows_accounted_for
from orchestration.automation import (
    build_after_ingest,
    build_schedule,
    build_sensor,
    lapak_failure_alert,
    orders_export_is_fresh,
    published_marts,
)
from orchestration.dbt import dbt_daily_facts, dbt_models, dbt_resource
from orchestration.progress import progress_logger
from orchestration.settings import settings_from_env
from orchestration.windows import rebuilt_scope
from quality.checks import gx_checks
from quality.screening import screen_raw_files

GX_CHECKS = gx_checks(rebuilt_scope)  # the suites with a window validate the days and shops a build rebuilt

# Ingestion is driven by files, the facts by days: two jobs. `lapak run`, the schedule and the
# landing-folder sensor start `lapak_ingest`; the build over the days the new files cover follows
# (started by `lapak run` itself, or by the `lapak_build_after_ingest` sensor).
# dbt's tests on the raw sources are checks of the raw assets too; they run with the dbt build
RAW_CHECKS = [every_file_accepted, rows_accounted_for, orders_export_is_fresh] + [
    c for c in GX_CHECKS if all(k.asset_key.path[0] == "raw" for k in c.check_keys)
]
INGEST_STEPS = dg.AssetSelection.assets(ingest_landing, screen_raw_files)
lapak_ingest = dg.define_asset_job(
    "lapak_ingest",
    selection=INGEST_STEPS.without_checks() | dg.AssetSelection.checks(*RAW_CHECKS),
    description="Load new export files into the raw tables, screen them (holding files with failing rows); check "
    "that every file and row is accounted for.",
)

# The daily facts over a partition range (one dbt invocation), the views and every mart, publish.
# After ingestion it rebuilds the days the new files cover; as a backfill, exactly the chosen days.
lapak_build = dg.define_asset_job(
    "lapak_build",
    selection=dg.AssetSelection.all() - INGEST_STEPS,
    description="Rebuild the daily facts over the run's days, then every mart and check; publish. Ingests nothing.",
)

defs = dg.Definitions(
    assets=[ingest_landing, screen_raw_files, dbt_daily_facts, dbt_models, published_marts],
    asset_checks=[every_file_accepted, rows_accounted_for, orders_export_is_fresh, *GX_CHECKS],
    jobs=[lapak_ingest, lapak_build],
    schedules=[build_schedule(lapak_ingest)],
    sensors=[build_sensor(lapak_ingest), build_after_ingest(lapak_ingest, lapak_build), lapak_failure_alert],
    resources={"settings": settings_from_env(), "dbt": dbt_resource()},
    # DuckDB has one writer: steps run one after another in one process.
    executor=dg.in_process_executor,
    # runs without logger config (the UI) use the console logger; `lapak run` on a terminal picks lapak_progress
    loggers={"console": dg.colored_console_logger, "lapak_progress": progress_logger},
)
