"""Screening the files ingestion loaded: the raw suites, and holding the files their failing rows came from.

`screen_raw_files` is the last step of `lapak_ingest`. Each raw suite (quality/suites.py, `holds_files`)
validates every loaded file it has not checked yet, whichever run loaded it (quality/checked.py). A file
whose rows fail is held out of the warehouse (ingestion/hold.py), so the other files and every other shop
go on. A file is its shop's copy of its content, (shop, sha256): the same bytes in two shops' folders are
validated and held each on its own. This step writes; the raw suites' asset checks then
report what it found, from its materialization (quality/checks.py): checks observe, they do not write.
"""

from dataclasses import asdict
from pathlib import Path

import dagster as dg
import duckdb

from ingestion.hold import HeldFile, hold_files
from lapak.resources import LapakPaths
from quality.checked import File, mark_checked, unchecked_files
from quality.suites import SUITES, Suite
from quality.validation import Outcome, validate_in_chunks

SCREENED_KEY = dg.AssetKey(["raw", "_screened_files"])
RAW_SUITES = [s for s in SUITES if s.holds_files]


def screen(warehouse: Path, suite: Suite, run_id: str) -> dict:
    """Validate the files `suite` has not checked yet, hold those whose rows fail, and record the others as
    checked; what was found, as the suite's check reports it."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        files = unchecked_files(con, suite.name, suite.asset_key[-1])
        outcome = validate_files(con, suite, list(files))
    held: list[HeldFile] = []
    if files:  # read-write only now: validation reads the warehouse read-only
        with duckdb.connect(str(warehouse)) as con:
            held = hold_failing_files(con, suite, outcome, files) if not outcome.passed else []
            if outcome.passed or held:  # the failing rows' files are held, the others passed
                mark_checked(con, files, suite.name, run_id)
    return {
        "passed": outcome.passed,
        "held": bool(held),
        "rows": outcome.rows,
        "chunks": outcome.chunks,
        "files": len(files),
        "details": outcome.details,
        "held_files": [asdict(f) for f in held],
    }


def validate_files(con: duckdb.DuckDBPyConnection, suite: Suite, files: list[File]) -> Outcome:
    """Validate the rows of `files`, (shop id, sha256) each, and of no other file."""
    return validate_in_chunks(con, suite, suite.query, {"shops": [s for s, _ in files], "files": [h for _, h in files]})


def hold_failing_files(
    con: duckdb.DuckDBPyConnection, suite: Suite, outcome: Outcome, files: dict[File, str]
) -> list[HeldFile]:
    """Hold the files the failing rows came from; nothing when a failure names no rows (a table-level one).
    `files`: (shop id, sha256) -> the load id that loaded the file, which its manifest row is found by."""
    if outcome.unnamed_failure or not outcome.failing_rows:
        return []
    import pandas as pd

    rows = pd.concat(outcome.failing_rows)
    problems: dict[tuple[str, str, str], list[str]] = {}
    for (_, expectation, column), by_check in rows.groupby(["detail", "expectation", "column"], sort=True):
        for (shop, file, sha), group in by_check.groupby(["_shop_id", "_source_file", "_file_sha256"], sort=True):
            lines = ", ".join(str(int(r)) for r in sorted(group["_source_row"])[:5])
            more = f" and {len(group) - 5} more" if len(group) > 5 else ""
            problems.setdefault((shop, file, sha), []).append(f"{expectation} on column {column}: row {lines}{more}")
    by_load: dict[str, list[HeldFile]] = {}
    for (shop, file, sha), why in sorted(problems.items()):
        held = HeldFile(shop, file, sha, f"held: check {suite.name} failed: " + "; ".join(why))
        by_load.setdefault(files[(shop, sha)], []).append(held)
    return [f for load_id, held in sorted(by_load.items()) for f in hold_files(con, held, load_id)]


@dg.multi_asset(
    name="screen_raw_files",
    specs=[
        dg.AssetSpec(
            SCREENED_KEY,
            group_name="raw",
            deps=[dg.AssetKey(list(s.asset_key)) for s in RAW_SUITES],
            kinds={"duckdb"},
            description="The raw suites run on every loaded file not checked yet; files with failing rows are "
            "held out of the warehouse (their manifest status `held`, with the reason), the others marked checked.",
        )
    ],
)
def screen_raw_files(context: dg.AssetExecutionContext, settings: LapakPaths) -> dg.MaterializeResult:
    found = {suite.name: screen(settings.warehouse, suite, context.run.run_id) for suite in RAW_SUITES}
    for suite, result in found.items():
        for f in result["held_files"]:
            context.log.warning(f"{suite}: {f['reason']} ({f['source_file']})")
    return dg.MaterializeResult(
        metadata={
            "files_held": sum(len(r["held_files"]) for r in found.values()),
            "suites": dg.MetadataValue.json(found),
        }
    )
