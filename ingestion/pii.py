"""Keyed hashing of buyer identities: HMAC-SHA256, computed inside DuckDB so it stays vectorised.

HMAC(K, m) = SHA256((K ^ opad) || SHA256((K ^ ipad) || m)), RFC 2104, kept to its first 128 bits (32 hex
characters; truncation as RFC 2104 section 5 allows). 128 bits leave a collision among a billion buyers at
odds of about 1 in 10^21, and the key groups, joins and sorts faster than the full 64 characters through
every model that carries it (docs/performance.md, decision log). Keys loaded before were 64
characters; their first 32 are the same key, which staging keeps. The key comes from
`$LAPAK_PII_KEY`, else from `<home>/pii.key`, generated once. Losing the key means new loads hash
the same buyer to a different customer_key: back it up with the warehouse.

Keys shorter than MIN_KEY_BYTES are refused (a short key can be guessed, and every customer key recomputed).
The key file is written whole under a temporary name and linked into place, so it is never seen empty, and of
two runs creating it at once both end up with the first one's key. The warehouse records a check value of the
key it was built with (`raw._pii_key`): a run with another key stops instead of splitting every customer in two.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

import duckdb

KEY_FILE = "pii.key"
KEY_ENV = "LAPAK_PII_KEY"
MIN_KEY_BYTES = 32
_BLOCK = 64
KEY_HEX_CHARS = 32
CHECK_TABLE = "raw._pii_key"
# what the check value is an HMAC of: it proves which key built the warehouse without revealing the key
CHECK_LABEL = b"lapak pii key check"
CHECK_HEX_CHARS = 16


class PiiKeyError(ValueError):
    """The PII key is too short, its file is damaged, or it is not the key the warehouse was built with."""


def load_key(home: Path) -> bytes:
    """The key from `$LAPAK_PII_KEY`, else from `<home>/pii.key` (created on first use); at least MIN_KEY_BYTES."""
    env = os.environ.get(KEY_ENV)
    if env:
        key = env.encode()
        if len(key) < MIN_KEY_BYTES:
            raise PiiKeyError(
                f"${KEY_ENV} is {len(key)} bytes long: a PII key needs at least {MIN_KEY_BYTES} "
                f"(for example the output of `python -c 'import secrets; print(secrets.token_hex(32))'`)"
            )
        return key
    path = home / KEY_FILE
    if not path.exists():
        _create_key_file(path)
    key = path.read_bytes().strip()
    if len(key) < MIN_KEY_BYTES:
        raise PiiKeyError(
            f"{path} holds {'no key' if not key else f'a key of {len(key)} bytes'}: a PII key needs at least "
            f"{MIN_KEY_BYTES} bytes. Restore the file from your backup (or set ${KEY_ENV} to the key the "
            "warehouse was built with); lapak never replaces it on its own"
        )
    return key


def _create_key_file(path: Path) -> None:
    """A new random key at `path`, written whole before it appears there; if another process made one first, theirs."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)  # unlike a rename, never replaces a key another run has already linked and used
        except FileExistsError:
            pass  # the other run's key is complete (it was linked after its fsync): both runs use it
        except OSError as exc:
            raise PiiKeyError(
                f"cannot create {path} on this file system ({exc}): write a key of at least {MIN_KEY_BYTES} "
                f"bytes into it yourself, or set ${KEY_ENV}"
            ) from exc
        _fsync_dir(path.parent)
    finally:
        tmp.unlink(missing_ok=True)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)  # the new name survives a power cut
    finally:
        os.close(fd)


def key_check_value(key: bytes) -> str:
    """A short fingerprint of the key (an HMAC of a fixed label under it): safe to store, useless to recover the key."""
    return hmac.new(key, CHECK_LABEL, hashlib.sha256).hexdigest()[:CHECK_HEX_CHARS]


def key_for_warehouse(con: duckdb.DuckDBPyConnection, home: Path) -> bytes:
    """The PII key (`load_key`), checked against the one the warehouse behind `con` was built with.

    The first use records the key's check value in `raw._pii_key`; later runs with another key raise PiiKeyError."""
    key = load_key(home)
    check = key_check_value(key)
    con.execute("create schema if not exists raw")
    con.execute(f"create table if not exists {CHECK_TABLE} (check_value varchar not null)")
    row = con.execute(f"select check_value from {CHECK_TABLE} limit 1").fetchone()
    if row is None:
        con.execute(f"insert into {CHECK_TABLE} values (?)", [check])
    elif row[0] != check:
        warehouse = _database_path(con)
        raise PiiKeyError(
            f"the warehouse at {warehouse} was built with another PII key (check value {row[0]}; this key's is "
            f"{check}): set ${KEY_ENV} to that key or restore {home / KEY_FILE}. Loading with this key would "
            "give every returning buyer a second customer key"
        )
    return key


def _database_path(con: duckdb.DuckDBPyConnection) -> str:
    row = con.execute("select path from duckdb_databases() where database_name = current_database()").fetchone()
    return row[0] if row and row[0] else "(in memory)"


def hmac_pads(key: bytes) -> tuple[bytes, bytes]:
    if len(key) > _BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(_BLOCK, b"\x00")
    return bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)


def hmac_sql(expr: str, ipad_param: str = "$ipad", opad_param: str = "$opad") -> str:
    """SQL for the hex HMAC-SHA256 of a VARCHAR expression, its first KEY_HEX_CHARS; NULL in, NULL out."""
    return (
        f"case when {expr} is null then null else left(sha256({opad_param} || unhex(sha256({ipad_param} || "
        f"encode({expr})))), {KEY_HEX_CHARS}) end"
    )
