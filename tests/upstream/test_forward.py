"""Forwarding to a real upstream (the ``peer`` lrs-bridge), the local side on SQLite and
PostgreSQL: everything accepted arrives once, in the order of ``stored``, whatever the
upstream does meanwhile (it goes down, it refuses one statement, it is out for an hour)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx
import pytest

from lrs_bridge.upstream.client import Delivery, Outgoing, PulledPage, client_for
from lrs_bridge.upstream.model import Upstream
from tests.factories import COMPLETED, statement, voiding
from tests.test_attachments import attachment, mixed, multipart, part, sha256, with_attachments
from tests.upstream.conftest import PeerLrs
from tests.upstream.forwarding import Local, ManualClock, restart_peer


@pytest.fixture
def local(app, client) -> Local:
    return Local(app, client)


def test_a_round_trip_of_1001_statements_arrives_once_in_stored_order(local: Local, peer: PeerLrs):
    upstream = local.add_peer(peer)
    ids = local.post_many(1001)  # batches of 500, 500 and 1: two batch boundaries

    report = local.forwarder().forward(once=True)

    assert (report.delivered, report.dead, report.retrying, report.remaining) == (1001, 0, 0, 0)
    assert not report.failing
    assert peer.all_ids() == ids
    assert local.statuses(upstream) == {"delivered": 1001}
    state = local.state(upstream)
    assert state.forwarded_count == 1001
    assert state.forward_last_success_us is not None
    assert state.forward_lease_token is None  # released at the end of the pass


def test_statements_queued_while_the_upstream_is_down_arrive_once_after_it_is_back(
    local: Local, peer: PeerLrs, request: pytest.FixtureRequest
):
    upstream = local.add_peer(peer)
    before = local.post_many(300)
    clock = ManualClock()
    forwarder = local.forwarder(clock)
    assert forwarder.forward().delivered == 300

    peer.server.stop()
    during = local.post_many(700)
    down = forwarder.forward()
    assert (down.delivered, down.retrying, down.remaining, down.failing) == (0, 500, 700, True)
    assert "cannot reach" in local.state(upstream).forward_last_error

    restart_peer(peer, request)
    clock.advance(forwarder.settings.upstream_backoff_seconds)
    up = forwarder.forward()

    assert (up.delivered, up.remaining, up.failing) == (700, 0, False)
    held = peer.all_ids()
    assert held == before + during
    assert len(set(held)) == len(held) == 1000


def test_the_head_of_the_queue_in_backoff_holds_back_what_follows(local: Local, peer: PeerLrs):
    upstream = local.add_upstream("http://127.0.0.1:9/xapi/", "k", "s")  # nothing listens
    first = local.post_many(3)
    clock = ManualClock()
    forwarder = local.forwarder(clock)
    assert forwarder.forward().retrying == 3

    local.post_many(2)
    clock.advance(1)  # within the 5 s backoff
    report = forwarder.forward()

    assert (report.delivered, report.retrying, report.remaining) == (0, 0, 5)
    rows = local.outbox(upstream)
    assert [row.attempts for row in rows] == [1, 1, 1, 0, 0]
    assert [row.statement_id for row in rows[:3]] == first


def test_an_hour_long_outage_backs_off_and_loses_nothing(
    local: Local, peer: PeerLrs, request: pytest.FixtureRequest
):
    upstream = local.add_peer(peer)
    peer.server.stop()
    ids = local.post_many(1200)
    clock = ManualClock()
    start = clock()
    forwarder = local.forwarder(clock)
    waits = []
    while clock() - start < 3600 * 1_000_000:
        report = forwarder.forward()
        assert report.delivered == 0 and report.dead == 0 and report.remaining == 1200
        head = local.outbox(upstream)[0]
        waits.append((head.next_attempt_us - local.state(upstream).forward_last_error_us) / 1e6)
        clock.move_to(head.next_attempt_us)

    settings = forwarder.settings
    base, cap = settings.upstream_backoff_seconds, settings.upstream_max_backoff_seconds
    assert waits == [min(cap, base * 2**n) for n in range(len(waits))]  # 5, 10, 20 … capped
    assert local.statuses(upstream) == {"pending": 1200}
    restart_peer(peer, request)
    report = forwarder.forward()

    assert (report.delivered, report.dead, report.remaining) == (1200, 0, 0)
    assert peer.all_ids() == ids


def test_rows_failing_longer_than_dead_after_hours_become_dead_letters(local: Local):
    upstream = local.add_upstream("http://127.0.0.1:9/xapi/", "k", "s")
    local.post_many(4)
    clock = ManualClock()
    forwarder = local.forwarder(clock, upstream_dead_after_hours=1)
    forwarder.forward()
    first_failure = local.outbox(upstream)[0].first_failure_us
    attempts = 1
    while True:
        clock.move_to(local.outbox(upstream)[0].next_attempt_us)
        report = forwarder.forward()
        attempts += 1
        if clock() - first_failure <= 3600 * 1_000_000:
            assert report.dead == 0, "dead before dead_after_hours"
            continue
        break

    assert (report.dead, report.remaining, report.failing) == (4, 0, True)
    rows = local.outbox(upstream)
    assert {row.status for row in rows} == {"dead"}
    assert {row.attempts for row in rows} == {attempts}
    assert all("cannot reach" in row.last_error for row in rows)


def test_retry_after_from_the_upstream_is_honoured(local: Local, peer: PeerLrs):
    """A 503 with Retry-After: 120 waits 120 s, not the 5 s base backoff."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Busy(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(503)
            self.send_header("Retry-After", "120")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    busy = ThreadingHTTPServer(("127.0.0.1", 0), Busy)
    threading.Thread(target=busy.serve_forever, daemon=True).start()
    try:
        upstream = local.add_upstream(f"http://127.0.0.1:{busy.server_port}/xapi/", "k", "s")
        local.post_many(2)
        clock = ManualClock()
        local.forwarder(clock).forward()
    finally:
        busy.shutdown()
        busy.server_close()
    head = local.outbox(upstream)[0]
    assert head.next_attempt_us - local.state(upstream).forward_last_error_us == 120 * 1_000_000
    assert head.last_error.startswith("503")


