"""Competency integrity: evidence time, completion, and whose statements count as evidence
(on SQLite and PostgreSQL)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask.testing import FlaskClient

from lrs_bridge import create_app
from lrs_bridge.competency.policy import DAY_US
from lrs_bridge.runtime import Runtime
from lrs_bridge.xapi.timefmt import format_timestamp_us, now_us
from tests.conftest import Credentials
from tests.test_refreshers import (
    FAILED,
    LISTENING,
    add_person,
    assignments_of,
    evidence,
    post,
)

MAP = Path(__file__).resolve().parents[1] / "config" / "competency-map.yaml"


def days_from_now(days: float) -> str:
    return format_timestamp_us(now_us() + int(days * DAY_US))


@dataclasses.dataclass(frozen=True)
class Lrs:
    web: FlaskClient
    admin: dict[str, str]
    rt: Runtime


@pytest.fixture
def lrs(database_url: str, tmp_path: Path) -> Iterator[Lrs]:
    """The default map, but the quarterly policy assigns refreshers 60 days ahead (its
    ``due_soon`` stays 14 days, so an assigned competency can still be "fresh")."""
    document = yaml.safe_load(MAP.read_text(encoding="utf-8"))
    document["policies"]["quarterly"]["lead_time"] = "P60D"
    map_file = tmp_path / "map.yaml"
    map_file.write_text(yaml.safe_dump(document), encoding="utf-8")
    app = create_app(
        {"database_url": database_url, "access_log": False, "competency_map_file": str(map_file)}
    )
    admin = Credentials(app).make("all,admin", name="admin")
    yield Lrs(app.test_client(), admin, app.extensions["lrs_bridge"])
    app.extensions["lrs_bridge"].close()


def listening_of(web: FlaskClient, auth: dict[str, str], learner_id: int) -> dict[str, Any]:
    body = web.get(f"/api/v1/learners/{learner_id}/competencies", headers=auth).get_json()
    state: dict[str, Any] = next(c for c in body["competencies"] if c["competency"] == LISTENING)
    return state


def assigned_while_fresh(web: FlaskClient, admin: dict[str, str], rt: Runtime) -> int:
    """Kari's listening is 40 days old: fresh for 50 more days, inside the 60-day lead."""
    kari = add_person(web, admin, "kari")
    post(web, admin, [evidence("kari", LISTENING, days_from_now(-40))])
    assert listening_of(web, admin, kari)["status"] == "fresh"
    assert len(rt.refreshers.scan().created) == 1
    return kari


# -- evidence time --------------------------------------------------------------------------


def test_a_future_dated_statement_counts_from_when_it_was_stored(lrs: Lrs) -> None:
    web, admin, rt = lrs.web, lrs.admin, lrs.rt
    kari = add_person(web, admin, "kari")
    before = now_us()
    post(web, admin, [evidence("kari", LISTENING, days_from_now(365))])
    state = listening_of(web, admin, kari)
    assert state["last_evidence"] < days_from_now(1)
    assert state["stale_at"] < days_from_now(100)
    # Three months on it is stale, as for any statement received today.
    created = rt.refreshers.scan(before + 100 * DAY_US).created
    assert [c["competency_id"] for c in created] == [LISTENING]


def test_a_future_dated_statement_does_not_close_a_later_assignment(lrs: Lrs) -> None:
    web, admin, rt = lrs.web, lrs.admin, lrs.rt
    kari = add_person(web, admin, "kari")
    post(web, admin, [evidence("kari", LISTENING, days_from_now(-100))])
    assert len(rt.refreshers.scan(now_us() + 10 * DAY_US).created) == 1  # made "in 10 days"
    post(web, admin, [evidence("kari", LISTENING, days_from_now(11))])
    assert assignments_of(web, admin, kari)[0]["status"] == "assigned"


# -- completion -----------------------------------------------------------------------------


def test_a_failed_attempt_never_closes_an_assignment_under_a_long_lead_time(lrs: Lrs) -> None:
    web, admin, rt = lrs.web, lrs.admin, lrs.rt
    kari = assigned_while_fresh(web, admin, rt)
    failed = evidence("kari", LISTENING, days_from_now(-1), verb=FAILED)
    failed["result"] = {"success": False}
    post(web, admin, [failed])
    assert listening_of(web, admin, kari)["status"] == "fresh"
    assert assignments_of(web, admin, kari)[0]["status"] == "assigned"


def test_evidence_dated_before_the_assignment_does_not_complete_it(lrs: Lrs) -> None:
    web, admin, rt = lrs.web, lrs.admin, lrs.rt
    kari = assigned_while_fresh(web, admin, rt)
    post(web, admin, [evidence("kari", LISTENING, days_from_now(-2))])
    assert assignments_of(web, admin, kari)[0]["status"] == "assigned"


def test_new_positive_evidence_beyond_the_lead_time_completes_it(lrs: Lrs) -> None:
    web, admin, rt = lrs.web, lrs.admin, lrs.rt
    kari = assigned_while_fresh(web, admin, rt)
    fresh = evidence("kari", LISTENING, days_from_now(0))
    post(web, admin, [fresh])
    [row] = assignments_of(web, admin, kari)
    assert row["status"] == "completed" and row["closed_by"] == f"statement:{fresh['id']}"
