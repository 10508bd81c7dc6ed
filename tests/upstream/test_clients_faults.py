"""The clients when the upstream misbehaves: it hangs, refuses connections, is overloaded
(503 with Retry-After) or refuses the credentials. Real sockets and HTTP servers on loopback.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

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
ITEM = Outgoing(
    id="6f1d7b44-2a0b-4c43-9f5e-0f8b1f0f6a11",
    json='{"id":"6f1d7b44-2a0b-4c43-9f5e-0f8b1f0f6a11","actor":{"mbox":"mailto:a@example.org"},'
    '"verb":{"id":"http://adlnet.gov/expapi/verbs/completed"},"object":{"id":"http://x.org/1"}}',
)


def upstream_at(endpoint: str, *, key: str = "k", secret: str = "s") -> Upstream:
    return Upstream(id=1, name="up", endpoint=endpoint, key=key, secret=secret)


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

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/xapi/"
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.mark.parametrize("kind", sorted(FACTORIES))
@pytest.mark.parametrize("call", ["send", "fetch"])
def test_an_upstream_that_never_answers_is_unavailable_within_the_timeout(
    silent_server: str, kind: str, call: str
) -> None:
    client = FACTORIES[kind](upstream_at(silent_server), 1.0)
    started = time.monotonic()
    with pytest.raises(UpstreamUnavailable, match="timed out"):
        if call == "send":
            client.send([ITEM])
        else:
            client.fetch(since_us=None, more="", limit=10)
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
        if call == "send":
            client.send([ITEM])
        else:
            client.fetch(since_us=None, more="", limit=10)
    client.close()


@pytest.mark.parametrize("kind", sorted(FACTORIES))
@pytest.mark.parametrize("call", ["send", "fetch"])
def test_503_is_unavailable_with_its_retry_after(
    overloaded_server: str, kind: str, call: str
) -> None:
    client = FACTORIES[kind](upstream_at(overloaded_server), 5.0)
    with pytest.raises(UpstreamUnavailable) as raised:
        if call == "send":
            client.send([ITEM])
        else:
            client.fetch(since_us=None, more="", limit=10)
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
