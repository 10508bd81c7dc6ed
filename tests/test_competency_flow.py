"""Statements become evidence, evidence becomes level and freshness: end to end, both databases."""

from __future__ import annotations

import json
from typing import Any

from lrs_bridge.services.directory import parse_directory_csv
from lrs_bridge.xapi.timefmt import now_us
from tests.factories import VOIDED, agent, aligned

BASE = "https://lrs-bridge.dev/competency/"
LISTENING = BASE + "active-listening"
EMPATHY = BASE + "empathy"
FAILED = "http://adlnet.gov/expapi/verbs/failed"
ATTENDED = "http://adlnet.gov/expapi/verbs/attended"


def post(client, auth, statements):
    response = client.post("/xapi/statements", json=statements, headers=auth)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def learner_of(client, auth, who: dict[str, Any]) -> dict[str, Any]:
    response = client.get("/api/v1/learners", query_string={"agent": json.dumps(who)}, headers=auth)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def competencies_of(client, auth, learner_id: int) -> dict[str, dict[str, Any]]:
    response = client.get(f"/api/v1/learners/{learner_id}/competencies", headers=auth)
    assert response.status_code == 200, response.get_json()
    return {row["competency"]: row for row in response.get_json()["competencies"]}


def test_evidence_level_and_stale_at_follow_the_statements(client, auth):
    kari = agent("kari")
    good = aligned(kari, LISTENING, result={"success": True, "score": {"scaled": 0.9}})
    post(client, auth, [good])
    learner = learner_of(client, auth, kari)
    assert learner["email"] == "kari@example.com"
    state = competencies_of(client, auth, learner["id"])[LISTENING]
    assert state["stale_at"].startswith("2026-04-15T10:00:00")  # quarterly policy
    assert state["last_evidence"].startswith("2026-01-15T10:00:00")
    assert state["evidence"][0]["statement_id"] == good["id"]
    assert state["evidence"][0]["rule"] == "direct"
    assert state["level"] > 0
    assert state["status"] in {"fresh", "due_soon", "stale"}
    first_level = state["level"]

    failure = aligned(
        kari,
        LISTENING,
        verb=FAILED,
        when="2026-02-01T10:00:00Z",
        result={"success": False, "score": {"scaled": 0.2}},
    )
    post(client, auth, [failure])
    after_failure = competencies_of(client, auth, learner["id"])[LISTENING]
    assert after_failure["level"] < first_level, "a failed attempt is negative evidence"
    assert after_failure["stale_at"] == state["stale_at"], "a failure does not refresh"

    post(
        client,
        auth,
        [
            {
                "actor": agent("admin"),
                "verb": {"id": VOIDED},
                "object": {"objectType": "StatementRef", "id": good["id"]},
            }
        ],
    )
    after_void = competencies_of(client, auth, learner["id"])[LISTENING]
    assert [e["statement_id"] for e in after_void["evidence"]] == [failure["id"]]
    assert after_void["stale_at"] is None and after_void["status"] == "none"


def test_replay_rebuilds_exactly_what_ingest_computed(app, client, auth):
    people = [agent(name) for name in ("kari", "ola", "ingrid")]
    batch = []
    for number, who in enumerate(people):
        for day in range(1, 6):
            batch.append(
                aligned(
                    who,
                    LISTENING if day % 2 else EMPATHY,
                    when=f"2026-0{number + 1}-{day:02d}T09:00:00Z",
                    result={"success": day != 3, "score": {"scaled": day / 6}},
                )
            )
    post(client, auth, batch[:7])
    post(client, auth, batch[7:])
    post(
        client,
        auth,
        [
            {
                "actor": agent("admin"),
                "verb": {"id": VOIDED},
                "object": {"objectType": "StatementRef", "id": batch[4]["id"]},
            }
        ],
    )
    runtime = app.extensions["lrs_bridge"]
    incremental = runtime.store.all_states()
    assert len(incremental) == 6
    engine = runtime.competencies.current()
    evaluated = runtime.store.replay_ledger(engine.evidence_for, engine.reduce, now_us, chunk=4)
    assert evaluated == len(batch)  # the voided one is skipped, the voiding one evaluated
    assert runtime.store.all_states() == incremental


