"""Plain HTTP to an upstream LRS (httpx): any xAPI version, a timeout on every request.

This is the client for 2.0.0 upstreams (tincan speaks only 1.0.3) and for everything with
attachment content (multipart/mixed bodies and answers, which tincan cannot carry: it
decodes every body as text). The exchange itself (POST, PUT fallback, 409 resolution,
paging) is :class:`~lrs_bridge.upstream.exchange.StatementExchange`.
"""

from __future__ import annotations

import base64

import httpx

from lrs_bridge.upstream.client import UpstreamUnavailable
from lrs_bridge.upstream.exchange import Answer, Request, StatementExchange
from lrs_bridge.upstream.model import Upstream


class HttpTransport:
    """httpx with one connection pool per upstream; connect, read, write and pool waits are
    each bounded by ``timeout_s``."""

    def __init__(self, upstream: Upstream, *, timeout_s: float) -> None:
        token = base64.b64encode(f"{upstream.key}:{upstream.secret}".encode()).decode()
        self._http = httpx.Client(
            timeout=timeout_s,
            headers={
                "Authorization": f"Basic {token}",
                "X-Experience-API-Version": upstream.version,
            },
        )

    def request(self, request: Request) -> Answer:
        method, url = request.method, request.url
        for attempt in (1, 2):
            try:
                response = self._http.request(
                    method,
                    url,
                    # None, not {}: httpx replaces a URL's query (a 'more' link's) with params.
                    params=dict(request.params) or None,
                    content=request.content,
                    headers=dict(request.headers),
                )
                break
            except httpx.TimeoutException as exc:
                raise UpstreamUnavailable(f"timed out: {method} {url}") from exc
            except (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError) as exc:
                # A pooled connection the server closed after its last answer (uvicorn
                # does after a 500) fails on reuse. Every request here is idempotent
                # (statement ids are kept), so it is sent once more on a new connection.
                if attempt == 2:
                    raise UpstreamUnavailable(f"cannot reach {url}: {exc}") from exc
            except httpx.TransportError as exc:
                raise UpstreamUnavailable(f"cannot reach {url}: {exc}") from exc
        return Answer(
            status=response.status_code,
            headers={name.lower(): value for name, value in response.headers.items()},
            content=response.content,
        )

    def close(self) -> None:
        self._http.close()


class HttpClient(StatementExchange):
    """:class:`~lrs_bridge.upstream.client.UpstreamClient` over httpx."""

    def __init__(self, upstream: Upstream, *, timeout_s: float) -> None:
        super().__init__(upstream, HttpTransport(upstream, timeout_s=timeout_s))
