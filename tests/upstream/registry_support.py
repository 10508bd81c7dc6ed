"""Helpers of the registry, status and console tests: a valid upstream body, and outbox and
state rows written with plain SQL.

Plain SQL, not the forward helper's enqueue (``store/upstream_outbox.py``, another branch):
these tests only read what the forwarder and puller write, so they write the rows the common
contract describes themselves. Statements are stored first through the real API, and the
upstream added after them, so ingest never queues rows of its own for them.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import Engine, insert, select, update

from lrs_bridge.store.tables import statements, upstream_outbox, upstream_state
from lrs_bridge.store.upstreams import ensure_state
from tests.conftest import Credentials
from tests.factories import statement

SECRET = "upstream-pa55word-never-shown"


def body(name: str = "ll", **changes: Any) -> dict[str, Any]:
    """A valid ``POST /api/v1/upstreams`` body."""
    return {
        "name": name,
        "endpoint": "https://lrs.example.com/xapi",
        "key": "bridge",
        "secret": SECRET,
        "direction": "both",
        **changes,
    }


def stored_then_upstreams(
    app: Flask, count: int, upstreams: dict[str, str]
) -> tuple[list[str], list[int], dict[str, str]]:
    """``count`` statements stored through the real API, then the ``upstreams`` (name →
    direction) added after them; the statement ids, their seqs and admin headers."""
    client = app.test_client()
    sent = [statement() for _ in range(count)]
    response = client.post("/xapi/statements", json=sent, headers=Credentials(app).make("all"))
    assert response.status_code == 200, response.get_json()
    admin = Credentials(app).make("admin")
    for name, direction in upstreams.items():
        made = client.post("/api/v1/upstreams", json=body(name, direction=direction), headers=admin)
        assert made.status_code == 201, made.get_json()
    ids = [s["id"] for s in sent]
    return ids, seqs_of(app.extensions["lrs_bridge"].engine, ids), admin


def seqs_of(engine: Engine, ids: list[str]) -> list[int]:
    """Statement seqs in the order of ``ids``."""
    with engine.connect() as conn:
        found = dict(
            conn.execute(
                select(statements.c.id, statements.c.seq).where(statements.c.id.in_(ids))
            ).all()
        )
    return [found[i] for i in ids]


def outbox_rows(engine: Engine, upstream_id: int, rows: list[dict[str, Any]]) -> None:
    """Outbox rows (``seq``, ``status``, ``queued_us`` … as the forwarder leaves them)."""
    # Every row names every column: an executemany takes its columns from the first row.
    defaults = {
        "upstream_id": upstream_id,
        "attempts": 0,
        "status": "pending",
        "first_failure_us": None,
        "lease_token": None,
        "lease_until_us": None,
        "last_error": None,
    }
    with engine.begin() as conn:
        conn.execute(
            insert(upstream_outbox),
            [defaults | {"next_attempt_us": row["queued_us"]} | row for row in rows],
        )


def state(engine: Engine, upstream_id: int, **values: Any) -> None:
    """The upstream's state row, as the forwarder and puller leave it."""
    with engine.begin() as conn:
        ensure_state(conn, upstream_id)
        conn.execute(
            update(upstream_state).where(upstream_state.c.upstream_id == upstream_id).values(values)
        )


def outbox(engine: Engine, upstream_id: int) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(upstream_outbox)
            .where(upstream_outbox.c.upstream_id == upstream_id)
            .order_by(upstream_outbox.c.seq)
        ).all()
    return [row._asdict() for row in rows]
