"""Each home keeps its own dbt partial-parse state (orchestration/dbt.py, `prepare_partial_parse`)."""

import json

from orchestration import dbt as lapak_dbt


def test_a_home_parses_once_then_again_only_when_project_or_warehouse_change(tmp_path, monkeypatch):
    parses = []

    def fake_parse(env):
        parses.append(env["LAPAK_WAREHOUSE"])
        (tmp_path / "home" / "dbt_target" / "partial_parse.msgpack").write_bytes(b"state")

    monkeypatch.setattr(lapak_dbt, "dbt_parse", fake_parse)
    monkeypatch.setattr(lapak_dbt, "project_fingerprint", lambda project: fingerprint)
    home, fingerprint = tmp_path / "home", "project-1"
    lapak_dbt.prepare_partial_parse(home, home / "warehouse.duckdb")
    lapak_dbt.prepare_partial_parse(home, home / "warehouse.duckdb")
    assert len(parses) == 1  # the state serves the second run
    lapak_dbt.prepare_partial_parse(home, home / "other.duckdb")
    assert len(parses) == 2  # the profile holds the warehouse: dbt would discard the state
    fingerprint = "project-2"
    lapak_dbt.prepare_partial_parse(home, home / "other.duckdb")
    assert len(parses) == 3  # the project changed: every invocation would re-parse it
    (home / "dbt_target" / "partial_parse.msgpack").unlink()
    lapak_dbt.prepare_partial_parse(home, home / "other.duckdb")
    assert len(parses) == 4


def test_the_parse_writes_its_state_into_the_home_not_the_project(tmp_path):
    home = tmp_path / "home"
    lapak_dbt.prepare_partial_parse(home, home / "warehouse.duckdb")
    target = home / "dbt_target"
    assert (target / "partial_parse.msgpack").stat().st_size > 0
    assert json.loads((target / "lapak_parsed_for.json").read_text())["warehouse"] == str(home / "warehouse.duckdb")
