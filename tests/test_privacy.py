"""Privacy: erasing one learner removes everything that identifies them and nothing else;
analytics exports carry stable pseudonyms instead of identities. Both databases."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import orjson

from lrs_bridge.auth import create_credential
from lrs_bridge.runtime import Runtime
from lrs_bridge.xapi.pseudonymise import ERASED_HOMEPAGE
from lrs_bridge.xapi.timefmt import parse_timestamp_us
from tests.conftest import headers
from tests.factories import COMPLETED, agent, aligned, voiding

LISTENING = "https://lrs-bridge.dev/competency/active-listening"
MENTORED = "http://id.tincanapi.com/verb/mentored"
PLANNED = "http://activitystrea.ms/schema/1.0/plan"
KARI_ACCOUNT = {"homePage": "https://lms.example.com", "name": "kari.n"}


def post(client, auth, statements: list[dict[str, Any]]) -> list[str]:
    response = client.post("/xapi/statements", json=statements, headers=auth)
    assert response.status_code == 200, response.get_json()
    ids: list[str] = response.get_json()
    return ids


def statements_about(client, auth, who: dict[str, Any]) -> list[dict[str, Any]]:
    response = client.get(
        "/xapi/statements",
        query_string={"agent": json.dumps(who), "related_agents": "true"},
        headers=auth,
    )
    assert response.status_code == 200
    found: list[dict[str, Any]] = response.get_json()["statements"]
    return found


def populate(client, auth) -> dict[str, Any]:
    """Kari (two identifiers) and Ola, with statements that mention Kari in every way."""
    directory = (
        "name,email,accounts,team,manager_email,language\n"
        "Kari Nordmann,kari@example.com,https://lms.example.com|kari.n,oslo,,nb\n"
        "Ola Hansen,ola@example.com,,oslo,kari@example.com,nb\n"
    )
    imported = client.post(
        "/api/v1/learners/import",
        data=directory,
        headers={**auth, "Content-Type": "text/csv"},
    )
    assert imported.status_code == 200, imported.get_json()
    kari_id, ola_id = (row["id"] for row in imported.get_json()["learners"])
    kari_account = {"objectType": "Agent", "account": KARI_ACCOUNT}
    group = {
        "objectType": "Group",
        "name": "Oslo desk",
        "member": [agent("kari"), agent("ola")],
    }
    own = aligned(agent("kari"), LISTENING)
    by_account = aligned(kari_account, LISTENING, when="2026-02-01T10:00:00Z")
    mentored = {
        "id": str(uuid.uuid4()),
        "actor": agent("ola"),
        "verb": {"id": MENTORED},
        "object": agent("kari"),
        "context": {"contextActivities": {"other": [{"id": LISTENING}]}},
        "timestamp": "2026-02-10T10:00:00Z",
    }
    instructed = aligned(agent("ola"), LISTENING) | {
        "context": {
            "instructor": agent("kari"),
            "contextActivities": {"other": [{"id": LISTENING}]},
        }
    }
    team = aligned(group, LISTENING, when="2026-03-01T10:00:00Z")
    olas_own = aligned(agent("ola"), LISTENING, when="2026-03-05T10:00:00Z")
    in_team = aligned(agent("ola"), LISTENING, when="2026-03-06T10:00:00Z") | {
        "context": {
            "team": {"objectType": "Group", "member": [kari_account, agent("per")]},
            "contextActivities": {"other": [{"id": LISTENING}]},
        }
    }
    planned = {
        "id": str(uuid.uuid4()),
        "actor": agent("ola"),
        "verb": {"id": PLANNED},
        "object": {
            "objectType": "SubStatement",
            "actor": agent("kari"),
            "verb": {"id": COMPLETED},
            "object": {"id": "https://lms.example.com/courses/listening"},
        },
    }
    post(client, auth, [own, by_account, mentored, instructed, team, olas_own, in_team, planned])
    void = voiding(own["id"])
    post(client, auth, [void])
    for who in ("kari", "ola"):
        saved = client.put(
            "/xapi/activities/state",
            query_string={
                "activityId": "https://lms.example.com/courses/listening",
                "agent": json.dumps(agent(who)),
                "stateId": "bookmark",
            },
            data=b"page-7",
            headers={**auth, "Content-Type": "text/plain"},
        )
        assert saved.status_code == 204, saved.get_data(as_text=True)
        profile = client.put(
            "/xapi/agents/profile",
            query_string={"agent": json.dumps(agent(who)), "profileId": "preferences"},
            json={"language": "nb"},
            headers={**auth, "If-None-Match": "*"},
        )
        assert profile.status_code == 204, profile.get_data(as_text=True)
    return {
        "kari": kari_id,
        "ola": ola_id,
        # Kari is the actor (also as a group member) or the object Agent: deleted.
        "erased": {own["id"], by_account["id"], mentored["id"], team["id"]},
        # Kari only appears in Ola's statements (instructor, team, SubStatement): kept.
        "pseudonymised": {instructed["id"], in_team["id"], planned["id"]},
        "kept": {olas_own["id"], void["id"], instructed["id"], in_team["id"], planned["id"]},
        "colleague_evidence": {instructed["id"], in_team["id"]},
    }


def test_erasure_removes_every_statement_and_record_that_identifies_the_learner(app, client, creds):
    auth = creds.make("all,admin", name="dpo")
    facts = populate(client, auth)
    runtime: Runtime = app.extensions["lrs_bridge"]
    runtime.refreshers.scan(parse_timestamp_us("2026-09-01T00:00:00Z"))
    before = {
        c["competency"]: c
        for c in client.get(
            f"/api/v1/learners/{facts['ola']}/competencies", headers=auth
        ).get_json()["competencies"]
    }

    response = client.delete(f"/api/v1/learners/{facts['kari']}", headers=auth)
    assert response.status_code == 200, response.get_json()
    record = response.get_json()
    assert record["counts"]["statements"] == len(facts["erased"])
    assert record["counts"]["identifiers"] == 3  # mbox, mbox_sha1sum and the account
    assert record["counts"]["assignments"] >= 1
    assert record["counts"]["documents"] == 2  # Kari's state and agent profile
    text = json.dumps(record).lower()
    assert "kari" not in text and "example.com" not in text
    assert set(record) == {"id", "at", "requested_by", "counts"}  # no learner id

    for who in (agent("kari"), {"objectType": "Agent", "account": KARI_ACCOUNT}):
        assert statements_about(client, auth, who) == []
    for statement_id in facts["erased"]:
        gone = client.get(
            "/xapi/statements", query_string={"statementId": statement_id}, headers=auth
        )
        assert gone.status_code == 404
    for statement_id in facts["kept"]:
        kept = client.get(
            "/xapi/statements", query_string={"statementId": statement_id}, headers=auth
        )
        assert kept.status_code == 200
    assert client.get(f"/api/v1/learners/{facts['kari']}", headers=auth).status_code == 404
    assert (
        client.get(f"/api/v1/learners/{facts['kari']}/assignments", headers=auth).get_json()[
            "assignments"
        ]
        == []
    )
    for who, status in (("kari", 404), ("ola", 200)):
        state = client.get(
            "/xapi/activities/state",
            query_string={
                "activityId": "https://lms.example.com/courses/listening",
                "agent": json.dumps(agent(who)),
                "stateId": "bookmark",
            },
            headers=auth,
        )
        assert state.status_code == status
    ola = client.get(f"/api/v1/learners/{facts['ola']}", headers=auth).get_json()
    assert ola["manager_id"] is None
    # Ola keeps his own evidence but loses what the erased group statement gave him.
    after = {
        c["competency"]: c
        for c in client.get(
            f"/api/v1/learners/{facts['ola']}/competencies", headers=auth
        ).get_json()["competencies"]
    }
    assert after[LISTENING]["evidence_count"] < before[LISTENING]["evidence_count"]
    trail = {e["statement_id"] for e in after[LISTENING]["evidence"]}
    assert trail.isdisjoint(facts["erased"])
    audit = client.get("/api/v1/erasures", headers=auth).get_json()["erasures"]
    assert [e["id"] for e in audit] == [record["id"]]
    assert runtime.store.outbox_counts() == {} or all(
        n.learner_id != facts["kari"] for n in runtime.store.list_notifications()
    )


def stored(client, auth, statement_id: str) -> dict[str, Any]:
    response = client.get(
        "/xapi/statements", query_string={"statementId": statement_id}, headers=auth
    )
    assert response.status_code == 200
    found: dict[str, Any] = response.get_json()
    return found


def test_erasure_replaces_the_learner_in_colleagues_statements_and_keeps_their_evidence(
    client, creds
):
    auth = creds.make("all,admin", name="dpo")
    facts = populate(client, auth)

    record = client.delete(f"/api/v1/learners/{facts['kari']}", headers=auth).get_json()

    assert record["counts"]["pseudonymised"] == len(facts["pseudonymised"])
    kept = [stored(client, auth, sid) for sid in facts["pseudonymised"]]
    text = json.dumps(kept).lower()
    assert "kari" not in text
    stand_ins = {
        json.dumps(agent_json["account"])
        for statement in kept
        for agent_json in _agents(statement)
        if agent_json.get("account", {}).get("homePage") == ERASED_HOMEPAGE
    }
    assert len(stand_ins) == 1  # one stand-in per erasure, wherever Kari was
    assert kept[0]["actor"]["mbox"] == "mailto:ola@example.com"  # the colleague stays
    per = [m for s in kept for m in s.get("context", {}).get("team", {}).get("member", [])]
    assert agent("per") in per
    # The query keys followed: Kari's identifiers find nothing, the stand-in finds them.
    for who in (agent("kari"), {"objectType": "Agent", "account": KARI_ACCOUNT}):
        assert statements_about(client, auth, who) == []
    stand_in = {"objectType": "Agent", "account": json.loads(stand_ins.pop())}
    assert {s["id"] for s in statements_about(client, auth, stand_in)} == facts["pseudonymised"]
    # Ola keeps the evidence of his own statements in which Kari only appeared.
    ola = client.get(f"/api/v1/learners/{facts['ola']}/competencies", headers=auth).get_json()
    trail = {e["statement_id"] for c in ola["competencies"] for e in c["evidence"]}
    assert facts["colleague_evidence"] <= trail


def _agents(statement: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for value in (statement.get("actor"), statement.get("object")):
        if isinstance(value, dict):
            found.append(value)
            found.extend(value.get("member", []))
            if value.get("objectType") == "SubStatement":
                found.extend(_agents(value))
    context = statement.get("context", {})
    for name in ("instructor", "team"):
        if name in context:
            found.append(context[name])
            found.extend(context[name].get("member", []))
    return found


def test_statements_sent_with_the_learners_own_credential_lose_their_authority(app, client, creds):
    auth = creds.make("all,admin", name="dpo")
    facts = populate(client, auth)
    runtime: Runtime = app.extensions["lrs_bridge"]
    record, secret = create_credential(
        runtime.store,
        name="Kari Nordmann",
        scopes="statements/write",
        now_us=parse_timestamp_us("2026-04-01T00:00:00Z"),
        key="kari-own",
        secret="kari-secret",
        learner_id=facts["kari"],
    )
    sent = aligned(agent("ola"), LISTENING, when="2026-04-02T10:00:00Z")
    post(client, headers(record.key, secret), [sent])

    erased = client.delete(f"/api/v1/learners/{facts['kari']}", headers=auth)

    assert erased.status_code == 200, erased.get_json()
    kept = stored(client, auth, sent["id"])
    assert kept["actor"] == agent("ola")
    assert kept["authority"]["account"]["homePage"] == ERASED_HOMEPAGE
    assert "kari" not in json.dumps(kept).lower()


def test_a_dry_run_counts_exactly_what_erasure_removes_and_changes_nothing(client, creds):
    auth = creds.make("all,admin", name="dpo")
    facts = populate(client, auth)
    before = {s["id"] for s in statements_about(client, auth, agent("kari"))}

    dry = client.delete(
        f"/api/v1/learners/{facts['kari']}", query_string={"dry_run": "true"}, headers=auth
    )

    assert dry.status_code == 200, dry.get_json()
    assert dry.get_json()["dry_run"] is True
    assert client.get(f"/api/v1/learners/{facts['kari']}", headers=auth).status_code == 200
    assert {s["id"] for s in statements_about(client, auth, agent("kari"))} == before != set()
    assert client.get("/api/v1/erasures", headers=auth).get_json()["erasures"] == []
    real = client.delete(f"/api/v1/learners/{facts['kari']}", headers=auth).get_json()
    assert dry.get_json()["counts"] == real["counts"]
    assert real["counts"]["statements"] == len(facts["erased"])
    bad = client.delete(
        f"/api/v1/learners/{facts['ola']}", query_string={"dry_run": "yes"}, headers=auth
    )
    assert bad.status_code == 400


def test_erasure_needs_the_admin_scope_and_an_existing_learner(client, creds):
    auth = creds.make("all,admin", name="dpo")
    facts = populate(client, auth)
    reader = creds.make("all")
    assert client.delete(f"/api/v1/learners/{facts['kari']}", headers=reader).status_code == 403
    assert client.delete("/api/v1/learners/999999", headers=auth).status_code == 404
    assert client.get("/api/v1/erasures", headers=reader).status_code == 403


def test_pseudonymised_export_is_stable_and_holds_no_identities(client, creds):
    auth = creds.make("all,admin", name="analyst")
    populate(client, auth)
    first = client.get("/api/v1/exports/statements.jsonl", headers=auth)
    assert first.status_code == 200
    assert first.mimetype == "application/x-ndjson"
    lines = [orjson.loads(line) for line in first.data.splitlines()]
    stored = client.get("/xapi/statements", query_string={"limit": 0}, headers=auth).get_json()
    assert len(lines) == len(stored["statements"])
    text = first.data.decode().lower()
    assert "mailto:" not in text and "kari" not in text and "ola hansen" not in text
    assert "kari.n" not in text
    actors = [line["actor"] for line in lines]
    assert all(set(a) <= {"objectType", "account", "member"} for a in actors)
    second = client.get("/api/v1/exports/statements.jsonl", headers=auth)
    assert second.data == first.data  # the same pseudonyms every time
    kari = [line for line in lines if line["verb"]["id"] == COMPLETED]
    assert len({json.dumps(line["actor"]) for line in kari}) >= 2  # Kari, Ola, the group
    reader = creds.make("all")
    assert client.get("/api/v1/exports/statements.jsonl", headers=reader).status_code == 403


def test_cli_erase_and_export(app, client, creds, database_url, tmp_path: Path):
    auth = creds.make("all,admin", name="dpo")
    facts = populate(client, auth)
    env = {"LRS_BRIDGE_DATABASE_URL": database_url, "LRS_BRIDGE_LOG_LEVEL": "WARNING"}
    import os

    run_env = {**os.environ, **env}
    exported = tmp_path / "statements.jsonl"
    subprocess.run(
        [sys.executable, "-m", "lrs_bridge.cli", "statements", "export", "-o", str(exported)],
        env=run_env,
        check=True,
    )
    assert "mailto:" not in exported.read_text()
    dry = subprocess.run(
        [sys.executable, "-m", "lrs_bridge.cli", "learners", "erase", str(facts["kari"])]
        + ["--dry-run"],
        env=run_env,
        check=True,
        capture_output=True,
        text=True,
    )
    assert json.loads(dry.stdout)["counts"]["statements"] == len(facts["erased"])
    assert client.get(f"/api/v1/learners/{facts['kari']}", headers=auth).status_code == 200
    erased = subprocess.run(
        [sys.executable, "-m", "lrs_bridge.cli", "learners", "erase", str(facts["kari"]), "--yes"],
        env=run_env,
        check=True,
        capture_output=True,
        text=True,
    )
    assert json.loads(erased.stdout)["counts"]["statements"] == len(facts["erased"])
    again = subprocess.run(
        [sys.executable, "-m", "lrs_bridge.cli", "learners", "erase", str(facts["kari"]), "--yes"],
        env=run_env,
        capture_output=True,
        text=True,
    )
    assert again.returncode == 2 and "no learner" in again.stderr
