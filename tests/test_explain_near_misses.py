"""Near misses: the rules that almost fired for a statement, and why each did not."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from lrs_bridge.competency.mapping import map_from_dict
from lrs_bridge.competency.near_miss import near_misses, rule_misses
from lrs_bridge.competency.rules import StatementView
from tests.factories import COMPLETED, statement

PASSED = "http://adlnet.gov/expapi/verbs/passed"
LAUNCHED = "http://adlnet.gov/expapi/verbs/launched"
QUIZ = "https://moodle.example.com/mod/quiz/view.php?id="
COMPETENCY = "https://lrs-bridge.dev/competency/product-knowledge"
EXT = "https://example.com/ext/channel"


def _rule(**match: Any) -> dict[str, Any]:
    return {
        "id": "the-rule",
        "match": match,
        "evidence": [{"competency": COMPETENCY, "method": "theory"}],
    }


def _misses(rule: dict[str, Any], stmt: dict[str, Any]) -> list[tuple[str, str]]:
    cmap = map_from_dict(
        {
            "version": 1,
            "methods": {"theory": 0.2, "digital-self-study": 0.15},
            "policies": {"quarterly": {"kind": "fixed", "validity": "P3M"}},
            "rules": [rule],
        }
    )
    return [(m.condition, m.reason) for m in rule_misses(cmap.rules[0], StatementView(stmt))]


def _quiz(score: float | None = 0.86, **extra: Any) -> dict[str, Any]:
    result: dict[str, Any] = {"success": True, "completion": True}
    if score is not None:
        result["score"] = {"scaled": score}
    return statement(verb=PASSED, activity=QUIZ + "7", result=result, **extra)


CASES = [
    # (what the rule asks, the statement, the reasons it gives)
    ("fires", _rule(verbs=[PASSED], activity={"prefix": QUIZ}), _quiz(), []),
    (
        "verb",
        _rule(verbs=[COMPLETED], activity={"prefix": QUIZ}),
        _quiz(),
        [("verbs", "verb differs")],
    ),
    (
        "activity prefix",
        _rule(verbs=[PASSED], activity={"prefix": "https://lms.example.com/"}),
        _quiz(),
        [("activity", "activity prefix differs")],
    ),
    (
        "exact activity",
        _rule(verbs=[PASSED], activity={"exact": QUIZ + "8"}),
        _quiz(),
        [("activity", "activity differs")],
    ),
    (
        "glob",
        _rule(verbs=[PASSED], activity={"glob": "*/mod/scorm/*"}),
        _quiz(),
        [("activity", "activity pattern differs")],
    ),
    (
        "score below",
        _rule(verbs=[PASSED], result={"scaled_min": 0.8}),
        _quiz(score=0.5),
        [("result.scaled_min", "score below 0.8")],
    ),
    (
        "score above",
        _rule(verbs=[PASSED], result={"scaled_max": 0.4}),
        _quiz(score=0.5),
        [("result.scaled_max", "score above 0.4")],
    ),
    (
        "no score",
        _rule(verbs=[PASSED], result={"scaled_min": 0.8}),
        _quiz(score=None),
        [("result.scaled_min", "no score")],
    ),
    (
        "success",
        _rule(verbs=[PASSED], result={"success": False}),
        _quiz(),
        [("result.success", "success differs")],
    ),
    (
        "activity type",
        _rule(verbs=[PASSED], activity_type=["http://adlnet.gov/expapi/activities/assessment"]),
        _quiz(),
        [("activity_type", "activity type differs")],
    ),
    (
        "platform",
        _rule(verbs=[PASSED], platform=["Moodle"]),
        _quiz(),
        [("platform", "platform differs")],
    ),
    (
        "context parent",
        _rule(verbs=[PASSED], context_activities={"parent": {"prefix": "https://course/"}}),
        _quiz(),
        [("context_activities.parent", "context activity (parent) differs")],
    ),
    (
        "extension missing",
        _rule(verbs=[PASSED], extensions=[{"key": EXT, "equals": "chat"}]),
        _quiz(),
        [("extensions.context", "extension missing")],
    ),
    (
        "extension differs",
        _rule(verbs=[PASSED], extensions=[{"key": EXT, "equals": "chat"}]),
        _quiz(context={"extensions": {EXT: "phone"}}),
        [("extensions.context", "extension differs")],
    ),
    (
        "two conditions",
        _rule(verbs=[COMPLETED], result={"scaled_min": 0.9}),
        _quiz(score=0.5),
        [("verbs", "verb differs"), ("result.scaled_min", "score below 0.9")],
    ),
]


@pytest.mark.parametrize(
    ("rule", "stmt", "reasons"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_each_failed_condition_has_its_reason(rule, stmt, reasons):
    assert _misses(rule, stmt) == reasons


def test_near_misses_are_rules_with_some_condition_holding_fewest_failures_first():
    cmap = map_from_dict(
        {
            "version": 1,
            "methods": {"theory": 0.2, "digital-self-study": 0.15},
            "policies": {"quarterly": {"kind": "fixed", "validity": "P3M"}},
            "rules": [
                {**_rule(verbs=[COMPLETED], platform=["Totara"]), "id": "nothing-holds"},
                {**_rule(verbs=[PASSED], activity={"prefix": QUIZ}), "id": "fires"},
                {**_rule(verbs=[COMPLETED], activity={"prefix": "x:"}, platform=[]), "id": "two"},
                {**_rule(verbs=[COMPLETED], activity={"prefix": QUIZ}), "id": "verb-only"},
            ],
        }
    )
    found = near_misses(cmap.rules, StatementView(_quiz()))
    assert [n.rule.id for n in found] == ["verb-only"]
    assert [m.reason for m in found[0].misses] == ["verb differs"]


# -- the explain API ------------------------------------------------------------------------


@pytest.fixture
def admin(creds):
    return creds.make("all,admin", name="admin")


MOODLE_QUIZ = "https://moodle.example.com/mod/quiz/view.php?id=42"


def test_explain_answers_near_misses_with_reasons(client, admin):
    """The shipped map's active-listening rules want other verbs or activities."""
    stmt = statement(
        verb="http://adlnet.gov/expapi/verbs/experienced",
        activity="https://lms.example.com/cs/active-listening/module-1",
    )
    explained = client.post("/api/v1/explain", json=stmt, headers=admin).get_json()
    assert explained["statement_id"] is None
    assert explained["near_misses"], explained
    first = explained["near_misses"][0]
    assert set(first) == {"rule", "reasons"}
    assert {"condition", "code", "reason", "expected", "actual"} <= set(first["reasons"][0])


