"""Loaders side by side: shops split among workers, one loader and DuckDB connection each, in threads (DuckDB
lets go of the GIL); or all files by one loader, in file order."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import duckdb

from ingestion.loader import Loader
from ingestion.report import FileResult

# `on_event(event, source_file, result)`: `start` before and `done` after each file
EventHook = Callable[[str, str, "FileResult | None"], None]


def ingest_workers() -> int:
    """Loaders that run at once (`LAPAK_INGEST_WORKERS`, default: the CPU count, at most 4)."""
    if env := os.environ.get("LAPAK_INGEST_WORKERS", "").strip():
        if not env.isdigit():
            raise ValueError(f"LAPAK_INGEST_WORKERS must be a whole number of loaders (1 or more), not {env!r}")
        return max(1, int(env))
    return max(1, min(4, os.cpu_count() or 1))


def run_loader(
    loader: Loader, files: list[tuple[str | None, Path]], kinds: set[str] | None, on_event: EventHook | None
) -> list[FileResult]:
    """`files` through one loader, in order; the results as their transactions commit."""
    out: list[FileResult] = []

    def finished(results: list[FileResult]) -> None:
        for result in results:
            out.append(result)
            if on_event:
                on_event("done", result.source_file, result)

    for shop_id, path in files:
        if on_event:
            on_event("start", path.relative_to(loader.landing).as_posix(), None)
        finished(loader.add(shop_id, path, kinds))
    finished(loader.finish())
    return out


def shop_groups(
    loader: Loader, files: list[tuple[str | None, Path]], workers: int
) -> list[list[tuple[str | None, Path]]] | None:
    """The files split into `workers` groups of whole shops, balanced by the bytes of their new files; None when
    one loader should take them all: one worker, or fewer than two shops with new files. No shop's outcome
    depends on another's files (a file is a duplicate only of its own shop's content), so any split loads what
    one loader does."""
    if workers <= 1:
        return None
    new: list[tuple[str | None, os.stat_result]] = []
    for shop_id, path in files:
        try:
            stat = path.stat()
        except OSError:
            continue  # vanished or unreadable: its loader reports it
        if not loader.known.unchanged(path.relative_to(loader.landing).as_posix(), stat):
            new.append((shop_id, stat))
    if len({s for s, _ in new}) < 2:
        return None
    size: dict[str | None, int] = {}
    for shop_id, stat in new:
        size[shop_id] = size.get(shop_id, 0) + stat.st_size
    by_shop: dict[str | None, list[tuple[str | None, Path]]] = {}
    for shop_id, path in files:
        by_shop.setdefault(shop_id, []).append((shop_id, path))
    groups: list[list[tuple[str | None, Path]]] = [[] for _ in range(workers)]
    load = [0] * workers
    for shop_id in sorted(by_shop, key=lambda s: -size.get(s, 0)):  # biggest first, to the lightest group
        i = load.index(min(load))
        groups[i] += by_shop[shop_id]
        load[i] += size.get(shop_id, 0)
    return [g for g in groups if g]


def run_parallel(
    con: duckdb.DuckDBPyConnection,
    first: Loader,
    files: list[tuple[str | None, Path]],
    groups: list[list[tuple[str | None, Path]]],
    landing: Path,
    home: Path,
    load_id: str,
    kinds: set[str] | None,
    on_event: EventHook | None,
) -> list[FileResult]:
    """One loader per group, each on a connection of its own, in threads (DuckDB lets go of the GIL); the results
    in discovery order."""
    import threading

    order = {path.relative_to(landing).as_posix(): i for i, (_, path) in enumerate(files)}
    lock = threading.Lock()

    def event(name: str, rel: str, result: FileResult | None) -> None:
        with lock:
            on_event(name, rel, result)  # type: ignore[misc]

    loaders = []
    for _ in groups:  # built one after the other: each reads the manifest and checks the schema
        loaders.append(Loader(con.cursor(), landing, home, load_id, concurrent=True))
    results: list[list[FileResult]] = [[] for _ in groups]
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            results[i] = run_loader(loaders[i], groups[i], kinds, event if on_event else None)
        except BaseException as exc:  # re-raised in the calling thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,), name=f"lapak-ingest-{i}") for i in range(len(groups))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for loader in loaders:
        loader.con.close()
    if errors:
        raise errors[0]
    if first.profile is not None:
        total: dict[str, float] = {}
        for loader in loaders:
            for label, secs in (loader.profile or {}).items():
                total[label] = total.get(label, 0.0) + secs
        for label, secs in sorted(total.items(), key=lambda kv: -kv[1]):
            print(f"  {label:<12} {secs:7.2f}s  (summed over {len(loaders)} loaders)")
    return sorted((r for rs in results for r in rs), key=lambda r: order[r.source_file])
