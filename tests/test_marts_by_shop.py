"""Marts rebuilt per shop: a run rebuilds the marts of the shops with new files and leaves every other shop's
rows as they are; a run with nothing new rebuilds none; a changed dbt project rebuilds every shop; the result
equals a rebuild of every shop over the same files."""

from datetime import date

import duckdb
import pytest

from lapak.cli import run_pipeline
from lapak.generate import generate
from tests.exports import order_row, write_orders_csv
from tests.helpers.pipeline import MARTS_SNAPSHOTTED

pytestmark = pytest.mark.e2e  # whole `lapak run`s

TAMPERED = "(tampered)"  # a province no export has: still there means the shop's rows were not rebuilt


def marts(warehouse: str) -> dict[str, list[tuple]]:
    with duckdb.connect(warehouse, read_only=True) as con:
        return {m: con.execute(f"select * from marts.{m} order by all").fetchall() for m in MARTS_SNAPSHOTTED}


def tamper(warehouse: str, shops: list[str]) -> None:
    with duckdb.connect(warehouse) as con:
        con.execute(
            "update marts.customers set province = $t where list_contains($s, shop_id)", {"t": TAMPERED, "s": shops}
        )


def tamper_facts(warehouse: str) -> None:
    with duckdb.connect(warehouse) as con:
        con.execute("update staging.stg_tiktok__order_lines set province = $t", {"t": TAMPERED})


def tampered_fact_lines(warehouse: str) -> int:
    with duckdb.connect(warehouse, read_only=True) as con:
        query = "select count(*) from staging.stg_tiktok__order_lines where province = $t"
        return con.execute(query, {"t": TAMPERED}).fetchone()[0]


def tampered_shops(warehouse: str) -> list[str]:
    with duckdb.connect(warehouse, read_only=True) as con:
        query = "select distinct shop_id from marts.customers where province = $t order by 1"
        return [shop for (shop,) in con.execute(query, {"t": TAMPERED}).fetchall()]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("marts_by_shop")
    landing, home = root / "landing", root / "home"
    generate(landing, shops=3, days=30, orders_per_day=12, seed=5)
    shops = sorted(p.name for p in landing.iterdir() if p.is_dir())
    out = {"shops": shops, "first": run_pipeline(landing, home)}
    warehouse = out["first"]["warehouse"]
    tamper(warehouse, shops)
    tamper_facts(warehouse)
    # a day later only the first shop exports again: one new order of a new buyer
    changed = shops[0]
    write_orders_csv(
        landing / changed / "Semua pesanan-2026-11-21-18_00.csv",
        [
            order_row(**{
                "Order ID": "5760000000000777A1", "Buyer Username": "pembeli_baru_sekali",
                "Created Time": "21/11/2026 10:00:00", "Paid Time": "21/11/2026 10:05:00",
            })
        ],
    )  # fmt: skip
    out["new_day"] = run_pipeline(landing, home)
    out["after_new_day"] = {"tampered": tampered_shops(warehouse), "marts": marts(warehouse)}
    out["nothing_new"] = run_pipeline(landing, home)
    out["after_nothing_new"] = {"tampered": tampered_shops(warehouse), "fact_lines": tampered_fact_lines(warehouse)}
    # a new lapak release (or an edited model): the project that built the marts is not this one, and the facts'
    # build record is an older lapak's, which did not record the project
    with duckdb.connect(warehouse) as con:
        con.execute("update lapak.mart_builds set fingerprint = 'an older project'")
        con.execute("alter table lapak.fact_builds drop column fingerprint")
    out["project_changed"] = run_pipeline(landing, home)
    out["after_project_changed_facts"] = tampered_fact_lines(warehouse)
    out["nothing_new_again"] = run_pipeline(landing, home)  # the project that built the facts is this one now
    # every shop's marts rebuilt from scratch over the same files: what one full build gives
    # (tests/test_incremental.py shows that the facts under them equal a full build's)
    out["after_project_changed"] = {"tampered": tampered_shops(warehouse), "marts": marts(warehouse)}
    return out


def test_every_run_succeeds_and_says_which_shops_it_rebuilt(runs):
    shops = runs["shops"]
    expected = {
        "first": {"shops": "all", "reason": "first build"},
        "new_day": {"shops": [shops[0]], "reason": "new files"},
        "nothing_new": {"shops": [], "reason": "no new files"},
        "project_changed": {"shops": "all", "reason": "the dbt project changed since the last build"},
        "nothing_new_again": {"shops": [], "reason": "no new files"},
    }
    for run, rebuilt in expected.items():
        assert runs[run]["exit_code"] == 0, (run, runs[run]["checks_failed"], runs[run]["failed_steps"])
        assert runs[run]["marts_rebuilt_for"] == rebuilt, run


def test_a_new_file_rebuilds_its_shop_only(runs):
    shops = runs["shops"]
    assert runs["after_new_day"]["tampered"] == shops[1:]  # the changed shop's rows were rebuilt, no other's
    assert runs["after_nothing_new"]["tampered"] == shops[1:]  # nothing was rebuilt
    assert runs["after_project_changed"]["tampered"] == []  # every shop was rebuilt


def test_the_marts_equal_one_full_build(runs):
    changed = runs["shops"][0]
    after, full = runs["after_new_day"]["marts"], runs["after_project_changed"]["marts"]
    assert [r for r in after["customers"] if r[0] == changed and r[2] == date(2026, 11, 21)]  # the new buyer
    # the changed shop's rows are a full build's; the others' are the first build's, equal to a full build's
    for mart in MARTS_SNAPSHOTTED:
        if mart != "customers":
            assert after[mart] == full[mart], mart
    province = 8  # the column tampered with in the shops that were not rebuilt
    assert [r for r in after["customers"] if r[0] == changed] == [r for r in full["customers"] if r[0] == changed]
    assert [r[:province] + r[province + 1 :] for r in after["customers"]] == [
        r[:province] + r[province + 1 :] for r in full["customers"]
    ]


def test_a_changed_project_rebuilds_every_days_facts_from_scratch(runs):
    # facts rebuilt by day: a new day rebuilt its own days only, and a run with nothing new none
    assert runs["after_nothing_new"]["fact_lines"] > 0
    # facts left by another project's SQL do not stay: every day's are rebuilt, and the run says so
    assert runs["after_project_changed_facts"] == 0
    first_day = runs["first"]["days_rebuilt"][0]
    assert runs["project_changed"]["days_rebuilt"] == [first_day, "2026-11-21"]  # through the new day's export
    # the build recorded this project: the next run with nothing new rebuilds no day from scratch
    assert runs["nothing_new_again"]["days_rebuilt"][0] != first_day
