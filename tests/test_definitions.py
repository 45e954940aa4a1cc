"""The Dagster code location loads fast, without Great Expectations, and shows the expected graph."""

import datetime as dt
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from ingestion.formats import KINDS
from orchestration.dbt import dbt_executable
from orchestration.definitions import defs
from quality.suites import SUITES

ROOT = Path(__file__).resolve().parent.parent


def _graph():
    return defs.resolve_asset_graph()


def test_one_raw_asset_per_export_kind_plus_manifest():
    keys = {k.to_user_string() for k in _graph().get_all_asset_keys()}
    assert {f"raw/{k.name}" for k in KINDS.values()} | {"raw/_manifest"} <= keys


def test_marts_and_staging_are_assets_with_lineage_from_raw():
    graph = _graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    for mart in ("customers", "kpi_daily", "video_daily", "ltv_weekly", "nps_by_campaign", "sku_daily"):
        assert f"marts/{mart}" in keys
    stg = dg.AssetKey(["staging", "stg_tiktok__order_lines"])
    assert dg.AssetKey(["raw", "orders"]) in graph.get(stg).parent_keys
    assert graph.get(dg.AssetKey(["marts", "customers"])).group_name == "marts"


def test_every_gx_suite_is_a_check_blocking_or_after_the_screening_and_dbt_tests_are_checks():
    from quality.screening import SCREENED_KEY

    checks = {(k.asset_key.to_user_string(), k.name) for k in _graph().asset_check_keys}
    for suite in SUITES:
        assert ("/".join(suite.asset_key), suite.name) in checks
    assert ("raw/_manifest", "rows_accounted_for") in checks
    assert any(asset == "marts/ltv_weekly" and "unique" in name for asset, name in checks)
    raw_suites = {s.name for s in SUITES if s.holds_files}
    for spec in (c for c in defs.asset_checks if hasattr(c, "check_specs")):
        for s in spec.check_specs:
            if s.name in raw_suites:  # they report the screening step, which runs after the raw assets
                assert [d.asset_key for d in s.additional_deps] == [SCREENED_KEY]
            elif s.name.startswith("gx_"):
                assert s.blocking


def test_ingest_and_build_jobs_cover_everything_between_them():
    ingest, build = defs.resolve_job_def("lapak_ingest"), defs.resolve_job_def("lapak_build")
    assert {n.name for n in ingest.graph.nodes} >= {"ingest_landing", "screen_raw_files"}
    assert {"dbt_daily_facts", "dbt_models", "serve__marts"} <= {n.name for n in build.graph.nodes}
    assert not {"ingest_landing", "screen_raw_files"} & {n.name for n in build.graph.nodes}


def test_daily_facts_are_partitioned_by_day_and_backfill_in_one_run():
    from orchestration.dbt import dbt_daily_facts

    facts = {"staging/stg_tiktok__order_lines", "staging/stg_tiktok__videos", "staging/stg_tiktok__lives"}
    facts.add("intermediate/int_orders_aggregated")
    assert facts <= {k.to_user_string() for k in dbt_daily_facts.keys}
    assert dbt_daily_facts.partitions_def.get_first_partition_key() <= "2021-01-01"
    assert dbt_daily_facts.partitions_def.timezone == "Asia/Jakarta"
    assert dbt_daily_facts.backfill_policy == dg.BackfillPolicy.single_run()


def test_long_facts_rebuilds_run_one_model_at_a_time():
    """dbt --threads 1 for a facts rebuild of more than SERIAL_FACTS_DAYS days (the order-line models side by
    side ran out of memory at 5M lines); a daily run keeps the profile's threads."""
    from orchestration.dbt import SERIAL_FACTS_DAYS, facts_threads
    from orchestration.windows import EVERY_DAY, partition_windows

    first = dt.date(2026, 11, 1)
    longest_parallel = (first + dt.timedelta(days=SERIAL_FACTS_DAYS - 1)).isoformat()
    assert facts_threads(partition_windows("2026-11-20", "2026-11-20")) is None
    assert facts_threads(partition_windows(first.isoformat(), longest_parallel)) is None
    shortest_serial = (first + dt.timedelta(days=SERIAL_FACTS_DAYS)).isoformat()
    assert facts_threads(partition_windows(first.isoformat(), shortest_serial)) == 1
    assert facts_threads(None) == 1  # a first build: every day
    assert facts_threads({"lapak_windows": {"orders": EVERY_DAY, "videos": ["2026-11-20", "2026-11-20"]}}) == 1
    assert facts_threads({"lapak_windows": {"videos": ["2026-11-20", "2026-11-21"]}, "lapak_shops": ["a"]}) is None
    assert facts_threads({"lapak_windows": {}}) is None  # nothing changed: nothing to rebuild


