"""One writer per home: the run lock, the Dagster run queue limit, and a new home's permissions."""

import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pytest

from orchestration.home import HomeModeError, prepare_home
from orchestration.run_lock import LOCK_FILE, RunLockTimeout, read_holder, run_lock

ROOT = Path(__file__).resolve().parent.parent
HOLD = """
import sys
from pathlib import Path
from orchestration.run_lock import run_lock
with run_lock(Path(sys.argv[1]), "lapak run"):
    print("locked", flush=True)
    sys.stdin.read()  # until the test closes the pipe
"""


@pytest.fixture
def held(tmp_path):
    """`tmp_path`'s lock, held by another process until the test ends (or kills it)."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(tmp_path)], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout.readline() == "locked\n"
    yield proc
    proc.stdin.close()
    proc.wait(timeout=30)


def test_a_second_run_is_told_who_holds_the_home(tmp_path, held):
    started = time.monotonic()
    with pytest.raises(RunLockTimeout) as caught, run_lock(tmp_path, "lapak run", timeout=0):
        pytest.fail("the lock is held by another process")
    assert time.monotonic() - started < 1  # timeout 0: at once
    holder = read_holder(tmp_path)
    message = str(caught.value)
    assert message.startswith(f"another lapak run (pid {held.pid}, started at {holder['started_at']} WIB, lapak run)")
    assert message.endswith(f"is still going on {tmp_path}")


def test_a_second_run_waits_up_to_the_timeout(tmp_path, held, monkeypatch):
    monkeypatch.setenv("LAPAK_LOCK_TIMEOUT", "0.6")
    told = []
    started = time.monotonic()
    waited = r"is still going on .*; waited 1 s for it \(\$LAPAK_LOCK_TIMEOUT\)"
    with pytest.raises(RunLockTimeout, match=waited), run_lock(tmp_path, "lapak backfill", on_wait=told.append):
        pass
    assert 0.6 <= time.monotonic() - started < 3
    assert [h["pid"] for h in told] == [held.pid]


def test_the_waiting_run_goes_on_once_the_other_ends(tmp_path, held):
    held.stdin.close()  # the first run ends while the second waits
    with run_lock(tmp_path, "lapak run", timeout=30):
        assert read_holder(tmp_path)["pid"] == os.getpid()


def test_a_killed_run_leaves_no_stale_lock(tmp_path, held):
    held.kill()
    held.wait()
    with run_lock(tmp_path, "lapak run", timeout=5):
        pass


def test_the_lock_is_reentrant_in_its_process_and_exclusive_for_others(tmp_path):
    with run_lock(tmp_path, "lapak run", timeout=0):
        with run_lock(tmp_path, "Dagster run abc", timeout=0):  # a step of `lapak run`, executed in-process
            pass
        assert read_holder(tmp_path)["command"] == "lapak run"
        other = subprocess.run(
            [sys.executable, "-c", HOLD, str(tmp_path)], cwd=ROOT, input="", capture_output=True, text=True,
            env={**os.environ, "LAPAK_LOCK_TIMEOUT": "0"},
        )  # fmt: skip
        assert other.returncode != 0 and "RunLockTimeout: another lapak run" in other.stderr
    with run_lock(tmp_path, "lapak run", timeout=0):
        pass


@pytest.mark.parametrize("value", ["abc", "-1"])
def test_a_bad_lock_timeout_is_a_clear_error(tmp_path, monkeypatch, value):
    monkeypatch.setenv("LAPAK_LOCK_TIMEOUT", value)
    with pytest.raises(ValueError, match="LAPAK_LOCK_TIMEOUT"), run_lock(tmp_path, "lapak run"):
        pass


def test_a_dagster_run_waits_for_the_home_too(tmp_path, monkeypatch):
    """Runs the daemon starts (schedule, sensors) take the lock through the settings resource."""
    from lapak.settings import resolve_paths
    from orchestration.automation import innermost_error
    from orchestration.definitions import defs

    home = tmp_path / "home"
    home.mkdir()
    resolve_paths(tmp_path / "landing", home)
    monkeypatch.setenv("LAPAK_LOCK_TIMEOUT", "0")
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(home)], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout.readline() == "locked\n"
        with dg.instance_for_test() as instance:
            result = defs.resolve_job_def("lapak_ingest").execute_in_process(instance=instance, raise_on_error=False)
            assert not result.success and not result.get_step_success_events()
            why = innermost_error(result.get_run_failure_event().job_failure_data.error)
            assert why.startswith(f"orchestration.run_lock.RunLockTimeout: another lapak run (pid {proc.pid}, "), why
    finally:
        proc.stdin.close()
        proc.wait(timeout=30)


def test_the_dagster_instance_runs_one_run_at_a_time(tmp_path, monkeypatch):
    from orchestration.dagster_home import OLD_DAGSTER_YAML, QUEUE_DAGSTER_YAML, STORAGE_DAGSTER_YAML, dagster_home

    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    # every dagster.yaml lapak wrote before, the last two naming a storage class lapak no longer has
    for before in (None, OLD_DAGSTER_YAML, STORAGE_DAGSTER_YAML, STORAGE_DAGSTER_YAML + QUEUE_DAGSTER_YAML):
        home = tmp_path / f"home-{before is None}-{len(before or '')}"
        if before is not None:
            (home / "dagster").mkdir(parents=True)
            (home / "dagster" / "dagster.yaml").write_text(before)
        path = dagster_home(home)
        assert sorted(p.name for p in path.iterdir()) == ["dagster.yaml"]  # no temporary file left
        with dg.DagsterInstance.from_config(str(path)) as instance:
            assert isinstance(instance.run_coordinator, dg.QueuedRunCoordinator)
            # what the daemon's run queue reads (queued_run_coordinator_daemon.py)
            assert instance.get_concurrency_config().run_queue_config.max_concurrent_runs == 1
            assert "orchestration" not in (path / "dagster.yaml").read_text()  # Dagster's own storage
    edited = tmp_path / "edited" / "dagster"
    edited.mkdir(parents=True)
    (edited / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    dagster_home(edited.parent)
    assert (edited / "dagster.yaml").read_text() == "telemetry:\n  enabled: false\n"  # the user's own file


@pytest.fixture
def umask():
    before = os.umask(0o022)
    yield
    os.umask(before)


def test_a_new_home_is_owner_only(tmp_path, monkeypatch, umask):
    monkeypatch.delenv("LAPAK_HOME_MODE", raising=False)
    home = tmp_path / "a" / "home"
    assert prepare_home(home) == 0o700
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    (home / "warehouse.duckdb").write_text("")
    (home / "serve").mkdir()
    assert stat.S_IMODE((home / "warehouse.duckdb").stat().st_mode) == 0o600
    assert stat.S_IMODE((home / "serve").stat().st_mode) == 0o700


def test_the_user_can_open_a_new_home_to_a_group(tmp_path, monkeypatch, umask):
    monkeypatch.setenv("LAPAK_HOME_MODE", "750")
    home = tmp_path / "home"
    prepare_home(home)
    assert stat.S_IMODE(home.stat().st_mode) == 0o750
    (home / "f").write_text("")
    assert stat.S_IMODE((home / "f").stat().st_mode) == 0o640


def test_an_existing_home_keeps_its_mode(tmp_path, monkeypatch, umask):
    monkeypatch.delenv("LAPAK_HOME_MODE", raising=False)
    home = tmp_path / "home"
    home.mkdir(mode=0o755)
    prepare_home(home)
    assert stat.S_IMODE(home.stat().st_mode) == 0o755


@pytest.mark.parametrize("value", ["abc", "1777", "500", "077"])
def test_a_bad_home_mode_is_a_clear_error(tmp_path, monkeypatch, value):
    monkeypatch.setenv("LAPAK_HOME_MODE", value)
    with pytest.raises(HomeModeError, match="LAPAK_HOME_MODE"):
        prepare_home(tmp_path / "home")
    assert not (tmp_path / "home").exists()


def test_the_lock_file_records_its_holder(tmp_path):
    with run_lock(tmp_path, "lapak backfill 2026-01-01 .. 2026-01-02", timeout=0):
        holder = json.loads((tmp_path / LOCK_FILE).read_text())
    assert holder["pid"] == os.getpid() and holder["command"] == "lapak backfill 2026-01-01 .. 2026-01-02"


def test_make_ui_prepares_the_home_as_a_run_does(tmp_path, monkeypatch, umask):
    """`make sample` and `make ui` write into the home before any run: it is owner-only, the instance queues runs."""
    from orchestration.dagster_home import DAGSTER_YAML, prepare_instance

    monkeypatch.delenv("LAPAK_HOME_MODE", raising=False)
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    instance = prepare_instance(tmp_path / "data")
    assert stat.S_IMODE((tmp_path / "data").stat().st_mode) == 0o700
    assert (instance / "dagster.yaml").read_text() == DAGSTER_YAML


@pytest.mark.parametrize(("name", "value"), [("LAPAK_HOME_MODE", "abc"), ("LAPAK_LOCK_TIMEOUT", "soon")])
def test_the_cli_names_a_bad_setting_before_it_starts(tmp_path, name, value):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), name: value}
    out = subprocess.run(
        [sys.executable, "-m", "lapak.cli", "run", "--home", str(tmp_path / "home")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert out.returncode == 2 and f"${name}={value!r}" in out.stderr and "Traceback" not in out.stderr
    assert not (tmp_path / "home").exists()
