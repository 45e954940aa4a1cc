"""What an ingestion did with each file, for people (the run summary), Dagster (the manifest's metadata) and the
landing-folder sensor (the content lapak holds)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field


@dataclass
class FileResult:
    source_file: str
    shop_id: str | None
    sha256: str
    status: str  # loaded | duplicate | unchanged | rejected | skipped
    kind: str | None = None
    language: str | None = None
    layout: str | None = None
    reason: str | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_skipped: int = 0  # blank rows and the XLSX description row: not data, not counted as read
    schema_drift: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    duplicates_superseded: int = 0
    missing_optional: list[str] = field(default_factory=list)
    export_at: str | None = None
    period_start: str | None = None
    period_end: str | None = None
    encoding: str | None = None
    seconds: float = 0.0

    @property
    def line(self) -> str:
        """One line for people: the file and what happened to it."""
        if self.status == "rejected":
            return f"rejected {self.source_file}: {self.reason}"
        if self.status == "loaded":
            q = f", {self.rows_quarantined} quarantined" if self.rows_quarantined else ""
            return f"loaded {self.source_file} ({self.layout}): {self.rows_loaded} of {self.rows_read} rows{q}"
        return f"{self.status} {self.source_file}" + (f": {self.reason}" if self.reason else "")


# statuses of files whose content lapak holds: the sensor does not start a run for them again
KNOWN_STATUSES = frozenset({"loaded", "unchanged", "duplicate"})


@dataclass
class IngestReport:
    files: list[FileResult] = field(default_factory=list)
    # a report rebuilt from a run's metadata (`from_dict`): its unchanged files, as their hashes only
    unchanged_sha256: list[str] = field(default_factory=list)

    def of(self, status: str) -> list[FileResult]:
        return [f for f in self.files if f.status == status]

    def known_sha256(self) -> set[str]:
        """The content of every file this run saw that lapak holds (loaded now or before, or a duplicate)."""
        return {f.sha256 for f in self.files if f.status in KNOWN_STATUSES} | set(self.unchanged_sha256)

    def for_kind(self, kind_name: str) -> list[FileResult]:
        return [f for f in self.files if f.kind == kind_name]

    @property
    def rejected(self) -> list[FileResult]:
        return self.of("rejected")

    def totals(self, files: Iterable[FileResult] | None = None) -> dict[str, int]:
        unchanged_elsewhere = len(self.unchanged_sha256) if files is None else 0
        files = list(self.files if files is None else files)
        loaded = [f for f in files if f.status == "loaded"]
        return {
            "files_seen": len(files) + unchanged_elsewhere,
            "files_loaded": len(loaded),
            "files_unchanged": sum(f.status == "unchanged" for f in files) + unchanged_elsewhere,
            "files_duplicate": sum(f.status == "duplicate" for f in files),
            "files_rejected": sum(f.status == "rejected" for f in files),
            "rows_read": sum(f.rows_read for f in loaded),
            "rows_loaded": sum(f.rows_loaded for f in loaded),
            "rows_quarantined": sum(f.rows_quarantined for f in loaded),
            "duplicates_superseded": sum(f.duplicates_superseded for f in loaded),
        }

    def to_dict(self) -> dict:
        """What a run's manifest materialisation keeps: every file the run loaded, rejected or skipped in full;
        the unchanged ones, most of the landing folder on most runs, as their hashes only (the sensor's known
        content). In full they made the report ~540 bytes per file in the landing folder: 1 MB in every run's
        event, written, then read back by a check, the CLI and each sensor tick, at 1,900 files."""
        unchanged = [f.sha256 for f in self.files if f.status == "unchanged"] + self.unchanged_sha256
        return {
            "totals": self.totals(),
            "files": [asdict(f) for f in self.files if f.status != "unchanged"],
            "unchanged_sha256": unchanged,
        }

    @classmethod
    def from_dict(cls, data: dict) -> IngestReport:
        """The report `to_dict` gave (one written before hashes-only unchanged files lists them in full)."""
        return cls(
            files=[FileResult(**f) for f in data["files"]], unchanged_sha256=list(data.get("unchanged_sha256", []))
        )


def unreadable_result(rel: str, shop_id: str | None, exc: OSError) -> FileResult:
    """A file that vanished or cannot be opened: reported alone (no content, so no manifest row); a vanished one
    is skipped (it is found again under its new name), an unreadable one rejected until it can be read."""
    if isinstance(exc, FileNotFoundError):
        return FileResult(rel, shop_id, "", "skipped", reason="vanished during the run (renamed or deleted)")
    why = exc.strerror or type(exc).__name__
    return FileResult(rel, shop_id, "", "rejected", reason=f"could not be read: {why}")
