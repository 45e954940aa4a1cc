"""Shared fixtures. `sample_run` is the expensive one: generated exports, `lapak run` twice (CLI in a
subprocess, exactly as a scheduler calls it), shared by every end-to-end test module."""

import json

import duckdb
import pytest

from lapak.generate import generate
from tests.helpers.pipeline import MARTS_SNAPSHOTTED, SampleRun, lapak_cli


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory) -> SampleRun:
    root = tmp_path_factory.mktemp("sample_run")
    landing, home = root / "landing", root / "home"
    generated = generate(landing, shops=2, days=60, orders_per_day=40, seed=11)
    first = lapak_cli("run", "--landing", str(landing), "--home", str(home), "--json", home_env=root)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    first_summary = json.loads(first.stdout)
    with duckdb.connect(first_summary["warehouse"], read_only=True) as con:
        snapshot = {m: con.execute(f"select * from marts.{m} order by all").fetchall() for m in MARTS_SNAPSHOTTED}
    second = lapak_cli("run", "--landing", str(landing), "--home", str(home), "--json", home_env=root)
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
    return SampleRun(generated, landing, home, first_summary, json.loads(second.stdout), snapshot)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test on the whole pipeline's output (`sample_run`) is an end-to-end test: `-m "not e2e"` skips it."""
    for item in items:
        if "sample_run" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.e2e)
