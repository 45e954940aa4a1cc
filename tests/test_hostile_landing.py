"""A landing folder as a client might upload it: good exports of two shops mixed with every kind of hostile and broken
file (issue 31). The real CLI, in a subprocess, must end on its own with a summary that names each bad file, build the
good shops' marts exactly as it builds them without the bad files, and store no planted personal value anywhere."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import duckdb
import pytest

from lapak.generate import generate
from tests.exports import bomb_workbook, order_row, write_orders_csv
from tests.helpers.pipeline import MARTS_SNAPSHOTTED, lapak_cli

pytestmark = pytest.mark.e2e

# unique strings planted in every personal field of well-formed and malformed lines
PLANTED = {
    "Recipient": "Zulkarnaen Qwertyuiop",
    "Phone #": "(+62)8139517530",
    "Detail Address": "Jl. Rahasia Sekali No. 77",
    "Additional address information": "Pagar ungu dekat Masjid Xyzzy",
    "Buyer Message": "Tolong kirim ke pacar saya Plughbaz",
    "Zipcode": "Kodepos99931Q",  # digits alone occur inside order IDs by chance
}
PLANTED_USERNAME = "budi_plughxyzzy_99"
PLANTED_EXTRA = {"Nama Pembeli": "Siti Frobnicate", "WhatsApp": "0812-7070-3131"}
SECRETS = [*PLANTED.values(), PLANTED_USERNAME, *PLANTED_EXTRA.values(), "8139517530", "7070-3131"]
HOSTILE_SHOP = "toko-[1]"
BAD_IN_GOOD_SHOP = {
    "catatan.csv": "not a Seller Center export",
    "kosong.csv": "file is empty",
    "Semua pesanan-terpotong.csv": "truncated",
    "Video Performance List_20261115100000.xlsx": "not a workbook lapak will open",
    "link-keluar.csv": "outside its shop folder",
    "pipa.csv": "FIFO",
}


def _hostile_files(landing: Path, good_shop: str, outside: Path) -> None:
    shop = landing / good_shop
    (shop / "catatan.csv").write_text("catatan belanja\nbeli kopi 2 kg\n")
    (shop / "kosong.csv").write_bytes(b"")
    cut = write_orders_csv(
        shop / "Semua pesanan-terpotong.csv",
        [order_row(**{"Order ID": "576999000000000001", **PLANTED, "Buyer Username": PLANTED_USERNAME})],
    )
    cut.write_bytes(cut.read_bytes()[:-120])  # the download stopped mid-row
    bomb_workbook(shop / "Video Performance List_20261115100000.xlsx")
    (shop / "link-keluar.csv").symlink_to(write_orders_csv(outside / "orang-lain.csv", [order_row()]))
    os.mkfifo(shop / "pipa.csv")
    # a shop of its own with a name that is a glob pattern: well-formed and malformed lines full of personal data
    hostile = landing / HOSTILE_SHOP
    rows = [
        order_row(**{"Order ID": f"57699900000000001{i}", **PLANTED, "Buyer Username": PLANTED_USERNAME})
        for i in range(3)
    ]
    path = write_orders_csv(hostile / "Semua pesanan-2026-11-14-09_00.csv", rows)
    header, *lines = path.read_text(encoding="utf-8-sig").splitlines()
    lines[1] += ',"one too many"'  # a column too many
    lines[2] = lines[2].rsplit(",", 3)[0]  # columns missing
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8-sig")
    from ingestion.formats import ORDER_HEADERS_CURRENT

    write_orders_csv(
        hostile / "Semua pesanan-2026-11-15-09_00.csv",
        [order_row(**{"Order ID": "576999000000000021", "Buyer Username": PLANTED_USERNAME, **PLANTED_EXTRA})],
        headers=[*ORDER_HEADERS_CURRENT, *PLANTED_EXTRA],
    )


def _marts(warehouse: str, shops: list[str]) -> dict[str, list[tuple]]:
    with duckdb.connect(warehouse, read_only=True) as con:
        out = {}
        for mart in MARTS_SNAPSHOTTED:
            columns = {r[0] for r in con.execute(f"describe marts.{mart}").fetchall()}
            where = "where list_contains($shops, shop_id)" if "shop_id" in columns else ""
            params = {"shops": shops} if where else {}
            out[mart] = con.execute(f"select * from marts.{mart} {where} order by all", params).fetchall()
        return out


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    clean, hostile = root / "clean", root / "hostile"
    result = generate(clean / "landing", shops=2, days=30, orders_per_day=10, seed=5)
    shutil.copytree(clean / "landing", hostile / "landing", symlinks=True)
    _hostile_files(hostile / "landing", result.shops[0], root / "outside")
    done = {}
    for name, base in (("clean", clean), ("hostile", hostile)):
        cli = lapak_cli(
            "run", "--landing", str(base / "landing"), "--home", str(base / "home"), "--json", home_env=root
        )
        done[name] = (cli, base / "home")
    return result.shops, done


def test_the_run_ends_on_its_own_and_names_every_bad_file(runs):
    shops, done = runs
    cli, home = done["hostile"]
    assert cli.returncode == 1, (cli.returncode, cli.stderr[-3000:])
    summary = json.loads(cli.stdout)
    assert json.loads((home / "last_run.json").read_text())["run_id"] == summary["run_id"]
    assert (home / "logs" / "failures.log").exists()
    named = {f["file"]: f["reason"] for f in summary["rejected_files"] + summary.get("skipped_files", [])}
    for name, why in BAD_IN_GOOD_SHOP.items():
        assert why in named.get(f"{shops[0]}/{name}", ""), (name, named)
    assert summary["published"], "the good files of every shop are published"
    assert not any(c["severity"] == "ERROR" for c in summary["checks_failed"]), summary["checks_failed"]


def test_good_shops_marts_equal_those_built_without_the_bad_files(runs):
    shops, done = runs
    clean = json.loads(done["clean"][0].stdout)
    hostile = json.loads(done["hostile"][0].stdout)
    assert clean["exit_code"] == 0, clean
    assert _marts(hostile["warehouse"], shops) == _marts(clean["warehouse"], shops)


def test_the_shop_named_like_a_pattern_keeps_its_own_rows_only(runs):
    _, done = runs
    hostile = json.loads(done["hostile"][0].stdout)
    with duckdb.connect(hostile["warehouse"], read_only=True) as con:
        rows = con.execute("select order_id from raw.orders where _shop_id = $s order by 1", {"s": HOSTILE_SHOP})
        assert [r[0] for r in rows.fetchall()] == ["576999000000000010", "576999000000000021"]
        quarantined = con.execute(
            "select source_row, column_name from raw._quarantine where shop_id = $s order by 1", {"s": HOSTILE_SHOP}
        ).fetchall()
    assert quarantined == [(3, "(whole row)"), (4, "(whole row)")]


def _text_in_duckdb(path: Path, secrets: list[str]) -> list[str]:
    """Every planted string found in any text column of any table (DuckDB compresses: reading bytes is not enough)."""
    found = []
    with duckdb.connect(str(path), read_only=True) as con:
        columns = con.execute(
            "select database_name, schema_name, table_name, column_name from duckdb_columns() "
            "where data_type = 'VARCHAR' and not internal"
        ).fetchall()
        for db, schema, table, column in columns:
            for secret in secrets:
                hits = con.execute(
                    f'select count(*) from "{db}"."{schema}"."{table}" where contains("{column}", $s)', {"s": secret}
                ).fetchone()[0]
                if hits:
                    found.append(f"{path.name}: {schema}.{table}.{column} holds {secret!r}")
    return found


def test_no_planted_personal_value_reaches_the_home_folder(runs):
    _, done = runs
    _, home = done["hostile"]
    found = []
    for path in sorted(p for p in home.rglob("*") if p.is_file() and not p.is_symlink()):
        data = path.read_bytes()
        found += [f"{path.relative_to(home)} holds {s!r}" for s in SECRETS if s.encode() in data]
        if path.suffix == ".duckdb":
            found += _text_in_duckdb(path, SECRETS)
        elif path.suffix == ".parquet":
            with duckdb.connect() as con:
                columns = [c[0] for c in con.execute("describe select * from read_parquet(?)", [str(path)]).fetchall()]
                text = " ".join(
                    str(v) for r in con.execute("select * from read_parquet(?)", [str(path)]).fetchall() for v in r
                )
            found += [f"{path.name} ({len(columns)} columns) holds {s!r}" for s in SECRETS if s in text]
    assert found == []