def test_every_dbt_data_test_runs_in_exactly_one_of_the_two_steps():
    """The facts' step and the next one split the project; a test between a fact and a view or a mart runs
    in the second, once both exist. None is left out, none runs twice."""
    from orchestration.dbt import DBT_PROJECT_DIR, FACTS_SELECTOR, TEST_SELECTION, dbt_executable

    def ls(*selection: str) -> list[str]:
        args = [dbt_executable(), "ls", "--target", "lint", "--profiles-dir", str(DBT_PROJECT_DIR), "-q"]
        args += [*selection, *TEST_SELECTION, "--resource-type", "test", "--output", "name"]
        out = subprocess.run(args, cwd=DBT_PROJECT_DIR, capture_output=True, text=True, check=True)
        return out.stdout.split()

    facts, rest, every = ls("--select", FACTS_SELECTOR), ls("--exclude", FACTS_SELECTOR), ls()
    assert not set(facts) & set(rest)
    assert sorted(facts + rest) == sorted(every)
    nps_orders = "relationships_within_shop_stg_seller__nps_responses_order_id__order_id__ref_stg_tiktok__order_lines_"
    assert nps_orders in rest


def test_dbt_executable_sits_beside_the_interpreter():
    assert Path(dbt_executable()) == Path(sys.executable).parent / "dbt"


def test_loading_definitions_does_not_import_great_expectations():
    code = "import sys, orchestration.definitions; print('great_expectations' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_workspace_points_at_the_definitions_module():
    assert "orchestration.definitions" in (ROOT / "workspace.yaml").read_text()


def test_dbt_target_folders_are_pruned_per_step(tmp_path):
    import os

    from orchestration.dbt import prune_target_dirs

    made = []
    for i in range(14):
        for step in ("dbt_daily_facts", "dbt_models"):
            path = tmp_path / f"{step}-run{i:04d}-abc{i:04d}"
            path.mkdir()
            os.utime(path, (1_700_000_000 + i, 1_700_000_000 + i))
            made.append(path)
    (tmp_path / "partial_parse.msgpack").write_text("kept")
    deleted = prune_target_dirs(tmp_path / "dbt_daily_facts-run0013-abc0013", keep=10)
    assert sorted(p.name for p in deleted) == [f"dbt_daily_facts-run{i:04d}-abc{i:04d}" for i in range(4)]
    left = sorted(p.name for p in tmp_path.iterdir())
    assert len([n for n in left if n.startswith("dbt_daily_facts-")]) == 10
    assert len([n for n in left if n.startswith("dbt_models-")]) == 14  # another step's folders are its own
    assert "partial_parse.msgpack" in left


@pytest.mark.parametrize("user_level", [None, "debug"])
def test_dbt_logs_to_its_file_at_info_unless_the_user_asks_for_more(tmp_path, monkeypatch, user_level):
    """Debug lines (every SQL statement) cost ~10% of a small build; DBT_LOG_LEVEL_FILE still wins."""
    import os

    from orchestration import dbt as lapak_dbt

    if user_level:
        monkeypatch.setenv("DBT_LOG_LEVEL_FILE", user_level)
    else:
        monkeypatch.delenv("DBT_LOG_LEVEL_FILE", raising=False)
    seen: dict[str, str | None] = {}
    parsed: list[tuple] = []
    monkeypatch.setattr(lapak_dbt, "prepare_partial_parse", lambda home, warehouse: parsed.append((home, warehouse)))

    class Invocation:
        target_path = tmp_path / "dbt_models-run1-abc1"

        def stream(self):
            return iter(())

    class Dbt:
        def cli(self, args, context):
            seen.update(
                level=os.environ.get("DBT_LOG_LEVEL_FILE"),
                window=os.environ.get(lapak_dbt.WINDOWS_ENV),
                target=os.environ.get("DBT_TARGET_PATH"),
            )
            return Invocation()

    assert list(lapak_dbt._dbt_build(None, Dbt(), tmp_path / "home", {"orders": ["2026-11-01", "2026-11-02"]})) == []
    assert seen == {
        "level": user_level or "info",
        "window": '{"orders": ["2026-11-01", "2026-11-02"]}',
        "target": str(tmp_path / "home" / "dbt_target"),  # the home's own dbt state, not the project's
    }
    # the step itself prepares the home's partial-parse state: runs of the daemon and the UI go through it too
    assert parsed == [(tmp_path / "home", tmp_path / "home" / "warehouse.duckdb")]
    assert os.environ.get("DBT_LOG_LEVEL_FILE") == user_level  # as it was before the build
    assert lapak_dbt.WINDOWS_ENV not in os.environ
