"""lapak's settings as the Dagster resource `settings` that ingestion's assets and quality's checks take
(orchestration's `LapakSettings` adds the home's run lock to it). Apart so that `lapak.settings` imports no Dagster."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from lapak.settings import warehouse_path


class LapakPaths(dg.ConfigurableResource):
    """The landing folder and the home."""

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
