"""The admin API under /api/v1: configuration versions and dry runs, explain, directory."""

from __future__ import annotations

import copy

import pytest

from lrs_bridge.services.admin import apply_pending_replay
from lrs_bridge.xapi.timefmt import now_us
from tests.factories import agent
from tests.test_competency_flow import (
    EMPATHY,
    LISTENING,
    aligned,
    competencies_of,
    learner_of,
    post,
)


@pytest.fixture
def admin(creds):
    return creds.make("all,admin", name="admin")


def test_admin_endpoints_need_the_admin_scope(client, creds):
    reader = creds.make("all/read")
    assert client.get("/api/v1/config", headers=reader).status_code == 403
    assert client.post("/api/v1/explain", json={}, headers=reader).status_code == 403
    assert client.post("/api/v1/learners", json={}, headers=reader).status_code == 403


def test_explain_names_rules_and_evidence(client, admin):
    statement = aligned(agent("kari"), LISTENING, result={"success": True})
    explained = client.post("/api/v1/explain", json=statement, headers=admin).get_json()
    assert explained["learners"] == ["mbox:mailto:kari@example.com"]
    [evidence] = [e for e in explained["evidence"] if e["competency"] == LISTENING]
    assert evidence["direct_alignment"] is True and evidence["weight"] > 0
    bad = client.post("/api/v1/explain", json={"actor": {}}, headers=admin)
    assert bad.status_code == 400 and bad.get_json()["path"].startswith("$")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "Kari", "email": "not-an-email"}, "email"),
        ({"email": "kari@example.com"}, "name"),
        ({"name": "Kari", "accounts": ["no-separator"]}, "accounts.0"),
        ({"name": "Kari", "email": "k@example.com", "shoe_size": 38}, "shoe_size"),
    ],
)
def test_learner_validation_errors_name_the_field(client, admin, body, field):
    response = client.post("/api/v1/learners", json=body, headers=admin)
    assert response.status_code == 400
    assert response.get_json()["field"] == field


def test_directory_via_api_and_team_rollup(client, admin):
    post(client, admin, [aligned(agent("kari"), LISTENING), aligned(agent("ola"), LISTENING)])
    for name, manager in (("kari", "lead"), ("ola", "lead"), ("lead", "")):
        created = client.post(
            "/api/v1/learners",
            json={
                "name": name.title(),
                "email": f"{name}@example.com",
                "team": "Oslo desk",
                **({"manager_email": f"{manager}@example.com"} if manager else {}),
            },
            headers=admin,
        )
        assert created.status_code == 200, created.get_json()
    listed = client.get("/api/v1/learners", query_string={"team": "Oslo desk"}, headers=admin)
    assert {lrn["name"] for lrn in listed.get_json()["learners"]} == {"Kari", "Ola", "Lead"}
    rollup = client.get("/api/v1/teams/Oslo desk/competencies", headers=admin).get_json()
    [listening] = [c for c in rollup["competencies"] if c["competency"] == LISTENING]
    assert rollup["members"] == 3 and listening["learners"] == 3  # Lead was never trained
    assert listening["trained"] == 2 and listening["status"]["none"] == 1
    assert sum(listening["status"].values()) == 3


def test_map_change_dry_run_then_apply_then_replay(app, client, admin):
    kari = agent("kari")
    post(client, admin, [aligned(kari, LISTENING, when="2026-11-20T10:00:00Z")])
    current = client.get("/api/v1/config", headers=admin).get_json()
    assert current["version"] is None  # the shipped files

    # Switch direct alignment off: Kari's only evidence would disappear.
    new_map = copy.deepcopy(current["map"])
    new_map["direct"]["enabled"] = False
    preview = client.put("/api/v1/config?dry_run=true", json={"map": new_map}, headers=admin)
    assert preview.status_code == 200, preview.get_json()
    assert preview.get_json()["dry_run"]["learners_changing_status"] == 1
    assert client.get("/api/v1/config", headers=admin).get_json()["version"] is None

    broken = copy.deepcopy(new_map)
    broken["policies"]["quarterly"]["validity"] = "three months"
    rejected = client.put("/api/v1/config", json={"map": broken}, headers=admin)
    assert rejected.status_code == 400
    assert rejected.get_json()["field"] == "policies.quarterly.validity"

    applied = client.put(
        "/api/v1/config", json={"map": new_map, "note": "no direct"}, headers=admin
    )
    assert applied.status_code == 201
    version = applied.get_json()["version"]
    runtime = app.extensions["lrs_bridge"]
    assert apply_pending_replay(runtime.store, runtime.competencies, now_us) == version
    assert apply_pending_replay(runtime.store, runtime.competencies, now_us) is None
    learner = learner_of(client, admin, kari)
    assert competencies_of(client, admin, learner["id"]) == {}


def test_framework_round_trips_through_case(client, admin):
    case = client.get("/api/v1/config/framework.case.json", headers=admin).get_json()
    assert case["CFDocument"] and len(case["CFItems"]) >= 17
    preview = client.put(
        "/api/v1/config?dry_run=true", json={"framework_case": case}, headers=admin
    )
    assert preview.status_code == 200, preview.get_json()
    assert preview.get_json()["dry_run"]["pairs_changing_status"] == 0


def test_empathy_constant_is_in_the_framework(client, admin):
    listed = client.get("/api/v1/competencies", headers=admin).get_json()["competencies"]
    assert EMPATHY in {c["id"] for c in listed}


