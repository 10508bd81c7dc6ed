"""The upstream clients against real peers: a second lrs-bridge and Ralph, both xAPI versions.

``client_for`` picks tincan (wrapped) for 1.0.3 and plain HTTP for 2.0.0; the ``http-1.0.3``
case runs the plain HTTP client at 1.0.3 too, since attachments take that path. Ralph accepts
either version header but validates as a 1.0.3 LRS, so the statements here are valid in both.
"""

from __future__ import annotations

import collections
import hashlib
import re
import uuid
from collections.abc import Iterator
from typing import Any

import orjson
import pytest

from lrs_bridge.upstream.client import AttachmentPart, Outgoing, UpstreamClient, client_for
from lrs_bridge.upstream.exchange import StatementExchange
from lrs_bridge.upstream.http_client import HttpClient
from lrs_bridge.upstream.model import Upstream
from lrs_bridge.upstream.tincan_client import TincanClient
from lrs_bridge.xapi.timefmt import parse_timestamp_us
from tests.upstream.conftest import UpstreamLrs

pytestmark = pytest.mark.server

CLIENTS = {
    "tincan-1.0.3": ("1.0.3", TincanClient),
    "http-1.0.3": ("1.0.3", HttpClient),
    "http-2.0.0": ("2.0.0", HttpClient),
}


def statement(n: int, **extra: Any) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "actor": {"mbox": f"mailto:learner{n % 7}@example.org", "name": "Zoë Ångström"},
        "verb": {
            "id": "http://adlnet.gov/expapi/verbs/completed",
            "display": {"en-US": "completed", "ja": "完了しました 🎓"},
        },
        "object": {"id": f"http://example.org/course/{n}"},
        "timestamp": f"2026-01-01T00:{n // 60 % 60:02d}:{n % 60:02d}.000Z",
        **extra,
    }


def outgoing(statements: list[dict[str, Any]]) -> list[Outgoing]:
    return [Outgoing(id=s["id"], json=orjson.dumps(s).decode()) for s in statements]


@pytest.fixture(params=["peer", "ralph"])
def upstream_lrs(request: pytest.FixtureRequest) -> UpstreamLrs:
    lrs: UpstreamLrs = request.getfixturevalue(request.param)
    return lrs


def make_client(lrs: UpstreamLrs, kind: str, *, secret: str | None = None) -> UpstreamClient:
    version, cls = CLIENTS[kind]
    upstream = Upstream(
        id=1,
        name="up",
        endpoint=lrs.endpoint,
        key=lrs.key,
        secret=secret or lrs.secret,
        version=version,
    )
    client: UpstreamClient = cls(upstream, timeout_s=60)
    return client


@pytest.fixture(params=sorted(CLIENTS))
def client(request: pytest.FixtureRequest, upstream_lrs: UpstreamLrs) -> Iterator[UpstreamClient]:
    made = make_client(upstream_lrs, request.param)
    yield made
    made.close()


def test_client_for_picks_tincan_for_1_0_3_and_plain_http_for_2_0_0() -> None:
    base = Upstream(id=1, name="up", endpoint="http://127.0.0.1:9/xapi", key="k", secret="s")
    for version, expected in (("1.0.3", TincanClient), ("2.0.0", HttpClient)):
        made = client_for(dataclass_replace(base, version=version), timeout_s=5)
        assert type(made) is expected
        made.close()


def dataclass_replace(upstream: Upstream, **changes: Any) -> Upstream:
    import dataclasses

    return dataclasses.replace(upstream, **changes)


def test_a_batch_of_500_is_delivered_and_found_upstream_by_id(
    client: UpstreamClient, upstream_lrs: UpstreamLrs
) -> None:
    batch = [statement(n) for n in range(500)]
    deliveries = client.send(outgoing(batch))
    assert [d.id for d in deliveries] == [s["id"] for s in batch]
    assert {d.outcome for d in deliveries} == {"delivered"}
    assert sorted(upstream_lrs.all_ids()) == sorted(s["id"] for s in batch)


@pytest.mark.parametrize("kind", sorted(CLIENTS))
def test_a_batch_larger_than_the_upstream_takes_is_halved_not_sent_one_by_one(
    peer: UpstreamLrs, kind: str
) -> None:
    """The lrs-bridge peer takes at most 500 statements per POST (413 above): 1,001 go in
    halves of 500 and 501, then 250/251…, each id stored once."""
    client = make_client(peer, kind)
    exchange = client.tincan if isinstance(client, TincanClient) else client
    assert isinstance(exchange, HttpClient | StatementExchange)
    methods: list[str] = []
    send_request = exchange.transport.request

    def counting(request: Any) -> Any:
        methods.append(request.method)
        return send_request(request)

    exchange.transport.request = counting  # type: ignore[method-assign]
    try:
        batch = [statement(n) for n in range(1001)]
        deliveries = client.send(outgoing(batch))
    finally:
        client.close()
    assert [d.id for d in deliveries] == [s["id"] for s in batch]
    assert {d.outcome for d in deliveries} == {"delivered"}
    assert collections.Counter(peer.all_ids()) == collections.Counter(s["id"] for s in batch)
    # 1001 → 413; 500 ✓; 501 → 413; 250 ✓; 251 ✓: five POSTs, no PUT.
    assert methods == ["POST"] * 5


