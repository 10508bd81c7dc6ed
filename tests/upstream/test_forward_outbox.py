"""The forward outbox's lease rules, at the store (both databases): one holder per upstream,
and a forwarder whose lease was taken over writes nothing."""

from __future__ import annotations

import pytest

from lrs_bridge.store.upstream_outbox import UpstreamOutboxStore
from lrs_bridge.xapi.timefmt import now_us
from tests.upstream.forwarding import Local

LEASE_US = 60 * 1_000_000


@pytest.fixture
def local(app, client) -> Local:
    return Local(app, client)


def test_one_forwarder_holds_an_upstream_until_its_lease_passes(local: Local):
    upstream = local.add_upstream("http://127.0.0.1:9/xapi/", "k", "s")
    outbox = UpstreamOutboxStore(local.runtime.engine)
    now = now_us()

    assert outbox.acquire(upstream.id, "a", now, now + LEASE_US)
    assert outbox.acquire(upstream.id, "a", now, now + LEASE_US)  # its own again
    assert not outbox.acquire(upstream.id, "b", now + LEASE_US - 1, now + 2 * LEASE_US)
    assert outbox.acquire(upstream.id, "b", now + LEASE_US + 1, now + 2 * LEASE_US)
    assert not outbox.renew(upstream.id, "a", now + 3 * LEASE_US)


def test_a_forwarder_that_lost_its_lease_settles_and_postpones_nothing(local: Local):
    upstream = local.add_upstream("http://127.0.0.1:9/xapi/", "k", "s")
    local.post_many(5)
    outbox = UpstreamOutboxStore(local.runtime.engine)
    now = now_us()
    assert outbox.acquire(upstream.id, "slow", now, now + LEASE_US)
    batch = outbox.claim(upstream.id, "slow", now, now + LEASE_US, 500)
    assert [row.lease_token for row in local.outbox(upstream)] == ["slow"] * 5
    # The slow forwarder stalls past its lease; another takes the upstream over.
    later = now + LEASE_US + 1
    assert outbox.acquire(upstream.id, "next", later, later + LEASE_US)

    delivered = [row.row_id for row in batch]
    assert not outbox.settle(upstream.id, "slow", later, delivered, [])
    assert (
        outbox.postpone(
            upstream.id,
            "slow",
            later,
            batch,
            next_attempt_us=later + LEASE_US,
            dead_before_us=0,
            error="x",
        )
        is None
    )
    assert not outbox.claim(upstream.id, "slow", later, later + LEASE_US, 500)

    assert local.statuses(upstream) == {"pending": 5}
    assert {row.attempts for row in local.outbox(upstream)} == {0}
    assert local.state(upstream).forwarded_count == 0
    assert outbox.settle(upstream.id, "next", later, delivered, [])
    assert local.statuses(upstream) == {"delivered": 5}


def test_releasing_frees_the_upstream_and_the_rows_claimed_but_not_sent(local: Local):
    upstream = local.add_upstream("http://127.0.0.1:9/xapi/", "k", "s")
    local.post_many(3)
    outbox = UpstreamOutboxStore(local.runtime.engine)
    now = now_us()
    outbox.acquire(upstream.id, "a", now, now + LEASE_US)
    outbox.claim(upstream.id, "a", now, now + LEASE_US, 2)

    outbox.release(upstream.id, "a")

    assert [row.lease_token for row in local.outbox(upstream)] == [None] * 3
    assert local.state(upstream).forward_lease_token is None
    assert outbox.acquire(upstream.id, "b", now, now + LEASE_US)