def test_a_statement_the_upstream_refuses_is_dead_and_the_rest_arrive_in_order(
    local: Local, peer: PeerLrs
):
    upstream = local.add_peer(peer)
    ids = local.post_many(10)
    # The upstream already holds other content under the sixth id: it will not take ours.
    other = statement(actor="somebody-else")
    other["id"] = ids[5]
    peer.post([other])

    report = local.forwarder().forward()

    assert (report.delivered, report.dead, report.remaining, report.failing) == (9, 1, 0, True)
    rows = {row.statement_id: row for row in local.outbox(upstream)}
    assert rows[ids[5]].status == "dead"
    assert rows[ids[5]].last_error.startswith("conflict")
    assert sum(row.status == "delivered" for row in rows.values()) == 9
    assert peer.all_ids() == [ids[5], *ids[:5], *ids[6:]]


def test_a_voiding_statement_follows_its_target_to_every_upstream_that_got_it(
    local: Local, peer: PeerLrs
):
    completions = local.add_peer(peer, verbs=(COMPLETED,))
    elsewhere = local.add_upstream(peer.endpoint, peer.key, peer.secret, verbs=("urn:x:other",))
    target, kept = local.post([statement(), statement()])
    void = voiding(target)
    local.post([void])  # its verb (voided) is not in the filter: it follows the target
    # A target and its voiding statement in the same batch.
    same = statement()
    same_void = voiding(same["id"])
    local.post([same, same_void])

    assert len(local.queued_ids(completions)) == 5
    assert local.queued_ids(elsewhere) == []
    report = local.forwarder().forward(completions.name)

    assert report.delivered == 5
    # A listing leaves the voided statements out, not the voiding ones.
    assert peer.all_ids() == [kept, void["id"], same_void["id"]]
    voided = httpx.get(
        f"{peer.endpoint}statements", params={"voidedStatementId": target}, headers=peer.headers()
    )
    assert voided.status_code == 200 and voided.json()["id"] == target


