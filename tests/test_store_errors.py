"""Driver errors, provoked on real databases, map to the right domain error.

Only an outage may be a 503 (producers retry a 503 for ever); an error that the same
request would meet again is a 500, logged; no response body carries driver text.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Connection, create_engine, event, text

from lrs_bridge.errors import Conflict, LrsBridgeError, StoreError, StoreUnavailable
from lrs_bridge.store.driver_errors import translate_errors
from lrs_bridge.store.engine import make_engine
from lrs_bridge.store.migrate import upgrade
from lrs_bridge.store.sqlalchemy import SqlStore
from lrs_bridge.xapi.timefmt import now_us
from tests.conftest import free_port

#: Words of driver messages that must never reach a response body.
DRIVER_WORDS = ("UNIQUE", "constraint", "duplicate key", "INSERT", "SELECT", "credentials.key")


def outcome(engine, sql: str | Callable[[Connection], object]) -> LrsBridgeError:
    """The domain error that running ``sql`` in a write transaction turns into."""
    with pytest.raises(LrsBridgeError) as caught:
        with translate_errors(), engine.begin() as conn:
            if callable(sql):
                sql(conn)
            else:
                conn.exec_driver_sql(sql)
    return caught.value


@pytest.fixture
def sqlite_engine(tmp_path: Path):
    engine = make_engine(f"sqlite:///{tmp_path / 'errors.sqlite3'}")
    upgrade(engine)
    yield engine
    engine.dispose()


def _fill_until_full(conn: Connection) -> None:
    conn.exec_driver_sql("PRAGMA max_page_count = 40")
    conn.exec_driver_sql("CREATE TABLE filler (x TEXT)")
    for _ in range(200):
        conn.exec_driver_sql("INSERT INTO filler VALUES (?)", ("x" * 4000,))


SQLITE_CASES = [
    # (what happens, SQL, domain error)
    ("expression tree too large", "SELECT " + " OR ".join(["1 = 1"] * 1200), StoreError),
    ("no such table (a programming error)", "SELECT * FROM no_such_table", StoreError),
    ("syntax error", "SELEKT 1", StoreError),
    ("too many SQL variables", None, StoreError),
    ("disk full (SQLITE_FULL)", _fill_until_full, StoreUnavailable),
    (
        "a taken key",
        "INSERT INTO credentials (name, key, secret_hash, scopes, created_us, disabled) "
        "VALUES ('a', 'same', 'h', 'all', 1, false), ('b', 'same', 'h', 'all', 1, false)",
        Conflict,
    ),
]


@pytest.mark.parametrize(
    ("case", "sql", "expected"), SQLITE_CASES, ids=[c[0] for c in SQLITE_CASES]
)
def test_sqlite_errors_are_classified(sqlite_engine, case, sql, expected):
    if sql is None:  # more variables than this SQLite build allows (32,766 by default)
        count = sqlite3.connect(":memory:").getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) + 1
        marks = ", ".join(["?"] * count)

        def sql(conn: Connection) -> None:
            conn.exec_driver_sql(f"SELECT 1 WHERE 1 IN ({marks})", tuple(range(count)))

    error = outcome(sqlite_engine, sql)
    assert type(error) is expected, case
    assert not any(word in str(error.to_dict()) for word in DRIVER_WORDS), error.to_dict()


def test_a_locked_sqlite_database_is_unavailable_not_an_error(tmp_path: Path):
    """Another process holds the write lock past busy_timeout: 503, retry later."""
    path = tmp_path / "locked.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)

    @event.listens_for(engine, "connect")
    def _short_wait(dbapi_connection, _record):  # the test need not wait 10 s
        dbapi_connection.execute("PRAGMA busy_timeout = 50")

    engine.dispose()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        store = SqlStore(engine)
        with pytest.raises(StoreUnavailable):
            store.set_credential_disabled("anyone", True)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        engine.dispose()


def _raise(sqlstate: str) -> str:
    return f"DO $$ BEGIN RAISE EXCEPTION 'provoked' USING ERRCODE = '{sqlstate}'; END $$"


POSTGRES_CASES = [
    # (SQLSTATE, its name, domain error): raised by the real server with that code.
    ("40001", "serialization_failure", StoreUnavailable),
    ("40P01", "deadlock_detected", StoreUnavailable),
    ("53300", "too_many_connections", StoreUnavailable),
    ("53100", "disk_full", StoreUnavailable),
    ("55P03", "lock_not_available", StoreUnavailable),
    ("57014", "query_canceled", StoreUnavailable),
    ("57P01", "admin_shutdown", StoreUnavailable),
    ("08006", "connection_failure", StoreUnavailable),
    ("42601", "syntax_error", StoreError),
    ("42P01", "undefined_table", StoreError),
    ("22003", "numeric_value_out_of_range", StoreError),
    ("54001", "statement_too_complex", StoreError),
    ("XX000", "internal_error", StoreError),
    ("23505", "unique_violation", Conflict),
]


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("sqlstate", "name", "expected"), POSTGRES_CASES, ids=[c[1] for c in POSTGRES_CASES]
)
def test_postgres_errors_are_classified_by_sqlstate(postgres_url, sqlstate, name, expected):
    engine = make_engine(postgres_url)
    try:
        error = outcome(engine, _raise(sqlstate))
    finally:
        engine.dispose()
    assert type(error) is expected, name
    assert "provoked" not in str(error.to_dict())


@pytest.mark.postgres
def test_postgres_real_lock_timeout_and_out_of_range_value(postgres_url):
    """Real, not raised: a lock held elsewhere past lock_timeout is an outage; a value the
    column type cannot hold is not."""
    engine = make_engine(postgres_url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS lock_probe (x integer)")
        held = threading.Event()
        release = threading.Event()

        def hold() -> None:
            with engine.begin() as conn:
                conn.exec_driver_sql("LOCK TABLE lock_probe IN ACCESS EXCLUSIVE MODE")
                held.set()
                release.wait(10)

        holder = threading.Thread(target=hold)
        holder.start()
        assert held.wait(10)
        try:

            def wait_for_lock(conn: Connection) -> None:
                conn.exec_driver_sql("SET LOCAL lock_timeout = '100ms'")
                conn.exec_driver_sql("SELECT * FROM lock_probe")

            assert type(outcome(engine, wait_for_lock)) is StoreUnavailable
        finally:
            release.set()
            holder.join()
        too_big = outcome(engine, "INSERT INTO lock_probe VALUES (99999999999)")
        assert type(too_big) is StoreError
    finally:
        engine.dispose()


def test_an_unreachable_postgres_is_unavailable():
    engine = create_engine(
        f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/none",
        connect_args={"connect_timeout": 2},
    )
    try:
        assert type(outcome(engine, "SELECT 1")) is StoreUnavailable
    finally:
        engine.dispose()


def test_a_conflict_body_names_no_driver_text(client):
    """A taken credential key, provoked through the store's real unique index."""
    store: SqlStore = client.application.extensions["lrs_bridge"].store
    store.add_credential(name="a", key="taken", secret_hash="h", scopes={"all"}, created_us=1)
    with pytest.raises(Conflict) as caught:
        with store._write() as conn:
            conn.execute(
                text(
                    "INSERT INTO credentials (name, key, secret_hash, scopes, created_us, "
                    "disabled) VALUES ('b', 'taken', 'h', 'all', :now, false)"
                ),
                {"now": now_us()},
            )
    with client.application.test_request_context():
        from lrs_bridge.api.errors import error_response

        response = error_response(caught.value)
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert not any(word in body for word in DRIVER_WORDS), body
