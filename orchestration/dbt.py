"""The dbt project as Dagster assets, in two steps: the daily facts, then everything else.

- `dbt_daily_facts`: the incremental fact models tagged `daily_fact` (order lines, their status history,
  orders, videos, LIVEs), partitioned by day. A backfill over a partition range rebuilds exactly those
  days; a run without a partition rebuilds the days that the exports loaded since the last build
  cover (orchestration/windows.py).
- `dbt_models`: everything else, rebuilt from the facts and the raw tables: the staging views (products,
  creators, campaigns, NPS answers, ...), intermediate models and marts. The views have no days: in the
  partitioned step Dagster recorded a materialization per view per day of the range (2,900 events for a
  year of 8 views, docs/performance.md). The marts are rebuilt per shop: after ingestion, only the shops
  with new files (orchestration/marts.py).

The Great Expectations checks on the facts run, and block, before the marts are built; dbt's own tests
block what is downstream of them inside each `dbt build`. Keys come from schema and model name
(`marts/customers`); sources map onto the raw assets written by ingestion (`raw/orders`).

Each home keeps dbt's target folder (artifacts, logs, partial-parse state) under `<home>/dbt_target`, given
to dbt in its documented `DBT_TARGET_PATH` variable: dbt discards its partial-parse state when the rendered
profile changes, and the profile holds the home's warehouse path, so homes sharing one state would re-parse
the whole project in turn.
"""

import contextlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, DbtProject, dbt_assets

from lapak.settings import warehouse_path
from orchestration.marts import MartPlan, plan_marts, project_fingerprint, record_mart_build, record_mart_step
from orchestration.settings import LapakSettings
from orchestration.windows import DAILY, FactsConfig, build_tags, pending_range, record_fact_build, windows_for_run

FACTS_SELECTOR = "tag:daily_fact"
# "buildable": a step runs the data tests whose models are all in it or upstream of it, so a test between a
# fact and a view or mart runs in the second step, once both exist; every test runs in exactly one step
# (tests/test_definitions.py).
TEST_SELECTION = ["--indirect-selection", "buildable"]
# dbt unit tests check SQL logic on fixed fixtures, not the data: they run in CI (`make test`), not on every
# build, as dbt recommends for production jobs.
BUILD_ARGS = [*TEST_SELECTION, "--exclude-resource-type", "unit_test"]
# The rebuild window reaches dbt in this environment variable, not in --vars: dbt throws away its
# partial-parse state whenever --vars change (a full re-parse, ~3 s, on each invocation of every run),
# while a changed environment variable only re-parses the files that read it (macros/windows.sql).
WINDOWS_ENV = "LAPAK_REBUILD_WINDOWS"
# dbt writes every SQL statement and connection event of an invocation to its dbt.log at debug level: ~10%
# of a small build's time (py-spy of the marts step at 10k lines: `fire_event` under `add_query`). At info
# the file keeps each node's start, result and error; DBT_LOG_LEVEL_FILE=debug brings the SQL back.
FILE_LOG_LEVEL_ENV, FILE_LOG_LEVEL = "DBT_LOG_LEVEL_FILE", "info"
DBT_PROJECT_DIR = Path(__file__).resolve().parent.parent / "dbt_project"
HOME_TARGET = "dbt_target"  # <home>/dbt_target: the home's dbt artifacts and partial-parse state
PARSED_FOR = "lapak_parsed_for.json"  # beside the partial-parse state: the project and warehouse it serves

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def dbt_executable() -> str:
    """dbt as installed beside the running interpreter: a venv that is not activated is not on PATH."""
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else "dbt"


def ensure_manifest() -> Path:
    """`dbt parse` once if the manifest is missing (the set-up step normally builds it). Not dagster-dbt's
    preparer: it looks for `dbt` on PATH, which a venv that is not activated does not put there."""
    if not dbt_project.manifest_path.exists():
        dbt_parse()
    return dbt_project.manifest_path


def dbt_parse(env: dict[str, str] | None = None) -> None:
    """`dbt parse` of lapak's project (manifest and partial-parse state in its target folder)."""
    subprocess.run(
        [dbt_executable(), "parse", "--quiet", "--profiles-dir", str(DBT_PROJECT_DIR)],
        cwd=DBT_PROJECT_DIR, env=env, check=True, capture_output=True,
    )  # fmt: skip


