"""Importing Great Expectations without the modules lapak's checks never use.

`import great_expectations` takes seconds, and in `lapak run` it competes for the GIL with Dagster and
ingestion (docs/performance.md, decision log). Part of it is modules only some expectations or data sources need:

- pyspark, imported whenever it is installed (lapak installs it for `lapak spark`) to offer Spark data
  sources; lapak validates pandas DataFrames. It is blocked while GX imports: GX catches the ImportError
  (great_expectations/compatibility/pyspark.py), and pyspark stays importable afterwards. It also stops
  pyspark's warning on stderr that it does not support pandas 3.
- scipy.stats and altair, imported at module level by the Kolmogorov-Smirnov and KL-divergence expectations
  (which lapak's suites do not use) and used only inside their functions. They are deferred: a stand-in
  module imports the real one on first attribute access, so a suite that does use them still works.

Together this about halves the import (docs/performance.md, decision log).
"""

from __future__ import annotations

import importlib
import os
import sys
import threading
import types

BLOCKED = ("pyspark",)
DEFERRED = ("scipy.stats", "altair")
_setup = threading.Lock()


class _Deferred(types.ModuleType):
    """Stands in for a module in sys.modules until an attribute is read, then imports the real one."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self._lapak_lock = threading.Lock()
        self._lapak_real: types.ModuleType | None = None

    def __getattr__(self, attr: str):  # only for attributes the stand-in does not have
        with self._lapak_lock:
            if self._lapak_real is None:
                if sys.modules.get(self.__name__) is self:
                    del sys.modules[self.__name__]
                parent, _, child = self.__name__.rpartition(".")
                if parent and getattr(sys.modules.get(parent), child, None) is self:
                    delattr(sys.modules[parent], child)  # the parent package's attribute becomes the real one
                self._lapak_real = importlib.import_module(self.__name__)
        return getattr(self._lapak_real, attr)


def _defer(name: str) -> None:
    """Put a stand-in for `name` in sys.modules (and on its parent package) unless it is imported already."""
    if name in sys.modules:
        return
    parent, _, child = name.rpartition(".")
    if parent:
        importlib.import_module(parent)
    stand_in = _Deferred(name)
    sys.modules[name] = stand_in
    if parent:
        setattr(sys.modules[parent], child, stand_in)


def import_gx() -> types.ModuleType:
    """`import great_expectations`, quietly, without the modules above (later calls return the module)."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("TQDM_DISABLE", "1")
    blocked: list[str] = []
    with _setup:
        if "great_expectations" not in sys.modules:  # the first caller
            for name in DEFERRED:
                _defer(name)
            blocked = [name for name in BLOCKED if name not in sys.modules]
            for name in blocked:
                sys.modules[name] = None  # ty: ignore[invalid-assignment]  (None: `import name` raises ImportError)
    try:
        import great_expectations  # a second caller waits here, on the module's import lock, for the first
    finally:
        for name in blocked:
            if name in sys.modules and sys.modules[name] is None:
                del sys.modules[name]
    return great_expectations


def prefetch_gx() -> threading.Thread:
    """Start importing GX in a background thread and return it (join it before exit).

    The first check needs GX only after ingestion. The import holds the GIL most of the time, so what runs
    beside it waits: started after the Dagster instance, it slowed ingestion as much as it now slows the
    instance (docs/performance.md, decision log); what helps is importing less. Only the module
    import runs here; the checks make their GX context once, themselves."""
    thread = threading.Thread(target=import_gx, name="import-great-expectations", daemon=True)
    thread.start()
    return thread
