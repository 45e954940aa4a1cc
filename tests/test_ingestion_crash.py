"""A run killed with SIGKILL mid-ingest leaves only whole files behind, and the next run finishes the job:
the warehouse ends up exactly as after one clean run. Killed between files of a transaction each, and while
files share one (`TXN_ROWS`): the files of the open transaction are lost whole and loaded by the next run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from ingestion.load import ingest
from ingestion.manifest import accounting_problems
from tests.exports import write_big_orders_csv

pytestmark = pytest.mark.e2e  # kills real ingestion subprocesses and runs them again

ROOT = Path(__file__).resolve().parent.parent
FILES, ROWS = 5, 30_000

# A small ingestion script: one line on stdout when a file starts and when it is done.
SCRIPT = """
import sys
from pathlib import Path
import ingestion.loader
from ingestion.load import ingest

ingestion.loader.TXN_ROWS = int(sys.argv[4])

def say(event, rel, result):
    print(event, rel, flush=True)

ingest(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), load_id="killed", on_event=say)
print("finished", flush=True)
"""

RAW_COLUMNS = "* exclude (_load_id)"
MANIFEST_COLUMNS = (
    "file_sha256, source_file, shop_id, kind, layout, status, rows_read, rows_loaded, rows_quarantined, "
    "duplicates_superseded, period_start, period_end"
)


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("crash")
    for k in range(FILES):
        shop = "toko-a" if k % 2 == 0 else "toko-b"
        write_big_orders_csv(
            root / "landing" / shop / f"Semua pesanan-2026-11-{10 + k:02d}-10_00.csv", ROWS, first=k * ROWS // 2
        )
    return root / "landing"


def snapshot(warehouse: Path) -> tuple[list, list, list]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return (
            con.execute(f"select {RAW_COLUMNS} from raw.orders order by _file_sha256, _source_row").fetchall(),
            con.execute(f"select {MANIFEST_COLUMNS} from raw._manifest order by source_file").fetchall(),
            con.execute("select * exclude (load_id, quarantined_at) from raw._quarantine order by all").fetchall(),
        )


@pytest.fixture(scope="module")
def clean_run(landing, tmp_path_factory):
    home = tmp_path_factory.mktemp("clean-home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(
            "LAPAK_PII_KEY", "crash-test-key-0123456789abcdef0123456789abcdef"
        )  # the same key as the killed run's
        report = ingest(home / "warehouse.duckdb", landing, home, load_id="clean")
    assert [f.status for f in report.files] == ["loaded"] * FILES
    return snapshot(home / "warehouse.duckdb")


@pytest.mark.parametrize(
    ("delay", "txn_rows", "kill_at", "workers"),
    [
        (0.05, 1, 3, 1),  # a transaction per file: killed inside the third file, two are committed
        (0.5, 1, 3, 1),
        (0.05, 2 * ROWS, 4, 1),  # two files per transaction: killed inside the fourth, the third (loaded) is lost
        (0.05, 1, None, 2),  # the two shops side by side: killed at the first start after two files are done
    ],
)
def test_kill_9_mid_ingest_leaves_whole_files_and_the_next_run_finishes(
    landing, clean_run, tmp_path, delay, txn_rows, kill_at, workers
):
    home = tmp_path / "home"
    warehouse = home / "warehouse.duckdb"
    env = {
        **os.environ,
        "LAPAK_PII_KEY": "crash-test-key-0123456789abcdef0123456789abcdef",
        "PYTHONPATH": str(ROOT),
        "LAPAK_INGEST_WORKERS": str(workers),
    }
    proc = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(warehouse), str(landing), str(home), str(txn_rows)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    done: list[str] = []
    started = 0
    killed_during = None
    for line in proc.stdout:
        event, _, rel = line.strip().partition(" ")
        if event == "done":
            done.append(rel)
        elif event == "start" and ((started := started + 1) == kill_at or (kill_at is None and len(done) >= 2)):
            time.sleep(delay)  # well inside the file: its transaction is open
            os.kill(proc.pid, signal.SIGKILL)
            killed_during = rel
            break
    proc.wait(timeout=60)
    if workers == 1:
        assert len(done) == 2, done  # a file is done once its transaction is committed
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read()[-2000:]
    assert killed_during is not None

    # only whole files: every raw row belongs to a file the manifest lists as loaded, with matching counts
    with duckdb.connect(str(warehouse)) as con:
        assert accounting_problems(con) == []
        loaded = {r[0] for r in con.execute("select source_file from raw._manifest where status = 'loaded'").fetchall()}
        per_file = dict(con.execute("select _source_file, count(*) from raw.orders group by 1").fetchall())
    assert set(done) <= loaded
    if workers == 1:  # (side by side, the other shop's file in flight may have been committed too)
        assert loaded <= {*done, killed_during}
    assert set(per_file) == loaded and all(n == ROWS for n in per_file.values())
    if txn_rows > ROWS:  # the third file was loaded in the transaction the kill cut short: nothing of it is left
        assert loaded == set(done)

    # the next run loads what is missing, skips what is there: the same warehouse as one clean run
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LAPAK_PII_KEY", "crash-test-key-0123456789abcdef0123456789abcdef")
        report = ingest(warehouse, landing, home, load_id="resumed")
    statuses = {f.source_file: f.status for f in report.files}
    assert {s for f, s in statuses.items() if f in loaded} <= {"unchanged"}
    assert {s for f, s in statuses.items() if f not in loaded} == {"loaded"}
    assert snapshot(warehouse) == clean_run
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert accounting_problems(con) == []
