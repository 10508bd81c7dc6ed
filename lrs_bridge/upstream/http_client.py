"""Plain HTTP to an upstream LRS (httpx): any version, with a timeout on every request.

Delivery keeps statement ids, so re-sending is idempotent upstream. A batch is POSTed first;
when the upstream answers 409 (it holds one of the ids already) or refuses the batch, each
statement is PUT on its own, and a 409 there is resolved by reading the held statement back:
the same content is a delivery, other content a conflict.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any
from urllib.parse import urljoin

import httpx
import orjson

from lrs_bridge.upstream.client import (
    Delivery,
    Outgoing,
    PulledPage,
    UpstreamRefused,
    UpstreamUnavailable,
)
from lrs_bridge.upstream.model import Upstream
from lrs_bridge.xapi.compare import statements_match
from lrs_bridge.xapi.timefmt import format_timestamp_us, parse_timestamp_us

_TRANSIENT = frozenset({408, 425, 429, 500, 502, 503, 504})
#: The batch as a whole could not be taken, but some statements of it may: try one by one.
_SPLIT = frozenset({400, 409, 413})


class HttpClient:
    """:class:`~lrs_bridge.upstream.client.UpstreamClient` over httpx."""

    def __init__(self, upstream: Upstream, *, timeout_s: float) -> None:
        self.upstream = upstream
        self.endpoint = (
            upstream.endpoint if upstream.endpoint.endswith("/") else upstream.endpoint + "/"
        )
        token = base64.b64encode(f"{upstream.key}:{upstream.secret}".encode()).decode()
        self._http = httpx.Client(
            timeout=timeout_s,
            headers={
                "Authorization": f"Basic {token}",
                "X-Experience-API-Version": upstream.version,
            },
        )

    def close(self) -> None:
        self._http.close()

    # -- forward -------------------------------------------------------------------------

    def send(self, batch: Sequence[Outgoing]) -> list[Delivery]:
        if not batch:
            return []
        body = b"[" + b",".join(item.json.encode() for item in batch) + b"]"
        response = self._request(
            "POST", "statements", content=body, headers={"Content-Type": "application/json"}
        )
        if response.status_code == 200:
            return [Delivery(id=item.id, outcome="delivered") for item in batch]
        if response.status_code in _SPLIT:
            return [self._put(item) for item in batch]
        raise _unavailable(response)

    def _put(self, item: Outgoing) -> Delivery:
        response = self._request(
            "PUT",
            "statements",
            params={"statementId": item.id},
            content=item.json.encode(),
            headers={"Content-Type": "application/json"},
        )
        if response.status_code in (200, 204):
            return Delivery(id=item.id, outcome="delivered")
        if response.status_code == 409:
            return self._resolve_conflict(item)
        if response.status_code in _TRANSIENT or response.status_code in (401, 403):
            raise _unavailable(response)
        return Delivery(id=item.id, outcome="rejected", detail=_detail(response))

    def _resolve_conflict(self, item: Outgoing) -> Delivery:
        response = self._request("GET", "statements", params={"statementId": item.id})
        if response.status_code != 200:
            raise _unavailable(response)
        held = orjson.loads(response.content)
        if statements_match(held, orjson.loads(item.json)):
            return Delivery(id=item.id, outcome="delivered", detail="already held unchanged")
        return Delivery(
            id=item.id, outcome="conflict", detail="the upstream holds other content under this id"
        )

    # -- pull ----------------------------------------------------------------------------

    def fetch(
        self, *, since_us: int | None, more: str, limit: int, attachments: bool = False
    ) -> PulledPage:
        if more:
            response = self._request("GET", urljoin(self.endpoint, more))
        else:
            params: dict[str, str] = {"ascending": "true", "limit": str(limit)}
            if since_us is not None:
                params["since"] = format_timestamp_us(since_us)
            response = self._request("GET", "statements", params=params)
        if response.status_code != 200:
            if response.status_code in _TRANSIENT:
                raise _unavailable(response)
            raise UpstreamRefused(
                f"{response.status_code} from the statement listing: {_detail(response)}"
            )
        try:
            result = orjson.loads(response.content)
            statements = result["statements"]
            next_more = str(result.get("more") or "")
        except (orjson.JSONDecodeError, KeyError, TypeError) as exc:
            raise UpstreamRefused(f"the statement listing is not a StatementResult: {exc}") from exc
        if not isinstance(statements, list):
            raise UpstreamRefused("the statement listing's 'statements' is not a list")
        through = response.headers.get("X-Experience-API-Consistent-Through")
        return PulledPage(
            statements=statements,
            more=urljoin(self.endpoint, next_more) if next_more else "",
            consistent_through_us=parse_timestamp_us(through) if through else None,
        )

    # -- transport -----------------------------------------------------------------------

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        url = path if path.startswith(("http://", "https://")) else urljoin(self.endpoint, path)
        try:
            return self._http.request(method, url, **kwargs)
        except httpx.TimeoutException as exc:
            raise UpstreamUnavailable(f"timed out: {method} {url}") from exc
        except httpx.TransportError as exc:
            raise UpstreamUnavailable(f"cannot reach {url}: {exc}") from exc


def _detail(response: httpx.Response) -> str:
    text = response.text.strip().replace("\n", " ")
    return f"{response.status_code} {text[:300]}"


def _unavailable(response: httpx.Response) -> UpstreamUnavailable:
    retry_after = response.headers.get("Retry-After")
    seconds = float(retry_after) if retry_after and retry_after.isdigit() else None
    return UpstreamUnavailable(_detail(response), retry_after_s=seconds)