def test_directory_import_merges_a_person_seen_under_two_identifiers(app, client, auth):
    by_mail = agent("kari")
    by_account = {
        "objectType": "Agent",
        "account": {"homePage": "https://bbb.example.com", "name": "kari.n"},
    }
    post(client, auth, [aligned(by_mail, LISTENING, when="2026-03-01T08:00:00Z")])
    post(client, auth, [aligned(by_account, EMPATHY, when="2026-03-02T08:00:00Z")])
    assert learner_of(client, auth, by_mail)["id"] != learner_of(client, auth, by_account)["id"]

    entries = parse_directory_csv(
        "name,email,accounts,team,manager_email,language\n"
        "Kari Nordmann,kari@example.com,https://bbb.example.com|kari.n,Oslo desk,,nb\n"
    )
    runtime = app.extensions["lrs_bridge"]
    counts = runtime.store.import_directory(entries, runtime.competencies.current().reduce, now_us)
    assert counts == {"created": 0, "updated": 1, "merged": 1}
    merged = learner_of(client, auth, by_account)
    assert merged["id"] == learner_of(client, auth, by_mail)["id"]
    assert merged["name"] == "Kari Nordmann" and merged["language"] == "nb"
    assert set(competencies_of(client, auth, merged["id"])) == {LISTENING, EMPATHY}


def test_competency_api_needs_a_broad_scope(client, creds):
    writer = creds.make("statements/write,statements/read/mine")
    assert client.get("/api/v1/competencies", headers=writer).status_code == 403
    reader = creds.make("all/read")
    listed = client.get("/api/v1/competencies", headers=reader).get_json()["competencies"]
    assert any(c["id"] == LISTENING and c["parent"] == BASE + "communication" for c in listed)
    assert client.get("/api/v1/competencies").status_code == 401


def test_mentoring_is_evidence_for_the_mentee_not_the_mentor(client, auth):
    mentor, mentee = agent("mentor"), agent("kari")
    session = aligned(mentor, EMPATHY, verb="http://id.tincanapi.com/verb/mentored")
    session["object"] = mentee
    post(client, auth, [session])
    learner = learner_of(client, auth, mentee)
    assert EMPATHY in competencies_of(client, auth, learner["id"])
    assert (
        client.get(
            "/api/v1/learners", query_string={"agent": json.dumps(mentor)}, headers=auth
        ).status_code
        == 404
    )


def test_changed_states_are_announced_as_tla_assertions_when_enabled(database_url):
    from lrs_bridge import create_app
    from tests.conftest import Credentials

    app = create_app({"database_url": database_url, "emit_competency_statements": True})
    client = app.test_client()
    auth = Credentials(app).make()
    kari = agent("kari")
    post(client, auth, [aligned(kari, LISTENING, when="2026-01-15T10:00:00Z")])
    asserted = "https://w3id.org/xapi/tla/verbs/asserted"
    found = client.get("/xapi/statements", query_string={"verb": asserted}, headers=auth)
    [assertion] = found.get_json()["statements"]
    assert assertion["actor"]["mbox"] == "mailto:kari@example.com"
    assert assertion["object"]["id"] == LISTENING
    assert assertion["object"]["definition"]["type"].endswith("/activity-types/competency")
    extensions = assertion["context"]["extensions"]
    assert 0 < extensions["https://w3id.org/xapi/tla/extensions/confidence"] <= 1
    assert extensions["https://w3id.org/xapi/tla/extensions/expiration"].startswith("2026-04-15")
    assert assertion["authority"]["name"] == "lrs-bridge"
    # The assertion is not evidence itself, and an unchanged re-send announces nothing.
    learner = learner_of(client, auth, kari)
    assert len(competencies_of(client, auth, learner["id"])[LISTENING]["evidence"]) == 1
    app.extensions["lrs_bridge"].close()


def test_fifteen_passed_moodle_quizzes_raise_the_level(client, auth):
    """Moodle sends ``scaled 0.0`` beside ``raw 50 / max 100`` and ``success: true``."""
    kari = agent("kari")
    moodle = {"score": {"raw": 50, "min": 0, "max": 100, "scaled": 0.0}, "success": True}
    quizzes = [
        aligned(kari, LISTENING, when=f"2026-01-{day:02d}T10:00:00Z", result=moodle)
        for day in range(1, 16)
    ]
    post(client, auth, quizzes)
    state = competencies_of(client, auth, learner_of(client, auth, kari)["id"])[LISTENING]
    assert state["evidence_count"] == 15
    assert state["level"] > 0
    assert all(e["quality"] == 0.5 for e in state["evidence"])


def test_explain_says_why_a_statement_is_ignored(client, creds):
    admin = creds.make("all,admin", name="admin")
    launched = "http://adlnet.gov/expapi/verbs/launched"
    explained = client.post(
        "/api/v1/explain", json=aligned(agent("kari"), LISTENING, verb=launched), headers=admin
    ).get_json()
    assert explained["ignored"] == {"verb": launched, "setting": "direct.ignore_verbs"}
    assert explained["evidence"] == [] and explained["rules_fired"] == []
    counted = client.post("/api/v1/explain", json=aligned(agent("kari"), LISTENING), headers=admin)
    assert counted.get_json()["ignored"] is None
