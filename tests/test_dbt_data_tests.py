"""lapak's own generic dbt tests, run by dbt on a tiny warehouse made here (dbt show of the test's query)."""

import json
import os
import subprocess

import duckdb
import pytest

from orchestration.dbt import DBT_PROJECT_DIR, WINDOWS_ENV, dbt_executable

WITHIN_SHOP = (
    "{{ test_relationships_within_shop(get_where_subquery(ref('customers')), 'customer_key', "
    "ref('int_customers_first_ordered'), 'customer_key') }}"
)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    """customers -> int_customers_first_ordered, as tables under the models' own names."""
    path = tmp_path_factory.mktemp("dbt_tests") / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts; create schema intermediate")
        con.execute(
            "create table intermediate.int_customers_first_ordered as select * from "
            "(values ('a', 'k1'), ('a', 'k2'), ('b', 'k2')) as t(shop_id, customer_key)"
        )
        con.execute(
            "create table marts.customers as select * from (values ('a', 'k1'), ('b', 'k2'), "
            "('b', 'k1'), ('c', 'k9'), ('c', null)) as t(shop_id, customer_key)"
        )
    return path


def failing_rows(warehouse, query: str, mart_shops: list[str] | None = None) -> set[tuple]:
    env = {k: v for k, v in os.environ.items() if k not in ("LAPAK_WARM_DBT", WINDOWS_ENV)}
    env["LAPAK_WAREHOUSE"] = str(warehouse)
    if mart_shops is not None:
        env[WINDOWS_ENV] = json.dumps({"lapak_mart_shops": mart_shops})
    target = warehouse.parent / "target"
    args = ["show", "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(target), "--log-path", str(target)]
    done = subprocess.run(
        [dbt_executable(), *args, "-q", "--output", "json", "--limit", "-1", "--inline", query],
        cwd=DBT_PROJECT_DIR, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return {tuple(row.values()) for row in json.loads(done.stdout)["show"]}


def test_relationships_within_shop_wants_the_key_in_the_same_shop(warehouse):
    # b's k1 exists only in shop a: dbt's relationships test would pass it; c's k9 exists nowhere; nulls pass
    assert failing_rows(warehouse, WITHIN_SHOP) == {("b", "k1"), ("c", "k9")}


def test_relationships_within_shop_reads_only_the_rebuilt_shops_on_both_sides(warehouse):
    # the marts step rebuilt shop b: b's rows are checked against b's parent rows, no other shop's
    assert failing_rows(warehouse, WITHIN_SHOP, mart_shops=["b"]) == {("b", "k1")}
    assert failing_rows(warehouse, WITHIN_SHOP, mart_shops=["a"]) == set()
