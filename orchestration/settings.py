"""Where lapak reads and writes: resolved once from the environment.

`$LAPAK_LANDING` (default `./data/landing`) holds one folder per shop with its exports;
`$LAPAK_HOME` (default `./data`) holds `warehouse.duckdb`, the PII key and the Dagster instance.
dbt reads the warehouse path from `$LAPAK_WAREHOUSE`, which is set here so that every process
(Dagster, dbt, checks) agrees on one file. Every run that uses the settings holds the home's run lock
(orchestration/run_lock.py) from its first step to its end: one writer per warehouse.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import dagster as dg

from orchestration.home import prepare_home
from orchestration.run_lock import run_lock


class LapakSettings(dg.ConfigurableResource):
    landing_dir: str
    home_dir: str

    @property
    def landing(self) -> Path:
        return Path(self.landing_dir)

    @property
    def home(self) -> Path:
        return Path(self.home_dir)

    @property
    def warehouse(self) -> Path:
        return warehouse_path(self.home)

    @contextlib.contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext) -> Iterator[LapakSettings]:
        """The settings, with the home's run lock held until the run ends (re-entrant inside `lapak run`)."""
        prepare_home(self.home)
        job = context.dagster_run.job_name if context.dagster_run else "a Dagster run"
        with run_lock(self.home, f"Dagster run {context.run_id} of {job}"):
            yield self


def warehouse_path(home: Path) -> Path:
    return home / "warehouse.duckdb"


def resolve_paths(landing: str | os.PathLike | None = None, home: str | os.PathLike | None = None) -> tuple[Path, Path]:
    """Absolute landing and home folders; exports them to the environment for dbt and Dagster."""
    home_path = Path(home or os.environ.get("LAPAK_HOME") or "data").expanduser().resolve()
    landing_path = Path(landing or os.environ.get("LAPAK_LANDING") or "data/landing").expanduser().resolve()
    os.environ["LAPAK_HOME"] = str(home_path)
    os.environ["LAPAK_LANDING"] = str(landing_path)
    os.environ["LAPAK_WAREHOUSE"] = str(warehouse_path(home_path))
    return landing_path, home_path


def settings_from_env() -> LapakSettings:
    """The settings resource; paths are read from the environment when a run starts, not at import."""
    resolve_paths(os.environ.get("LAPAK_LANDING"), os.environ.get("LAPAK_HOME"))
    return LapakSettings(landing_dir=dg.EnvVar("LAPAK_LANDING"), home_dir=dg.EnvVar("LAPAK_HOME"))