def test_explain_of_an_ignored_verb_names_it_as_the_reason(client, admin):
    body = client.get("/api/v1/config", headers=admin).get_json()
    rule = {
        "id": "launch-counts",
        "match": {"activity": {"prefix": "https://moodle.example.com/"}},
        "evidence": [{"competency": COMPETENCY, "method": "theory"}],
    }
    body["map"]["rules"].append(rule)
    saved = client.put("/api/v1/config", json={"map": body["map"]}, headers=admin)
    assert saved.status_code == 201, saved.get_json()
    stmt = statement(verb=LAUNCHED, activity=MOODLE_QUIZ)
    explained = client.post("/api/v1/explain", json=stmt, headers=admin).get_json()
    assert explained["rules_fired"] == []
    [near] = [n for n in explained["near_misses"] if n["rule"] == "launch-counts"]
    assert [r["reason"] for r in near["reasons"]] == ["ignored verb"]
    assert near["reasons"][0]["actual"] == LAUNCHED


def test_explain_a_stored_statement_by_its_id(client, admin, auth):
    stmt = statement(verb=PASSED, activity=MOODLE_QUIZ)
    stored = client.post("/xapi/statements", json=stmt, headers=auth)
    assert stored.status_code == 200
    by_id = client.post(f"/api/v1/explain?statement_id={stmt['id']}", headers=admin)
    assert by_id.status_code == 200
    by_body = client.post("/api/v1/explain", json=stmt, headers=admin).get_json()
    assert by_id.get_json() == {**by_body, "statement_id": stmt["id"]}


@pytest.mark.parametrize(
    ("statement_id", "status"), [("not-a-uuid", 400), (str(uuid.uuid4()), 404)]
)
def test_explain_of_a_bad_or_unknown_statement_id(client, admin, statement_id, status):
    response = client.post(f"/api/v1/explain?statement_id={statement_id}", headers=admin)
    assert response.status_code == status
    if status == 400:
        assert response.get_json()["field"] == "statement_id"


def test_the_openapi_document_describes_near_misses_and_statement_id(client, admin):
    operation = client.get("/api/v1/openapi.json", headers=admin).get_json()["paths"]["/explain"]
    assert [p["name"] for p in operation["post"]["parameters"]] == ["statement_id"]
    schema = operation["post"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert {"near_misses", "statement_id", "rules_fired"} <= set(schema["properties"])
