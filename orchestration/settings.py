"""The `settings` resource of lapak's Dagster runs: the paths (lapak/settings.py), and the home's run lock
(orchestration/run_lock.py) held by every run that uses them, from its first step to its end: one writer per
warehouse."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import dagster as dg

from lapak.resources import LapakPaths
from lapak.settings import HOME_ENV, LANDING_ENV, resolve_paths
from orchestration.home import prepare_home
from orchestration.run_lock import run_lock


class LapakSettings(LapakPaths):
    """The paths, with the home's run lock held by every run that uses them."""

    @contextlib.contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext) -> Iterator[LapakSettings]:
        """The settings, with the home's run lock held until the run ends (re-entrant inside `lapak run`)."""
        prepare_home(self.home)
        job = context.dagster_run.job_name if context.dagster_run else "a Dagster run"
        with run_lock(self.home, f"Dagster run {context.run_id} of {job}"):
            yield self


def settings_from_env() -> LapakSettings:
    """The settings resource; paths are read from the environment when a run starts, not at import."""
    resolve_paths(os.environ.get(LANDING_ENV), os.environ.get(HOME_ENV))
    return LapakSettings(landing_dir=dg.EnvVar(LANDING_ENV), home_dir=dg.EnvVar(HOME_ENV))
