"""The home's Dagster instance (`<home>/dagster`): lapak's dagster.yaml, written where lapak wrote it before."""

from __future__ import annotations

import os
from pathlib import Path

from orchestration.home import prepare_home

PLANNED_EVENTS_ENV = "DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS"
OLD_DAGSTER_YAML = """\
# lapak's Dagster instance: runs from `lapak run` and from `dagster dev` land here.
telemetry:
  enabled: false
"""
STORAGE_DAGSTER_YAML = """\
# lapak's Dagster instance: runs from `lapak run` and from `dagster dev` land here.
telemetry:
  enabled: false
# Dagster's SQLite storage in its usual folders, with the event log's engines kept open
# (orchestration/instance.py): a build over many day partitions stores thousands of events.
storage:
  custom:
    module: orchestration.instance
    class: LapakSqliteStorage
    config:
      base_dir:
        env: DAGSTER_HOME
"""
# Dagster's own SQLite storage in its usual folders under $DAGSTER_HOME (lapak once kept the event log's engines open
# with a subclass of Dagster's private storage; public APIs only: docs/performance.md, decision log)
QUEUE_DAGSTER_YAML = """\
# The warehouse has one writer: the daemon starts one run at a time (the schedule's, a sensor's, the UI's) and
# queues the others. `lapak run` does not go through the queue; the home's run lock keeps it apart.
concurrency:
  runs:
    max_concurrent_runs: 1
"""
DAGSTER_YAML = OLD_DAGSTER_YAML + QUEUE_DAGSTER_YAML
# instance files lapak wrote before, which it may replace: a file the user edited is left alone
LAPAK_DAGSTER_YAMLS = (OLD_DAGSTER_YAML, STORAGE_DAGSTER_YAML, STORAGE_DAGSTER_YAML + QUEUE_DAGSTER_YAML)


def dagster_home(home: Path) -> Path:
    path = home / "dagster"
    path.mkdir(parents=True, exist_ok=True)
    cfg = path / "dagster.yaml"
    if not cfg.exists() or cfg.read_text() in LAPAK_DAGSTER_YAMLS:
        tmp = path / f".dagster.yaml.{os.getpid()}.tmp"
        tmp.write_text(DAGSTER_YAML)
        os.replace(tmp, cfg)  # `dagster dev` reading it meanwhile sees the old file or the new one
    os.environ["DAGSTER_HOME"] = str(path)
    # A build over N day partitions plans one event per asset instead of one per asset and day (N x 13
    # rows in the event log before the first step starts). Trade-off: a failed run leaves its partitions
    # shown as missing, not failed, in the UI's partition view; the run itself still shows as failed.
    os.environ.setdefault(PLANNED_EVENTS_ENV, "1")
    return path


def prepare_instance(home: Path) -> Path:
    """The home (created owner-only) and its Dagster instance with lapak's dagster.yaml, as `lapak run` leaves
    them: for `make ui` and `make sample` before any run, so that `dagster dev` also runs one run at a time."""
    prepare_home(home)
    return dagster_home(home)
