"""Where lapak reads and writes, and the one time zone its exports speak: read by every layer, importing none.

`$LAPAK_LANDING` (default `./data/landing`) holds one folder per shop with its exports; `$LAPAK_HOME` (default
`./data`) holds `warehouse.duckdb`, the PII key, the Dagster instance, logs and the published marts. dbt reads the
warehouse path from `$LAPAK_WAREHOUSE`, which `resolve_paths` sets, so that every process (Dagster, dbt, checks)
agrees on one file. Seller Center writes its times in Western Indonesia Time (WIB, UTC+7), without a zone.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

WIB = timezone(timedelta(hours=7), "WIB")
LANDING_ENV, HOME_ENV, WAREHOUSE_ENV = "LAPAK_LANDING", "LAPAK_HOME", "LAPAK_WAREHOUSE"
WAREHOUSE_FILE = "warehouse.duckdb"


def warehouse_path(home: Path) -> Path:
    return home / WAREHOUSE_FILE


def resolve_paths(landing: str | os.PathLike | None = None, home: str | os.PathLike | None = None) -> tuple[Path, Path]:
    """Absolute landing and home folders; exports them to the environment for dbt and Dagster."""
    home_path = Path(home or os.environ.get(HOME_ENV) or "data").expanduser().resolve()
    landing_path = Path(landing or os.environ.get(LANDING_ENV) or "data/landing").expanduser().resolve()
    os.environ[HOME_ENV] = str(home_path)
    os.environ[LANDING_ENV] = str(landing_path)
    os.environ[WAREHOUSE_ENV] = str(warehouse_path(home_path))
    return landing_path, home_path


def wib_time(ts: float) -> datetime:
    """A POSIX timestamp as a naive WIB time, as Seller Center writes times."""
    return datetime.fromtimestamp(ts, WIB).replace(tzinfo=None)


def now_wib() -> datetime:
    return wib_time(datetime.now(UTC).timestamp())