def test_a_resent_unchanged_statement_is_not_queued_again(local: Local, peer: PeerLrs):
    upstream = local.add_peer(peer)
    batch = [statement(), statement()]
    local.post(batch)
    local.post(batch + [statement()])  # a producer's replay after an outage, plus one new

    assert len(local.outbox(upstream)) == 3
    local.forwarder().forward()
    assert len(peer.all_ids()) == 3


def test_erasing_a_learner_deletes_their_queued_rows_so_nothing_erased_is_forwarded(
    local: Local, peer: PeerLrs
):
    admin = local.credential("dpo", "all,admin")[2]
    directory = "name,email,accounts,team,manager_email,language\nKari,kari@example.com,,,,nb\n"
    imported = local.client.post(
        "/api/v1/learners/import", data=directory, headers={**admin, "Content-Type": "text/csv"}
    )
    assert imported.status_code == 200, imported.get_json()
    learner_id = imported.get_json()["learners"][0]["id"]
    upstream = local.add_peer(peer)
    kept = local.post([statement(actor="ola"), statement(actor="per")])
    local.post([statement(actor="kari"), statement(actor="kari")])
    assert len(local.queued_ids(upstream)) == 4

    erased = local.client.delete(f"/api/v1/learners/{learner_id}", headers=admin)

    assert erased.status_code == 200, erased.get_json()
    assert local.queued_ids(upstream) == kept
    local.forwarder().forward()
    assert peer.all_ids() == kept


class Recording:
    """The real client for the upstream, keeping what the forwarder handed it."""

    def __init__(self, upstream: Upstream) -> None:
        self.inner = client_for(upstream, timeout_s=30)
        self.sent: list[Outgoing] = []

    def send(self, batch: Sequence[Outgoing]) -> list[Delivery]:
        self.sent.extend(batch)
        return self.inner.send(batch)

    def fetch(self, **kwargs: Any) -> PulledPage:
        return self.inner.fetch(**kwargs)

    def close(self) -> None:
        self.inner.close()


def test_attachment_content_goes_with_the_statement_that_carries_it(local: Local, peer: PeerLrs):
    local.add_peer(peer)
    text, binary = b"notes from the session", bytes(range(256)) * 40
    carrying = with_attachments(
        attachment(text, contentType="text/plain"), attachment(binary), attachment(text)
    )
    plain = statement()
    response = local.client.post(
        "/xapi/statements",
        data=multipart([plain, carrying], part(text, content_type="text/plain"), part(binary)),
        headers={**local.auth, **mixed()},
    )
    assert response.status_code == 200, response.get_json()
    clients: list[Recording] = []

    def recording(upstream: Upstream) -> Recording:
        clients.append(Recording(upstream))
        return clients[-1]

    local.forwarder(clients=recording).forward()

    sent = {item.id: item for client in clients for item in client.sent}
    assert sent[plain["id"]].attachments == ()
    parts = sent[carrying["id"]].attachments
    assert [(p.sha2, p.content_type, p.content) for p in parts] == [
        (sha256(text), "text/plain", text),
        (sha256(binary), "application/octet-stream", binary),
    ]  # each content once, in the statement's order


def test_a_paused_upstream_keeps_its_queue_even_when_named(local: Local, peer: PeerLrs):
    upstream = local.add_peer(peer)
    local.post_many(4)
    local.runtime.upstreams.set_enabled(upstream.name, False)

    report = local.forwarder().forward(upstream.name)

    assert report.upstreams[0].paused and report.delivered == 0 and report.remaining == 4
    assert not report.failing
    assert local.statuses(upstream) == {"pending": 4}
    assert peer.all_ids() == []
