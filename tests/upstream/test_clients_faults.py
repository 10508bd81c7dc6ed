"""The clients when the upstream misbehaves: it hangs, refuses connections, is overloaded
(503 with Retry-After) or refuses the credentials. Real sockets and HTTP servers on loopback.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import orjson
import pytest

from lrs_bridge.upstream.client import (
    Outgoing,
    UpstreamClient,
    UpstreamRefused,
    UpstreamUnavailable,
)
from lrs_bridge.upstream.exchange import retry_after_s
from lrs_bridge.upstream.http_client import HttpClient
from lrs_bridge.upstream.model import Upstream
from lrs_bridge.upstream.tincan_client import TincanClient
from tests.conftest import free_port
from tests.upstream.conftest import UpstreamLrs

FACTORIES: dict[str, Callable[[Upstream, float], UpstreamClient]] = {
    "tincan": lambda upstream, timeout: TincanClient(upstream, timeout_s=timeout),
    "http": lambda upstream, timeout: HttpClient(upstream, timeout_s=timeout),
}
CALLS: dict[str, Callable[[UpstreamClient], object]] = {
    "send": lambda client: client.send([ITEM]),
    "fetch": lambda client: client.fetch(since_us=None, more="", limit=10),
}
ITEM = Outgoing(
    id="6f1d7b44-2a0b-4c43-9f5e-0f8b1f0f6a11",
    json='{"id":"6f1d7b44-2a0b-4c43-9f5e-0f8b1f0f6a11","actor":{"mbox":"mailto:a@example.org"},'
    '"verb":{"id":"http://adlnet.gov/expapi/verbs/completed"},"object":{"id":"http://x.org/1"}}',
)


def upstream_at(endpoint: str, *, key: str = "k", secret: str = "s") -> Upstream:
    return Upstream(id=1, name="up", endpoint=endpoint, key=key, secret=secret)


@contextlib.contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """A threaded HTTP server on a free loopback port, its xAPI endpoint, then stopped."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/xapi/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def silent_server() -> Iterator[str]:
    """Accepts connections and reads, never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            held.append(conn)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/xapi/"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    listener.close()


@pytest.fixture
def overloaded_server() -> Iterator[str]:
    """Answers every request 503 with ``Retry-After: 7``."""

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            self.send_response(503)
            self.send_header("Retry-After", "7")
            self.send_header("Content-Length", "11")
            self.end_headers()
            self.wfile.write(b"overloaded\n")

        do_GET = do_POST = do_PUT = _answer

        def log_message(self, *args: object) -> None:
            pass

    with serving(Handler) as endpoint:
        yield endpoint


@pytest.mark.parametrize("kind", sorted(FACTORIES))
@pytest.mark.parametrize("call", ["send", "fetch"])
def test_an_upstream_that_never_answers_is_unavailable_within_the_timeout(
    silent_server: str, kind: str, call: str
) -> None:
    client = FACTORIES[kind](upstream_at(silent_server), 1.0)
    started = time.monotonic()
    with pytest.raises(UpstreamUnavailable, match="timed out"):
        CALLS[call](client)
    elapsed = time.monotonic() - started
    client.close()
    assert 0.9 <= elapsed < 2.5


def test_tincan_timeouts_are_per_client_and_leave_the_socket_default_alone(
    silent_server: str,
) -> None:
    """Two threads, two timeouts: each request waits its own client's timeout."""
    elapsed: dict[float, float] = {}

    def run(timeout: float) -> None:
        client = TincanClient(upstream_at(silent_server), timeout_s=timeout)
        started = time.monotonic()
        with pytest.raises(UpstreamUnavailable):
            client.send([ITEM])
        elapsed[timeout] = time.monotonic() - started

    threads = [threading.Thread(target=run, args=(t,)) for t in (0.5, 2.0)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert 0.4 <= elapsed[0.5] < 1.4
    assert 1.9 <= elapsed[2.0] < 3.4
    assert socket.getdefaulttimeout() is None


@pytest.mark.parametrize("kind", sorted(FACTORIES))
@pytest.mark.parametrize("call", ["send", "fetch"])
def test_a_refused_connection_is_unavailable(kind: str, call: str) -> None:
    client = FACTORIES[kind](upstream_at(f"http://127.0.0.1:{free_port()}/xapi/"), 5.0)
    with pytest.raises(UpstreamUnavailable, match="cannot reach"):
        CALLS[call](client)
    client.close()


@pytest.mark.parametrize("kind", sorted(FACTORIES))
@pytest.mark.parametrize("call", ["send", "fetch"])
def test_503_is_unavailable_with_its_retry_after(
    overloaded_server: str, kind: str, call: str
) -> None:
    client = FACTORIES[kind](upstream_at(overloaded_server), 5.0)
    with pytest.raises(UpstreamUnavailable) as raised:
        CALLS[call](client)
    client.close()
    assert raised.value.retry_after_s == 7
    assert raised.value.reason.startswith("503 overloaded")


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"retry-after": "120"}, 120.0),
        (
            {
                "retry-after": "Wed, 21 Oct 2026 07:28:30 GMT",
                "date": "Wed, 21 Oct 2026 07:28:00 GMT",
            },
            30.0,
        ),
        ({"retry-after": "Wed, 21 Oct 2026 07:28:00 GMT"}, None),  # no Date to measure from
        ({"retry-after": "soon"}, None),
        ({}, None),
    ],
)
def test_retry_after_is_seconds_or_a_date_against_the_answers_date(
    headers: dict[str, str], seconds: float | None
) -> None:
    assert retry_after_s(headers) == seconds


