"""Editing one configuration item: the same service behind the API and the map editor, its
errors naming the rule (competency, refresher) and the field."""

from __future__ import annotations

import copy

import pytest

from lrs_bridge.errors import BadRequest, NotFound
from lrs_bridge.services.competencies import file_documents
from lrs_bridge.services.config_items import collection, edited, item, validate_candidate


def _docs():
    framework, cmap = file_documents("", "")
    return {"framework": framework, "map": cmap}


FIRST_RULE = _docs()["map"]["rules"][0]["id"]
FIRST_COMPETENCY = _docs()["framework"]["competencies"][0]["id"]
FIRST_REFRESHER = _docs()["map"]["refreshers"]["catalogue"][0]["id"]


def _with(collection_name: str, item_id: str, changes: dict):
    docs = _docs()
    where = collection(collection_name)
    return edited(docs, where, item_id, {**copy.deepcopy(item(docs, where, item_id)), **changes})


@pytest.mark.parametrize(
    ("name", "item_id", "changes", "owner", "field"),
    [
        ("rules", FIRST_RULE, {"match": {"verbs": ["not an iri"]}}, "rule", "rules[0].match.verbs"),
        (
            "rules",
            FIRST_RULE,
            {"evidence": [{"competency": FIRST_COMPETENCY, "method": "juggling"}]},
            "rule",
            "rules[0].evidence[0].method",
        ),
        ("rules", FIRST_RULE, {"match": {}}, "rule", "rules[0].match"),
        (
            "framework-competencies",
            FIRST_COMPETENCY,
            {"name": {"nb": "uten engelsk"}},
            "competency",
            "competencies[0].name",
        ),
        (
            "refreshers",
            FIRST_REFRESHER,
            {"method": "juggling"},
            "refresher",
            "refreshers.catalogue[0].method",
        ),
    ],
)
def test_errors_name_the_item_and_the_field(name, item_id, changes, owner, field):
    docs = _with(name, item_id, changes)
    with pytest.raises(BadRequest) as error:
        validate_candidate(docs["framework"], docs["map"])
    assert error.value.details["field"].startswith(field), error.value.details
    assert error.value.details[owner] == item_id
    assert item_id in error.value.message


def test_delete_of_a_missing_item_is_not_found():
    with pytest.raises(NotFound):
        edited(_docs(), collection("policies"), "no-such-policy", None)


@pytest.fixture
def admin(creds):
    return creds.make("all,admin", name="admin")


def test_the_api_names_the_rule_id_and_the_field(client, admin):
    rule = client.get(f"/api/v1/config/rules/{FIRST_RULE}", headers=admin).get_json()
    rule["match"] = {"verbs": ["not an iri"]}
    response = client.put(
        f"/api/v1/config/rules/{FIRST_RULE}?dry_run=true", json=rule, headers=admin
    )
    assert response.status_code == 400
    body = response.get_json()
    assert body["rule"] == FIRST_RULE and body["field"] == "rules[0].match.verbs"


def test_the_api_edits_the_refresher_catalogue(client, admin):
    entry = client.get(f"/api/v1/config/refreshers/{FIRST_REFRESHER}", headers=admin).get_json()
    entry["duration"] = "PT20M"
    saved = client.put(f"/api/v1/config/refreshers/{FIRST_REFRESHER}", json=entry, headers=admin)
    assert saved.status_code == 201
    again = client.get(f"/api/v1/config/refreshers/{FIRST_REFRESHER}", headers=admin).get_json()
    assert again["duration"] == "PT20M"
    listed = client.get("/api/v1/config/refreshers", headers=admin).get_json()
    assert [e["id"] for e in listed][0] == FIRST_REFRESHER
