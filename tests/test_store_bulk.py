"""Bulk row inserts (``store/bulk.py``: COPY on PostgreSQL, executemany on SQLite) store
exactly what the INSERTs stored, and fail as they failed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lrs_bridge.errors import Conflict
from lrs_bridge.store.bulk import insert_rows
from lrs_bridge.store.driver_errors import translate_errors
from lrs_bridge.store.sqlalchemy import SqlStore
from lrs_bridge.store.tables import statement_keys, statements

#: Values COPY's text format must escape (tab, newline, backslash, ``\N``) or type.
AWKWARD = ["plain", "tab\there", "new\nline", "back\\slash", "\\N", "é ✓ 𝄞", "", "a|b\x1fc"]


def _statement_row(seq: int, body: str) -> tuple[object, ...]:
    return (
        seq, f"00000000-0000-4000-8000-{seq:012d}", 1_000 + seq, 2_000 + seq,
        "http://adlnet.gov/expapi/verbs/completed", "mbox:mailto:a@example.com", "Activity",
        "https://example.com/a", None, None, False, None, "1.0.3", body,
    )  # fmt: skip


COLUMNS = (
    "seq", "id", "stored_us", "timestamp_us", "verb_id", "actor_key", "object_type",
    "object_key", "registration", "voids_id", "voided", "authority_id", "version", "statement",
)  # fmt: skip


def test_rows_read_back_exactly_as_given_whatever_their_characters(store: SqlStore) -> None:
    with store.engine.begin() as conn:
        insert_rows(
            conn, "statements", COLUMNS, [_statement_row(n, t) for n, t in enumerate(AWKWARD, 1)]
        )
        insert_rows(
            conn,
            "statement_keys",
            ("key", "seq", "narrow"),
            [(f"activity|{t}", n, n % 2 == 0) for n, t in enumerate(AWKWARD, 1)],
        )
    with store.engine.connect() as conn:
        bodies = conn.execute(select(statements.c.seq, statements.c.statement)).all()
        keys = conn.execute(
            select(statement_keys.c.key, statement_keys.c.seq, statement_keys.c.narrow)
        ).all()
        nulls = conn.execute(select(statements.c.registration, statements.c.voided)).all()
    assert sorted(bodies) == list(enumerate(AWKWARD, 1))
    assert sorted(keys, key=lambda k: k[1]) == [
        (f"activity|{t}", n, n % 2 == 0) for n, t in enumerate(AWKWARD, 1)
    ]
    assert set(nulls) == {(None, False)}


def test_a_taken_primary_key_is_a_conflict_and_nothing_of_the_batch_stays(
    store: SqlStore,
) -> None:
    with store.engine.begin() as conn:
        insert_rows(conn, "statements", COLUMNS, [_statement_row(1, "{}")])
    with pytest.raises(Conflict), translate_errors(), store.engine.begin() as conn:
        insert_rows(conn, "statements", COLUMNS, [_statement_row(2, "{}"), _statement_row(1, "{}")])
    with store.engine.connect() as conn:
        assert conn.execute(select(statements.c.seq)).scalars().all() == [1]
    # The connection that failed is usable again: the pool hands it out for the next write.
    with store.engine.begin() as conn:
        insert_rows(conn, "statements", COLUMNS, [_statement_row(3, "{}")])
    with store.engine.connect() as conn:
        assert sorted(conn.execute(select(statements.c.seq)).scalars()) == [1, 3]


def test_no_rows_is_no_statement(store: SqlStore) -> None:
    with store.engine.begin() as conn:
        insert_rows(conn, "statements", COLUMNS, [])
        assert conn.execute(select(statements.c.seq)).first() is None