def test_openapi_document_describes_the_validated_bodies(client, creds):
    assert client.get("/api/v1/openapi.json").status_code == 401
    writer = creds.make("statements/write")
    document = client.get("/api/v1/openapi.json", headers=writer).get_json()
    assert document["openapi"].startswith("3.1")
    learner = document["components"]["schemas"]["Learner"]
    assert learner["required"] == ["name"]
    assert learner["properties"]["email"] == {"type": "string", "format": "email"}
    assert "/learners/{id}/competencies" in document["paths"]


def test_openapi_document_lists_every_api_route_and_method(app, client, creds):
    """The published contract covers every /api/v1 route the app serves."""
    import re

    document = client.get("/api/v1/openapi.json", headers=creds.make("all")).get_json()
    documented = {
        (re.sub(r"\{[^}]+\}", "{}", path), method.upper())
        for path, operations in document["paths"].items()
        for method in operations
    }
    served = {
        (re.sub(r"<[^>]+>", "{}", rule.rule.removeprefix("/api/v1")), method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/") and rule.rule != "/api/v1/openapi.json"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert served - documented == set()
    assert documented - served == set()


def test_rules_and_policies_are_edited_one_by_one_as_new_versions(client, admin):
    rules = client.get("/api/v1/config/rules", headers=admin).get_json()
    first = rules[0]
    assert client.get(f"/api/v1/config/rules/{first['id']}", headers=admin).get_json() == first

    changed = {**first, "description": "edited through the API"}
    saved = client.put(f"/api/v1/config/rules/{first['id']}", json=changed, headers=admin)
    assert saved.status_code == 201, saved.get_json()
    after = client.get(f"/api/v1/config/rules/{first['id']}", headers=admin).get_json()
    assert after["description"] == "edited through the API"

    bad_policy = client.put(
        "/api/v1/config/policies/quarterly",
        json={"kind": "fixed", "validity": "soon", "due_soon": "P14D"},
        headers=admin,
    )
    assert bad_policy.status_code == 400
    assert bad_policy.get_json()["field"] == "policies.quarterly.validity"

    removed = client.delete(f"/api/v1/config/rules/{first['id']}", headers=admin)
    assert removed.status_code == 200
    assert removed.get_json()["version"] == saved.get_json()["version"] + 1
    assert client.get(f"/api/v1/config/rules/{first['id']}", headers=admin).status_code == 404
    assert client.get("/api/v1/config/gadgets", headers=admin).status_code == 404


def test_a_competency_still_used_by_a_rule_cannot_be_deleted(client, admin):
    rules = client.get("/api/v1/config/rules", headers=admin).get_json()
    used = rules[0]["evidence"][0]["competency"]
    response = client.delete(f"/api/v1/config/framework-competencies/{used}", headers=admin)
    assert response.status_code == 400
    assert response.get_json()["field"].startswith("rules[")


def test_a_learners_own_credential_sees_only_that_learner(app, client, admin):
    from click.testing import CliRunner

    from lrs_bridge.cli import cli
    from tests.conftest import headers

    post(client, admin, [aligned(agent("kari"), LISTENING), aligned(agent("ola"), LISTENING)])
    kari = learner_of(client, admin, agent("kari"))
    ola = learner_of(client, admin, agent("ola"))
    url = app.extensions["lrs_bridge"].settings.database_url
    result = CliRunner().invoke(
        cli,
        [
            "--database-url",
            url,
            "credentials",
            "create",
            "--name",
            "kari-self",
            "--scopes",
            "statements/read/mine",
            "--key",
            "kari-self",
            "--secret",
            "pw",
            "--learner-email",
            "kari@example.com",
        ],
    )
    assert result.exit_code == 0, result.output
    own = headers("kari-self", "pw")
    assert client.get(f"/api/v1/learners/{kari['id']}/competencies", headers=own).status_code == 200
    assert client.get(f"/api/v1/learners/{ola['id']}/competencies", headers=own).status_code == 403
    assert client.get("/api/v1/learners", headers=own).status_code == 403


def test_learner_profile_is_changed_with_patch(client, admin):
    post(client, admin, [aligned(agent("kari"), LISTENING), aligned(agent("lead"), LISTENING)])
    kari = learner_of(client, admin, agent("kari"))
    lead = learner_of(client, admin, agent("lead"))
    changed = client.patch(
        f"/api/v1/learners/{kari['id']}",
        json={"team": "Bergen desk", "manager_id": lead["id"], "language": "nb"},
        headers=admin,
    )
    assert changed.status_code == 200, changed.get_json()
    body = changed.get_json()
    assert (body["team"], body["manager_id"], body["language"]) == ("Bergen desk", lead["id"], "nb")
    assert client.get(f"/api/v1/learners/{kari['id']}", headers=admin).get_json() == body
    bad = client.patch(f"/api/v1/learners/{kari['id']}", json={"manager_id": 99999}, headers=admin)
    assert bad.status_code == 400 and bad.get_json()["field"] == "manager_id"
    assert (
        client.patch("/api/v1/learners/99999", json={"team": "x"}, headers=admin).status_code == 404
    )
    assert (
        client.patch(f"/api/v1/learners/{kari['id']}", json={"ifis": []}, headers=admin).get_json()[
            "field"
        ]
        == "ifis"
    )
