"""The landing folder: which files belong to which shop, which entries are not followed, and reading a file by
exactly the name it was found under.

The landing folder is often a folder that clients upload into, so nothing in it is trusted: a shop folder's name is
its shop id whatever characters it holds, a symbolic link is followed only when it stays inside its own shop folder,
and anything that is not a regular file (a FIFO, a socket, a device) is never opened.
"""

from __future__ import annotations

import contextlib
import os
import stat as st
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

IGNORED_PREFIXES = (".", "~$")  # hidden files, sync tools' temp files, Excel's lock files


@dataclass
class Landing:
    files: list[tuple[str | None, Path]] = field(default_factory=list)  # (shop id, path), in a stable order
    skipped: list[tuple[str | None, Path, str]] = field(default_factory=list)  # (shop id, path, why not followed)


def _kind_of(mode: int) -> str:
    if st.S_ISFIFO(mode):
        return "a FIFO"
    if st.S_ISSOCK(mode):
        return "a socket"
    if st.S_ISCHR(mode) or st.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
    except ValueError:
        return False
    return True


def scan_landing(landing: Path, shop: str | None = None) -> Landing:
    """Every file under the landing folder with its shop (the first-level folder's name), and every entry that is
    not followed, with the reason. Files directly in the landing folder come with shop None (rejected later)."""
    out = Landing()
    try:
        entries = sorted(landing.iterdir())
    except FileNotFoundError:
        return out
    real_landing = landing.resolve()
    for entry in entries:
        if entry.name.startswith((*IGNORED_PREFIXES, "_")):
            continue
        try:
            info = entry.lstat()
        except OSError:
            continue  # gone since the listing: nothing to load
        if st.S_ISLNK(info.st_mode):
            if shop is None or entry.name == shop:
                out.skipped.append((None, entry, "a symbolic link in the landing folder: not followed"))
            continue
        if st.S_ISREG(info.st_mode):
            if shop is None:
                out.files.append((None, entry))
            continue
        if not st.S_ISDIR(info.st_mode):
            if shop is None:
                out.skipped.append((None, entry, f"{_kind_of(info.st_mode)}: not read"))
            continue
        if shop is not None and entry.name != shop:
            continue
        _scan_shop(entry, real_landing / entry.name, out)
    return out


def _scan_shop(folder: Path, real_folder: Path, out: Landing) -> None:
    """The files of one shop folder, recursively; symbolic links only when their target is inside this folder."""
    shop_id = folder.name
    found: list[tuple[Path, str | None]] = []

    def on_error(exc: OSError) -> None:  # an unreadable sub-folder is reported, the rest is read
        if exc.filename and Path(exc.filename) != folder:
            found.append((Path(exc.filename), f"cannot be listed ({exc.strerror})"))

    for dirpath, dirnames, filenames in os.walk(folder, onerror=on_error, followlinks=False):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(IGNORED_PREFIXES))
        for name in list(dirnames):
            if (here / name).is_symlink():  # os.walk does not enter it; say so
                dirnames.remove(name)
                found.append((here / name, "a symbolic link to a folder: not followed"))
        for name in filenames:
            if name.startswith(IGNORED_PREFIXES):
                continue
            path = here / name
            try:
                info = path.lstat()
            except OSError:
                continue  # gone since the listing
            if st.S_ISLNK(info.st_mode):
                target = Path(os.path.realpath(path))
                if not _inside(target, real_folder):
                    found.append((path, "a symbolic link that points outside its shop folder: not followed"))
                    continue
                try:
                    info = path.stat()
                except OSError:
                    found.append((path, "a symbolic link whose target does not exist: not followed"))
                    continue
            if not st.S_ISREG(info.st_mode):
                found.append((path, f"{_kind_of(info.st_mode)}: not read"))
                continue
            found.append((path, None))
    for path, why in sorted(found, key=lambda f: f[0]):
        if why is None:
            out.files.append((shop_id, path))
        else:
            out.skipped.append((shop_id, path, why))


def discover(landing: Path, shop: str | None = None) -> list[tuple[str | None, Path]]:
    """(shop_id, path) for every file under the landing folder that lapak reads; shop = first-level folder name."""
    return scan_landing(landing, shop).files


@contextlib.contextmanager
def exact_path(path: Path, expected: os.stat_result | None = None) -> Iterator[str]:
    """A name under which DuckDB reads exactly this file: DuckDB expands `*`, `?`, `[...]` and `{...}` in every path
    it is given, even a bound parameter, so a file named `Semua pesanan [1].csv` could read another one.

    The file is opened here and DuckDB reads it through `/proc/self/fd/<n>` (the same open file, whatever its name
    holds), or, where there is no /proc, a symbolic link with a plain name. With `expected` (the stat taken before
    the file was hashed), a file replaced or rewritten since then raises `FileChangedError`."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO swapped in since the scan must not block the run
    try:
        now = os.fstat(fd)
        if not st.S_ISREG(now.st_mode):
            raise FileChangedError(f"{_kind_of(now.st_mode)} now ({path.name}): not read")
        if expected is not None and (now.st_ino, now.st_size, now.st_mtime_ns) != (
            expected.st_ino,
            expected.st_size,
            expected.st_mtime_ns,
        ):
            raise FileChangedError(f"changed while it was being read ({path.name}): it is read again next run")
        proc = f"/proc/self/fd/{fd}"
        if os.path.exists(proc):
            yield proc
            return
        with tempfile.TemporaryDirectory(prefix="lapak-read-") as tmp:
            link = Path(tmp) / ("file" + "".join(c for c in path.suffix if c.isalnum() or c == "."))
            link.symlink_to(path.resolve())
            yield str(link)
    finally:
        os.close(fd)


class FileChangedError(OSError):
    """The file is not the one that was hashed: it changed or was replaced in between."""
