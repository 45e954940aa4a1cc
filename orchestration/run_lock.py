"""One writer per home: `<home>/run.lock`, an exclusive flock held for a whole run.

`lapak run` and `lapak backfill` take it before anything else; every Dagster run (the schedule, the sensors,
a run started in the UI) takes it through the settings resource (orchestration/settings.py). A second run waits
up to `$LAPAK_LOCK_TIMEOUT` seconds (default 600; 0: not at all), then stops with RunLockTimeout, whose message
names the run holding the lock. The lock is re-entrant within a process: the steps `lapak run` executes
in-process take it again without waiting for themselves. The kernel lets go of it when its process ends, however
it ends, so a killed run never leaves a stale lock; the file stays, holding the last holder's details.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

from lapak.settings import WIB

LOCK_FILE = "run.lock"
TIMEOUT_ENV = "LAPAK_LOCK_TIMEOUT"
DEFAULT_TIMEOUT_S = 600.0
POLL_S = 0.2

_held: dict[str, int] = {}  # homes this process holds the lock of, and how many times it took each
_held_guard = threading.Lock()


class RunLockTimeout(RuntimeError):
    """Another run held the home's lock for longer than this run would wait."""

    def __init__(self, home: Path, holder: dict | None, waited: float) -> None:
        self.home, self.holder, self.waited = home, holder, waited
        message = f"another lapak run ({describe(holder)}) is still going on {home}"
        if waited:
            message += f"; waited {waited:.0f} s for it (${TIMEOUT_ENV})"
        super().__init__(message)


def describe(holder: dict | None) -> str:
    """`pid 123, started at 2026-01-02 06:00:01 WIB, lapak run`, from the lock file's record."""
    if not holder:
        return "details not written yet"
    where = "" if holder.get("host") in (None, socket.gethostname()) else f" on {holder['host']}"
    return f"pid {holder.get('pid')}{where}, started at {holder.get('started_at')} WIB, {holder.get('command')}"


def lock_timeout() -> float:
    """Seconds a run waits for the lock: `$LAPAK_LOCK_TIMEOUT`, default 600."""
    value = os.environ.get(TIMEOUT_ENV, "").strip()
    if not value:
        return DEFAULT_TIMEOUT_S
    try:
        seconds = float(value)
    except ValueError:
        raise ValueError(f"${TIMEOUT_ENV}={value!r} is not a number of seconds") from None
    if seconds < 0:
        raise ValueError(f"${TIMEOUT_ENV}={value!r}: seconds cannot be negative")
    return seconds


def read_holder(home: Path) -> dict | None:
    """Who holds (or last held) the home's lock, as it recorded itself; None if nobody wrote there yet."""
    try:
        return _parse((home / LOCK_FILE).read_bytes())
    except OSError:
        return None


def _parse(raw: bytes) -> dict | None:
    try:
        holder = json.loads(raw)
    except ValueError:  # the holder has the lock but has not written its details yet
        return None
    return holder if isinstance(holder, dict) else None


@contextlib.contextmanager
def run_lock(
    home: Path,
    command: str,
    timeout: float | None = None,
    on_wait: Callable[[dict | None], None] | None = None,
) -> Iterator[None]:
    """Hold `<home>/run.lock` while the block runs; wait up to `timeout` seconds (default `lock_timeout()`).

    `on_wait(holder)` is called once if the lock is taken by another run, before waiting for it."""
    key = str(Path(home).resolve())
    with _held_guard:
        reentered = key in _held
        if reentered:
            _held[key] += 1
    if reentered:
        try:
            yield
        finally:
            with _held_guard:
                _held[key] -= 1
        return
    timeout = lock_timeout() if timeout is None else timeout
    fd = os.open(Path(home) / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        _acquire(fd, Path(home), timeout, on_wait)
        record = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started_at": datetime.now(WIB).strftime("%Y-%m-%d %H:%M:%S"),
            "command": command,
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(record).encode(), 0)
        with _held_guard:
            _held[key] = 1
        try:
            yield
        finally:
            with _held_guard:
                del _held[key]
    finally:
        os.close(fd)  # closing the only descriptor of the open file releases the lock


def _acquire(fd: int, home: Path, timeout: float, on_wait: Callable[[dict | None], None] | None) -> None:
    started = time.monotonic()
    told = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        waited = time.monotonic() - started
        if waited >= timeout:
            raise RunLockTimeout(home, _parse(os.pread(fd, 4096, 0)), waited if timeout else 0.0)
        if on_wait is not None and not told:
            on_wait(_parse(os.pread(fd, 4096, 0)))
            told = True
        time.sleep(min(POLL_S, max(timeout - waited, 0.0)))
