"""1.0.3 upstreams through the ``tincan`` library's ``RemoteLRS``, wrapped.

``RemoteLRS`` is the reference Python client for xAPI 1.0.3, and it is used as its transport:
its authentication header, version header, URL building and connection handling. Three gaps
are closed here:

* **No timeout.** ``RemoteLRS._send_request`` opens ``http.client.HTTPConnection(host, port)``
  with no timeout, so an upstream that accepts and never answers would hold a forwarder
  forever. The ``http`` name inside ``tincan.remote_lrs`` is pointed (once, idempotently) at
  :data:`_CONNECTIONS`, whose connection classes take their timeout from a context variable
  that each :class:`TincanTransport` request sets around its call. Context variables are per
  thread, so two clients with different timeouts never see each other's, and the process-wide
  socket default is never touched. Code that calls tincan outside this wrapper gets tincan's
  own behaviour (the variable's default is the library default).
* **Statements re-serialised.** ``save_statements`` rebuilds statements through tincan's
  model, which drops what it does not know; bodies are sent as lrs-bridge's exact JSON instead
  (escaped to ASCII, since ``http.client`` encodes a text body as Latin-1), and answers are
  read raw, so pulled statements are the upstream's JSON, not tincan's reading of it.
* **Text bodies only, 1.0.3 only.** Batches with attachment content and pages with
  ``attachments=true`` go through the plain HTTP client (:class:`TincanClient` is a composite).
"""

from __future__ import annotations

import contextvars
import http.client
import re
import socket
import types
from collections.abc import Sequence
from typing import Any

import tincan.remote_lrs
from tincan import RemoteLRS
from tincan.http_request import HTTPRequest

from lrs_bridge.upstream.client import (
    Delivery,
    Outgoing,
    PulledPage,
    UpstreamRefused,
    UpstreamUnavailable,
)
from lrs_bridge.upstream.exchange import Answer, Request, StatementExchange, endpoint_of
from lrs_bridge.upstream.http_client import HttpClient
from lrs_bridge.upstream.model import Upstream

_DEFAULT: Any = socket._GLOBAL_DEFAULT_TIMEOUT  # type: ignore[attr-defined]
_TIMEOUT: contextvars.ContextVar[float | None] = contextvars.ContextVar("tincan_timeout_s")
#: The connections a request opened: tincan closes one only after a full answer, so on a
#: timeout or a reset the wrapper closes it (else the socket lingers until collected).
_OPENED: contextvars.ContextVar[list[http.client.HTTPConnection]] = contextvars.ContextVar(
    "tincan_opened"
)
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _connection(factory: type[http.client.HTTPConnection]) -> Any:
    def open_connection(host: str, port: int | None = None, **kwargs: Any) -> Any:
        kwargs.setdefault("timeout", _TIMEOUT.get(_DEFAULT))
        connection = factory(host, port, **kwargs)
        opened = _OPENED.get(None)
        if opened is not None:
            opened.append(connection)
        return connection

    return open_connection


#: What ``tincan.remote_lrs`` sees as ``http``: ``http.client`` with timed connections.
_CONNECTIONS = types.SimpleNamespace(
    client=types.SimpleNamespace(
        HTTPConnection=_connection(http.client.HTTPConnection),
        HTTPSConnection=_connection(http.client.HTTPSConnection),
    )
)
tincan.remote_lrs.http = _CONNECTIONS


def _ascii_json(content: bytes) -> str:
    """JSON text with every non-ASCII character as a ``\\u`` escape (the same JSON value):
    non-ASCII characters only occur inside JSON strings, where the escape means the same."""

    def escape(match: re.Match[str]) -> str:
        encoded = match.group().encode("utf-16-be")
        return "".join(
            f"\\u{int.from_bytes(encoded[i : i + 2], 'big'):04x}" for i in range(0, len(encoded), 2)
        )

    return _NON_ASCII.sub(escape, content.decode("utf-8"))


class TincanTransport:
    """A :class:`~lrs_bridge.upstream.exchange.Transport` over ``RemoteLRS._send_request``."""

    def __init__(self, upstream: Upstream, *, timeout_s: float) -> None:
        self.timeout_s = timeout_s
        self.lrs = RemoteLRS(
            endpoint=endpoint_of(upstream),
            version="1.0.3",
            username=upstream.key,
            password=upstream.secret,
        )

    def request(self, request: Request) -> Answer:
        method, url = request.method, request.url
        outgoing = HTTPRequest(method=method, resource=url)
        outgoing.query_params = dict(request.params)
        outgoing.headers = dict(request.headers)
        if request.content is not None:
            outgoing.content = _ascii_json(request.content)
        token = _TIMEOUT.set(self.timeout_s)
        opened: list[http.client.HTTPConnection] = []
        opened_token = _OPENED.set(opened)
        try:
            response = self.lrs._send_request(outgoing)
        except TimeoutError as exc:
            raise UpstreamUnavailable(f"timed out after {self.timeout_s}s: {method} {url}") from exc
        except (OSError, http.client.HTTPException) as exc:
            raise UpstreamUnavailable(f"cannot reach {url}: {exc!r}") from exc
        except UnicodeDecodeError as exc:  # LRSResponse decodes every answer as UTF-8
            raise UpstreamRefused(f"{method} {url} answered a body that is not UTF-8") from exc
        finally:
            _TIMEOUT.reset(token)
            _OPENED.reset(opened_token)
            for connection in opened:
                connection.close()
        raw = response.response
        return Answer(
            status=raw.status,
            headers={name.lower(): value for name, value in raw.getheaders()},
            content=(response.data or "").encode("utf-8"),
        )

    def close(self) -> None:
        """Nothing held: ``RemoteLRS`` opens and closes a connection per request."""


class TincanClient:
    """A 1.0.3 upstream: tincan for statements, plain HTTP for attachment content."""

    def __init__(self, upstream: Upstream, *, timeout_s: float) -> None:
        if upstream.version != "1.0.3":
            raise ValueError(f"tincan speaks xAPI 1.0.3, not {upstream.version}")
        self.tincan = StatementExchange(upstream, TincanTransport(upstream, timeout_s=timeout_s))
        self.http = HttpClient(upstream, timeout_s=timeout_s)

    def send(self, batch: Sequence[Outgoing]) -> list[Delivery]:
        if any(item.attachments for item in batch):
            return self.http.send(batch)
        return self.tincan.send(batch)

    def fetch(
        self, *, since_us: int | None, more: str, limit: int, attachments: bool = False
    ) -> PulledPage:
        client = self.http if attachments else self.tincan
        return client.fetch(since_us=since_us, more=more, limit=limit, attachments=attachments)

    def close(self) -> None:
        self.tincan.close()
        self.http.close()
