"""The team matrix use case: every member a row, every framework competency a column, each
cell the engine's status at a fixed moment; totals, filters and who may see what.

The directory and the evidence go in through the public API (a real app on both databases);
the matrix reads the competency state that ingest computed.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lrs_bridge.errors import BadRequest
from lrs_bridge.runtime import Runtime
from lrs_bridge.services.competencies import engine_from_documents, file_documents
from lrs_bridge.services.people import PeopleService
from lrs_bridge.services.team_matrix import (
    EVERYONE,
    STATUSES,
    Matrix,
    StatusBounds,
    TeamMatrixService,
)
from lrs_bridge.store.matrix import SqlMatrixStore
from lrs_bridge.xapi.timefmt import parse_timestamp_us
from tests.factories import aligned
from tests.test_competency_flow import BASE, EMPATHY, LISTENING

COMMUNICATION = BASE + "communication"
NOW = parse_timestamp_us("2026-06-01T00:00:00Z") or 0

#: Quarterly policy (validity P3M, due soon P14D) at NOW: who last trained active listening
#: when, and the status that gives.
STATUS_TABLE = [
    ("kari", "2026-05-20T10:00:00Z", "fresh"),  # stale at 2026-08-20
    ("ola", "2026-03-10T10:00:00Z", "due_soon"),  # stale at 2026-06-10, within 14 days
    ("per", "2026-01-15T10:00:00Z", "stale"),  # stale at 2026-04-15
    ("lead", None, "none"),  # never trained
]


def person(name: str) -> dict[str, Any]:
    return {"objectType": "Agent", "name": name.title(), "mbox": f"mailto:{name}@example.com"}


def add_person(client: FlaskClient, auth: dict[str, str], name: str, **extra: Any) -> int:
    body = {"name": name.title(), "email": f"{name}@example.com", **extra}
    response = client.post("/api/v1/learners", json=body, headers=auth)
    assert response.status_code == 200, response.get_json()
    learner_id: int = response.get_json()["learners"][0]["id"]
    return learner_id


def trained(client: FlaskClient, auth: dict[str, str], who: str, competency: str, when: str):
    statement = aligned(
        person(who),
        competency,
        when=when,
        activity_type="http://adlnet.gov/expapi/activities/module",
    )
    response = client.post("/xapi/statements", json=[statement], headers=auth)
    assert response.status_code == 200, response.get_json()


@pytest.fixture
def admin(creds) -> dict[str, str]:
    return creds.make("all,admin", name="admin")


@pytest.fixture
def service(app: Flask) -> TeamMatrixService:
    rt: Runtime = app.extensions["lrs_bridge"]
    assert rt.competencies is not None
    return TeamMatrixService(SqlMatrixStore(rt.engine), PeopleService(rt.store), rt.competencies)


def seed_desk(client: FlaskClient, admin: dict[str, str], table=STATUS_TABLE) -> dict[str, int]:
    """The Oslo desk: Lead manages Kari and Ola directly and Per through Ola; Siv is on
    another team, managed by Boss. ``table`` says who last trained active listening when."""
    ids = {"lead": add_person(client, admin, "lead", team="oslo")}
    ids["kari"] = add_person(client, admin, "kari", team="oslo", manager_email="lead@example.com")
    ids["ola"] = add_person(client, admin, "ola", team="oslo", manager_email="lead@example.com")
    ids["per"] = add_person(client, admin, "per", team="oslo", manager_email="ola@example.com")
    ids["boss"] = add_person(client, admin, "boss", team="bergen")
    ids["siv"] = add_person(client, admin, "siv", team="bergen", manager_email="boss@example.com")
    for who, when, _status in table:
        if when is not None:
            trained(client, admin, who, LISTENING, when)
    trained(client, admin, "siv", LISTENING, table[0][1])
    trained(client, admin, "kari", EMPATHY, table[0][1])
    return ids


@pytest.fixture
def desk(client: FlaskClient, admin: dict[str, str]) -> dict[str, int]:
    return seed_desk(client, admin)


def cell(matrix: Matrix, learner_id: int, competency: str) -> tuple[str, float | None]:
    [row] = [r for r in matrix.rows if r.learner_id == learner_id]
    [found] = [c for c in row.cells if c.competency_id == competency]
    return found.status, found.level


@pytest.mark.parametrize(("who", "when", "expected"), STATUS_TABLE)
def test_each_cell_has_the_engines_status_at_the_given_moment(service, desk, who, when, expected):
    matrix = service.matrix(team="oslo", now_us=NOW)
    status, level = cell(matrix, desk[who], LISTENING)
    assert status == expected
    assert (level is None) == (when is None)  # never trained: no level at all


def test_every_member_is_a_row_and_every_framework_competency_a_column(service, desk):
    matrix = service.matrix(team="oslo", now_us=NOW, language="nb")
    assert sorted(r.learner_id for r in matrix.rows) == sorted(
        desk[n] for n in ("lead", "kari", "ola", "per")
    )
    framework = service.engines.current().framework
    assert [c.id for c in matrix.columns] == [c.id for c in framework.competencies]
    assert matrix.columns[1].name == "Aktiv lytting"  # the viewer's language
    assert [r.name for r in matrix.rows] == ["Kari", "Lead", "Ola", "Per"]  # by name


def test_totals_count_statuses_per_row_per_column_and_overall(service, desk):
    matrix = service.matrix(team="oslo", now_us=NOW)
    [listening] = [c for c in matrix.columns if c.id == LISTENING]
    assert listening.totals.as_dict() == {"fresh": 1, "due_soon": 1, "stale": 1, "none": 1}
    assert listening.trained == 3
    [kari] = [r for r in matrix.rows if r.learner_id == desk["kari"]]
    assert kari.totals.fresh == 2 and kari.totals.none == len(matrix.columns) - 2
    for row in matrix.rows:
        assert row.totals.total == len(matrix.columns)
    assert matrix.totals.total == 4 * len(matrix.columns)
    assert matrix.totals.as_dict() == {
        status: sum(c.totals.as_dict()[status] for c in matrix.columns) for status in STATUSES
    }


def test_a_competency_group_is_a_top_level_competency_and_its_children(service, desk):
    matrix = service.matrix(team="oslo", group=COMMUNICATION, now_us=NOW)
    framework = service.engines.current().framework
    expected = [COMMUNICATION, *(c.id for c in framework.children(COMMUNICATION))]
    assert [c.id for c in matrix.columns] == expected
    assert COMMUNICATION in {g.value for g in matrix.groups}
    assert all(row.totals.total == len(expected) for row in matrix.rows)


@pytest.mark.parametrize("group", [LISTENING, BASE + "no-such-thing"])
def test_a_group_must_be_a_top_level_competency(service, desk, group):
    with pytest.raises(BadRequest) as raised:
        service.matrix(team="oslo", group=group, now_us=NOW)
    assert raised.value.details["field"] == "group"


def test_the_manager_filter_keeps_the_managers_reports_recursively(service, desk):
    matrix = service.matrix(team="oslo", manager_id=desk["lead"], now_us=NOW)
    assert {r.learner_id for r in matrix.rows} == {desk["kari"], desk["ola"], desk["per"]}
    assert {o.label for o in matrix.managers} == {"Lead", "Ola"}
    by_ola = service.matrix(team="oslo", manager_id=desk["ola"], now_us=NOW)
    assert [r.learner_id for r in by_ola.rows] == [desk["per"]]


def test_without_a_team_the_matrix_covers_everyone_visible(service, desk):
    everyone = service.matrix(now_us=NOW)
    assert {r.learner_id for r in everyone.rows} == set(desk.values())


def test_a_manager_sees_their_reports_and_themselves_only(service, desk):
    scope = service.scope_of(admin=False, learner_id=desk["ola"])
    assert service.may_view_team("oslo", scope)
    assert not service.may_view_team("bergen", scope)
    matrix = service.matrix(team="oslo", viewer_scope=scope, now_us=NOW)
    assert {r.learner_id for r in matrix.rows} == {desk["ola"], desk["per"]}
    assert [o.label for o in matrix.managers] == ["Ola"]  # not Lead, Ola's own manager
    assert [(t.team, t.members) for t in service.teams(scope)] == [("oslo", 2)]


def test_a_learner_without_reports_may_open_no_team(service, desk):
    scope = service.scope_of(admin=False, learner_id=desk["kari"])
    assert not service.may_view_team("oslo", scope)
    assert service.teams(scope) == []


def test_admins_see_every_team_with_its_size(service, desk):
    assert service.scope_of(admin=True, learner_id=None) is EVERYONE
    assert [(t.team, t.members) for t in service.teams(EVERYONE)] == [("bergen", 2), ("oslo", 4)]
    assert service.may_view_team("oslo", EVERYONE)


@pytest.mark.parametrize(
    ("due_soon", "now"),
    [
        ("P14D", "2026-06-01T00:00:00Z"),
        ("P1M", "2026-03-31T12:00:00Z"),  # month arithmetic clamps at month ends
        ("P1M", "2026-02-28T23:59:59Z"),
        ("PT36H", "2026-01-01T00:00:00Z"),
    ],
)
def test_status_bounds_answer_exactly_as_the_engine_does(due_soon, now):
    framework_doc, map_doc = file_documents("", "")
    map_doc["policies"]["quarterly"]["due_soon"] = due_soon
    engine = engine_from_documents(framework_doc, map_doc)
    now_us = parse_timestamp_us(now) or 0
    bounds = StatusBounds(engine, LISTENING, now_us)
    hour = 3_600_000_000
    probes = [None, *(now_us + k * hour for k in range(-50, 24 * 70))]
    probes += [bounds.fresh_after + d for d in (-1, 0, 1)] if bounds.fresh_after else []
    for stale_at in probes:
        assert bounds.status(stale_at) == engine.status(LISTENING, stale_at, now_us), stale_at