def test_the_same_batch_again_is_all_delivered_and_stored_once(
    client: UpstreamClient, upstream_lrs: UpstreamLrs
) -> None:
    batch = outgoing([statement(n) for n in range(500)])
    assert {d.outcome for d in client.send(batch)} == {"delivered"}
    again = client.send(batch)
    assert {d.outcome for d in again} == {"delivered"}
    counts = collections.Counter(upstream_lrs.all_ids())
    assert set(counts) == {item.id for item in batch}
    assert set(counts.values()) == {1}


def test_a_batch_partly_held_already_delivers_the_rest_once(
    client: UpstreamClient, upstream_lrs: UpstreamLrs
) -> None:
    batch = outgoing([statement(n) for n in range(20)])
    client.send(batch[:5])
    assert {d.outcome for d in client.send(batch)} == {"delivered"}
    counts = collections.Counter(upstream_lrs.all_ids())
    assert set(counts) == {item.id for item in batch} and set(counts.values()) == {1}


def test_other_content_under_a_held_id_is_a_conflict_and_the_rest_delivered(
    client: UpstreamClient, upstream_lrs: UpstreamLrs
) -> None:
    held = statement(1)
    upstream_lrs.post([held])
    changed = {**held, "verb": {"id": "http://adlnet.gov/expapi/verbs/failed"}}
    others = [statement(n) for n in range(2, 6)]
    deliveries = client.send(outgoing([changed, *others]))
    assert [(d.id, d.outcome) for d in deliveries] == [
        (held["id"], "conflict"),
        *((s["id"], "delivered") for s in others),
    ]
    assert "other content" in deliveries[0].detail
    assert sorted(upstream_lrs.all_ids()) == sorted([held["id"], *(s["id"] for s in others)])


def test_one_invalid_statement_is_rejected_with_the_reason_and_the_others_delivered(
    client: UpstreamClient, upstream_lrs: UpstreamLrs
) -> None:
    batch = [statement(n) for n in range(10)]
    batch[4]["actor"] = {"mbox": "learner-without-mailto"}
    deliveries = client.send(outgoing(batch))
    outcomes = {d.id: d for d in deliveries}
    assert outcomes[batch[4]["id"]].outcome == "rejected"
    # lrs-bridge answers 400 naming the field; Ralph 422 with pydantic's reason ("mbox").
    assert re.match(r"4(00|22) .*mbox", outcomes[batch[4]["id"]].detail)
    assert {outcomes[s["id"]].outcome for i, s in enumerate(batch) if i != 4} == {"delivered"}
    assert sorted(upstream_lrs.all_ids()) == sorted(s["id"] for i, s in enumerate(batch) if i != 4)


@pytest.mark.parametrize("count", [25, 20])
def test_paging_follows_more_through_every_page_to_the_end(
    client: UpstreamClient, upstream_lrs: UpstreamLrs, request: pytest.FixtureRequest, count: int
) -> None:
    """25: the last page is short; 20: the listing ends on a page boundary (Ralph then sends
    one more, empty page)."""
    posted = [statement(n) for n in range(count)]
    upstream_lrs.post(posted)
    pages = [client.fetch(since_us=None, more="", limit=10)]
    while pages[-1].more and len(pages) < 10:  # a 'more' that loops fails, never hangs
        pages.append(client.fetch(since_us=None, more=pages[-1].more, limit=10))
    assert not pages[-1].more
    ids = [s["id"] for p in pages for s in p.statements]
    assert sorted(ids) == sorted(s["id"] for s in posted)
    stored = [parse_timestamp_us(s["stored"]) for p in pages for s in p.statements]
    assert stored == sorted(stored)  # ascending by stored, on Ralph too (its pages reversed)
    sizes = [len(p.statements) for p in pages if p.statements]
    assert sizes == {25: [10, 10, 5], 20: [10, 10]}[count]
    if "peer" in request.node.callspec.id:
        # lrs-bridge: ascending by stored across pages, Consistent-Through on every page.
        assert ids == [s["id"] for s in posted]
        assert all(p.consistent_through_us for p in pages)
    else:
        # Ralph's fs backend sends no Consistent-Through (see the ralph fixture).
        assert all(p.consistent_through_us is None for p in pages)


