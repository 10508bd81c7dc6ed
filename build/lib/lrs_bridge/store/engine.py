"""Engine construction: the one place that knows SQLite and PostgreSQL connection details."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from lrs_bridge.errors import BadRequest

#: Execution option naming how a SQLite transaction begins: ``IMMEDIATE`` takes the write
#: lock up front, so concurrent writers queue on ``busy_timeout`` instead of failing with
#: SQLITE_BUSY when a read transaction tries to upgrade.
SQLITE_BEGIN = "sqlite_begin"


def make_engine(
    database_url: str, *, sqlite_synchronous: str = "NORMAL", pool_size: int = 5
) -> Engine:
    """Create an engine for ``database_url``; SQLite files get WAL and their folder created."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(database_url, sqlite_synchronous)
    if url.get_backend_name() == "postgresql":
        if url.drivername == "postgresql":
            url = url.set(drivername="postgresql+psycopg")
        return create_engine(url, pool_pre_ping=True, pool_size=pool_size, max_overflow=10)
    raise BadRequest(
        f"unsupported database {url.get_backend_name()!r}: use sqlite:/// or postgresql+psycopg://",
        field="database_url",
    )


def _sqlite_engine(database_url: str, synchronous: str) -> Engine:
    url = make_url(database_url)
    if synchronous.upper() not in {"OFF", "NORMAL", "FULL", "EXTRA"}:
        raise BadRequest(
            f"invalid SQLite synchronous mode {synchronous!r}", field="sqlite_synchronous"
        )
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    # No pre-ping: an in-process SQLite connection cannot go stale like a network one.
    engine = create_engine(url)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Driver-level autocommit: SQLAlchemy's "begin" hook below issues BEGIN itself.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous.upper()}")
        cursor.execute("PRAGMA busy_timeout=10000")
        # Random-keyed indexes (statement ids, filter keys) outgrow SQLite's 2 MiB default
        # page cache quickly; a larger cache and memory-mapped reads keep inserts flat.
        cursor.execute("PRAGMA cache_size=-65536")
        cursor.execute("PRAGMA mmap_size=268435456")
        # Checkpoint every ~40 MiB of WAL instead of 4 MiB: index pages rewritten by many
        # batches are copied back once, and the writer stalls on a checkpoint less often.
        cursor.execute("PRAGMA wal_autocheckpoint=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get(SQLITE_BEGIN, "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine
