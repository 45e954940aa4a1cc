"""Late status changes are kept as history: stg_tiktok__order_line_status_history over three overlapping
order exports (ingested for real), built with dbt against a throwaway warehouse."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from ingestion.load import ingest
from tests.exports import order_row, write_orders_csv

ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT = ROOT / "dbt_project"
MODELS = "stg_tiktok__order_line_status_history stg_tiktok__order_lines"


def line(order: str, status: str, **values: str) -> dict[str, str]:
    return order_row(**{"Order ID": order, "Order Status": status, **values})


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    root = tmp_path_factory.mktemp("history")
    landing, home = root / "landing", root / "home"
    shop = landing / "toko-a"
    a, b, c = "576000000000000001", "576000000000000002", "576000000000000003"
    write_orders_csv(shop / "Semua pesanan-2026-11-05-10_00.csv", [line(a, "Dikirim"), line(b, "Perlu dikirim")])
    write_orders_csv(
        shop / "Semua pesanan-2026-11-20-10_00.csv",
        [line(a, "Selesai"), line(b, "Dikirim"), line(c, "Dikirim")],
    )
    write_orders_csv(
        shop / "Semua pesanan-2026-12-05-10_00.csv",
        [
            line(a, "Selesai"),  # unchanged: no new state
            line(
                b,
                "Selesai",
                **{
                    "Cancelation/Return Type": "Return/Refund",
                    "Sku Quantity of return": "1",
                    "Order Refund Amount": "100000",
                },
            ),
            line(c, "Dibatalkan", **{"Cancelation/Return Type": "Cancel"}),
        ],
    )
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LAPAK_PII_KEY", "history-key-0123456789abcdef0123456789abcdef")
        report = ingest(home / "warehouse.duckdb", landing, home, load_id="history")
    assert [f.status for f in report.files] == ["loaded"] * 3
    env = {**os.environ, "LAPAK_WAREHOUSE": str(home / "warehouse.duckdb"), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    dbt = str(Path(sys.executable).with_name("dbt"))
    for command in ("run", "test"):
        args = [dbt, command, "--select", *MODELS.split(), "--indirect-selection", "cautious"]
        args += ["--project-dir", str(DBT_PROJECT), "--profiles-dir", str(DBT_PROJECT)]
        args += ["--target-path", str(root / "target"), "--log-path", str(root / "logs")]
        proc = subprocess.run(args, capture_output=True, text=True, env=env, cwd=DBT_PROJECT, timeout=600)
        assert proc.returncode == 0, proc.stdout[-4000:]
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    yield con
    con.close()


def states(con, order_id):
    return con.execute(
        """select state_seq, order_status, previous_order_status, cancel_return_type, returned_quantity,
                  refund_amount_idr, valid_from, valid_to, is_current
        from staging.stg_tiktok__order_line_status_history where order_id = ? order by state_seq""",
        [order_id],
    ).fetchall()


def ts(day: str) -> datetime:
    return datetime.fromisoformat(f"{day} 10:00:00")


def test_shipped_then_completed(history):
    assert states(history, "576000000000000001") == [
        (1, "Dikirim", None, None, 0, 0, ts("2026-11-05"), ts("2026-11-20"), False),
        (2, "Selesai", "Dikirim", None, 0, 0, ts("2026-11-20"), None, True),
    ]


def test_returned_after_completion_keeps_every_step(history):
    got = states(history, "576000000000000002")
    assert [(s[1], s[3], s[4], s[5]) for s in got] == [
        ("Perlu dikirim", None, 0, 0),
        ("Dikirim", None, 0, 0),
        ("Selesai", "return_refund", 1, 100000),
    ]
    assert [s[8] for s in got] == [False, False, True]


def test_cancelled(history):
    assert [(s[1], s[3], s[8]) for s in states(history, "576000000000000003")] == [
        ("Dikirim", None, False),
        ("Dibatalkan", "cancel", True),
    ]


def test_current_state_is_what_the_marts_use(history):
    mismatches = history.execute(
        """select h.order_line_id
        from staging.stg_tiktok__order_line_status_history as h
        inner join staging.stg_tiktok__order_lines as o on o.order_line_id = h.order_line_id
        where h.is_current and o.order_status is distinct from h.order_status"""
    ).fetchall()
    n_lines = history.execute("select count(*) from staging.stg_tiktok__order_lines").fetchone()[0]
    n_current = history.execute(
        "select count(*) from staging.stg_tiktok__order_line_status_history where is_current"
    ).fetchone()[0]
    assert mismatches == [] and n_lines == n_current == 3
