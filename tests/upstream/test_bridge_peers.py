"""The bridge end to end against each real peer: forwarding and pulling with the services the
scheduler runs, against a second lrs-bridge and Ralph (the issue's two peers), and an upstream
in both directions, where what is pulled must not travel back.

Ralph's quirks (documented on its fixture) shape one expectation here: its ``since`` filters
on ``timestamp`` rather than ``stored`` and it sends no Consistent-Through, so the pull from
Ralph is checked as a listing from the start.
"""

from __future__ import annotations

import collections
from typing import Any

import httpx
import pytest

from lrs_bridge import create_app
from lrs_bridge.runtime import Runtime
from lrs_bridge.store.engine import make_engine
from lrs_bridge.store.migrate import upgrade
from tests.factories import statement
from tests.test_attachments import (
    attachment,
    mixed,
    multipart,
    part,
    sha256,
    split_multipart,
    with_attachments,
)
from tests.upstream.conftest import UpstreamLrs
from tests.upstream.forwarding import Local
from tests.upstream.pull_helpers import add_pulling, many, post_all, pulled_count, puller

pytestmark = pytest.mark.server


@pytest.fixture(params=["peer", "ralph"])
def upstream_lrs(request: pytest.FixtureRequest) -> UpstreamLrs:
    lrs: UpstreamLrs = request.getfixturevalue(request.param)
    return lrs


@pytest.fixture
def local(app: Any, client: Any) -> Local:
    return Local(app, client)


@pytest.mark.parametrize("version", ["1.0.3", "2.0.0"])
def test_forwarding_1001_statements_arrives_once_at_each_peer_and_resends_add_nothing(
    local: Local, upstream_lrs: UpstreamLrs, version: str
) -> None:
    upstream = local.add_upstream(
        upstream_lrs.endpoint, upstream_lrs.key, upstream_lrs.secret, version=version
    )
    first = [statement() for _ in range(500)]
    ids = local.post(first) + local.post_many(501)
    local.post(first[:100])  # a producer's retry: stored already, so nothing is queued
    report = local.forwarder().forward(upstream.name, once=True)
    assert (report.delivered, report.remaining) == (1001, 0)
    assert local.statuses(upstream) == {"delivered": 1001}
    assert collections.Counter(upstream_lrs.all_ids()) == collections.Counter(ids)


def test_pulling_1250_statements_from_each_peer_stores_each_once(
    app: Any, upstream_lrs: UpstreamLrs
) -> None:
    runtime: Runtime = app.extensions["lrs_bridge"]
    ids = post_all(upstream_lrs, many(1250))
    upstream = add_pulling(runtime.engine, upstream_lrs)
    report = puller(runtime, batch_size=500).pull(upstream)
    assert report.new == 1250
    held = runtime.store.find_statements(ids)
    assert set(held) == set(ids)
    again = puller(runtime, batch_size=500).pull(upstream)
    assert again.new == 0
    assert runtime.store.count_statements() == 1250
    assert pulled_count(runtime.engine, upstream.id) == 1250


def test_an_upstream_in_both_directions_gets_ours_gives_its_own_and_nothing_travels_back(
    local: Local, peer: UpstreamLrs
) -> None:
    upstream = local.add_upstream(peer.endpoint, peer.key, peer.secret, direction="both")
    ours = local.post_many(20)
    assert local.forwarder().forward(upstream.name, once=True).delivered == 20
    theirs = post_all(peer, many(15))
    report = puller(local.runtime, batch_size=500).pull(local.runtime.upstreams.get(upstream.name))
    # Our own 20 come back in the listing, held here unchanged: only the peer's 15 are new.
    assert report.new == 15
    assert set(local.runtime.store.find_statements(theirs)) == set(theirs)
    # What was pulled from the peer is not queued back to it, so a second forward sends nothing.
    assert local.queued_ids(upstream) == ours
    assert local.forwarder().forward(upstream.name, once=True).delivered == 0
    assert collections.Counter(peer.all_ids()) == collections.Counter(ours + theirs)


@pytest.mark.parametrize("version", ["1.0.3", "2.0.0"])
def test_attachment_content_travels_forward_to_the_peer_and_back_by_pull(
    local: Local, peer: UpstreamLrs, tmp_path: Any, version: str
) -> None:
    """Forwarded with its content (multipart), held by the peer, then pulled into a second
    local store with the content intact: the whole round of the issue's "attachments"."""
    upstream = local.add_upstream(peer.endpoint, peer.key, peer.secret, version=version)
    text, binary = b"notes from the role-play", bytes(range(256)) * 40
    carrying = with_attachments(
        attachment(text, contentType="text/plain"), attachment(binary), attachment(text)
    )
    response = local.client.post(
        "/xapi/statements",
        data=multipart([carrying], part(text, content_type="text/plain"), part(binary)),
        headers={**local.auth, **mixed()},
    )
    assert response.status_code == 200, response.get_json()
    assert local.forwarder().forward(upstream.name, once=True).delivered == 1

    held = httpx.get(
        f"{peer.endpoint}statements",
        params={"statementId": carrying["id"], "attachments": "true"},
        headers=peer.headers(version),
        timeout=30,
    )
    assert held.status_code == 200
    contents = [body for _, body in split_multipart(held.headers["Content-Type"], held.content)]
    assert text in contents[1:] and binary in contents[1:]

    third_url = f"sqlite:///{tmp_path}/third.sqlite3"
    engine = make_engine(third_url)
    upgrade(engine)
    engine.dispose()
    third = create_app({"database_url": third_url})
    runtime: Runtime = third.extensions["lrs_bridge"]
    try:
        pulling = add_pulling(runtime.engine, peer, version=version)
        assert puller(runtime, batch_size=500).pull(pulling).new == 1
        stored = runtime.store.get_statement(carrying["id"])
        assert stored is not None
        pulled = {
            item.sha2: b"".join(runtime.attachments.open(item))
            for item in runtime.attachments.for_statements([stored.seq])
        }
    finally:
        runtime.close()
    assert pulled == {sha256(text): text, sha256(binary): binary}
