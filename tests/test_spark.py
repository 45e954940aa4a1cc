"""The same marts on Spark: one small sample, `lapak run` on DuckDB and `lapak run --engine spark` on
dbt-spark (local session over the Parquet lake), compared row for row.

Needs the `spark` extra (pyspark, dbt-spark) and Java 17+: `make test` installs both, and a missing
pyspark fails this module instead of skipping it.
"""

import json
import math
import time
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pyspark  # noqa: F401  (fail, do not skip, without the spark extra)
import pytest

from ingestion.lake import LAKE_TABLES, lake_counts
from lapak.generate import generate
from lapak.spark import HEADLINE_MARTS, spark_table_path
from tests.helpers.pipeline import lapak_cli

pytestmark = pytest.mark.e2e  # the whole pipeline on Spark: needs Java

# The grain of each mart: rows are compared in this order.
GRAINS = {
    "customers": ("shop_id", "customer_key"),
    "ltv_weekly": ("shop_id", "cohort_week", "weeks_since_first_order"),
    "kpi_daily": ("shop_id", "date"),
    "nps_by_campaign": ("shop_id", "campaign_id"),
    "reorder_signals": ("shop_id", "sku_id"),
}
# Only where an engine computes in floating point: DuckDB divides decimals in double and keeps
# `float / bigint` in 4-byte REAL; Spark divides decimals exactly and widens to double.
FLOAT_TOLERANCE = 1e-6


def same(a: object, b: object) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) or isinstance(b, float):
        return math.isclose(float(a), float(b), rel_tol=FLOAT_TOLERANCE, abs_tol=FLOAT_TOLERANCE)
    if isinstance(a, int | Decimal) and isinstance(b, int | Decimal):
        return Decimal(a) == Decimal(b)  # integers and decimals: exact (HUGEINT vs BIGINT sums)
    if isinstance(a, datetime) and isinstance(b, datetime):
        return a.replace(tzinfo=None) == b.replace(tzinfo=None)  # Spark's INT96 reads back as UTC
    return a == b


@pytest.fixture(scope="module")
def both_engines(tmp_path_factory):
    root = tmp_path_factory.mktemp("spark")
    landing, home = root / "landing", root / "home"
    generate(landing, shops=1, days=30, orders_per_day=20, seed=11)
    seconds = {}
    start = time.perf_counter()
    duck = lapak_cli("run", "--landing", str(landing), "--home", str(home), "--json", home_env=root)
    seconds["duckdb"] = time.perf_counter() - start
    assert duck.returncode == 0, duck.stdout[-3000:] + duck.stderr[-3000:]
    start = time.perf_counter()
    spark = lapak_cli(
        "run", "--engine", "spark", "--landing", str(landing), "--home", str(home), "--json", "--no-tests",
        "--select", *(f"+{m}" for m in HEADLINE_MARTS), home_env=root,
    )  # fmt: skip
    seconds["spark"] = time.perf_counter() - start
    assert spark.returncode == 0, spark.stdout[-3000:] + spark.stderr[-3000:]
    summary = json.loads(spark.stdout)
    print(f"\nsame sample, whole `lapak run`: duckdb {seconds['duckdb']:.1f}s, spark {seconds['spark']:.1f}s")
    return home, json.loads(duck.stdout), summary


def test_spark_builds_the_headline_marts(both_engines):
    _, _, spark = both_engines
    assert spark["success"], spark
    assert set(HEADLINE_MARTS) <= set(spark["marts_built"])
    assert spark["failed_nodes"] == []


def test_lake_holds_every_raw_row_and_duckdb_reads_it(both_engines):
    home, _, spark = both_engines
    lake = Path(spark["lake"])
    assert lake == home / "lake"
    with duckdb.connect(spark["warehouse"], read_only=True) as con:
        raw = {t: con.execute(f"select count(*) from raw.{t}").fetchone()[0] for t in LAKE_TABLES}
    assert spark["lake_rows"] == raw
    assert lake_counts(lake) == raw
    assert raw["orders"] > 0
    # partitioned by shop and export day
    assert {p.name.split("=")[0] for p in (lake / "orders").iterdir()} == {"shop"}
    assert all(p.name.startswith("day=") for p in next((lake / "orders").iterdir()).iterdir())


@pytest.mark.parametrize("mart", HEADLINE_MARTS)
def test_mart_is_the_same_on_both_engines(both_engines, mart):
    home, _, _ = both_engines
    grain = ", ".join(GRAINS[mart])
    files = spark_table_path(home, "marts", mart) / "*.parquet"
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        columns = [r[0] for r in con.execute(f"describe marts.{mart}").fetchall()]
        spark_columns = [r[0] for r in con.execute(f"describe select * from read_parquet('{files}')").fetchall()]
        assert spark_columns == columns
        select = ", ".join(f'"{c}"' for c in columns)
        on_duckdb = con.execute(f"select {select} from marts.{mart} order by {grain}").fetchall()
        on_spark = con.execute(f"select {select} from read_parquet('{files}') order by {grain}").fetchall()
    assert len(on_duckdb) > 0
    assert len(on_spark) == len(on_duckdb)
    differences = [
        (row[: len(GRAINS[mart])], column, a, b)
        for row, other in zip(on_duckdb, on_spark, strict=True)
        for column, a, b in zip(columns, row, other, strict=True)
        if not same(a, b)
    ]
    assert differences == [], differences[:10]
