"""Every batch within the documented limits stores, on both databases; beyond them, a 413
that names the limit.

The size that used to break: 60 statements × 17 competencies (1,020 learner × competency
pairs) hit SQLite's expression-depth limit and got ``503 store_unavailable`` for ever.
"""

from __future__ import annotations

import json
import sqlite3
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import orjson
import pytest

from lrs_bridge import create_app
from lrs_bridge.config import Settings
from lrs_bridge.xapi.timefmt import now_us
from tests.conftest import Credentials, headers
from tests.factories import agent, aligned, statement
from tests.test_store import new

ROOT = Path(__file__).resolve().parents[1]
COMPETENCIES = [
    c["id"] for c in json.loads((ROOT / "config/framework.json").read_text())["competencies"]
]
LIMIT = Settings().max_batch_statements


def everywhere_aligned(count: int) -> list[dict[str, Any]]:
    """``count`` statements, each for another learner, aligned to every default competency."""
    batch = []
    for _ in range(count):
        body = aligned(
            agent(f"p{uuid.uuid4().hex[:12]}"),
            COMPETENCIES[0],
            result={"success": True, "score": {"scaled": 0.9}},
        )
        body["context"]["contextActivities"]["other"] = [{"id": iri} for iri in COMPETENCIES]
        batch.append(body)
    return batch


def test_the_default_framework_has_17_competencies_and_the_limit_is_500():
    assert len(COMPETENCIES) == 17
    assert LIMIT == 500


def test_the_largest_batch_stores_with_every_state_and_evidence_row(app, client, auth):
    """500 learners × 17 competencies = 8,500 pairs in one request and one transaction."""
    batch = everywhere_aligned(LIMIT)
    started = time.perf_counter()
    response = client.post("/xapi/statements", json=batch, headers=auth)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.get_json()
    print(f"\n{LIMIT} statements × {len(COMPETENCIES)} competencies stored in {elapsed:.2f} s")
    assert response.get_json() == [s["id"] for s in batch]
    states = app.extensions["lrs_bridge"].store.all_states()
    assert len(states) == LIMIT * len(COMPETENCIES)
    assert {row[5] for row in states} == {1}  # evidence_count: exactly the one statement
    assert all(row[2] > 0 for row in states)  # a passed, well-scored attempt raises the level
    # A second batch touches the same learners: recompute reads the stored evidence back.
    again = [
        aligned(body["actor"], COMPETENCIES[0], when="2026-02-15T10:00:00Z")
        | {"context": body["context"]}
        for body in batch
    ]
    response = client.post("/xapi/statements", json=again, headers=auth)
    assert response.status_code == 200, response.get_json()
    states = app.extensions["lrs_bridge"].store.all_states()
    assert len(states) == LIMIT * len(COMPETENCIES)
    assert {row[5] for row in states} == {2}
    who = client.get(
        "/api/v1/learners", query_string={"agent": json.dumps(batch[-1]["actor"])}, headers=auth
    ).get_json()
    rows = client.get(f"/api/v1/learners/{who['id']}/competencies", headers=auth).get_json()
    trails = {row["competency"]: row["evidence"] for row in rows["competencies"]}
    assert set(trails) == set(COMPETENCIES)
    assert all(
        [e["statement_id"] for e in trail] == [batch[-1]["id"], again[-1]["id"]]
        for trail in trails.values()
    )


@pytest.mark.parametrize(
    ("limit", "sent", "status"),
    [(3, 3, 200), (3, 4, 413), (1, 1, 200), (1, 2, 413)],
)
def test_the_statement_count_limit_is_a_setting(database_url, limit, sent, status):
    app = create_app(
        {"database_url": database_url, "access_log": False, "max_batch_statements": limit}
    )
    try:
        response = app.test_client().post(
            "/xapi/statements",
            json=[statement() for _ in range(sent)],
            headers=Credentials(app).make("all"),
        )
        assert response.status_code == status, response.get_json()
        if status == 413:
            body = response.get_json()
            assert body["error"] == "payload_too_large"
            assert body["field"] == "max_batch_statements"
            assert body["limit"] == limit
            assert str(limit) in body["message"]
    finally:
        app.extensions["lrs_bridge"].close()


@pytest.mark.parametrize(("extra", "status"), [(0, 200), (1, 413)])
def test_the_body_size_limit_is_exact_and_named(database_url, extra, status):
    """A body of exactly ``max_body_bytes`` stores; one byte more gets 413 naming the limit."""
    limit = 4096
    app = create_app({"database_url": database_url, "access_log": False, "max_body_bytes": limit})
    try:
        body = orjson.dumps([statement()])
        padded = body + b" " * (limit - len(body) + extra)  # JSON allows trailing whitespace
        response = app.test_client().post(
            "/xapi/statements",
            data=padded,
            content_type="application/json",
            headers=Credentials(app).make("all"),
        )
        assert response.status_code == status, response.get_json()
        if status == 413:
            assert response.get_json() == {
                "error": "payload_too_large",
                "message": f"the request body exceeds the limit of {limit} bytes "
                "(LRS_BRIDGE_MAX_BODY_BYTES)",
                "limit": limit,
                "field": "max_body_bytes",
            }
    finally:
        app.extensions["lrs_bridge"].close()


def _post(url: str, auth: dict[str, str], batch: list[dict[str, Any]]) -> tuple[int, Any]:
    request = urllib.request.Request(
        f"{url}/xapi/statements",
        data=orjson.dumps(batch),
        headers={**auth, "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, orjson.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, orjson.loads(error.read())


@pytest.mark.server
def test_the_limit_holds_through_a_real_server(server):
    """Exactly the limit, at its worst shape, stores through gunicorn; one more gets 413."""
    auth = headers(*server.credential("all"))
    status, body = _post(server.url, auth, everywhere_aligned(LIMIT))
    assert status == 200, body
    assert len(body) == LIMIT
    status, body = _post(server.url, auth, everywhere_aligned(LIMIT + 1))
    assert status == 413, body
    assert (body["error"], body["field"], body["limit"]) == (
        "payload_too_large",
        "max_batch_statements",
        LIMIT,
    )


def test_id_sets_larger_than_sqlites_variable_limit_are_one_parameter(store):
    """Statement ids in one look-up beyond SQLite's variable limit (32,766 by default, more
    on this build): the set is one parameter, so its size does not matter."""
    stored = [statement() for _ in range(3)]
    store.add_statements([new(s) for s in stored], now_us)
    count = sqlite3.connect(":memory:").getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) + 1
    wanted = [str(uuid.uuid4()) for _ in range(count)] + [s["id"] for s in stored]
    assert set(store.find_statements(wanted)) == {s["id"] for s in stored}