def home_target(home: Path) -> Path:
    return home / HOME_TARGET


def prepare_partial_parse(home: Path, warehouse: Path) -> None:
    """`dbt parse` into the home's target folder unless its partial-parse state already serves this project
    and warehouse, so that every dbt invocation of a run parses partially.

    dagster-dbt copies `partial_parse.msgpack` from `DBT_TARGET_PATH` into each invocation's own folder, and
    the invocations never write it back: without this, a changed project would be re-parsed by each."""
    target = home_target(home)
    wanted = {"project": project_fingerprint(DBT_PROJECT_DIR), "warehouse": str(warehouse)}
    marker = target / PARSED_FOR
    with contextlib.suppress(OSError, ValueError):
        if (target / "partial_parse.msgpack").exists() and json.loads(marker.read_text()) == wanted:
            return
    target.mkdir(parents=True, exist_ok=True)
    dbt_parse({**os.environ, "LAPAK_WAREHOUSE": str(warehouse), "DBT_TARGET_PATH": str(target)})
    marker.write_text(json.dumps(wanted))


class LapakDbtTranslator(DagsterDbtTranslator):
    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey(["raw", dbt_resource_props["name"]])
        schema = dbt_resource_props.get("config", {}).get("schema") or dbt_resource_props["schema"]
        return dg.AssetKey([schema, dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "dbt"


translator = LapakDbtTranslator(
    settings=DagsterDbtTranslatorSettings(enable_asset_checks=True, enable_source_tests_as_checks=True)
)
ensure_manifest()
_MODELS = {
    dg.AssetKey([n["config"].get("schema") or n["schema"], n["name"]]): n["config"]
    for n in json.loads(dbt_project.manifest_path.read_text())["nodes"].values()
    if n["resource_type"] == "model"
}
FACT_KEYS = {key for key, config in _MODELS.items() if "daily_fact" in config.get("tags", [])}
# the models rebuilt per shop (incremental_strategy shop_replace, dbt_project/macros/shops.sql)
SHOP_KEYS = {key for key, config in _MODELS.items() if config.get("incremental_strategy") == "shop_replace"}


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    select=FACTS_SELECTOR,
    dagster_dbt_translator=translator,
    name="dbt_daily_facts",
    partitions_def=DAILY,
    # a backfill of any number of days is one dbt invocation with the range as its window
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def dbt_daily_facts(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, settings: LapakSettings, config: FactsConfig
):
    if not context.selected_asset_keys & FACT_KEYS:  # only some checks of this step were selected
        yield from _dbt_build(context, dbt, settings.home)
        return
    fingerprint = project_fingerprint(DBT_PROJECT_DIR)
    window_vars, loaded_through = windows_for_run(context, settings.warehouse, config.shop, fingerprint)
    shown = (
        json.dumps(window_vars)
        if window_vars is not None
        else "every day, from scratch (a first build, or the dbt project changed since the last)"
    )
    threads = facts_threads(window_vars)
    context.log.info(f"daily facts rebuild: {shown}{' one model at a time' if threads == 1 else ''}")
    yield from _dbt_build(context, dbt, settings.home, window_vars, threads=threads, full_refresh=window_vars is None)
    if loaded_through:  # a backfill does not move the watermark of builds after ingestion
        record_fact_build(settings.warehouse, context.run_id, loaded_through, window_vars, fingerprint)


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    exclude=FACTS_SELECTOR,
    dagster_dbt_translator=translator,
    name="dbt_models",
)
def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, settings: LapakSettings):
    selected = context.selected_asset_keys & SHOP_KEYS
    if not selected:  # only views or checks of this step: nothing is rebuilt per shop
        yield from _dbt_build(context, dbt, settings.home)
        return
    fingerprint = project_fingerprint(DBT_PROJECT_DIR)
    plan: MartPlan = plan_marts(settings.warehouse, context.run, fingerprint, whole_step=selected == SHOP_KEYS)
    context.log.info(f"marts rebuild: {'every shop' if plan.shops is None else plan.shops} ({plan.reason})")
    record_mart_step(settings.warehouse, context.run_id, plan)
    yield from _dbt_build(context, dbt, settings.home, plan.window_vars(), full_refresh=plan.full_refresh)
    if plan.record:
        record_mart_build(settings.warehouse, context.run_id, plan, fingerprint)


