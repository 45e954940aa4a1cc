"""Running a Great Expectations suite on rows of the warehouse: in chunks, as pandas DataFrames (GX's SQL path
on DuckDB is broken upstream), with GX imported lazily: it takes seconds, and only the checks need it."""

import contextlib
import ctypes
import gc
import os
import sys
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import Any

import duckdb

from quality.suites import Suite


def import_gx() -> Any:
    """`import great_expectations`, without usage events (GX's documented switch)."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations

    return great_expectations


@cache
def _gx() -> tuple[Any, Any]:
    """GX, imported once, lazily (it takes seconds, and only the checks need it), with an ephemeral context."""
    gx = import_gx()
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False}
    return gx, context


def validate_frame(suite: Suite, frame) -> tuple[bool, list[dict]]:
    """Run a suite on a DataFrame; (passed, one result dict per expectation, with the failing rows' index
    labels under `rows` when the suite holds files)."""
    gx, context = _gx()
    source_name = f"lapak_{suite.name}"
    source = context.data_sources.add_or_update_pandas(source_name)
    asset = source.add_dataframe_asset(suite.name)
    batch = asset.add_batch_definition_whole_dataframe("all").get_batch(batch_parameters={"dataframe": frame})
    expectation_suite = gx.ExpectationSuite(name=suite.name, expectations=suite.expectations(gx.expectations))
    result_format = {"result_format": "COMPLETE" if suite.holds_files else "SUMMARY"}  # COMPLETE: the failing rows
    try:
        result = batch.validate(expectation_suite, result_format=result_format)
    finally:
        # the context's data source keeps the batch, and with it the DataFrame, alive until it is replaced
        del batch, asset, source
        context.data_sources.delete(source_name)
    details = []
    for r in result.results:
        cfg = r.expectation_config
        res = r.result or {}
        details.append(
            {
                "expectation": cfg.type,
                "column": cfg.kwargs.get("column") or cfg.kwargs.get("column_list") or cfg.kwargs.get("column_set"),
                "success": bool(r.success),
                "unexpected_count": res.get("unexpected_count"),
                "examples": [str(v) for v in (res.get("partial_unexpected_list") or [])[:5]],
                "rows": list(res.get("unexpected_index_list") or []),
            }
        )
    return bool(result.success), details


# Rows per DataFrame handed to Great Expectations. A frame costs several times its rows' size while GX
# computes its metrics (a million raw order lines took the process from 0.5 to 1.9 GB); validating in chunks
# bounds that at any scale. Chunks never split a file (raw suites: uniqueness is per file) or a day (fact
# suites: their unique keys fall within one day).
CHUNK_ROWS = 250_000
# Memory is given back to the system, once a suite is done, after frames this big only: a full garbage
# collection in a process holding Dagster and GX costs ~0.3 s, which a small run paid after every suite.
RELEASE_ROWS = 50_000
LINEAGE = ["_shop_id", "_source_file", "_file_sha256", "_source_row"]


@dataclass
class Outcome:
    passed: bool = True
    details: list[dict] = field(default_factory=list)  # one per expectation, summed over the chunks
    rows: int = 0
    chunks: int = 0
    failing_rows: list = field(default_factory=list)  # DataFrames: the lineage of rows that failed, per expectation
    unnamed_failure: bool = False  # an expectation failed without naming rows (a table-level one)


def _chunk_key(suite: Suite) -> str | None:
    if suite.holds_files:
        return "_file_sha256"
    return suite.window[1] if suite.window else None


def keys_between(suite: Suite, first: Any, last: Any, name: str) -> tuple[str, dict]:
    """SQL that keeps the rows whose chunk key (a file's hash, a window's day) is within `first` .. `last`,
    and its parameters, named `<name>_...`. Days may come as dates or ISO text."""
    if suite.window_time is None:
        key = _chunk_key(suite)
        return f"{key} between ${name}_first and ${name}_last", {f"{name}_first": first, f"{name}_last": last}
    first, last = (d if isinstance(d, date) else date.fromisoformat(d) for d in (first, last))
    return f"{suite.window_time} >= ${name}_from and {suite.window_time} < ${name}_until", {
        f"{name}_from": datetime.combine(first, time()),
        f"{name}_until": datetime.combine(last + timedelta(days=1), time()),
    }


def _chunks(con: duckdb.DuckDBPyConnection, suite: Suite, query: str, params: dict) -> list[tuple[str, dict]]:
    """The query split into pieces of about CHUNK_ROWS rows, each whole in the suite's chunk key (a file, a day).

    A piece is a range of consecutive keys (a comparison DuckDB checks faster than list membership); rows
    whose key is null come last, in a piece of their own, so that not-null expectations still see them."""
    key = _chunk_key(suite)
    if key is None:
        return [(query, params)]
    counts = con.execute(
        f"select {key} as k, count(*) from ({query}) group by 1 order by 1 nulls last", params
    ).fetchall()
    if sum(n for _, n in counts) <= CHUNK_ROWS:
        return [(query, params)]
    groups: list[list] = [[]]
    size = 0
    for k, n in counts:
        if k is None:
            break
        if groups[-1] and size + n > CHUNK_ROWS:
            groups.append([])
            size = 0
        groups[-1].append(k)
        size += n
    chunks = []
    for keys in filter(None, groups):
        condition, bounds = keys_between(suite, keys[0], keys[-1], "chunk")
        chunks.append((f"select * from ({query}) where {condition}", {**params, **bounds}))
    if counts[-1][0] is None:
        chunks.append((f"select * from ({query}) where {key} is null", params))
    return chunks


def fetch_frame(con: duckdb.DuckDBPyConnection, query: str, params: dict):
    """The rows of `query` as the DataFrame DuckDB's `.df()` makes (decimals as floats, dates as timestamps), but
    through Arrow: text reaches pandas' Arrow-backed strings without a Python object per value, 4x faster on
    the raw order lines (docs/performance.md, decision log)."""
    import pandas as pd
    import pyarrow as pa

    table = con.sql(query, params=params).to_arrow_table()
    for i, f in enumerate(table.schema):
        if pa.types.is_decimal(f.type):
            table = table.set_column(i, f.name, table.column(i).cast(pa.float64()))
        elif pa.types.is_date(f.type):
            table = table.set_column(i, f.name, table.column(i).cast(pa.timestamp("us")))
    frame = table.to_pandas()
    for i, (f, column) in enumerate(zip(table.schema, table.columns, strict=True)):
        # with nulls, DuckDB makes integers pandas' nullable integers and booleans `boolean` (Arrow: floats, objects)
        if column.null_count and (pa.types.is_integer(f.type) or pa.types.is_boolean(f.type)):
            signed = "UInt" if pa.types.is_unsigned_integer(f.type) else "Int"
            dtype = (
                pd.BooleanDtype()
                if pa.types.is_boolean(f.type)
                else pd.api.types.pandas_dtype(f"{signed}{f.type.bit_width}")
            )
            frame.isetitem(i, column.to_pandas(types_mapper={f.type: dtype}.get))
    return frame


def validate_in_chunks(con: duckdb.DuckDBPyConnection, suite: Suite, query: str, params: dict) -> Outcome:
    """Validate the rows of `query` chunk by chunk; the outcome sums the chunks' results per expectation."""
    outcome = Outcome()
    big = False
    for chunk_query, chunk_params in _chunks(con, suite, query, params):
        frame = fetch_frame(con, chunk_query, chunk_params)
        passed, details = validate_frame(suite, frame)
        outcome.passed &= passed
        outcome.rows += len(frame)
        outcome.chunks += 1
        for i, d in enumerate(details):
            rows = d.pop("rows")
            outcome.unnamed_failure |= not d["success"] and not rows
            if not d["success"] and rows and suite.holds_files:
                column = d["column"] if isinstance(d["column"], str) else "+".join(d["column"] or [])
                failing = frame.loc[rows, LINEAGE].assign(expectation=d["expectation"], column=column)
                outcome.failing_rows.append(failing.assign(detail=i))
            if len(outcome.details) <= i:
                outcome.details.append(d)
                continue
            merged = outcome.details[i]
            merged["success"] &= d["success"]
            if d["unexpected_count"] is not None:
                merged["unexpected_count"] = (merged["unexpected_count"] or 0) + d["unexpected_count"]
            merged["examples"] = (merged["examples"] + d["examples"])[:5]
        big |= len(frame) >= RELEASE_ROWS
        del frame
        # GX leaves reference cycles holding the chunk's data: the young generations hold them, and collecting
        # those is cheap, where a full collection and trimming the heap after every chunk cost ~0.4 s each
        gc.collect(1)
    if big:
        release_memory()
    return outcome


def release_memory() -> None:
    """Give the memory of a validated DataFrame back to the operating system.

    pandas 3 keeps strings in Arrow buffers, and Arrow's allocator (mimalloc) keeps freed pages for reuse:
    after validating a million order lines the process held ~550 MB it no longer used, all through the
    dbt build that runs next (docs/performance.md, decision log)."""
    gc.collect()
    with contextlib.suppress(ImportError):
        import pyarrow

        pyarrow.default_memory_pool().release_unused()
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6").malloc_trim(0)
