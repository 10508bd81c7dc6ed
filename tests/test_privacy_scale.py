"""Erasure and directory import at the documented sizes, on both databases: they once built
one OR term per learner × competency pair, which SQLite refuses past its expression depth."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from tests.factories import COMPLETED, agent

#: Statements per POST, small enough that ingest itself stays within SQLite's limits.
BATCH = 20


@pytest.fixture(autouse=True)
def competencies(client, creds) -> list[str]:
    """The default framework's competency IRIs (17), as the API lists them."""
    listed = client.get("/api/v1/competencies", headers=creds.make("all")).get_json()
    COMPETENCIES[:] = [c["id"] for c in listed["competencies"]]
    return COMPETENCIES


COMPETENCIES: list[str] = []


def aligned_to_all(who: dict[str, Any], when: str = "2026-03-01T10:00:00Z") -> dict[str, Any]:
    """One statement giving evidence for every default competency (17)."""
    return {
        "id": str(uuid.uuid4()),
        "actor": who,
        "verb": {"id": COMPLETED},
        "object": {"id": f"https://lms.example.com/modules/{uuid.uuid4().hex[:8]}"},
        "context": {"contextActivities": {"other": [{"id": c} for c in COMPETENCIES]}},
        "timestamp": when,
    }


def post_all(client, auth, statements: list[dict[str, Any]]) -> None:
    for start in range(0, len(statements), BATCH):
        response = client.post(
            "/xapi/statements", json=statements[start : start + BATCH], headers=auth
        )
        assert response.status_code == 200, response.get_json()


def test_erasing_a_learner_with_thousands_of_evidence_rows(client, creds):
    auth = creds.make("all,admin", name="dpo")
    kari = agent("kari")
    pairs = [{"objectType": "Group", "member": [kari, agent(f"colleague{i}")]} for i in range(120)]
    post_all(client, auth, [aligned_to_all(group) for group in pairs])
    found = client.get("/api/v1/learners", query_string={"agent": json.dumps(kari)}, headers=auth)
    assert len(COMPETENCIES) == 17

    erased = client.delete(f"/api/v1/learners/{found.get_json()['id']}", headers=auth)

    assert erased.status_code == 200, erased.get_json()
    counts = erased.get_json()["counts"]
    assert counts["statements"] == 120
    assert counts["evidence"] == 2 * 120 * 17  # Kari's 2,040 rows and the colleagues' 2,040
    colleague = client.get(
        "/api/v1/learners", query_string={"agent": json.dumps(agent("colleague7"))}, headers=auth
    ).get_json()
    competencies = client.get(f"/api/v1/learners/{colleague['id']}/competencies", headers=auth)
    assert competencies.get_json()["competencies"] == []  # recomputed: nothing left


def test_importing_a_directory_of_5000_learners_that_merges_known_ones(client, creds):
    auth = creds.make("all,admin", name="hr")
    # 100 people already seen under two identifiers each (two learners), with evidence for
    # every competency: the import merges them, 1,700 learner × competency pairs.
    seen = []
    for i in range(100):
        account = {"homePage": "https://lms.example.com", "name": f"p{i}"}
        seen.append(aligned_to_all(agent(f"p{i}")))
        seen.append(aligned_to_all({"objectType": "Agent", "account": account}))
    post_all(client, auth, seen)
    rows = ["name,email,accounts,team,manager_email,language"]
    rows += [f"P {i},p{i}@example.com,https://lms.example.com|p{i},desk,,en" for i in range(5000)]

    imported = client.post(
        "/api/v1/learners/import",
        data="\n".join(rows) + "\n",
        headers={**auth, "Content-Type": "text/csv"},
    )

    assert imported.status_code == 200, imported.get_json()
    body = imported.get_json()
    assert body["counts"] == {"created": 4900, "updated": 100, "merged": 100}
    assert len(body["learners"]) == 5000
    merged = body["learners"][42]
    states = client.get(f"/api/v1/learners/{merged['id']}/competencies", headers=auth).get_json()
    assert {c["evidence_count"] for c in states["competencies"]} == {2}
    assert len(states["competencies"]) == 17
