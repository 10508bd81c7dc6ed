"""Seeded refresher assignments and outbox rows for the operations pages, made the way
production makes them: directory learners, statements through the xAPI endpoint, the
refresher scan, and the dispatcher sending to a real (closed or open) SMTP port."""

from __future__ import annotations

import dataclasses
from typing import Any

from flask import Flask

from lrs_bridge.runtime import Runtime
from tests.conftest import Credentials
from tests.factories import aligned

BASE = "https://lrs-bridge.dev/competency/"
LISTENING = BASE + "active-listening"
EMPATHY = BASE + "empathy"
DAY_US = 86_400_000_000


@dataclasses.dataclass(frozen=True)
class Seeded:
    """What :func:`seed` made: learner ids by name, and assignment ids by learner name."""

    learners: dict[str, int]
    assignments: dict[str, list[int]]


def _person(name: str) -> dict[str, Any]:
    return {"objectType": "Agent", "name": name.title(), "mbox": f"mailto:{name}@example.com"}


def _post(app: Flask, auth: dict[str, str], names: tuple[str, ...]) -> None:
    statements = [
        aligned(_person(name), competency, when="2026-01-10T09:00:00Z")
        for name in names
        for competency in (LISTENING, EMPATHY)
    ]
    response = app.test_client().post("/xapi/statements", json=statements, headers=auth)
    assert response.status_code == 200, response.get_json()


def seed(app: Flask) -> Seeded:
    """Four directory learners on two teams (boss manages kari and ola). Kari and ola have
    stale listening and empathy from January: assigned now, escalated by a scan 40 days on.
    Mia's arrive later: assigned now, then snoozed 14 days (due later than the others)."""
    client = app.test_client()
    auth = Credentials(app).make("all,admin", name="ops-admin")
    runtime: Runtime = app.extensions["lrs_bridge"]
    people = {
        "boss": {"team": "support"},
        "kari": {"team": "support", "manager_email": "boss@example.com"},
        "ola": {"team": "sales", "manager_email": "boss@example.com"},
        "mia": {"team": "sales"},
    }
    learners = {}
    for name, extra in people.items():
        body = {"name": name.title(), "email": f"{name}@example.com", "language": "en", **extra}
        response = client.post("/api/v1/learners", json=body, headers=auth)
        assert response.status_code == 200, response.get_json()
        learners[name] = response.get_json()["learners"][0]["id"]
    refreshers = runtime.refreshers
    assert refreshers is not None
    now = runtime.clock()
    _post(app, auth, ("kari", "ola"))
    refreshers.scan(now)
    refreshers.scan(now + 40 * DAY_US)
    _post(app, auth, ("mia",))
    refreshers.scan(now)
    assignments: dict[str, list[int]] = {}
    for name in ("kari", "ola", "mia"):
        found = runtime.assignments.find(learner_ids=[learners[name]], limit=10)
        assignments[name] = sorted(a.id for a in found)
    for assignment_id in assignments["mia"]:
        due = runtime.assignments.get(assignment_id).due_us
        refreshers.snooze(assignment_id, due + 14 * DAY_US, "learner:mia")
    return Seeded(learners=learners, assignments=assignments)


def dead_letters(app: Flask) -> list[int]:
    """Run the dispatcher once; with an SMTP URL on a closed port and one attempt allowed,
    every e-mail due becomes a dead letter. Returns their ids."""
    runtime: Runtime = app.extensions["lrs_bridge"]
    runtime.dispatcher.dispatch()
    return [n.id for n in runtime.notifications.find(status="dead", limit=100)]
