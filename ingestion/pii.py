"""Keyed hashing of buyer identities: HMAC-SHA256, computed inside DuckDB so it stays vectorised.

HMAC(K, m) = SHA256((K ^ opad) || SHA256((K ^ ipad) || m)), RFC 2104, kept to its first 128 bits (32 hex
characters; truncation as RFC 2104 section 5 allows). 128 bits leave a collision among a billion buyers at
odds of about 1 in 10^21, and the key groups, joins and sorts faster than the full 64 characters through
every model that carries it (docs/performance.md, twentieth measurement). Keys loaded before were 64
characters; their first 32 are the same key, which staging keeps. The key comes from
`$LAPAK_PII_KEY`, else from `<home>/pii.key`, generated once. Losing the key means new loads hash
the same buyer to a different customer_key: back it up with the warehouse.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

KEY_FILE = "pii.key"
_BLOCK = 64
KEY_HEX_CHARS = 32


def load_key(home: Path) -> bytes:
    env = os.environ.get("LAPAK_PII_KEY")
    if env:
        return env.encode()
    path = home / KEY_FILE
    if not path.exists():
        home.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip().encode()


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