def test_pulled_statements_are_the_upstreams_json_unchanged(
    client: UpstreamClient, upstream_lrs: UpstreamLrs
) -> None:
    posted = statement(3)
    upstream_lrs.post([posted])
    (pulled,) = client.fetch(since_us=None, more="", limit=10).statements
    assert pulled["verb"]["display"] == posted["verb"]["display"]
    assert pulled["actor"]["name"] == "Zoë Ångström"
    assert "stored" in pulled and "authority" in pulled


def attachment_statement(content: bytes) -> tuple[Outgoing, str]:
    sha2 = hashlib.sha256(content).hexdigest()
    body = statement(
        1,
        attachments=[
            {
                "usageType": "http://example.org/attachment/certificate",
                "display": {"en-US": "certificate"},
                "contentType": "application/pdf",
                "length": len(content),
                "sha2": sha2,
            }
        ],
    )
    part = AttachmentPart(sha2=sha2, content_type="application/pdf", content=content)
    return Outgoing(id=body["id"], json=orjson.dumps(body).decode(), attachments=(part,)), sha2


@pytest.mark.parametrize("kind", sorted(CLIENTS))
def test_attachments_round_trip_through_an_lrs_bridge_peer(peer: UpstreamLrs, kind: str) -> None:
    content = bytes(range(256)) * 64 + b"\r\n--not-a-boundary\r\n"
    item, sha2 = attachment_statement(content)
    client = make_client(peer, kind)
    try:
        assert [d.outcome for d in client.send([item])] == ["delivered"]
        assert [d.outcome for d in client.send([item])] == ["delivered"]
        page = client.fetch(since_us=None, more="", limit=10, attachments=True)
    finally:
        client.close()
    assert [s["id"] for s in page.statements] == [item.id]
    assert page.attachments[sha2].content == content
    assert page.attachments[sha2].content_type == "application/pdf"


def test_ralph_refuses_attachment_content_and_the_statement_is_rejected_with_its_reason(
    ralph: UpstreamLrs,
) -> None:
    item, _ = attachment_statement(b"%PDF-1.4 certificate")
    client = make_client(ralph, "tincan-1.0.3")
    try:
        (delivery,) = client.send([item])
    finally:
        client.close()
    assert delivery.outcome == "rejected"
    assert re.match(r"4\d\d ", delivery.detail), delivery.detail
    assert ralph.all_ids() == []


@pytest.mark.parametrize("kind", ["tincan-1.0.3", "http-1.0.3"])
def test_a_2_0_0_statement_reaches_a_1_0_3_upstream_without_2_0_0_properties(
    peer: UpstreamLrs, kind: str
) -> None:
    """And its re-delivery is recognised as held unchanged (compared as it was sent)."""
    coach = {"objectType": "contextAgent", "agent": {"mbox": "mailto:coach@example.org"}}
    stored = statement(
        9,
        version="2.0.0",
        context={"contextAgents": [coach], "language": "fr-FR"},
        stored="2026-01-01T00:00:00.000Z",
        authority={"objectType": "Agent", "mbox": "mailto:bridge@example.org"},
    )
    client = make_client(peer, kind)
    try:
        assert [d.outcome for d in client.send(outgoing([stored]))] == ["delivered"]
        (again,) = client.send(outgoing([{**stored, "verb": stored["verb"]}]))
        (held,) = client.fetch(since_us=None, more="", limit=10).statements
    finally:
        client.close()
    assert again.outcome == "delivered"
    assert held["context"] == {"language": "fr-FR"}
    assert held["version"].startswith("1.0")
    assert held["verb"]["display"] == stored["verb"]["display"]  # non-ASCII intact via tincan
    assert held["authority"] != stored["authority"]  # the upstream's own authority


def test_since_returns_only_what_came_after(
    client: UpstreamClient, upstream_lrs: UpstreamLrs, request: pytest.FixtureRequest
) -> None:
    """lrs-bridge: ``since`` is after ``stored``. Ralph's fs backend compares ``timestamp``
    (see the ralph fixture), which the statements here order the same way."""
    first = [statement(n) for n in range(5)]
    later = [statement(n) for n in range(10, 15)]
    upstream_lrs.post(first)
    held = client.fetch(since_us=None, more="", limit=50).statements
    field = "stored" if "peer" in request.node.callspec.id else "timestamp"
    since_us = max(parse_timestamp_us(s[field]) or 0 for s in held)
    upstream_lrs.post(later)
    page = client.fetch(since_us=since_us, more="", limit=50)
    assert sorted(s["id"] for s in page.statements) == sorted(s["id"] for s in later)
