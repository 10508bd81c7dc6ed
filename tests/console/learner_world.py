"""A small organisation for the learner-page tests, built through the real API and the
refresher scan: boss → mid → kari (a manager chain), and olga, who reports to nobody.

Kari's active listening is stale (evidence 120 days ago, quarterly policy), so the scan
gives her an open refresher assignment; her empathy is fresh (evidence 5 days ago) with a
failed attempt before it; her other competencies were never trained.
"""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from lrs_bridge.console.viewer import Viewer
from lrs_bridge.runtime import Runtime
from tests.conftest import Credentials
from tests.factories import aligned

BASE = "https://lrs-bridge.dev/competency/"
LISTENING = BASE + "active-listening"
EMPATHY = BASE + "empathy"
FAILED = "http://adlnet.gov/expapi/verbs/failed"
DAY_US = 86_400_000_000


@dataclasses.dataclass(frozen=True, kw_only=True)
class World:
    """Who is who, and Kari's open assignment."""

    admin: dict[str, str]
    boss: int
    mid: int
    kari: int
    olga: int
    assignment: int
    now_us: int

    def viewer(self, who: str) -> Viewer:
        """The console viewer of ``who`` (``admin`` is a console admin with no learner)."""
        if who == "admin":
            return Viewer(kind="admin", email="ada@example.com", name="Ada", user_id=1)
        learner_id = getattr(self, who)
        return Viewer(
            kind="learner", email=f"{who}@example.com", name=who.title(), learner_id=learner_id
        )


def _iso(value_us: int) -> str:
    moment = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC) + datetime.timedelta(
        microseconds=value_us
    )
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _person(name: str) -> dict[str, Any]:
    return {"objectType": "Agent", "name": name.title(), "mbox": f"mailto:{name}@example.com"}


def _add(web: FlaskClient, admin: dict[str, str], name: str, manager: str | None = None) -> int:
    body = {"name": name.title(), "email": f"{name}@example.com", "language": "en"}
    if manager:
        body["manager_email"] = f"{manager}@example.com"
    response = web.post("/api/v1/learners", json=body, headers=admin)
    assert response.status_code == 200, response.get_json()
    learner_id: int = response.get_json()["learners"][0]["id"]
    return learner_id


def build_world(app: Flask) -> World:
    """Seed the directory, Kari's evidence and her refresher assignment."""
    rt: Runtime = app.extensions["lrs_bridge"]
    web = app.test_client()
    admin = Credentials(app).make("all,admin", name="admin")
    boss = _add(web, admin, "boss")
    mid = _add(web, admin, "mid", "boss")
    kari = _add(web, admin, "kari", "mid")
    olga = _add(web, admin, "olga")
    now = int(rt.clock())
    listening = aligned(_person("kari"), LISTENING, when=_iso(now - 120 * DAY_US))
    listening["object"]["definition"]["name"] = {"en": "Listening basics", "nb": "Lytting"}
    statements = [
        listening,
        aligned(_person("kari"), EMPATHY, verb=FAILED, when=_iso(now - 20 * DAY_US)),
        aligned(_person("kari"), EMPATHY, when=_iso(now - 5 * DAY_US)),
        aligned(_person("olga"), EMPATHY, when=_iso(now - 5 * DAY_US)),
    ]
    response = web.post("/xapi/statements", json=statements, headers=admin)
    assert response.status_code == 200, response.get_json()
    assert rt.refreshers is not None
    report = rt.refreshers.scan(now)
    created = [a for a in report.created if a["learner_id"] == kari]
    assert len(created) == 1, report.as_dict()
    return World(
        admin=admin,
        boss=boss,
        mid=mid,
        kari=kari,
        olga=olga,
        assignment=created[0]["id"],
        now_us=now,
    )
