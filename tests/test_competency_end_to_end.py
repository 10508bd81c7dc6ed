"""Three kinds of tools, several learners, the default map: levels, statuses and stale_at."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from lrs_bridge.competency.policy import add_duration
from lrs_bridge.xapi.timefmt import format_timestamp_us, parse_timestamp_us
from tests.factories import agent
from tests.test_competency_flow import competencies_of, learner_of, post

TAGS = "https://academy.care-example.com/competencies/"
BASE = "https://lrs-bridge.dev/competency/"


def days_ago(days: int) -> str:
    moment = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=days)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def tagged(skill: str) -> dict[str, Any]:
    return {"other": [{"id": TAGS + skill}]}


def elearning(who, skill, when, *, passed=True, scaled=0.9):
    """A cmi5 AU result from the e-learning platform."""
    verb = "passed" if passed else "failed"
    return {
        "id": str(uuid.uuid4()),
        "actor": who,
        "verb": {"id": f"http://adlnet.gov/expapi/verbs/{verb}"},
        "object": {
            "id": f"https://lms.care-example.com/au/{skill}",
            "definition": {"type": "http://adlnet.gov/expapi/activities/module"},
        },
        "result": {"success": passed, "completion": True, "score": {"scaled": scaled}},
        "context": {"registration": str(uuid.uuid4()), "contextActivities": tagged(skill)},
        "timestamp": when,
    }


def webinar(who, skill, when):
    """Attendance reported by the webinar platform (BigBlueButton-like)."""
    return {
        "id": str(uuid.uuid4()),
        "actor": who,
        "verb": {"id": "http://adlnet.gov/expapi/verbs/attended"},
        "object": {
            "id": f"https://bbb.care-example.com/rooms/{skill}",
            "definition": {"type": "http://id.tincanapi.com/activitytype/webinar"},
        },
        "context": {"platform": "BigBlueButton", "contextActivities": tagged(skill)},
        "timestamp": when,
    }


def mentoring(mentor, mentee, skill, when):
    """A mentoring session logged by the mentor: the learner is the object Agent."""
    return {
        "id": str(uuid.uuid4()),
        "actor": mentor,
        "verb": {"id": "http://id.tincanapi.com/verb/mentored"},
        "object": {**mentee, "objectType": "Agent"},
        "context": {"contextActivities": tagged(skill)},
        "timestamp": when,
    }


def expected_stale_at(when: str) -> str:
    at = parse_timestamp_us(when)
    assert at is not None
    return format_timestamp_us(add_duration(at, "P3M"))[:19]


def test_three_tools_several_learners(client, auth):
    kari, ola, ingrid, mentor = agent("kari"), agent("ola"), agent("ingrid"), agent("mentor")
    kari_listening = days_ago(10)
    ola_empathy = days_ago(80)
    ingrid_listening = days_ago(130)
    post(
        client,
        auth,
        [
            elearning(kari, "active-listening", days_ago(40), scaled=0.7),
            mentoring(mentor, kari, "active-listening", kari_listening),
            webinar(ola, "empathy", ola_empathy),
            elearning(ingrid, "active-listening", ingrid_listening, scaled=0.95),
            elearning(ingrid, "empathy", days_ago(5), passed=False, scaled=0.3),
        ],
    )
    listening = BASE + "active-listening"
    empathy = BASE + "empathy"

    kari_state = competencies_of(client, auth, learner_of(client, auth, kari)["id"])
    assert kari_state[listening]["status"] == "fresh"
    assert kari_state[listening]["stale_at"][:19] == expected_stale_at(kari_listening)
    assert {e["rule"] for e in kari_state[listening]["evidence"]} >= {
        "elearning-active-listening",
        "mentoring-active-listening",
    }

    ola_state = competencies_of(client, auth, learner_of(client, auth, ola)["id"])
    assert ola_state[empathy]["status"] == "due_soon"
    assert ola_state[empathy]["evidence"][0]["method"] == "webinar"

    ingrid_state = competencies_of(client, auth, learner_of(client, auth, ingrid)["id"])
    assert ingrid_state[listening]["status"] == "stale"
    assert ingrid_state[empathy]["status"] == "none", "only a failed attempt: no fresh evidence"
    assert ingrid_state[empathy]["evidence"][0]["weight"] < 0

    # Two pieces of evidence (e-learning + mentoring) outweigh one webinar attendance.
    assert kari_state[listening]["level"] > ola_state[empathy]["level"] > 0
    # The mentor gets no evidence for mentoring someone else.
    assert (
        client.get(
            "/api/v1/learners",
            query_string={"agent": '{"mbox": "mailto:mentor@example.com"}'},
            headers=auth,
        ).status_code
        == 404
    )
