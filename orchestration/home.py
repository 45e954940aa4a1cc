"""The home folder (`$LAPAK_HOME`): the warehouse, quarantined values, logs, the published copy and the PII key.

It is created readable by its owner only (0700), unless `$LAPAK_HOME_MODE` (octal, e.g. 750 to let a group of
BI readers in) says otherwise, and lapak's process creates its files and folders under the same mode (the umask
is its complement). A home that already exists keeps the mode it has.
"""

from __future__ import annotations

import os
from pathlib import Path

MODE_ENV = "LAPAK_HOME_MODE"
DEFAULT_MODE = 0o700


class HomeModeError(ValueError):
    """`$LAPAK_HOME_MODE` is not an octal mode lapak can work with."""


def home_mode() -> int:
    """The mode a new home is created with: `$LAPAK_HOME_MODE` (octal), else 0700."""
    value = os.environ.get(MODE_ENV, "").strip()
    if not value:
        return DEFAULT_MODE
    try:
        mode = int(value, 8)
    except ValueError:
        raise HomeModeError(f"${MODE_ENV}={value!r} is not an octal mode such as 700 or 750") from None
    if mode > 0o777 or mode & 0o700 != 0o700:
        raise HomeModeError(
            f"${MODE_ENV}={value!r}: the owner needs read, write and search permission (7 first, as in 700 or 750)"
        )
    return mode


def prepare_home(home: Path) -> int:
    """Create `home` (and its parents) if it is missing, with `home_mode()`; set the process umask to match.

    Returns the mode. Files and folders the process creates afterwards get no permission the home's mode lacks."""
    mode = home_mode()
    os.umask(0o777 & ~mode)
    home.parent.mkdir(parents=True, exist_ok=True)
    try:
        home.mkdir(mode=mode)
    except FileExistsError:
        return mode
    os.chmod(home, mode)  # mkdir's mode went through the umask of whoever set it last
    return mode
