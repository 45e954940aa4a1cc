"""Two `lapak run` on one home at once (the schedule and a person at a terminal): one writer at a time.

The second waits for the first and then runs, or with `$LAPAK_LOCK_TIMEOUT=0` stops at once and says which run
holds the home; a run with another PII key stops in its ingest step and says why; the home is owner-only."""

import json
import stat
import subprocess
import sys
import time

import pytest

from lapak.generate import generate
from orchestration.run_lock import read_holder
from tests.helpers.pipeline import ROOT

pytestmark = pytest.mark.e2e
KEY = "one-writer-key-0123456789abcdef0123456789abcdef"


def lapak_run(landing, home, **env) -> subprocess.Popen:
    bare = {"PATH": "/usr/bin:/bin", "HOME": str(home.parent), "LAPAK_PII_KEY": KEY, **env}
    return subprocess.Popen(
        [sys.executable, "-m", "lapak.cli", "run", "--landing", str(landing), "--home", str(home), "--json"],
        cwd=ROOT, env=bare, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def finish(proc: subprocess.Popen) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=1200)
    return proc.returncode, out, err


def test_two_runs_on_one_home_take_turns(tmp_path):
    landing, home = tmp_path / "landing", tmp_path / "home"
    generate(landing, shops=1, days=30, orders_per_day=5, seed=1)
    first = lapak_run(landing, home)
    deadline = time.monotonic() + 300
    while (read_holder(home) or {}).get("pid") != first.pid:
        assert first.poll() is None and time.monotonic() < deadline, finish(first)
        time.sleep(0.2)
    holder = read_holder(home)

    impatient = lapak_run(landing, home, LAPAK_LOCK_TIMEOUT="0")
    patient = lapak_run(landing, home)
    code, out, err = finish(impatient)
    assert first.poll() is None  # it stopped while the first was still going, instead of waiting for it
    said = f"another lapak run (pid {first.pid}, started at {holder['started_at']} WIB, lapak run) is still going on"
    assert code == 1 and said in err and str(home) in err, err[-3000:]
    assert json.loads(out)["locked_by"]["pid"] == first.pid
    assert "Traceback" not in err and "Could not set lock" not in err

    code, out, err = finish(first)
    assert code == 0, out[-3000:] + err[-3000:]
    first_summary = json.loads(out)
    code, out, err = finish(patient)
    assert code == 0, out[-3000:] + err[-3000:]
    assert "waiting for another lapak run" in err
    second = json.loads(out)
    assert first_summary["files"]["files_loaded"] > 0
    # it ran after the first had committed: every file it found was already loaded
    assert second["files"]["files_loaded"] == 0
    assert second["files"]["files_unchanged"] == first_summary["files"]["files_loaded"]
    assert json.loads((home / "last_run.json").read_text())["run_id"] == second["run_id"]

    for path in (home, home / "serve", home / "logs", home / "dagster"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o700, path
    for path in (home / "warehouse.duckdb", home / "last_run.json", home / "run.lock"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert not list(home.glob(".*.tmp"))

    # a daemon or a shell with another key: the ingest step stops and the summary says why
    other = lapak_run(landing, home, LAPAK_PII_KEY="another-key-0123456789abcdef0123456789abcdef")
    code, out, err = finish(other)
    summary = json.loads(out)
    assert code == 1 and summary["failed_steps"] == ["ingest_landing"], out[-3000:] + err[-3000:]
    assert "was built with another PII key" in summary["step_errors"]["ingest_landing"]
    assert json.loads((home / "last_run.json").read_text())["run_id"] == summary["run_id"]