@pytest.fixture(params=["peer", "ralph"])
def upstream_lrs(request: pytest.FixtureRequest) -> UpstreamLrs:
    lrs: UpstreamLrs = request.getfixturevalue(request.param)
    return lrs


@pytest.mark.server
@pytest.mark.parametrize("kind", sorted(FACTORIES))
def test_wrong_credentials_are_unavailable_on_send_and_refused_on_fetch(
    upstream_lrs: UpstreamLrs, kind: str
) -> None:
    """401 is something an admin fixes upstream: a send is retried, never dead-lettered."""
    upstream = upstream_at(upstream_lrs.endpoint, key=upstream_lrs.key, secret="wrong")
    client = FACTORIES[kind](upstream, 10.0)
    with pytest.raises(UpstreamUnavailable, match="^401"):
        client.send([ITEM])
    with pytest.raises(UpstreamRefused, match="401"):
        client.fetch(since_us=None, more="", limit=10)
    client.close()
    assert upstream_lrs.all_ids() == []


@pytest.fixture
def conflicting_lrs() -> Iterator[str]:
    """An LRS that answers 409 for any id it holds, even for the same content (Learning
    Locker does; neither peer here does, so this small loopback LRS stands in for it)."""
    held: dict[str, dict[str, object]] = {}

    class Handler(BaseHTTPRequestHandler):
        def _reply(self, status: int, body: object = None) -> None:
            content = orjson.dumps(body) if body is not None else b""
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        def _store(self, statements: list[dict[str, object]]) -> None:
            if any(s["id"] in held for s in statements):
                return self._reply(409, {"message": "id exists"})
            for s in statements:
                held[str(s["id"])] = {**s, "stored": "2026-02-02T00:00:00Z", "authority": {}}
            return self._reply(
                200 if self.command == "POST" else 204, [s["id"] for s in statements]
            )

        def do_POST(self) -> None:
            self._store(orjson.loads(self.rfile.read(int(self.headers["Content-Length"]))))

        def do_PUT(self) -> None:
            self._store([orjson.loads(self.rfile.read(int(self.headers["Content-Length"])))])

        def do_GET(self) -> None:
            wanted = parse_qs(urlsplit(self.path).query).get("statementId", [""])[0]
            self._reply(200, held[wanted]) if wanted in held else self._reply(404)

        def log_message(self, *args: object) -> None:
            pass

    with serving(Handler) as endpoint:
        yield endpoint


@pytest.mark.parametrize("kind", sorted(FACTORIES))
def test_a_409_for_content_held_unchanged_is_delivered_and_for_other_content_a_conflict(
    conflicting_lrs: str, kind: str
) -> None:
    client = FACTORIES[kind](upstream_at(conflicting_lrs), 5.0)
    other = Outgoing(id="0b7d6f0e-1111-4c43-9f5e-0f8b1f0f6a11", json=ITEM.json.replace(
        ITEM.id, "0b7d6f0e-1111-4c43-9f5e-0f8b1f0f6a11"))  # fmt: skip
    changed = Outgoing(id=ITEM.id, json=ITEM.json.replace("completed", "failed"))
    try:
        assert [d.outcome for d in client.send([ITEM])] == ["delivered"]
        again = client.send([ITEM, other])
        conflict = client.send([changed])
    finally:
        client.close()
    assert [(d.outcome, d.detail) for d in again] == [
        ("delivered", "already held unchanged"),
        ("delivered", ""),
    ]
    assert [d.outcome for d in conflict] == ["conflict"]


@pytest.mark.parametrize("kind", sorted(FACTORIES))
def test_a_more_link_to_another_origin_is_refused_before_any_request(
    silent_server: str, kind: str
) -> None:
    """Following it would hand the upstream's credentials to another server."""
    client = FACTORIES[kind](upstream_at(silent_server), 1.0)
    started = time.monotonic()
    with pytest.raises(UpstreamRefused, match="leaves the upstream's origin"):
        client.fetch(since_us=None, more="http://127.0.0.2:1/xapi/statements?page=2", limit=10)
    client.close()
    assert time.monotonic() - started < 0.5  # refused at once, the silent server never asked
