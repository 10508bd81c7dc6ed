"""Status, dead letters, their retry and ``/metrics``, read from real outbox and state rows
(statements stored through the real API; the rows written as the forwarder and puller
leave them, see ``registry_support.py``), on both databases."""

from __future__ import annotations

import re
import uuid

import pytest

from lrs_bridge.xapi.timefmt import format_timestamp_us, now_us
from tests.upstream.registry_support import (
    body,
    outbox,
    outbox_rows,
    seqs_of,
    state,
    stored_then_upstreams,
)

S = 1_000_000


@pytest.fixture
def world(app):
    """Five stored statements, then an upstream with one delivered, two pending and two
    dead outbox rows, and the state its forwarder and puller left."""
    ids, seq, admin = stored_then_upstreams(app, 5, {"ll": "both"})
    runtime = app.extensions["lrs_bridge"]
    upstream = runtime.upstreams.get("ll")
    now = now_us()
    outbox_rows(
        runtime.engine,
        upstream.id,
        [
            {"seq": seq[0], "status": "delivered", "queued_us": now - 90 * S},
            {"seq": seq[1], "queued_us": now - 60 * S, "attempts": 3, "last_error": "503"},
            {"seq": seq[2], "queued_us": now - 50 * S},
            {
                "seq": seq[3],
                "status": "dead",
                "queued_us": now - 40 * S,
                "attempts": 9,
                "first_failure_us": now - 39 * S,
                "last_error": "400 Bad Request: invalid actor",
                "lease_token": "t",
                "lease_until_us": now,
            },
            {
                "seq": seq[4],
                "status": "dead",
                "queued_us": now - 30 * S,
                "attempts": 9,
                "first_failure_us": now - 29 * S,
                "last_error": "413 Payload Too Large",
            },
        ],
    )
    state(
        runtime.engine,
        upstream.id,
        forward_last_success_us=now - 70 * S,
        forward_last_error="upstream answered 503",
        forward_last_error_us=now - 20 * S,
        forwarded_count=1,
        pull_since_us=now - 3600 * S,
        pull_more="/xapi/statements?more=abc",
        pull_last_success_us=now - 120 * S,
        pulled_count=42,
    )
    return {"admin": admin, "ids": ids, "upstream": upstream, "now": now, "runtime": runtime}


def test_status_shows_queue_dead_letters_lag_outcomes_counts_and_cursor(client, world):
    figures = client.get("/api/v1/upstreams/ll/status", headers=world["admin"]).get_json()
    now = world["now"]
    forward, pull = figures["forward"], figures["pull"]
    assert (forward["queue_depth"], forward["dead_letters"], forward["delivered"]) == (2, 2, 1)
    # Lag is the age of the oldest pending row (60 s when written), not of the delivered one.
    assert 60 <= forward["lag_seconds"] < 75
    assert forward["last_success"] == format_timestamp_us(now - 70 * S)
    assert forward["last_error"] == "upstream answered 503"
    assert forward["last_error_at"] == format_timestamp_us(now - 20 * S)
    assert 120 <= pull["lag_seconds"] < 135
    assert pull["pulled"] == 42 and pull["last_error"] is None
    assert pull["cursor"] == {
        "since": format_timestamp_us(now - 3600 * S),
        "more": "/xapi/statements?more=abc",
    }
    assert (figures["name"], figures["direction"], figures["enabled"]) == ("ll", "both", True)


def test_an_upstream_nothing_happened_to_yet_has_zero_lag_and_no_times(client, creds):
    admin = creds.make("admin")
    client.post("/api/v1/upstreams", json=body("fresh"), headers=admin)
    figures = client.get("/api/v1/upstreams/fresh/status", headers=admin).get_json()
    assert figures["forward"] == {
        "queue_depth": 0,
        "dead_letters": 0,
        "lag_seconds": 0.0,
        "last_success": None,
        "last_error": None,
        "last_error_at": None,
        "delivered": 0,
    }
    assert figures["pull"]["lag_seconds"] is None and figures["pull"]["cursor"]["since"] is None


def test_dead_letters_are_listed_oldest_first_and_paged(client, world):
    admin, ids = world["admin"], world["ids"]
    page = client.get("/api/v1/upstreams/ll/dead-letters", headers=admin).get_json()
    assert [row["statement_id"] for row in page["dead_letters"]] == ids[3:5]
    first = page["dead_letters"][0]
    assert first["attempts"] == 9 and first["last_error"] == "400 Bad Request: invalid actor"
    assert first["failing_since"] == format_timestamp_us(world["now"] - 39 * S)
    assert first["stored"].endswith("Z")
    second = client.get(
        "/api/v1/upstreams/ll/dead-letters?limit=1&offset=1", headers=admin
    ).get_json()
    assert [row["statement_id"] for row in second["dead_letters"]] == ids[4:5]
    bad = client.get("/api/v1/upstreams/ll/dead-letters?limit=0", headers=admin)
    assert (bad.status_code, bad.get_json()["field"]) == (400, "limit")


