"""Driver errors become domain errors here, and only here (the store's boundary; STYLE rule 5).

The one question that matters to a caller is whether retrying can help. ``503 … retry later``
(:class:`StoreUnavailable`) is for outages only: connection loss, lock and busy timeouts,
too many connections, serialization failures, a full disk. Producers retry a 503 for ever, so
an error that the same request would meet again (an SQL error, a limit of the database, a
programming error) is a :class:`StoreError`, a 500, and is logged in full. No driver text
reaches a response body: it names tables, columns and values.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import Any

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from lrs_bridge.errors import Conflict, StoreError, StoreUnavailable

logger = logging.getLogger(__name__)

#: PostgreSQL SQLSTATE classes and codes that mean "not now" (Appendix A of its manual).
TRANSIENT_SQLSTATE_CLASSES = frozenset(
    {
        "08",  # connection exception
        "53",  # insufficient resources: too many connections, out of memory, disk full
        "58",  # system error: I/O error
    }
)
TRANSIENT_SQLSTATES = frozenset(
    {
        "40001",  # serialization_failure
        "40P01",  # deadlock_detected
        "55P03",  # lock_not_available (lock_timeout)
        "57014",  # query_canceled (statement_timeout)
        "57P01",  # admin_shutdown
        "57P02",  # crash_shutdown
        "57P03",  # cannot_connect_now (starting up, shutting down)
        "57P05",  # idle_session_timeout
    }
)
#: SQLite primary result codes that mean "not now" (sqlite.org/rescode.html).
TRANSIENT_SQLITE_CODES = frozenset(
    {
        5,  # SQLITE_BUSY: "database is locked" after busy_timeout
        6,  # SQLITE_LOCKED: a conflict inside the same connection's shared cache
        7,  # SQLITE_NOMEM
        10,  # SQLITE_IOERR
        13,  # SQLITE_FULL: disk full
        14,  # SQLITE_CANTOPEN: the file is (momentarily) unreachable
        15,  # SQLITE_PROTOCOL: WAL lock protocol race
    }
)
#: Messages that mean "not now" when a driver gives no code (older sqlite3 modules).
TRANSIENT_MESSAGES = ("database is locked", "database table is locked", "disk i/o error")


def is_transient(exc: DBAPIError) -> bool:
    """Whether ``exc`` is an outage that a retry later may not meet again."""
    if exc.connection_invalidated:
        return True
    orig: Any = exc.orig
    sqlstate = getattr(orig, "sqlstate", None)
    if isinstance(sqlstate, str):
        return sqlstate[:2] in TRANSIENT_SQLSTATE_CLASSES or sqlstate in TRANSIENT_SQLSTATES
    sqlite_code = getattr(orig, "sqlite_errorcode", None)
    if isinstance(sqlite_code, int):
        return sqlite_code & 0xFF in TRANSIENT_SQLITE_CODES
    if exc.__class__.__name__ == "OperationalError" and _is_postgres_driver(orig):
        # psycopg raises OperationalError without SQLSTATE when it cannot connect at all.
        return True
    message = str(orig).lower()
    return any(text in message for text in TRANSIENT_MESSAGES)


def _is_postgres_driver(orig: Any) -> bool:
    return type(orig).__module__.startswith("psycopg")


@contextlib.contextmanager
def translate_errors() -> Iterator[None]:
    """Turn driver errors into domain errors: 409, 503 for outages, 500 for the rest."""
    try:
        yield
    except IntegrityError as exc:
        logger.info("integrity error: %s", exc.orig)
        raise Conflict("a record with this identity already exists") from exc
    except PoolTimeout as exc:  # every pooled connection busy: too many clients right now
        logger.warning("database connection pool exhausted: %s", exc)
        raise StoreUnavailable("the database is busy; retry later") from exc
    except DBAPIError as exc:
        if is_transient(exc):
            logger.warning("database unavailable: %s", exc.orig)
            raise StoreUnavailable("the database is unavailable; retry later") from exc
        logger.error("database error: %s", exc.orig, exc_info=exc)
        raise StoreError("the database could not carry out the request") from exc