# A facts rebuild longer than this runs one model at a time (dbt --threads 1): the two order-line models are window
# functions over every version of every line, and side by side in DuckDB's one memory pool a rebuild of every day
# ran out of memory, where one at a time it passed, no slower; a daily run's few days are faster on two threads
# (docs/performance.md, decision log).
SERIAL_FACTS_DAYS = 7


def facts_threads(window_vars: dict | None) -> int | None:
    """dbt threads for a facts rebuild over `window_vars` (None: every day): 1 for a long one, None for the
    profile's two."""
    if window_vars is None:
        return 1
    spans = [span for span in window_vars["lapak_windows"].values() if span]
    days = max((date.fromisoformat(last) - date.fromisoformat(first)).days + 1 for first, last in spans) if spans else 0
    return 1 if days > SERIAL_FACTS_DAYS else None


def _dbt_build(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    home: Path,
    window_vars: dict | None = None,
    full_refresh: bool = False,
    threads: int | None = None,
) -> Iterator:
    """`dbt build` of the step's selection, with the rebuild window (None: every day) and the home's target
    folder in the environment; the home's partial-parse state made first if it does not serve this project."""
    prepare_partial_parse(home, warehouse_path(home))  # here, not in the CLI: runs of the daemon and the UI need it too
    args = ["build", *BUILD_ARGS, *(["--full-refresh"] if full_refresh else [])]
    args += ["--threads", str(threads)] if threads else []
    file_log_level = os.environ.get(FILE_LOG_LEVEL_ENV, FILE_LOG_LEVEL)
    with (
        _environ(WINDOWS_ENV, json.dumps(window_vars) if window_vars is not None else None),
        _environ(FILE_LOG_LEVEL_ENV, file_log_level),
        _environ("DBT_TARGET_PATH", str(home_target(home))),
    ):
        invocation = dbt.cli(args, context=context)  # the dbt process starts here
    yield from invocation.stream()
    prune_target_dirs(invocation.target_path)


# dagster-dbt gives every invocation its own target folder (manifest, run results, compiled SQL, dbt.log:
# about 11 MB). Two invocations a day would fill 8 GB a year: keep the newest few of each step.
KEEP_TARGET_DIRS = 10


def prune_target_dirs(latest: Path, keep: int = KEEP_TARGET_DIRS) -> list[Path]:
    """Delete all but the `keep` newest target folders of the step that wrote `latest`; return those deleted."""
    step = latest.name.split("-")[0]  # "<step>-<run id>-<uuid>"
    siblings = sorted(
        (p for p in latest.parent.glob(f"{step}-*-*") if p.is_dir()), key=lambda p: p.stat().st_mtime, reverse=True
    )
    old = [p for p in siblings[keep:] if p != latest]
    for path in old:
        shutil.rmtree(path, ignore_errors=True)
    return old


@contextlib.contextmanager
def _environ(name: str, value: str | None) -> Iterator[None]:
    """`name` set to `value` (or unset) while the block runs, as it was afterwards."""
    before = os.environ.pop(name, None)
    if value is not None:
        os.environ[name] = value
    try:
        yield
    finally:
        os.environ.pop(name, None)
        if before is not None:
            os.environ[name] = before


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=dbt_project, profiles_dir=str(DBT_PROJECT_DIR), dbt_executable=dbt_executable())


def plan_build_after_ingest(warehouse: Path, shop: str | None = None) -> tuple[tuple[str, str], dict[str, str]]:
    """The partition range and tags of the `lapak_build` run that follows an ingestion: the days the new files
    cover, or every day when the dbt project changed since the facts were built. One planner for `lapak run` and
    the `lapak_build_after_ingest` sensor, so both rebuild the same days."""
    first, last = pending_range(warehouse, shop, project_fingerprint(DBT_PROJECT_DIR))
    return (first, last), build_tags(first, last, changed=True)