def test_retry_of_given_statements_requeues_them_as_the_contract_says(client, world):
    admin, ids, runtime = world["admin"], world["ids"], world["runtime"]
    before = now_us()
    response = client.post(
        "/api/v1/upstreams/ll/dead-letters/retry", json={"statement_ids": [ids[3]]}, headers=admin
    )
    assert (response.status_code, response.get_json()) == (202, {"retried": 1})
    rows = {row["seq"]: row for row in outbox(runtime.engine, world["upstream"].id)}
    retried = rows[seqs_of(runtime.engine, [ids[3]])[0]]
    assert retried["status"] == "pending" and retried["attempts"] == 0
    assert before <= retried["next_attempt_us"] <= now_us()
    assert retried["first_failure_us"] is None
    assert (retried["lease_token"], retried["lease_until_us"]) == (None, None)
    assert retried["last_error"] == "400 Bad Request: invalid actor"
    assert rows[seqs_of(runtime.engine, [ids[4]])[0]]["status"] == "dead"
    figures = client.get("/api/v1/upstreams/ll/status", headers=admin).get_json()["forward"]
    assert (figures["queue_depth"], figures["dead_letters"]) == (3, 1)


def test_retry_without_a_body_requeues_every_dead_letter_and_only_those(client, world):
    admin = world["admin"]
    response = client.post("/api/v1/upstreams/ll/dead-letters/retry", headers=admin)
    assert (response.status_code, response.get_json()) == (202, {"retried": 2})
    statuses = [row["status"] for row in outbox(world["runtime"].engine, world["upstream"].id)]
    assert statuses == ["delivered", "pending", "pending", "pending", "pending"]
    again = client.post("/api/v1/upstreams/ll/dead-letters/retry", headers=admin)
    assert again.get_json() == {"retried": 0}


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"statement_ids": ["not-a-uuid"]}, "statement_ids.0"), ({"ids": []}, "ids")],
)
def test_a_bad_retry_body_is_a_400_naming_the_field(client, world, payload, field):
    response = client.post(
        "/api/v1/upstreams/ll/dead-letters/retry", json=payload, headers=world["admin"]
    )
    assert (response.status_code, response.get_json()["field"]) == (400, field)


def _gauge(text: str, name: str) -> float:
    match = re.search(rf'^lrs_bridge_upstream_{name}{{upstream="ll"}} (\S+)$', text, re.M)
    assert match, name
    return float(match.group(1))


def test_metrics_expose_each_upstreams_figures(client, world):
    text = client.get("/metrics", headers=world["admin"]).get_data(as_text=True)
    now_s = world["now"] / S
    assert _gauge(text, "queue_depth") == 2
    assert _gauge(text, "dead_letters") == 2
    assert 60 <= _gauge(text, "forward_lag_seconds") < 75
    assert 120 <= _gauge(text, "pull_lag_seconds") < 135
    assert _gauge(text, "forward_last_success_timestamp_seconds") == pytest.approx(now_s - 70)
    assert _gauge(text, "forward_last_error_timestamp_seconds") == pytest.approx(now_s - 20)
    assert _gauge(text, "pull_last_success_timestamp_seconds") == pytest.approx(now_s - 120)
    assert _gauge(text, "pull_cursor_timestamp_seconds") == pytest.approx(now_s - 3600)
    # Never failed to pull: no sample rather than a misleading 0.
    assert 'lrs_bridge_upstream_pull_last_error_timestamp_seconds{upstream="ll"}' not in text


def test_dead_letters_page_across_the_largest_page_and_all_retry_at_once(app):
    """501 dead letters: pages of the largest size meet without a gap or an overlap, and one
    retry without a body requeues every one of them."""
    ids, seq, admin = stored_then_upstreams(app, 500, {"big": "forward"})
    more, more_seq, _ = stored_then_upstreams(app, 1, {})
    ids, seq = ids + more, seq + more_seq
    runtime = app.extensions["lrs_bridge"]
    upstream = runtime.upstreams.get("big")
    now = now_us()
    outbox_rows(
        runtime.engine,
        upstream.id,
        [{"seq": s, "status": "dead", "queued_us": now, "last_error": "400"} for s in seq],
    )
    client = app.test_client()
    listed: list[str] = []
    for offset in (0, 500, 501):
        page = client.get(
            f"/api/v1/upstreams/big/dead-letters?limit=500&offset={offset}", headers=admin
        ).get_json()["dead_letters"]
        assert len(page) == {0: 500, 500: 1, 501: 0}[offset]
        listed += [row["statement_id"] for row in page]
    assert listed == ids
    too_many = {"statement_ids": [str(uuid.uuid4()) for _ in range(1001)]}
    refused = client.post("/api/v1/upstreams/big/dead-letters/retry", json=too_many, headers=admin)
    assert (refused.status_code, refused.get_json()["field"]) == (400, "statement_ids")
    response = client.post("/api/v1/upstreams/big/dead-letters/retry", headers=admin)
    assert response.get_json() == {"retried": 501}
    figures = client.get("/api/v1/upstreams/big/status", headers=admin).get_json()["forward"]
    assert (figures["queue_depth"], figures["dead_letters"]) == (501, 0)
