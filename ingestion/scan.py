"""The bytes of a landing file: one pass for its sha256, size, line count and whether it is all UTF-8; a UTF-8 copy
of a Windows-1252 file; and a quoted value that a download cut off."""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass
class FileScan:
    sha256: str
    size: int
    newlines: int = 0
    ends_with_newline: bool = True
    utf8: bool = True  # the whole file decodes as UTF-8
    last_newline: int = -1  # 0-based offset of the last line end; the bytes after it are the last line


def sha256_file(path: Path) -> str:
    return scan_file(path, text=False).sha256


def scan_file(path: Path, text: bool = True) -> FileScan:
    """sha256 of the file; for text files also its newline count and whether all of it is UTF-8."""
    h = hashlib.sha256()
    newlines, size, last, last_newline = 0, 0, b"", -1
    decoder = codecs.getincrementaldecoder("utf-8")() if text else None
    utf8 = True
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 22):
            h.update(chunk)
            size += len(chunk)
            last = chunk[-1:]
            if text:
                newlines += chunk.count(b"\n")
                if (at := chunk.rfind(b"\n")) >= 0:
                    last_newline = size - len(chunk) + at
                if utf8 and not chunk.isascii():
                    try:
                        decoder.decode(chunk)
                    except UnicodeDecodeError:
                        utf8 = False
    if text and utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    return FileScan(h.hexdigest(), size, newlines, last in (b"\n", b"\r") or size == 0, utf8, last_newline)


def _cp1252_or_latin1(exc: UnicodeError) -> tuple[str, int]:
    """cp1252 leaves 5 bytes undefined; read those as latin-1 (the same code point) instead of failing."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return exc.object[exc.start : exc.end].decode("latin-1"), exc.end


codecs.register_error("lapak_latin1", _cp1252_or_latin1)


def transcode_to_utf8(src: Path, encoding: str) -> Path:
    """A UTF-8 copy of a Windows-1252 / latin-1 text file (DuckDB reads UTF-8), in a temp file."""
    fd, name = tempfile.mkstemp(suffix=".csv", prefix="lapak-")
    decoder = codecs.getincrementaldecoder(encoding)(errors="lapak_latin1")
    with src.open("rb") as fin, os.fdopen(fd, "w", encoding="utf-8", newline="") as fout:
        while chunk := fin.read(1 << 22):
            fout.write(decoder.decode(chunk))
        fout.write(decoder.decode(b"", final=True))
    return Path(name)


def open_quote_at_eof(path: Path, start: int, delimiter: str) -> int | None:
    """The 1-based line of the record at byte `start` (1-based, as DuckDB counts) when a quoted value in it,
    or in a record after it, is still open at the end of the file; else None."""
    with path.open("rb") as fh:
        fh.seek(start - 1)
        text = io.TextIOWrapper(fh, encoding="utf-8", errors="replace", newline="")
        try:
            for _ in csv.reader(text, delimiter=delimiter, strict=True):
                pass
        except csv.Error as exc:
            if "unexpected end of data" not in str(exc):
                return None  # another quoting problem: the reader recovered, the rows are quarantined one by one
        else:
            return None
        fh.seek(0)
        line, left = 1, start - 1
        while left > 0 and (chunk := fh.read(min(left, 1 << 22))):
            line += chunk.count(b"\n")
            left -= len(chunk)
        return line


def is_text(path: Path) -> bool:
    return path.suffix.lower() in (".csv", ".txt")
