"""An upstream world for the console pages: statements stored through the real API, then
two upstreams, one with pending and dead outbox rows and a forward error, as its
forwarder would leave them (plain SQL; see ``tests/upstream/registry_support.py``)."""

from __future__ import annotations

import dataclasses

from flask import Flask

from lrs_bridge.xapi.timefmt import now_us
from tests.conftest import Credentials
from tests.factories import statement
from tests.upstream.registry_support import body, outbox_rows, seqs_of, state

S = 1_000_000


@dataclasses.dataclass(frozen=True)
class UpstreamWorld:
    dead_ids: list[str]
    #: A directory learner (who must not see the page).
    learner_id: int


def seed_upstreams(app: Flask) -> UpstreamWorld:
    client = app.test_client()
    sent = [statement() for _ in range(4)]
    response = client.post("/xapi/statements", json=sent, headers=Credentials(app).make("all"))
    assert response.status_code == 200
    admin = Credentials(app).make("admin")
    person = {"name": "Kari", "email": "kari@example.com", "language": "en"}
    made = client.post("/api/v1/learners", json=person, headers=admin)
    assert made.status_code == 200, made.get_json()
    for name, direction in (("learning-locker", "forward"), ("ralph", "pull")):
        created = client.post(
            "/api/v1/upstreams", json=body(name, direction=direction), headers=admin
        )
        assert created.status_code == 201
    runtime = app.extensions["lrs_bridge"]
    upstream = runtime.upstreams.get("learning-locker")
    ids = [s["id"] for s in sent]
    seq = seqs_of(runtime.engine, ids)
    now = now_us()
    outbox_rows(
        runtime.engine,
        upstream.id,
        [
            {"seq": seq[0], "queued_us": now - 95 * S},
            {"seq": seq[1], "queued_us": now - 90 * S},
        ]
        + [
            {
                "seq": seq[i],
                "status": "dead",
                "queued_us": now - 80 * S,
                "attempts": 12,
                "first_failure_us": now - 79 * S,
                "last_error": "400 from upstream: 'actor' is invalid",
            }
            for i in (2, 3)
        ],
    )
    state(
        runtime.engine,
        upstream.id,
        forward_last_error="connection refused",
        forward_last_error_us=now - 5 * S,
        forward_last_success_us=now - 100 * S,
        forwarded_count=17,
    )
    ralph = runtime.upstreams.get("ralph")
    state(
        runtime.engine,
        ralph.id,
        pull_since_us=now - 3600 * S,
        pull_last_success_us=now - 30 * S,
        pulled_count=250,
    )
    return UpstreamWorld(dead_ids=ids[2:4], learner_id=made.get_json()["learners"][0]["id"])
