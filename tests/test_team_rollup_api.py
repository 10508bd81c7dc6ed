"""``GET /api/v1/teams/<team>/competencies``: every member counts, and a manager's own
credential reads the team it manages."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lrs_bridge.auth import create_credential
from lrs_bridge.runtime import Runtime
from tests.conftest import headers
from tests.test_competency_flow import LISTENING
from tests.test_team_matrix import seed_desk


@pytest.fixture
def admin(creds) -> dict[str, str]:
    return creds.make("all,admin", name="admin")


@pytest.fixture
def team(client: FlaskClient, admin: dict[str, str]) -> dict[str, int]:
    return seed_desk(client, admin)


def own_credential(app: Flask, learner_id: int) -> dict[str, str]:
    rt: Runtime = app.extensions["lrs_bridge"]
    record, secret = create_credential(
        rt.store, name="own", scopes="statements/read/mine", now_us=1, learner_id=learner_id
    )
    return headers(record.key, secret)


def listening(body):
    [found] = [c for c in body["competencies"] if c["competency"] == LISTENING]
    return found


def test_never_trained_members_count_and_every_competency_is_listed(client, admin, team):
    response = client.get("/api/v1/teams/oslo/competencies", headers=admin)
    assert response.status_code == 200
    body = response.get_json()
    assert body["team"] == "oslo" and body["members"] == 4
    assert len(body["competencies"]) == 17  # the whole framework, trained or not
    row = listening(body)
    assert row["learners"] == 4 and row["trained"] == 3
    assert row["status"]["none"] == 1 and sum(row["status"].values()) == 4
    # Every stored listening state is past its stale_at (the latest on 2026-08-20) by now.
    assert sorted(row["stale_learners"]) == sorted(team[n] for n in ("kari", "ola", "per"))
    assert 0 < row["mean_level"] < 1


def test_a_managers_own_credential_reads_the_team_it_manages(app, client, team):
    response = client.get(
        "/api/v1/teams/oslo/competencies", headers=own_credential(app, team["lead"])
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["members"] == 4  # the reports at every depth and the manager
    by_ola = client.get("/api/v1/teams/oslo/competencies", headers=own_credential(app, team["ola"]))
    assert by_ola.status_code == 200 and by_ola.get_json()["members"] == 2  # Ola and Per


@pytest.mark.parametrize(
    ("who", "team_name"),
    [("kari", "oslo"), ("boss", "oslo"), ("lead", "bergen")],
    ids=["a-learner-without-reports", "another-teams-manager", "a-team-without-reports"],
)
def test_other_learners_credentials_get_403(app, client, team, who, team_name):
    response = client.get(
        f"/api/v1/teams/{team_name}/competencies", headers=own_credential(app, team[who])
    )
    assert response.status_code == 403
