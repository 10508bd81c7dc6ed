"""Short transactions over an engine a store is given and does not own: a read in its own
transaction, a write that takes SQLite's lock at BEGIN (``IMMEDIATE``) so two writers queue
instead of failing on upgrade, and driver errors translated to domain errors."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from sqlalchemy import Connection, Engine

from lrs_bridge.store.driver_errors import translate_errors
from lrs_bridge.store.engine import SQLITE_BEGIN


class EngineTransactions:
    """The ``_read``/``_write`` transactions the smaller stores share."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.is_postgres = engine.dialect.name == "postgresql"

    @contextlib.contextmanager
    def _read(self) -> Iterator[Connection]:
        with translate_errors(), self.engine.connect() as conn, conn.begin():
            yield conn

    @contextlib.contextmanager
    def _write(self) -> Iterator[Connection]:
        with translate_errors(), self.engine.connect() as conn:
            conn = conn.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"})
            with conn.begin():
                yield conn
