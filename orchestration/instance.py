"""lapak's Dagster instance storage: Dagster's SQLite storage, with the event log's engines kept open.

Dagster's `SqliteEventLogStorage` creates and disposes a SQLAlchemy engine for every read and write. Each
engine starts with an empty compiled-statement cache, so every event pays for engine set-up and for
compiling its INSERT statements again: about 12 ms an event on the benchmark machine. A build over a range
of day partitions stores thousands of events (a materialization per partition per asset, a result per dbt
test), which made Dagster's bookkeeping the largest part of a small run (docs/performance.md, decision log).

`LapakSqliteStorage` stores exactly the same files in the same layout (`history/runs.db`,
`history/runs/<run>.db`, `history/runs/index.db`, `schedules/`), so `dagster dev` and the Dagster UI read
them as usual; it only keeps one engine per database file, with a small pool of open connections (WAL,
`synchronous=NORMAL`), instead of building, connecting and disposing for every read and write. It also
remembers which tables and columns exist once it has seen them: Dagster asked the database schema (with a
new engine each time) on every asset and check event, about 1 ms an event.

`dagster.yaml` selects it with `storage: custom:` (lapak writes that file into each home, see `lapak.cli`).
"""

from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    SQLITE_BUSY_TIMEOUT_SECONDS,
    SqliteEventLogStorage,
)
from dagster._core.storage.runs import SqliteRunStorage
from dagster._core.storage.schedules import SqliteScheduleStorage
from dagster._core.storage.sqlite_storage import (
    DagsterSqliteStorage,
    _event_logs_directory,
    _runs_directory,
    _schedule_directory,
)
from dagster._serdes import ConfigurableClassData
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import QueuePool

# One engine per run database and one for the index: a daemon that lives for weeks touches many runs,
# so the oldest engines are disposed beyond this many.
MAX_ENGINES = 32


def _wal_normal(dbapi_connection, _record) -> None:
    dbapi_connection.execute("PRAGMA synchronous=NORMAL")


class PooledEngineSqliteEventLogStorage(SqliteEventLogStorage):
    """`SqliteEventLogStorage` that keeps one engine (and its compiled-SQL cache) per shard."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        self._engines: OrderedDict[str, Engine] = OrderedDict()  # guarded by the parent's _db_lock
        self._tables_seen: set[str] = set()  # schema facts that stay true: tables and columns are never dropped
        self._asset_key_columns_seen: set[str] = set()
        super().__init__(base_dir, inst_data)

    @classmethod
    def from_config_value(cls, inst_data, config_value):  # ty: ignore[invalid-method-override]
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> Engine:
        """The shard's engine, made on first use; call with `_db_lock` held."""
        engine = self._engines.get(shard)
        if engine is not None:
            self._engines.move_to_end(shard)
            return engine
        engine = create_engine(
            self.conn_string_for_shard(shard),
            poolclass=QueuePool,
            pool_size=1,
            max_overflow=4,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
        )
        # WAL (Dagster creates these files in WAL mode) with synchronous=NORMAL: a commit no longer waits
        # for the disk; a power cut can lose the last events, never corrupt the file.
        event.listen(engine, "connect", _wal_normal)
        self._engines[shard] = engine
        while len(self._engines) > MAX_ENGINES:
            self._engines.popitem(last=False)[1].dispose()
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        # same locking and lazy database creation as the parent; only the engine outlives the call
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def has_table(self, table_name: str) -> bool:
        if table_name not in self._tables_seen and super().has_table(table_name):
            self._tables_seen.add(table_name)
        return table_name in self._tables_seen

    def _has_asset_key_col_on_connection(self, conn: Connection, column_name: str) -> bool:
        if column_name not in self._asset_key_columns_seen and super()._has_asset_key_col_on_connection(
            conn, column_name
        ):
            self._asset_key_columns_seen.add(column_name)
        return column_name in self._asset_key_columns_seen

    def _dispose_engines(self) -> None:
        with self._db_lock:
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()
            self._tables_seen.clear()
            self._asset_key_columns_seen.clear()

    def wipe(self) -> None:
        self._dispose_engines()  # the files go away: so must engines pointing at them
        super().wipe()

    def dispose(self) -> None:
        super().dispose()
        self._dispose_engines()


class LapakSqliteStorage(DagsterSqliteStorage):
    """Dagster's default SQLite storage (same folders), with `PooledEngineSqliteEventLogStorage`."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        self.base_dir = base_dir  # the parent's __init__ would build the default event log storage
        self._run_storage = SqliteRunStorage.from_local(_runs_directory(base_dir))
        self._event_log_storage = PooledEngineSqliteEventLogStorage(_event_logs_directory(base_dir))
        self._schedule_storage = SqliteScheduleStorage.from_local(_schedule_directory(base_dir))
        self._inst_data = inst_data
        super(DagsterSqliteStorage, self).__init__()

    @classmethod
    def from_config_value(cls, inst_data, config_value):  # ty: ignore[invalid-method-override]
        return cls.from_local(inst_data=inst_data, **config_value)
