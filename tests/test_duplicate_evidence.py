"""Duplicate evidence by content, through the API on both databases: a repeat (same actor,
verb, object and result within the window, a new id) is stored as xAPI requires but counts
once as competency evidence; the trail and ``explain`` name the statement it repeats."""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from lrs_bridge import create_app
from lrs_bridge.competency.dedup import fingerprint
from lrs_bridge.runtime import Runtime
from lrs_bridge.services.admin import replay_active
from lrs_bridge.store.tables import evidence, statements
from lrs_bridge.xapi.timefmt import now_us
from tests.conftest import Credentials
from tests.factories import agent, aligned, voiding

LISTENING = "https://lrs-bridge.dev/competency/active-listening"
FAILED = "http://adlnet.gov/expapi/verbs/failed"
MODULE = "https://lms.example.com/modules/listening-1"
STATE_KEYS = ("level", "evidence_count", "last_evidence", "stale_at", "status")


def original(who: str = "kari", when: str = "2026-01-15T10:00:00Z") -> dict[str, Any]:
    body = aligned(
        agent(who), LISTENING, when=when, result={"success": True, "score": {"scaled": 0.8}}
    )
    body["object"]["id"] = MODULE
    return body


def repeat(of: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """``of`` under a new id, with ``changes`` to its top-level properties."""
    body = copy.deepcopy(of) | {"id": str(uuid.uuid4())}
    body.update(changes)
    return body


def post(client: FlaskClient, auth: dict[str, str], batch: Any) -> None:
    response = client.post("/xapi/statements", json=batch, headers=auth)
    assert response.status_code == 200, response.get_json()


def state_of(client: FlaskClient, auth: dict[str, str], who: str = "kari") -> dict[str, Any]:
    """The listening state of a learner through the API (with its trail)."""
    query = {"agent": json.dumps(agent(who))}
    learner = client.get("/api/v1/learners", query_string=query, headers=auth).get_json()
    rows = client.get(f"/api/v1/learners/{learner['id']}/competencies", headers=auth).get_json()
    found = {row["competency"]: row for row in rows["competencies"]}
    return found.get(LISTENING) or {"evidence_count": 0, "evidence": []}


def counted(state: dict[str, Any]) -> dict[str, Any]:
    return {key: state.get(key) for key in STATE_KEYS}


def repeats_in(state: dict[str, Any]) -> dict[str, str | None]:
    return {e["statement_id"]: e["duplicate_of"] for e in state["evidence"]}


def later(minutes: int) -> str:
    return f"2026-01-15T10:{minutes:02d}:00Z"


#: (case, the second statement from the first, whether it counts once).
SECOND: list[tuple[str, Callable[[dict[str, Any]], dict[str, Any]], bool]] = [
    ("same content, new id, same time", lambda s: repeat(s), True),
    ("same content 9 minutes later", lambda s: repeat(s, timestamp=later(9)), True),
    ("same content at the 10-minute end", lambda s: repeat(s, timestamp=later(10)), True),
    ("same content 11 minutes later", lambda s: repeat(s, timestamp=later(11)), False),
    ("same content 1 minute earlier", lambda s: repeat(s, timestamp="2026-01-15T09:59:00Z"), True),
    (
        "another result",
        lambda s: repeat(s, result={"success": True, "score": {"scaled": 0.9}}),
        False,
    ),
    ("no result", lambda s: {k: v for k, v in repeat(s).items() if k != "result"}, False),
    ("another verb", lambda s: repeat(s, verb={"id": FAILED}), False),
    ("another object", lambda s: repeat(s, object={"id": MODULE + "-b"}), False),
]


@pytest.mark.parametrize(("case", "second", "once"), SECOND, ids=[c[0] for c in SECOND])
def test_a_repeat_is_stored_but_counts_once(
    client: FlaskClient,
    auth: dict[str, str],
    case: str,
    second: Callable[[dict[str, Any]], dict[str, Any]],
    once: bool,
) -> None:
    first = original()
    post(client, auth, [first])
    alone = state_of(client, auth)
    other = second(first)
    post(client, auth, [other])
    for stored in (first, other):  # both are in the LRS, whatever the ledger counts
        got = client.get(
            "/xapi/statements", query_string={"statementId": stored["id"]}, headers=auth
        )
        assert got.status_code == 200 and got.get_json()["id"] == stored["id"], case
    both = state_of(client, auth)
    if once:
        # The earlier timestamp is the original, whichever was stored first; the state is
        # that of the original alone (here given to another learner for comparison).
        first_is_original = other["timestamp"] >= first["timestamp"]
        kept, repeated = (first, other) if first_is_original else (other, first)
        assert repeats_in(both) == {kept["id"]: None, repeated["id"]: kept["id"]}, case
        post(client, auth, [repeat(kept, actor=agent("ola"))])
        assert counted(both) == counted(state_of(client, auth, "ola")), case
        assert counted(alone) == counted(both) or not first_is_original, case
    else:
        assert both["evidence_count"] == 2, case
        assert set(repeats_in(both).values()) == {None}, case


def test_another_actor_is_other_content(client: FlaskClient, auth: dict[str, str]) -> None:
    post(client, auth, [original("kari"), original("ola")])
    for who in ("kari", "ola"):
        state = state_of(client, auth, who)
        assert state["evidence_count"] == 1 and set(repeats_in(state).values()) == {None}


def test_repeats_inside_one_batch_count_once(client: FlaskClient, auth: dict[str, str]) -> None:
    post(client, auth, [original()])
    alone = counted(state_of(client, auth))
    first = original("ola")
    batch = [first, repeat(first, timestamp=later(3)), repeat(first, timestamp=later(7))]
    post(client, auth, batch)
    state = state_of(client, auth, "ola")
    assert counted(state) == alone
    assert repeats_in(state) == {
        batch[0]["id"]: None,
        batch[1]["id"]: first["id"],
        batch[2]["id"]: first["id"],
    }


def test_voiding_the_original_makes_the_repeat_count(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    first = original()
    second = repeat(first, timestamp=later(4))
    third = repeat(first, timestamp=later(12))  # within 10 min of the second, not of the first
    post(client, auth, [first, second, third])
    assert repeats_in(state_of(client, auth)) == {
        first["id"]: None,
        second["id"]: first["id"],
        third["id"]: None,
    }
    post(client, auth, [voiding(first["id"])])
    after = state_of(client, auth)
    assert repeats_in(after) == {second["id"]: None, third["id"]: second["id"]}
    # The state is the one it would have been had the original never been stored.
    post(client, auth, [repeat(second, actor=agent("ola")), repeat(third, actor=agent("ola"))])
    assert counted(after) == counted(state_of(client, auth, "ola"))


def ledger_rows(runtime: Runtime) -> list[dict[str, Any]]:
    """Every evidence row, every column."""
    order = (evidence.c.seq, evidence.c.learner_id, evidence.c.competency_id)
    with runtime.engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(select(evidence).order_by(*order))]


def replay(runtime: Runtime) -> None:
    engine = runtime.competencies.current() if runtime.competencies else None
    assert engine is not None
    runtime.store.replay_ledger(engine.evidence_for, engine.reduce, now_us, chunk=3)


def mixed_history(client: FlaskClient, auth: dict[str, str]) -> None:
    """Repeats within and across batches, for two learners, with a voided original."""
    kari, ola = original("kari"), original("ola", when=later(1))
    post(client, auth, [kari, repeat(kari, timestamp=later(2)), ola])
    post(client, auth, [repeat(ola, timestamp=later(5)), repeat(kari, timestamp=later(30))])
    post(client, auth, [repeat(kari, timestamp=later(35)), repeat(ola, timestamp=later(0))])
    post(client, auth, [voiding(kari["id"])])


def config_change_replay(runtime: Runtime) -> None:
    """Save the active documents as a new version and replay it, as the scheduler does."""
    source = runtime.competencies
    assert source is not None
    framework_doc, map_doc, _ = source.documents()
    service = runtime.config_service(source)
    version = service.apply(framework_doc, map_doc, note="same documents", created_by="test")
    assert replay_active(runtime.store, source, runtime.clock) == (version, 7)


@pytest.mark.parametrize("rebuild", [replay, config_change_replay], ids=["replay", "config-change"])
def test_replay_rebuilds_exactly_the_ledger_and_states_ingest_wrote(
    app: Flask, client: FlaskClient, auth: dict[str, str], rebuild: Callable[[Runtime], None]
) -> None:
    mixed_history(client, auth)
    runtime: Runtime = app.extensions["lrs_bridge"]
    rows, states = ledger_rows(runtime), runtime.store.all_states()
    assert sum(row["duplicate_of"] is not None for row in rows) == 3
    rebuild(runtime)
    assert ledger_rows(runtime) == rows
    assert runtime.store.all_states() == states


@pytest.fixture
def app_with_window(database_url: str) -> Iterator[Callable[[int], Flask]]:
    """Apps on the test's database with a given ``duplicate_window_seconds``."""
    made: list[Flask] = []

    def make(seconds: int) -> Flask:
        made.append(
            create_app(
                {
                    "database_url": database_url,
                    "access_log": False,
                    "duplicate_window_seconds": seconds,
                }
            )
        )
        return made[-1]

    yield make
    for app in made:
        app.extensions["lrs_bridge"].close()


#: (window seconds, how many of a statement and its repeats 30 s and 5 min later count).
WINDOWS = [(600, 1), (300, 1), (299, 2), (60, 2), (29, 3), (0, 3)]


@pytest.mark.parametrize(("seconds", "expected"), WINDOWS, ids=[f"{s}s" for s, _ in WINDOWS])
def test_the_window_setting_and_0_turns_the_policy_off(
    app_with_window: Callable[[int], Flask], seconds: int, expected: int
) -> None:
    app = app_with_window(seconds)
    client = app.test_client()
    auth = Credentials(app).make("all")
    first = original()
    post(
        client,
        auth,
        [first, repeat(first, timestamp="2026-01-15T10:00:30Z"), repeat(first, timestamp=later(5))],
    )
    assert state_of(client, auth)["evidence_count"] == expected


def test_a_changed_window_applies_on_replay_as_if_it_had_always_been_set(
    app_with_window: Callable[[int], Flask],
) -> None:
    ingested = app_with_window(600)
    mixed_history(ingested.test_client(), Credentials(ingested).make("all"))
    before = ingested.extensions["lrs_bridge"].store.all_states()
    off: Runtime = app_with_window(0).extensions["lrs_bridge"]
    replay(off)
    rows = ledger_rows(off)
    assert all(row["duplicate_of"] is None for row in rows)
    after = off.store.all_states()
    assert after != before
    assert sum(state[5] for state in after) == len(rows)  # evidence_count: every row counts


@pytest.fixture
def admin(creds: Credentials) -> dict[str, str]:
    return creds.make("all,admin", name="admin")


def test_explain_names_the_statement_a_stored_repeat_repeats(
    client: FlaskClient, auth: dict[str, str], admin: dict[str, str]
) -> None:
    first = original()
    second = repeat(first, timestamp=later(5))
    post(client, auth, [first, second])
    for stored, expected in ((first, None), (second, first["id"])):
        response = client.post(
            "/api/v1/explain", query_string={"statement_id": stored["id"]}, headers=admin
        )
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        assert body["duplicate_of"] == expected
        assert [e["duplicate_of"] for e in body["evidence"]] == [expected]
    pasted = client.post("/api/v1/explain", json=repeat(first), headers=admin).get_json()
    assert pasted["duplicate_of"] is None  # a pasted statement is not in the ledger


def test_erasure_leaves_nothing_of_the_learner_in_the_ledger(
    app: Flask, client: FlaskClient, auth: dict[str, str], admin: dict[str, str]
) -> None:
    first, theirs = original("kari"), original("ola")
    # Ola's statement stays after Kari's erasure, with Kari replaced in its SubStatement; so
    # must the fingerprint of its evidence (it hashed Kari's address).
    theirs["object"] = {
        "objectType": "SubStatement",
        "actor": agent("kari"),
        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
        "object": {"id": MODULE},
    }
    post(
        client, auth, [first, repeat(first, timestamp=later(2)), repeat(first, timestamp=later(4))]
    )
    post(client, auth, [theirs, repeat(theirs, timestamp=later(3))])
    kari = state_of(client, auth)["evidence"]
    learner = client.get(
        "/api/v1/learners", query_string={"agent": json.dumps(agent("kari"))}, headers=auth
    )
    erased = client.delete(f"/api/v1/learners/{learner.get_json()['id']}", headers=admin)
    assert erased.status_code == 200, erased.get_json()
    runtime: Runtime = app.extensions["lrs_bridge"]
    with runtime.engine.connect() as conn:
        seqs = set(conn.execute(select(statements.c.seq)).scalars())
        left = conn.execute(select(evidence.c.seq, evidence.c.duplicate_of)).all()
        ids = set(conn.execute(select(statements.c.id)).scalars())
    assert ids.isdisjoint(e["statement_id"] for e in kari)
    assert {seq for seq, _ in left} <= seqs
    assert {dup for _, dup in left if dup is not None} <= {seq for seq, _ in left}
    ola = state_of(client, auth, "ola")
    assert ola["evidence_count"] == 1 and list(repeats_in(ola).values()) == [None, theirs["id"]]
    stays = client.get("/xapi/statements", query_string={"statementId": theirs["id"]}, headers=auth)
    assert "kari@example.com" not in stays.get_data(as_text=True)
    rows = ledger_rows(runtime)
    assert {row["fingerprint"] for row in rows} == {fingerprint(stays.get_json())}
    assert fingerprint(theirs) not in {row["fingerprint"] for row in rows}
    replay(runtime)
    assert ledger_rows(runtime) == rows


def test_the_largest_batch_of_repeats_counts_each_learner_once(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    # 500 statements: 100 learners, each an original and 4 repeats (new ids, 0-4 minutes
    # later), the repeats first in the batch (stored before their original, whose earlier
    # timestamp still makes it the original).
    firsts = [original(f"learner{n:03d}") for n in range(100)]
    batch = [repeat(f, timestamp=later(m)) for f in firsts for m in range(1, 5)] + firsts
    post(client, auth, batch)
    for n in (0, 57, 99):
        state = state_of(client, auth, f"learner{n:03d}")
        assert state["evidence_count"] == 1
        repeats = repeats_in(state)
        assert len(repeats) == 5
        assert list(repeats.values()).count(None) == 1
        assert repeats[firsts[n]["id"]] is None
