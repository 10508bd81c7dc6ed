"""The SQL store on SQLite and PostgreSQL: atomicity, voiding and stable paging."""

from __future__ import annotations

import threading
import time

import pytest

from lrs_bridge.errors import Conflict
from lrs_bridge.store.base import NewStatement, StatementQuery
from lrs_bridge.store.sqlalchemy import SqlStore
from lrs_bridge.xapi.extract import index_statement
from lrs_bridge.xapi.timefmt import now_us
from tests.factories import statement, voiding


def new(body: dict) -> NewStatement:
    return NewStatement(
        id=body["id"],
        statement=body,
        index=index_statement(body),
        timestamp_us=None,
        authority_id=None,
        version="1.0.0",
    )


def test_a_batch_with_a_taken_id_stores_nothing(store: SqlStore):
    first = statement()
    store.add_statements([new(first)], now_us)
    fresh = statement()
    with pytest.raises(Conflict):
        store.add_statements([new(fresh), new(dict(first))], now_us)
    assert store.find_statements([fresh["id"]]) == {}


def test_stored_times_increase_with_commit_order_even_if_the_clock_stalls(store: SqlStore):
    frozen = now_us()
    for _ in range(3):
        store.add_statements([new(statement())], lambda: frozen)
    page = store.query_statements(StatementQuery(ascending=True, limit=10), now_us)
    stamps = [s.stored_us for s in page.statements]
    assert stamps == sorted(set(stamps)) and len(stamps) == 3
    # No writer in flight: everything up to "now" is visible, which is at least the newest.
    assert page.consistent_through_us >= stamps[-1]


def test_voiding_marks_the_target_and_the_voiding_statement_stays(store: SqlStore):
    target = statement()
    store.add_statements([new(target), new(voiding(target["id"]))], now_us)
    assert store.get_statement(target["id"]).voided is True
    page = store.query_statements(StatementQuery(limit=10), now_us)
    assert [s.id for s in page.statements] != [target["id"]]
    assert len(page.statements) == 1


def test_paging_under_concurrent_inserts_skips_and_repeats_nothing(store: SqlStore):
    """Writers commit concurrently while a reader follows the cursor: it must see each once.

    On PostgreSQL a plain sequence cursor would skip rows whose transaction commits after a
    higher sequence number is already visible; serialised writes prevent that.
    """
    written: list[str] = []
    lock = threading.Lock()
    stop = time.monotonic() + 2.0

    def writer() -> None:
        while time.monotonic() < stop:
            batch = [statement() for _ in range(5)]
            store.add_statements([new(b) for b in batch], now_us)
            with lock:
                written.extend(b["id"] for b in batch)

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for thread in threads:
        thread.start()
    seen: list[str] = []
    after = None
    while True:
        writers_done = not any(t.is_alive() for t in threads)
        page = store.query_statements(
            StatementQuery(ascending=True, limit=7, after_seq=after), now_us
        )
        seen.extend(s.id for s in page.statements)
        if page.statements:
            after = page.statements[-1].seq
        elif writers_done:
            break
    for thread in threads:
        thread.join()
    assert len(seen) == len(set(seen)), "a statement was handed out twice"
    assert set(seen) == set(written), "a committed statement was skipped"
    assert len(written) > 50


def test_consistent_through_stays_at_the_newest_stored_while_a_writer_is_inside(store: SqlStore):
    store.add_statements([new(statement())], now_us)
    newest = store.query_statements(StatementQuery(limit=1), now_us).statements[0].stored_us
    inside = threading.Event()
    release = threading.Event()

    def slow_writer() -> None:
        with store._write(serialise_statements=True):
            inside.set()
            release.wait(10)

    thread = threading.Thread(target=slow_writer)
    thread.start()
    assert inside.wait(10)
    try:
        page = store.query_statements(StatementQuery(limit=1), lambda: newest + 10_000_000)
        assert page.consistent_through_us == newest
    finally:
        release.set()
        thread.join()
    after = store.query_statements(StatementQuery(limit=1), lambda: newest + 10_000_000)
    if store.is_postgres:
        # PostgreSQL answers from the database's clock, whatever the host's (store/clock.py).
        assert newest < after.consistent_through_us < newest + 10_000_000
    else:
        assert after.consistent_through_us == newest + 10_000_000


def test_migrations_create_exactly_the_declared_schema(database_url):
    """Alembic's autogenerate comparison finds nothing between tables.py and the migrations."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from lrs_bridge.store.engine import make_engine
    from lrs_bridge.store.tables import metadata

    engine = make_engine(database_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    engine.dispose()
    assert diff == []
