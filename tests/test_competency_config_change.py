"""A competency configuration change reaches every statement: while 8 clients post to a real
server (2 gunicorn workers, each polling the active version only every 5 s), a map change
and its replay leave a ledger equal to a fresh replay under the new version."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text

from lrs_bridge.services.admin import apply_pending_replay
from lrs_bridge.services.competencies import EngineSource
from lrs_bridge.store.engine import make_engine
from lrs_bridge.store.sqlalchemy import SqlStore
from lrs_bridge.xapi.timefmt import now_us
from tests.factories import agent, aligned
from tests.test_server import call

pytestmark = pytest.mark.server

LISTENING = "https://lrs-bridge.dev/competency/active-listening"
EMPATHY = "https://lrs-bridge.dev/competency/empathy"
CLIENTS = 8
#: Posting goes on this long after the change: longer than a worker's 5 s poll.
AFTER_CHANGE_S = 6.5


@pytest.fixture
def local(database_url: str) -> Iterator[tuple[SqlStore, EngineSource]]:
    """The scheduler's side: its own store and engine source on the server's database."""
    engine = make_engine(database_url)
    store = SqlStore(engine)
    yield store, EngineSource(store, "", "")
    engine.dispose()


def ledger(store: SqlStore) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Every evidence row and every state row, ordered."""
    with store.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT seq, learner_id, competency_id, rule_id, method, weight, quality, at_us "
                "FROM evidence ORDER BY seq, learner_id, competency_id"
            )
        ).all()
    return [tuple(row) for row in rows], store.all_states()


def test_a_map_change_while_8_clients_post_leaves_no_old_evidence(server, local):
    store, source = local
    key, secret = server.credential("all,admin")
    stop = threading.Event()
    failures: list[str] = []
    posted = [0] * CLIENTS

    def client(number: int) -> None:
        while not stop.is_set():
            batch = [
                aligned(
                    agent(f"c{number}-{uuid.uuid4().hex[:4]}"),
                    LISTENING if n % 2 else EMPATHY,
                    when="2026-11-01T10:00:00Z",
                    result={"success": True},
                )
                for n in range(4)
            ]
            status, _, body = call(server, "/xapi/statements", key=key, secret=secret, body=batch)
            if status != 200:
                failures.append(f"{status} {body[:200]!r}")
                return
            posted[number] += len(batch)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(1.5)  # both workers have evaluated under the files' map by now
        status, _, document = call(server, "/api/v1/config", key=key, secret=secret)
        assert status == 200
        changed = json.loads(document)["map"]
        changed["methods"]["digital-self-study"] = 0.3  # every posted statement's method
        status, _, body = call(
            server,
            "/api/v1/config",
            key=key,
            secret=secret,
            body={"map": changed, "note": "self-study counts double"},
            method="PUT",
        )
        assert status == 201, body
        # The scheduler's job replays at once, while the clients go on posting.
        replayed = apply_pending_replay(store, source, now_us)
        assert replayed is not None
        time.sleep(AFTER_CHANGE_S)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert not failures, failures[:3]
    assert sum(posted) > 100
    after_ingest = ledger(store)
    weights = {row[5] for row in after_ingest[0]}
    assert weights == {0.3}, f"evidence of the old map is left: weights {sorted(weights)}"
    fresh = source.refresh()
    store.replay_ledger(fresh.evidence_for, fresh.reduce, now_us)
    assert ledger(store) == after_ingest
