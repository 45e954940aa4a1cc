"""Load landing files into the DuckDB `raw` schema: one transaction per file, nothing lost.

Every file ends up in `raw._manifest` (loaded, duplicate or rejected, with counts); every row that
cannot be loaded ends up in `raw._quarantine` with file, row, column, raw value and reason. Rows
read = rows loaded + rows quarantined for every loaded file. A file already in the manifest (same
path and sha256) is skipped, and the same content under another name is recognised by its hash, so
re-running on the same files changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

from ingestion.detect import FileLayout, RejectedFile, cell_text, detect, export_time_from_name
from ingestion.formats import KINDS, LINEAGE_COLUMNS, ORDER_STATUSES_EN, ORDER_STATUSES_ID, Kind
from ingestion.pii import hmac_pads, hmac_sql, load_key

WIB = timedelta(hours=7)
RAW_SCHEMA = "raw"

# How a typed text column must look to be loadable. The dbt macros in dbt_project/macros/parsing.sql
# turn the same shapes into numbers and timestamps; tests/test_parsing_agreement.py keeps them in step.
TS_FORMATS = ["%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S"]
_TS_LIST = "[" + ", ".join(f"'{f}'" for f in TS_FORMATS) + "]"
TYPE_CHECKS = {
    "int": r"regexp_full_match({c}, '-?(\d+|\d{{1,3}}([.,]\d{{3}})+)(\.0+)?')",
    "idr": r"regexp_full_match(regexp_replace({c}, '^(Rp|IDR)\s*', ''), "
    r"'-?(\d{{1,3}}(\.\d{{3}})+|\d{{1,3}}(,\d{{3}})+(\.\d+)?|\d+(\.\d+)?)')",
    "pct": r"regexp_full_match({c}, '-?\d+([.,]\d+)?%|-?\d*\.?\d+')",
    "ts": "try_strptime({c}, " + _TS_LIST + ") is not null",
}
TYPE_NAMES = {"int": "whole number", "idr": "rupiah amount", "pct": "percentage", "ts": "date-time"}

MANIFEST_DDL = f"""
create table if not exists {RAW_SCHEMA}._manifest (
    file_sha256 varchar not null,
    source_file varchar not null,
    shop_id varchar,
    kind varchar,
    layout varchar,
    language varchar,
    export_at timestamp,
    period_start date,
    period_end date,
    rows_read bigint,
    rows_loaded bigint,
    rows_quarantined bigint,
    rows_skipped bigint,
    status varchar not null,
    reason varchar,
    schema_drift varchar,
    ignored_columns varchar,
    load_id varchar,
    loaded_at timestamp
)"""
QUARANTINE_DDL = f"""
create table if not exists {RAW_SCHEMA}._quarantine (
    shop_id varchar,
    kind varchar,
    source_file varchar,
    file_sha256 varchar,
    source_row bigint,
    column_name varchar,
    raw_value varchar,
    reason varchar,
    load_id varchar,
    quarantined_at timestamp
)"""


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
    rows_skipped: int = 0
    schema_drift: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


@dataclass
class IngestReport:
    files: list[FileResult] = field(default_factory=list)

    def of(self, status: str) -> list[FileResult]:
        return [f for f in self.files if f.status == status]

    def for_kind(self, kind_name: str) -> list[FileResult]:
        return [f for f in self.files if f.kind == kind_name]

    @property
    def rejected(self) -> list[FileResult]:
        return self.of("rejected")

    def totals(self, files: Iterable[FileResult] | None = None) -> dict[str, int]:
        files = list(self.files if files is None else files)
        loaded = [f for f in files if f.status == "loaded"]
        return {
            "files_seen": len(files),
            "files_loaded": len(loaded),
            "files_unchanged": sum(f.status == "unchanged" for f in files),
            "files_duplicate": sum(f.status == "duplicate" for f in files),
            "files_rejected": sum(f.status == "rejected" for f in files),
            "rows_read": sum(f.rows_read for f in loaded),
            "rows_loaded": sum(f.rows_loaded for f in loaded),
            "rows_quarantined": sum(f.rows_quarantined for f in loaded),
        }

    def to_dict(self) -> dict:
        return {"totals": self.totals(), "files": [asdict(f) for f in self.files]}


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _wib(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC).replace(tzinfo=None) + WIB


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"create schema if not exists {RAW_SCHEMA}")
    con.execute(MANIFEST_DDL)
    con.execute(QUARANTINE_DDL)
    for kind in KINDS.values():
        cols = [f'"{c}" varchar' for c in kind.columns]
        if kind.name == "orders":
            cols.append("customer_key varchar")
        cols += [f"{c} {t}" for c, t in LINEAGE_COLUMNS.items()]
        con.execute(f"create table if not exists {RAW_SCHEMA}.{kind.name} ({', '.join(cols)})")
        existing = {r[0] for r in con.execute(
            "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
            [RAW_SCHEMA, kind.name],
        ).fetchall()}  # fmt: skip
        for c in kind.columns:  # a format that learned a new column: add it, old rows get NULL
            if c not in existing:
                con.execute(f'alter table {RAW_SCHEMA}.{kind.name} add column "{c}" varchar')


def discover(landing: Path, shop: str | None = None) -> list[tuple[str | None, Path]]:
    """(shop_id, path) for every file under the landing folder; shop = first-level folder name."""
    found: list[tuple[str | None, Path]] = []
    if not landing.exists():
        return found
    for entry in sorted(landing.iterdir()):
        if entry.name.startswith((".", "~$", "_")):
            continue
        if entry.is_file():
            if shop is None:
                found.append((None, entry))
            continue
        if shop is not None and entry.name != shop:
            continue
        for path in sorted(entry.rglob("*")):
            rel = path.relative_to(entry)
            if path.is_file() and not any(part.startswith((".", "~$")) for part in rel.parts):
                found.append((entry.name, path))
    return found


class Loader:
    def __init__(self, con: duckdb.DuckDBPyConnection, landing: Path, home: Path, load_id: str):
        self.con = con
        self.landing = landing
        self.load_id = load_id
        ipad, opad = hmac_pads(load_key(home))
        self.pads = {"ipad": ipad, "opad": opad}
        ensure_schema(con)

    # -- manifest ---------------------------------------------------------------------------
    def _known(self, rel: str, sha: str) -> tuple[str | None, str | None]:
        """(status of this path+hash, another path already loaded with this hash)."""
        same = self.con.execute(
            f"select status from {RAW_SCHEMA}._manifest where source_file = ? and file_sha256 = ? "
            "and status in ('loaded', 'duplicate')",
            [rel, sha],
        ).fetchone()
        other = self.con.execute(
            f"select source_file from {RAW_SCHEMA}._manifest where file_sha256 = ? and status = 'loaded' "
            "order by loaded_at limit 1",
            [sha],
        ).fetchone()
        return (same[0] if same else None), (other[0] if other else None)

    def _record(self, r: FileResult, layout: FileLayout | None = None, export_at: datetime | None = None) -> None:
        self.con.execute(
            f"insert into {RAW_SCHEMA}._manifest values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                r.sha256, r.source_file, r.shop_id, r.kind, r.layout, r.language, export_at,
                layout.period_start if layout else None, layout.period_end if layout else None,
                r.rows_read, r.rows_loaded, r.rows_quarantined, r.rows_skipped, r.status, r.reason,
                json.dumps(r.schema_drift) if r.schema_drift else None,
                json.dumps(r.ignored_columns) if r.ignored_columns else None,
                self.load_id, _wib(datetime.now(UTC).timestamp()),
            ],
        )  # fmt: skip

    def _record_rejection(self, r: FileResult, layout: FileLayout | None = None) -> None:
        """Rejected files are retried on every run; the manifest keeps one row per (path, hash)."""
        seen = self.con.execute(
            f"select 1 from {RAW_SCHEMA}._manifest where source_file = ? and file_sha256 = ? and status = 'rejected'",
            [r.source_file, r.sha256],
        ).fetchone()
        if not seen:
            self._record(r, layout)

    # -- one file ---------------------------------------------------------------------------
    def ingest_file(self, shop_id: str | None, path: Path, kinds: set[str] | None = None) -> FileResult:
        rel = path.relative_to(self.landing).as_posix()
        sha = sha256_file(path)
        result = FileResult(source_file=rel, shop_id=shop_id, sha256=sha, status="rejected")
        same, other = self._known(rel, sha)
        if same:
            result.status = "unchanged"
            return result
        try:
            if shop_id is None:
                raise RejectedFile("not inside a shop folder: put exports under <landing>/<shop_id>/")
            layout = detect(path)
        except RejectedFile as exc:
            result.reason = str(exc)
            self._record_rejection(result)
            return result
        result.kind, result.language, result.layout = layout.kind.name, layout.language, layout.layout
        if kinds is not None and layout.kind.name not in kinds:
            result.status = "skipped"
            return result
        result.schema_drift = list(layout.extra.values())
        result.ignored_columns = layout.ignored
        if other:
            result.status, result.reason = "duplicate", f"same content as {other}"
            self._record(result, layout)
            return result
        stat = path.stat()
        export_at = export_time_from_name(path.name) or _wib(stat.st_mtime)
        self.con.begin()
        try:
            self._load(path, layout, result, export_at, _wib(stat.st_mtime))
            result.status = "loaded"
            self._record(result, layout, export_at)
            self.con.commit()
        except RejectedFile as exc:
            self.con.rollback()
            result.status, result.reason = "rejected", str(exc)
            result.rows_read = result.rows_loaded = result.rows_quarantined = 0
        except duckdb.Error as exc:
            self.con.rollback()
            result.status, result.reason = "rejected", f"could not be read: {str(exc).splitlines()[0]}"
            result.rows_read = result.rows_loaded = result.rows_quarantined = 0
        finally:
            if result.status == "rejected":
                self._record_rejection(result, layout)
            for t in ("_file", "_clean", "_bad", "_rejects", "_rejects_scan", "_lines"):
                self.con.execute(f"drop table if exists {t}")
        return result

    def _read_csv(self, path: Path, layout: FileLayout) -> None:
        con = self.con
        source = path
        tmp: Path | None = None
        if layout.encoding not in ("utf-8", "utf-8-sig"):
            # DuckDB reads UTF-8 (and latin-1); transcode Windows-1252 so accents survive.
            fd, name = tempfile.mkstemp(suffix=".csv")
            os.close(fd)
            tmp = Path(name)
            tmp.write_text(path.read_text(encoding=layout.encoding), encoding="utf-8")
            source = tmp
        try:
            n = len(layout.header)
            cols = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(n)) + "}"
            con.execute(
                f"""create temp table _file as
                select row_number() over () as _ordinal, *
                from read_csv(?, header = false, skip = {layout.header_row}, columns = {cols},
                    delim = ',', quote = '"', escape = '"', strict_mode = true, null_padding = false,
                    store_rejects = true, rejects_table = '_rejects', rejects_scan = '_rejects_scan',
                    parallel = true)""",
                [str(source)],
            )
        finally:
            if tmp:
                tmp.unlink(missing_ok=True)
        n_rejects = con.execute("select count(distinct line) from _rejects").fetchone()[0]
        if n_rejects:
            size = path.stat().st_size
            with path.open("rb") as fh:
                fh.seek(max(0, size - 1))
                ends_clean = fh.read(1) in (b"\n", b"\r")
            last_line_rejected = con.execute(
                "select max(line) from _rejects where error_type = 'MISSING COLUMNS'"
            ).fetchone()[0]
            n_good = con.execute("select count(*) from _file").fetchone()[0]
            if not ends_clean and last_line_rejected and last_line_rejected >= n_good + n_rejects + layout.header_row:
                raise RejectedFile(f"truncated mid-row: the last line ({last_line_rejected}) is incomplete")
            # good rows' file lines: every data line except the rejected ones, in order
            first = layout.header_row + 1
            con.execute(
                f"""create temp table _lines as
                with all_lines as (
                    select unnest(range({first}, {first + n_good + n_rejects})) as line
                ), good as (
                    select line from all_lines where line not in (select line from _rejects)
                )
                select line, row_number() over (order by line) as k from good"""
            )
            con.execute(
                "create or replace temp table _file as select _lines.line as _line, _file.* exclude (_ordinal) "
                "from _file join _lines on _lines.k = _file._ordinal"
            )
        else:
            con.execute(
                f"create or replace temp table _file as select _ordinal + {layout.header_row} as _line, "
                "* exclude (_ordinal) from _file"
            )

    def _read_xlsx(self, path: Path, layout: FileLayout) -> None:
        import pandas as pd
        from python_calamine import CalamineWorkbook

        rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(layout.sheet).to_python(skip_empty_area=False)
        n = len(layout.header)
        data = rows[layout.header_row :]
        frame = pd.DataFrame(
            {f"c{i}": [cell_text(r[i]) if i < len(r) else "" for r in data] for i in range(n)}, dtype="string"
        )
        frame.insert(0, "_line", range(layout.header_row + 1, layout.header_row + 1 + len(data)))
        self.con.register("_xlsx_frame", frame)
        try:
            self.con.execute("create temp table _file as select * from _xlsx_frame")
            self.con.execute("create temp table _rejects (line bigint, column_name varchar, csv_line varchar, "
                             "error_type varchar, error_message varchar)")  # fmt: skip
        finally:
            self.con.unregister("_xlsx_frame")

    def _load(self, path: Path, layout: FileLayout, result: FileResult, export_at: datetime, mtime: datetime) -> None:
        con, kind = self.con, layout.kind
        if layout.fmt == "csv":
            self._read_csv(path, layout)
        else:
            self._read_xlsx(path, layout)

        def clean(pos: int) -> str:
            return f"nullif(nullif(trim(c{pos}, E' \\t\\r\\n'), ''), '--')"

        selects = [f'{clean(p)} as "{c}"' for p, c in layout.columns.items()]
        extra = (
            "json_object(" + ", ".join(f"'{sql_str(h)}', {clean(p)}" for p, h in layout.extra.items()) + ")::varchar"
            if layout.extra
            else "null::varchar"
        )
        all_blank = " and ".join(f"{clean(i)} is null" for i in range(len(layout.header))) or "true"
        con.execute(
            f"""create temp table _clean as
            select _line, {", ".join(selects)}, {extra} as _extra, ({all_blank}) as _is_blank
            from _file"""
        )
        skipped = con.execute("select count(*) from _clean where _is_blank").fetchone()[0]
        con.execute("delete from _clean where _is_blank")
        if kind.description_row:
            # XLSX exports describe each column in the row under the header: not data.
            first = con.execute(f'select _line, "{kind.key}" from _clean order by _line limit 1').fetchone()
            if first and first[1] and (" " in first[1] or first[1].endswith(".")):
                con.execute("delete from _clean where _line = ?", [first[0]])
                skipped += 1
        result.rows_skipped = skipped

        # --- quarantine: rows that cannot be parsed -----------------------------------------
        present = set(layout.columns.values())
        header = {c: sql_str(layout.header[p]) for p, c in layout.columns.items()}
        checks = [
            f"""select _line, '{header.get(kind.key, kind.key)}' as column_name, null::varchar as raw_value,
                  'missing value: the row has data but no {header.get(kind.key, kind.key)}' as reason
                  from _clean where "{kind.key}" is null"""
        ]
        for col, typ in kind.types.items():
            if col in present:
                cond = TYPE_CHECKS[typ].format(c=f'"{col}"')
                checks.append(
                    f"""select _line, '{header[col]}', "{col}", 'not a valid {TYPE_NAMES[typ]}'
                    from _clean where "{col}" is not null and not coalesce({cond}, false)"""
                )
        if layout.fmt == "csv":
            # one row per rejected line, named by the first column that went wrong
            header_of = (
                "case "
                + " ".join(f"when column_idx = {i} then '{sql_str(h)}'" for i, h in enumerate(layout.header))
                + " end"
            )
            checks.append(
                f"""select line, arg_min({header_of}, column_idx), any_value(csv_line),
                lower(replace(arg_min(error_type, column_idx), '_', ' ')) || ': ' || arg_min(error_message, column_idx)
                from _rejects group by line"""
            )
        con.execute(f"create temp table _bad as {' union all '.join(checks)}")
        rel = result.source_file
        con.execute(
            f"""insert into {RAW_SCHEMA}._quarantine
            select ?, ?, ?, ?, _line, column_name, raw_value, reason, ?, ? from _bad order by _line, column_name""",
            [result.shop_id, kind.name, rel, result.sha256, self.load_id, _wib(datetime.now(UTC).timestamp())],
        )
        result.rows_quarantined = con.execute("select count(distinct _line) from _bad").fetchone()[0]

        # --- language: order headers are English in both UIs, statuses tell -----------------
        if kind.name == "orders":
            ids = ", ".join(f"'{s}'" for s in ORDER_STATUSES_ID)
            ens = ", ".join(f"'{s}'" for s in ORDER_STATUSES_EN)
            id_n, en_n = con.execute(
                f"select count(*) filter (where order_status in ({ids})), "
                f"count(*) filter (where order_status in ({ens})) from _clean"
            ).fetchone()
            layout.language = result.language = "en" if en_n > id_n else "id"

        # --- the rows that load -----------------------------------------------------------
        canon = [c for c in kind.columns if c in present]
        select = [f'"{c}"' for c in canon]
        params: dict[str, object] = {}
        if kind.name == "orders":
            select.append(
                hmac_sql('"__buyer__"') + " as customer_key" if "__buyer__" in present else "null as customer_key"
            )
            params.update(self.pads)
        lineage = {
            "_shop_id": "$shop", "_source_file": "$rel", "_source_row": "_line", "_file_sha256": "$sha",
            "_load_id": "$load_id", "_export_at": "$export_at", "_file_modified_at": "$mtime",
            "_period_start": "$pstart", "_period_end": "$pend", "_language": "$lang", "_extra": "_extra",
        }  # fmt: skip
        select += [f"{v} as {k}" for k, v in lineage.items()]
        params.update(
            shop=result.shop_id, rel=rel, sha=result.sha256, load_id=self.load_id, export_at=export_at, mtime=mtime,
            pstart=layout.period_start, pend=layout.period_end, lang=layout.language,
        )  # fmt: skip
        con.execute(
            f"""insert into {RAW_SCHEMA}.{kind.name} by name
            select {", ".join(select)} from _clean where _line not in (select _line from _bad) order by _line""",
            params,
        )
        result.rows_loaded = con.execute(
            "select count(*) from _clean where _line not in (select _line from _bad)"
        ).fetchone()[0]
        result.rows_read = result.rows_loaded + result.rows_quarantined


def ingest(
    warehouse: Path,
    landing: Path,
    home: Path,
    load_id: str,
    kinds: set[str] | None = None,
    shop: str | None = None,
) -> IngestReport:
    """Load every new file under `landing` (optionally only some kinds / one shop) into `warehouse`."""
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    report = IngestReport()
    con = duckdb.connect(str(warehouse))
    try:
        loader = Loader(con, landing, home, load_id)
        for shop_id, path in discover(landing, shop):
            report.files.append(loader.ingest_file(shop_id, path, kinds))
        con.execute("checkpoint")
    finally:
        con.close()
    return report


def sql_str(s: str) -> str:
    """Escape text for a single-quoted SQL literal."""
    return s.replace("'", "''")


def kind_by_name(name: str) -> Kind:
    return next(k for k in KINDS.values() if k.name == name)
