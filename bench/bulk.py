"""Bulk filling of a fresh database for the benches that need a large store fast.

Rows go in with plain SQL, bypassing ingest: ``executemany`` in chunks on SQLite, ``COPY`` on
PostgreSQL (then the serial sequences are moved past the explicit ids, and ``ANALYZE`` runs
so the planner knows the sizes). Row sources may be generators, so a million statements
never sit in memory at once.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import orjson
from sqlalchemy import Engine

from lrs_bridge.store.engine import make_engine
from lrs_bridge.store.migrate import upgrade
from lrs_bridge.xapi.timefmt import format_timestamp_us

Row = tuple[Any, ...]
#: Rows per ``executemany`` on SQLite.
SQLITE_CHUNK = 50_000
#: The columns each bench fills, in the order of its row tuples.
COLUMNS: dict[str, tuple[str, ...]] = {
    "learners": ("id", "name", "email", "team", "manager_id", "language", "created_us"),
    "learner_ifis": ("agent_key", "learner_id"),
    "statements": (
        "seq",
        "id",
        "stored_us",
        "timestamp_us",
        "verb_id",
        "actor_key",
        "object_type",
        "object_key",
        "version",
        "statement",
    ),
    "evidence": (
        "seq",
        "learner_id",
        "competency_id",
        "rule_id",
        "method",
        "weight",
        "quality",
        "at_us",
    ),
    "competency_state": (
        "learner_id",
        "competency_id",
        "level",
        "last_evidence_us",
        "stale_at_us",
        "evidence_count",
        "stability_days",
        "updated_us",
    ),
}

Tables = Sequence[tuple[str, Iterable[Row]]]
COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
_AUTHORITY = {
    "objectType": "Agent",
    "account": {"homePage": "urn:lrs-bridge:credentials", "name": "bench"},
}


def statement_row(seq: int, statement_id: str, email: str, activity: str, at_us: int) -> Row:
    """A ``statements`` row: ``email`` completed ``activity`` at ``at_us`` (stored then too),
    with the authority the HTTP path would add for the ``bench`` credential."""
    stamp = format_timestamp_us(at_us)
    statement = {
        "id": statement_id,
        "actor": {"objectType": "Agent", "mbox": f"mailto:{email}"},
        "verb": {"id": COMPLETED, "display": {"en-US": "completed"}},
        "object": {"objectType": "Activity", "id": activity},
        "timestamp": stamp,
        "stored": stamp,
        "authority": _AUTHORITY,
        "version": "1.0.3",
    }
    return (
        seq,
        statement_id,
        at_us,
        at_us,
        COMPLETED,
        f"mbox:mailto:{email}",
        "Activity",
        activity,
        "1.0.3",
        orjson.dumps(statement).decode(),
    )


def _chunks(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    chunk: list[Row] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _fill_sqlite(engine: Engine, tables: Tables) -> None:
    with engine.begin() as conn:
        for table, rows in tables:
            columns = COLUMNS[table]
            sql = (
                f"INSERT INTO {table} ({', '.join(columns)}) "
                f"VALUES ({', '.join('?' for _ in columns)})"
            )
            for chunk in _chunks(rows, SQLITE_CHUNK):
                conn.exec_driver_sql(sql, chunk)  # type: ignore[arg-type]


def _fill_postgres(engine: Engine, tables: Tables) -> None:
    raw = engine.raw_connection()
    try:
        pg: Any = raw.driver_connection
        with pg.cursor() as cursor:
            for table, rows in tables:
                columns = ", ".join(COLUMNS[table])
                with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            # The explicit ids bypassed the sequences; later inserts must not collide.
            for table, column in (("learners", "id"), ("statements", "seq")):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "
                    f"(SELECT max({column}) FROM {table}))"
                )
        pg.commit()
        pg.autocommit = True
        with pg.cursor() as cursor:
            cursor.execute("ANALYZE")
        pg.autocommit = False
    finally:
        raw.close()


def fill(url: str, kind: str, tables: Tables) -> float:
    """Migrate, then bulk-insert ``(table, rows)`` in foreign-key order; seconds inserting."""
    engine = make_engine(url)
    try:
        upgrade(engine)
        started = time.perf_counter()
        if kind == "postgresql":
            _fill_postgres(engine, tables)
        else:
            _fill_sqlite(engine, tables)
        return time.perf_counter() - started
    finally:
        engine.dispose()
