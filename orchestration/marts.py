"""Which shops' marts a build rebuilds.

Every mart is keyed by shop and no shop's rows depend on another's (dbt_project/macros/shops.sql), so an
agency's run that loaded one shop's new day rebuilds that shop's marts and leaves the others' rows as they
are. The marts step decides, at its start:

- **After ingestion** (a run tagged `lapak/window=changed`, or a step run without a partition range): the
  shops with files loaded since their marts were last built, by the per-shop watermark in
  `lapak.mart_builds`. A run that loaded nothing rebuilds no mart rows.
- **Every shop, from scratch** (dbt's `--full-refresh`): the first build; a backfill over a partition range
  (it may have changed any shop's facts); a dbt project that differs from the one that built the marts
  (a new lapak release, a changed model, macro or var: a fingerprint of the project's files says so),
  because rows built by other SQL must not stay beside rows built by the new.
- A step that runs only some of the marts (one picked in the Dagster UI) rebuilds those in full and does
  not move the watermark: the marts it did not run still lack what was loaded.

The watermark moves only after the whole step has succeeded, so a failed build leaves its shops to the
next run.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import dagster as dg
import duckdb

from orchestration.windows import append_build_rows, built_by, is_backfill, table_exists

BUILDS_TABLE = "lapak.mart_builds"
# every marts step that may change the marts, at its start, whether it then succeeds or not: the published
# copy is updated in place only when nothing but the build it holds came between (orchestration/publish.py)
STEPS_TABLE = "lapak.mart_steps"
# what dbt reads of the project; a part it does not have (no seeds yet, no singular tests) adds nothing
PROJECT_PARTS = ("dbt_project.yml", "models", "macros", "tests", "seeds", "snapshots", "analyses")


@dataclass(frozen=True)
class MartPlan:
    shops: list[str] | None
    """The shops to rebuild; None: every shop, from scratch (`--full-refresh`)."""
    reason: str
    loaded_through: dict = field(default_factory=dict)
    """Per shop, the newest load the rebuilt marts include: the watermark to record after the build."""
    record: bool = True
    """Move the watermark after a successful build (not when only some marts ran)."""

    @property
    def full_refresh(self) -> bool:
        return self.shops is None

    def window_vars(self) -> dict | None:
        return None if self.shops is None else {"lapak_mart_shops": self.shops}


@cache
def project_fingerprint(project_dir: Path) -> str:
    """A hash of the dbt project's SQL and YAML: a change to any of them rebuilds every shop's marts."""
    digest = hashlib.sha256()
    for part in PROJECT_PARTS:
        root = project_dir / part
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in files:
            digest.update(str(path.relative_to(project_dir)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def plan_marts(warehouse: Path, run: dg.DagsterRun, fingerprint: str, whole_step: bool = True) -> MartPlan:
    """What the marts step of `run` rebuilds (see the module's docstring)."""
    if not whole_step:
        return MartPlan(None, "only some marts selected: those, in full", record=False)
    with duckdb.connect(str(warehouse)) as con:
        loaded_through = (
            dict(
                con.execute(
                    "select shop_id, max(loaded_at) from raw._manifest where status = 'loaded' group by shop_id"
                ).fetchall()
            )
            if table_exists(con, "raw", "_manifest")
            else {}
        )
        if is_backfill(run):
            return MartPlan(None, "a backfill", loaded_through)
        if not table_exists(con, *BUILDS_TABLE.split(".")):
            return MartPlan(None, "first build", loaded_through)
        if built_by(con, BUILDS_TABLE) != fingerprint:
            return MartPlan(None, "the dbt project changed since the last build", loaded_through)
        marks = dict(
            con.execute(f"select shop_id, max(loaded_through) from {BUILDS_TABLE} group by shop_id").fetchall()
        )
    shops = sorted(s for s, mark in loaded_through.items() if s not in marks or marks[s] is None or mark > marks[s])
    return MartPlan(shops, "new files" if shops else "no new files", loaded_through)


def record_mart_step(warehouse: Path, run_id: str, plan: MartPlan) -> None:
    """Remember that the marts step of `run_id` starts to change the marts (before it does)."""
    started_at = datetime.now(UTC).replace(tzinfo=None)
    append_build_rows(
        warehouse, STEPS_TABLE, "run_id varchar, started_at timestamp, shops varchar[], reason varchar",
        [[run_id, started_at, plan.shops, plan.reason]],
    )  # fmt: skip


def record_mart_build(warehouse: Path, run_id: str, plan: MartPlan, fingerprint: str) -> None:
    """Remember, per shop, the newest load the marts now include, and the project that built them."""
    built_at = datetime.now(UTC).replace(tzinfo=None)
    rows = sorted(plan.loaded_through.items()) or [(None, None)]  # a build with no data still records the project
    append_build_rows(
        warehouse,
        BUILDS_TABLE,
        "shop_id varchar, loaded_through timestamp, run_id varchar, built_at timestamp, fingerprint varchar, "
        "shops_rebuilt varchar[], reason varchar",
        [[shop, mark, run_id, built_at, fingerprint, plan.shops, plan.reason] for shop, mark in rows],
    )


def mart_build_of(warehouse: Path, run_id: str) -> dict | None:
    """What the marts step of `run_id` rebuilt: {"shops": [...] or "all", "reason": ...}; None: nothing recorded."""
    if not warehouse.exists():
        return None
    with duckdb.connect(str(warehouse), read_only=True) as con:
        if not table_exists(con, *BUILDS_TABLE.split(".")):
            return None
        row = con.execute(
            f"select any_value(shops_rebuilt), any_value(reason), count(*) from {BUILDS_TABLE} where run_id = $run",
            {"run": run_id},
        ).fetchone()
    if not row[2]:
        return None
    return {"shops": "all" if row[0] is None else list(row[0]), "reason": row[1]}
