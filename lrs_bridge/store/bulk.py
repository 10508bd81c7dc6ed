"""Many rows into one table inside the current transaction, at the least CPU per row.

On PostgreSQL a ``COPY … FROM STDIN`` streams the rows: psycopg's ``executemany`` prepares
and sends each row as its own statement (about 5 µs of client CPU a row; COPY is about 0.3),
and ingest writes ten key rows and more per statement. The rows land in the same
transaction, with the same constraints checked, as the INSERTs would. SQLite has no COPY:
its ``executemany`` binds rows in C already, so it keeps it.

Driver errors raised by COPY are wrapped as SQLAlchemy wraps those of ``execute``, so
:mod:`store.driver_errors` turns them into the same domain errors (a unique violation is
still a ``Conflict``, a lost connection still a 503).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError


def insert_rows(
    conn: Connection, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Insert ``rows`` (values in ``columns`` order) into ``table``."""
    if not rows:
        return
    names = ", ".join(columns)
    if conn.dialect.name != "postgresql":
        marks = ", ".join("?" * len(columns))
        conn.exec_driver_sql(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608
        return
    sql = f"COPY {table} ({names}) FROM STDIN"
    raw: Any = conn.connection.driver_connection
    dbapi: Any = conn.dialect.loaded_dbapi
    try:
        with raw.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
    except dbapi.Error as exc:
        disconnected = conn.dialect.is_disconnect(exc, conn.connection.dbapi_connection, None)
        if disconnected:
            conn.invalidate(exc)
        raise DBAPIError.instance(
            sql,
            None,
            exc,
            dbapi.Error,
            connection_invalidated=disconnected,
            dialect=conn.dialect,
        ) from exc
