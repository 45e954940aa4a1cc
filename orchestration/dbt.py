"""The dbt project as Dagster assets: staging in one step, intermediate + marts in the next.

Splitting at staging lets the Great Expectations checks on staging models run, and block, before
anything downstream is built. Keys come from schema and model name (`marts/customers`); sources map
onto the raw assets written by ingestion (`raw/orders`).
"""

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, DbtProject, dbt_assets

DBT_PROJECT_DIR = Path(__file__).resolve().parent.parent / "dbt_project"
STAGING_SELECTOR = "path:models/staging"
# A relationship test between a mart and a staging model runs with the mart, once both exist.
BUILD_ARGS = ["--indirect-selection", "buildable"]

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def dbt_executable() -> str:
    """The `dbt` installed beside the running interpreter: works without an activated venv."""
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else "dbt"


def ensure_manifest() -> Path:
    """`dbt parse` once if the manifest is missing (the set-up step normally builds it)."""
    if not dbt_project.manifest_path.exists():
        dbt_project.preparer.prepare(dbt_project)
    return dbt_project.manifest_path


PARSED_FOR = "lapak_parsed_for.txt"


def prepare_partial_parse(warehouse: Path) -> None:
    """Re-parse once when the warehouse path changes, so every dbt invocation after it parses partially.

    dbt discards its partial-parse state whenever the rendered profile changes, and the profile holds
    the warehouse path: without this, each of a run's dbt invocations re-parses the whole project."""
    marker = dbt_project.project_dir / dbt_project.target_path / PARSED_FOR
    if marker.exists() and marker.read_text() == str(warehouse):
        return
    env = {**os.environ, "LAPAK_WAREHOUSE": str(warehouse)}
    subprocess.run(
        [dbt_executable(), "parse", "--quiet", "--profiles-dir", str(DBT_PROJECT_DIR)],
        cwd=DBT_PROJECT_DIR, env=env, check=True, capture_output=True,
    )  # fmt: skip
    marker.write_text(str(warehouse))


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


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    select=STAGING_SELECTOR,
    dagster_dbt_translator=translator,
    name="dbt_staging",
)
def dbt_staging(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    yield from dbt.cli(["build", *BUILD_ARGS], context=context).stream()


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    exclude=STAGING_SELECTOR,
    dagster_dbt_translator=translator,
    name="dbt_marts",
)
def dbt_marts(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    yield from dbt.cli(["build", *BUILD_ARGS], context=context).stream()


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=dbt_project, profiles_dir=str(DBT_PROJECT_DIR), dbt_executable=dbt_executable())
