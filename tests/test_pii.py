"""The PII key: long enough, written whole, the same for two runs that create it at once, and the one the
warehouse was built with."""

import os
import stat
import subprocess
import sys
import threading

import duckdb
import pytest

from ingestion import pii
from ingestion.pii import KEY_FILE, MIN_KEY_BYTES, PiiKeyError, key_check_value, key_for_warehouse, load_key
from tests.exports import order_row, write_orders_csv

KEY = "k" * MIN_KEY_BYTES


@pytest.fixture
def no_env_key(monkeypatch):
    monkeypatch.delenv("LAPAK_PII_KEY", raising=False)


def test_a_short_key_in_the_environment_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("LAPAK_PII_KEY", "e2e-key")
    with pytest.raises(PiiKeyError, match=r"\$LAPAK_PII_KEY is 7 bytes long: a PII key needs at least 32"):
        load_key(tmp_path)
    monkeypatch.setenv("LAPAK_PII_KEY", KEY)
    assert load_key(tmp_path) == KEY.encode()


def test_the_key_file_is_created_once_owner_only_and_kept(tmp_path, no_env_key):
    home = tmp_path / "home"
    key = load_key(home)
    assert len(key) == 64 and load_key(home) == key
    assert stat.S_IMODE((home / KEY_FILE).stat().st_mode) == 0o600
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert [p.name for p in home.iterdir()] == [KEY_FILE]  # no temporary file left behind


@pytest.mark.parametrize("content", [b"", b"\n", b"0123456789abcdef\n"])
def test_an_empty_or_short_key_file_is_an_error_naming_the_file(tmp_path, no_env_key, content):
    """A run killed between creating and writing the file left it empty: it must never hash with the key b""."""
    (tmp_path / KEY_FILE).write_bytes(content)
    with pytest.raises(PiiKeyError, match=f"{tmp_path / KEY_FILE} holds .*at least 32 bytes"):
        load_key(tmp_path)
    assert (tmp_path / KEY_FILE).read_bytes() == content  # never replaced on its own


def test_the_key_file_is_never_seen_empty_while_it_is_written(tmp_path, no_env_key, monkeypatch):
    """A reader between the creation and the write (the old code's window) finds no file, or the whole key."""
    seen = []
    real_fsync = os.fsync

    def fsync_and_look(fd):
        seen.append((tmp_path / KEY_FILE).exists())
        real_fsync(fd)

    monkeypatch.setattr(pii.os, "fsync", fsync_and_look)
    key = load_key(tmp_path)
    assert seen[0] is False  # when the key's bytes are flushed, the final name does not exist yet
    assert (tmp_path / KEY_FILE).read_bytes() == key


def test_two_creators_at_once_end_up_with_one_key(tmp_path, no_env_key, monkeypatch):
    """The second creator links after the first: it reads the first one's key instead of replacing it."""
    barrier = threading.Barrier(2)
    real_link = os.link

    def link_together(src, dst):
        barrier.wait(timeout=10)  # both have written their own key and try to put it in place
        real_link(src, dst)

    monkeypatch.setattr(pii.os, "link", link_together)
    keys = []
    threads = [threading.Thread(target=lambda: keys.append(load_key(tmp_path))) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(keys) == 2 and keys[0] == keys[1] == (tmp_path / KEY_FILE).read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == [KEY_FILE]


def test_processes_racing_on_a_new_home_share_one_key(tmp_path, no_env_key):
    code = (
        "import sys; from pathlib import Path; from ingestion.pii import load_key; print(load_key(Path(sys.argv[1])))"
    )
    env = {k: v for k, v in os.environ.items() if k != "LAPAK_PII_KEY"}
    procs = [
        subprocess.Popen([sys.executable, "-c", code, str(tmp_path / "home")], stdout=subprocess.PIPE, env=env)
        for _ in range(4)
    ]
    outs = {p.communicate(timeout=60)[0] for p in procs}
    assert all(p.returncode == 0 for p in procs) and len(outs) == 1


def test_the_warehouse_remembers_its_key_and_refuses_another(tmp_path, monkeypatch):
    warehouse = tmp_path / "warehouse.duckdb"
    monkeypatch.setenv("LAPAK_PII_KEY", KEY)
    with duckdb.connect(str(warehouse)) as con:
        assert key_for_warehouse(con, tmp_path) == KEY.encode()
        assert key_for_warehouse(con, tmp_path) == KEY.encode()
        stored = con.execute("select * from raw._pii_key").fetchall()
    assert stored == [(key_check_value(KEY.encode()),)]
    assert KEY not in str(stored) and len(stored[0][0]) == 16
    other = "o" * MIN_KEY_BYTES
    monkeypatch.setenv("LAPAK_PII_KEY", other)
    with duckdb.connect(str(warehouse)) as con, pytest.raises(PiiKeyError) as caught:
        key_for_warehouse(con, tmp_path)
    message = str(caught.value)
    assert f"the warehouse at {warehouse} was built with another PII key" in message
    assert f"check value {key_check_value(KEY.encode())}" in message and "set $LAPAK_PII_KEY" in message
    assert other not in message and KEY not in message


def test_a_daemon_with_another_key_stops_before_loading(tmp_path, monkeypatch):
    """Through ingestion: the run with the other key loads nothing, so no customer is split in two."""
    from ingestion.load import ingest

    landing, home = tmp_path / "landing", tmp_path / "home"
    write_orders_csv(landing / "toko" / "Semua pesanan-2026-01-01-08_00.csv", [order_row(**{"Order ID": "1"})])
    monkeypatch.setenv("LAPAK_PII_KEY", KEY)
    ingest(home / "warehouse.duckdb", landing, home, load_id="first")
    write_orders_csv(landing / "toko" / "Semua pesanan-2026-01-02-08_00.csv", [order_row(**{"Order ID": "2"})])
    monkeypatch.setenv("LAPAK_PII_KEY", "o" * MIN_KEY_BYTES)
    with pytest.raises(PiiKeyError, match="was built with another PII key"):
        ingest(home / "warehouse.duckdb", landing, home, load_id="second")
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("select distinct load_id from raw._manifest").fetchall() == [("first",)]
