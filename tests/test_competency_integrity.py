"""Competency integrity: evidence time, completion, and whose statements count as evidence
(on SQLite and PostgreSQL)."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from flask.testing import FlaskClient

from lrs_bridge import create_app
from lrs_bridge.auth import create_credential
from lrs_bridge.competency.policy import DAY_US
from lrs_bridge.errors import BadRequest, ConfigurationChanged
from lrs_bridge.runtime import Runtime
from lrs_bridge.services.admin import replay_active
from lrs_bridge.store.engine import make_engine
from lrs_bridge.store.migrate import upgrade
from lrs_bridge.xapi.timefmt import format_timestamp_us, now_us
from tests.conftest import Credentials, headers
from tests.test_cli import run
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


# -- whose statements count as evidence -------------------------------------------------------


def credential(rt: Runtime, learner_id: int | None = None, evidence: str | None = None):
    record, secret = create_credential(
        rt.store,
        name="tool",
        scopes="statements/write,statements/read/mine",
        now_us=now_us(),
        learner_id=learner_id,
        evidence=evidence,
    )
    return record, headers(record.key, secret)


def test_a_learner_credential_cannot_complete_a_colleagues_refresher(lrs: Lrs) -> None:
    web, admin, rt = lrs.web, lrs.admin, lrs.rt
    kari = add_person(web, admin, "kari")
    ola = add_person(web, admin, "ola")
    post(web, admin, [evidence("ola", LISTENING, days_from_now(-100))])
    rt.refreshers.scan()
    [row] = assignments_of(web, admin, ola)
    record, karis = credential(rt, learner_id=kari)
    assert record.evidence == "self"
    for_ola = evidence("ola", LISTENING, days_from_now(0))
    for_ola["object"] = {"id": row["activity"]["id"]}
    post(web, karis, [for_ola, evidence("kari", LISTENING, days_from_now(0))])
    assert assignments_of(web, admin, ola)[0]["status"] == "assigned"
    assert listening_of(web, admin, ola)["evidence_count"] == 1
    assert listening_of(web, admin, kari)["evidence_count"] == 1  # her own counts
    # Ola's own statement through the same LMS path does complete it.
    post(web, admin, [for_ola | {"id": str(uuid.uuid4())}])
    assert assignments_of(web, admin, ola)[0]["status"] == "completed"


POLICIES = [
    # credential's evidence policy, is it Kari's own credential, counted for (kari, ola)
    ("trusted", False, (1, 1)),
    ("trusted", True, (1, 1)),
    ("self", True, (1, 0)),
    ("none", False, (0, 0)),
    ("none", True, (0, 0)),
]


@pytest.mark.parametrize(("policy", "own", "counted"), POLICIES)
def test_each_evidence_policy_and_replay_agrees(
    lrs: Lrs, policy: str, own: bool, counted: tuple[int, int]
) -> None:
    web, admin, rt = lrs.web, lrs.admin, lrs.rt
    kari = add_person(web, admin, "kari")
    ola = add_person(web, admin, "ola")
    _, auth = credential(rt, learner_id=kari if own else None, evidence=policy)
    post(web, auth, [evidence(name, LISTENING, days_from_now(-1)) for name in ("kari", "ola")])
    found = tuple(
        len(rt.store.learner_competencies(learner)[0]["evidence"])
        if rt.store.learner_competencies(learner)
        else 0
        for learner in (kari, ola)
    )
    assert found == counted
    ingested = rt.store.all_states()
    engine = rt.competencies.current()
    rt.store.replay_ledger(engine.evidence_for, engine.reduce, now_us)
    assert rt.store.all_states() == ingested


def test_self_needs_a_learner_and_unknown_policies_are_refused(lrs: Lrs) -> None:
    with pytest.raises(BadRequest, match="needs a learner"):
        credential(lrs.rt, evidence="self")
    with pytest.raises(BadRequest, match="one of trusted, self, none"):
        credential(lrs.rt, evidence="everyone")


def test_the_cli_sets_and_lists_the_evidence_policy(database_url: str, tmp_path: Path) -> None:
    run(database_url, "credentials", "create", "--name", "qa", "--key", "qa", "--evidence", "none")
    directory = tmp_path / "directory.csv"
    directory.write_text("name,email\nKari,kari@example.com\n", encoding="utf-8")
    run(database_url, "learners", "import", str(directory))
    mine = run(database_url, "credentials", "create", "--name", "kari", "--key", "kari",
               "--learner-email", "kari@example.com")  # fmt: skip
    assert "evidence: self" in mine
    listed = run(database_url, "credentials", "list").splitlines()
    assert [line.rsplit("\t", 1)[1] for line in sorted(listed)] == [
        "evidence=self",
        "evidence=none",
    ]


def test_the_migration_makes_existing_learner_credentials_self(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    upgrade(engine, "0008")
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO learners (id, name, created_us) VALUES (1, 'Kari', 0)"))
        for key, learner in (("lms", None), ("kari", 1)):
            conn.execute(
                sa.text(
                    "INSERT INTO credentials (name, key, secret_hash, scopes, created_us, "
                    "learner_id) VALUES (:key, :key, 'x', 'all', 0, :learner)"
                ),
                {"key": key, "learner": learner},
            )
    upgrade(engine)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT key, evidence FROM credentials ORDER BY key")).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [("kari", "self"), ("lms", "trusted")]


# -- a replay superseded by a newer configuration ---------------------------------------------


def save_version(rt: Runtime, weight: float) -> int:
    framework_doc, map_doc, _ = rt.competencies.documents()
    map_doc = {**map_doc, "methods": {**map_doc["methods"], "digital-self-study": weight}}
    return rt.store.save_config(framework_doc, map_doc, note=None, created_by="t", clock=now_us)


def test_a_replay_superseded_by_a_newer_version_starts_over_under_it(lrs: Lrs) -> None:
    web, admin, rt = lrs.web, lrs.admin, lrs.rt
    post(web, admin, [evidence(f"p{n}", LISTENING, days_from_now(-n)) for n in range(10)])
    first = save_version(rt, 0.25)
    newer: list[int] = []

    def change_once(_: int) -> None:
        if not newer:
            newer.append(save_version(rt, 0.3))

    old = rt.competencies.refresh()
    with pytest.raises(ConfigurationChanged):
        rt.store.replay_ledger(
            old.evidence_for, old.reduce, now_us, chunk=3, progress=change_once,
            config_version=first,
        )  # fmt: skip
    newer.clear()
    version, evaluated = replay_active(rt.store, rt.competencies, now_us, progress=change_once)
    assert version == newer[0] and evaluated == 10
    assert rt.store.active_config()["replayed_us"] is not None
    with rt.store.engine.connect() as conn:
        weights = set(conn.execute(sa.text("SELECT weight FROM evidence")).scalars())
    assert weights == {0.3}


def test_a_dry_run_admits_evidence_as_replay_does(lrs: Lrs) -> None:
    web, admin, rt = lrs.web, lrs.admin, lrs.rt
    _, silent = credential(rt, evidence="none")
    post(web, silent, [evidence(name, LISTENING, days_from_now(-1)) for name in ("kari", "ola")])
    post(web, admin, [evidence("ingrid", LISTENING, days_from_now(-1))])
    current_map = web.get("/api/v1/config", headers=admin).get_json()["map"]
    preview = web.put("/api/v1/config?dry_run=true", json={"map": current_map}, headers=admin)
    assert preview.get_json()["dry_run"] == {
        "statements_evaluated": 3,
        "learners_changing_status": 0,
        "pairs_changing_status": 0,
        "pairs_before": 1,
        "pairs_after": 1,
        "evidence_statements": 1,
        "evidence_learners": 1,
        "rule_statements": 0,
        "rule_learners": 0,
    }
