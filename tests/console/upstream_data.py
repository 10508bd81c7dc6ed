"""An upstream world for the console pages: statements stored through the real API, then
two upstreams, one with pending and dead outbox rows and a forward error, as its
forwarder would leave them (plain SQL; see ``tests/upstream/registry_support.py``)."""

from __future__ import annotations

import dataclasses

from flask import Flask

from lrs_bridge.xapi.timefmt import now_us
from tests.upstream.registry_support import outbox_rows, state, stored_then_upstreams

S = 1_000_000


@dataclasses.dataclass(frozen=True)
class UpstreamWorld:
    dead_ids: list[str]
    #: A directory learner (who must not see the page).
    learner_id: int


def seed_upstreams(app: Flask) -> UpstreamWorld:
    ids, seq, admin = stored_then_upstreams(app, 4, {"learning-locker": "forward", "ralph": "pull"})
    person = {"name": "Kari", "email": "kari@example.com", "language": "en"}
    made = app.test_client().post("/api/v1/learners", json=person, headers=admin)
    assert made.status_code == 200, made.get_json()
    runtime = app.extensions["lrs_bridge"]
    upstream = runtime.upstreams.get("learning-locker")
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
