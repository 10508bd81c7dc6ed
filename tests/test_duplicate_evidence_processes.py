"""Duplicate evidence across real server processes on one database (both kinds): repeats
posted at the same moment to two servers count once, and ``lrs-bridge competencies replay``
rebuilds exactly the ledger that ingest wrote."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from lrs_bridge.store.engine import make_engine
from lrs_bridge.store.tables import evidence, statements
from tests.conftest import ServerProcess
from tests.factories import agent, voiding
from tests.test_duplicate_evidence import LISTENING, original, repeat


def _auth(server: ServerProcess) -> httpx.BasicAuth:
    key, secret = server.credential("all")
    return httpx.BasicAuth(key, secret)


HEADERS = {"X-Experience-API-Version": "1.0.3"}


def _ledger(database_url: str) -> tuple[list[dict[str, Any]], list[tuple[Any, ...]]]:
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            order = (evidence.c.seq, evidence.c.learner_id, evidence.c.competency_id)
            rows = [dict(r._mapping) for r in conn.execute(select(evidence).order_by(*order))]
            seq_of = dict(conn.execute(select(statements.c.id, statements.c.seq)).all())
            states = [
                tuple(r)
                for r in conn.exec_driver_sql(
                    "SELECT learner_id, competency_id, level, last_evidence_us, stale_at_us, "
                    "evidence_count, stability_days FROM competency_state "
                    "ORDER BY learner_id, competency_id"
                )
            ]
    finally:
        engine.dispose()
    for row in rows:
        row["statement_id"] = next(i for i, s in seq_of.items() if s == row["seq"])
    return rows, states


def test_repeats_posted_at_once_to_two_servers_count_once(
    database_url: str, tmp_path: Path
) -> None:
    one = ServerProcess(database_url, tmp_path)
    two = ServerProcess(database_url, tmp_path)
    try:
        auth = _auth(one)
        first = original()
        # 24 repeats (new ids, timestamps 0..23 s apart), each in its own request, half to
        # each server, 8 in flight at once: the write gate serialises the batches.
        batch = [repeat(first, timestamp=f"2026-01-15T10:00:{n:02d}Z") for n in range(24)]

        def send(pair: tuple[int, dict[str, Any]]) -> int:
            target = (one, two)[pair[0] % 2]
            response = httpx.post(
                f"{target.url}/xapi/statements",
                json=[pair[1]],
                auth=auth,
                headers=HEADERS,
                timeout=60,
            )
            return response.status_code

        with ThreadPoolExecutor(max_workers=8) as pool:
            codes = list(pool.map(send, enumerate(batch)))
        assert codes == [200] * len(batch)
        listed = httpx.get(
            f"{one.url}/xapi/statements",
            params={"agent": json.dumps(agent("kari")), "limit": 100},
            auth=auth,
            headers=HEADERS,
        ).json()["statements"]
        assert {s["id"] for s in listed} == {s["id"] for s in batch}  # all stored
        rows, states = _ledger(database_url)
        assert len(rows) == len(batch)
        originals = [row for row in rows if row["duplicate_of"] is None]
        assert [row["statement_id"] for row in originals] == [batch[0]["id"]]  # 10:00:00
        assert {row["duplicate_of"] for row in rows} == {None, originals[0]["seq"]}
        assert [state[5] for state in states] == [1]  # evidence_count
    finally:
        one.stop()
        two.stop()


def test_the_replay_command_rebuilds_exactly_the_ledger_ingest_wrote(
    database_url: str, tmp_path: Path
) -> None:
    server = ServerProcess(database_url, tmp_path)
    try:
        auth = _auth(server)
        kari, ola = original("kari"), original("ola", when="2026-01-15T10:01:00Z")
        batches = [
            [kari, repeat(kari, timestamp="2026-01-15T10:02:00Z"), ola],
            [
                repeat(ola, timestamp="2026-01-15T10:05:00Z"),
                repeat(kari, timestamp="2026-01-15T10:30:00Z"),
            ],
            [
                repeat(kari, timestamp="2026-01-15T10:35:00Z"),
                repeat(ola, timestamp="2026-01-15T10:00:00Z"),
            ],
            [voiding(kari["id"])],
        ]
        for batch in batches:
            response = httpx.post(
                f"{server.url}/xapi/statements", json=batch, auth=auth, headers=HEADERS
            )
            assert response.status_code == 200, response.text
        before = _ledger(database_url)
        assert sum(row["duplicate_of"] is not None for row in before[0]) == 3
        assert {row["competency_id"] for row in before[0]} == {LISTENING}
        output = server.cli("competencies", "replay")
        assert "replayed 7 statements" in output  # 8 stored, 1 voided
        assert _ledger(database_url) == before
    finally:
        server.stop()
