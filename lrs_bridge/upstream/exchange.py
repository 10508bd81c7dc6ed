"""The xAPI statement exchange with an upstream LRS, over any :class:`Transport`.

Both clients (``http_client`` over httpx, ``tincan_client`` over tincan's ``RemoteLRS``) share
these semantics, so a 1.0.3 upstream and a 2.0.0 upstream are delivered to in the same way:

* a batch is POSTed with its ids kept (JSON, or multipart/mixed when it carries attachment
  content), so re-sending it is idempotent upstream;
* when the upstream answers 400/409/413 for the batch, each statement is PUT on its own, and a
  409 there is resolved by reading the held statement back: the same content is a delivery,
  other content a conflict;
* a 500 for a batch of several is tried one by one too: Ralph answers 500 to a batch holding
  one invalid statement (its error rendering fails), and 422 to that statement's PUT. Without
  this, one bad statement would block its upstream's queue forever. A server that is really
  failing answers the first PUT with 5xx as well, which ends the attempt as unavailable;
* timeouts, refused connections, 5xx, 408/425/429 and 401/403 raise :class:`UpstreamUnavailable`
  (nothing decided: retry the batch later); any other refusal of one statement is ``rejected``
  with the upstream's reason.
"""

from __future__ import annotations

import dataclasses
import email.utils
import uuid
from collections.abc import Mapping, Sequence
from typing import Any, Protocol
from urllib.parse import urljoin, urlsplit

import orjson

from lrs_bridge.upstream.adapt import for_upstream
from lrs_bridge.upstream.attachments import multipart_body, parse_multipart
from lrs_bridge.upstream.client import (
    AttachmentPart,
    Delivery,
    Outgoing,
    PulledPage,
    UpstreamRefused,
    UpstreamUnavailable,
)
from lrs_bridge.upstream.model import Upstream
from lrs_bridge.xapi.compare import statements_match
from lrs_bridge.xapi.timefmt import format_timestamp_us, parse_timestamp_us

TRANSIENT = frozenset({408, 425, 429, 500, 502, 503, 504})
#: Credentials or permissions an admin can fix upstream: retried, never dead-lettered.
UNAUTHORISED = frozenset({401, 403})
#: The batch as a whole could not be taken, but some statements of it may: try one by one.
SPLIT = frozenset({400, 409, 413})
_JSON = {"Content-Type": "application/json"}


@dataclasses.dataclass(frozen=True, kw_only=True)
class Answer:
    """An upstream's HTTP answer, whatever library fetched it (header names lower-case)."""

    status: int
    headers: Mapping[str, str]
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")


@dataclasses.dataclass(frozen=True, kw_only=True)
class Request:
    """One request to an upstream (the transport adds authentication and version)."""

    method: str
    url: str
    params: Mapping[str, str] = dataclasses.field(default_factory=dict)
    content: bytes | None = None
    headers: Mapping[str, str] = dataclasses.field(default_factory=dict)


class Transport(Protocol):
    """Sends one request; raises :class:`UpstreamUnavailable` when no answer came back."""

    def request(self, request: Request) -> Answer: ...

    def close(self) -> None: ...


def endpoint_of(upstream: Upstream) -> str:
    """The endpoint with its trailing ``/`` (relative ``statements`` joins onto it)."""
    return upstream.endpoint if upstream.endpoint.endswith("/") else upstream.endpoint + "/"


class StatementExchange:
    """:class:`~lrs_bridge.upstream.client.UpstreamClient` over a :class:`Transport`."""

    def __init__(self, upstream: Upstream, transport: Transport) -> None:
        self.upstream = upstream
        self.endpoint = endpoint_of(upstream)
        self.transport = transport

    def close(self) -> None:
        self.transport.close()

    # -- forward -------------------------------------------------------------------------

    def send(self, batch: Sequence[Outgoing]) -> list[Delivery]:
        if not batch:
            return []
        payloads = [for_upstream(orjson.loads(item.json), self.upstream.version) for item in batch]
        body = b"[" + b",".join(orjson.dumps(payload) for payload in payloads) + b"]"
        answer = self._post_or_put("POST", batch, body, params=None)
        if 200 <= answer.status < 300:
            return [Delivery(id=item.id, outcome="delivered") for item in batch]
        if answer.status == 413 and len(batch) > 1:
            # Larger than the upstream takes in one request: halves keep the requests few
            # (a PUT per statement would turn one batch of 1,000 into 1,000 requests).
            middle = len(batch) // 2
            return self.send(batch[:middle]) + self.send(batch[middle:])
        if answer.status in SPLIT or (answer.status == 500 and len(batch) > 1):
            return [self._put(item, payload) for item, payload in zip(batch, payloads, strict=True)]
        raise unavailable(answer)

    def _post_or_put(
        self,
        method: str,
        items: Sequence[Outgoing],
        body: bytes,
        *,
        params: Mapping[str, str] | None,
    ) -> Answer:
        parts = [part for item in items for part in item.attachments]
        if not parts:
            return self.transport.request(
                Request(
                    method=method,
                    url=self._url("statements"),
                    params=params or {},
                    content=body,
                    headers=_JSON,
                )
            )
        boundary = uuid.uuid4().hex
        return self.transport.request(
            Request(
                method=method,
                url=self._url("statements"),
                params=params or {},
                content=multipart_body(body, parts, boundary),
                headers={"Content-Type": f"multipart/mixed; boundary={boundary}"},
            )
        )

    def _put(self, item: Outgoing, payload: dict[str, Any]) -> Delivery:
        answer = self._post_or_put(
            "PUT", [item], orjson.dumps(payload), params={"statementId": item.id}
        )
        if 200 <= answer.status < 300:
            return Delivery(id=item.id, outcome="delivered")
        if answer.status == 409:
            return self._resolve_conflict(item, payload)
        if answer.status in TRANSIENT or answer.status in UNAUTHORISED:
            raise unavailable(answer)
        return Delivery(id=item.id, outcome="rejected", detail=detail(answer))

    def _resolve_conflict(self, item: Outgoing, payload: dict[str, Any]) -> Delivery:
        held = self._held(item.id)
        if held is not None and statements_match(held, payload):
            return Delivery(id=item.id, outcome="delivered", detail="already held unchanged")
        return Delivery(
            id=item.id, outcome="conflict", detail="the upstream holds other content under this id"
        )

    def _held(self, statement_id: str) -> dict[str, Any] | None:
        """The statement the upstream holds under an id, voided or not."""
        for name in ("statementId", "voidedStatementId"):
            answer = self.transport.request(
                Request(method="GET", url=self._url("statements"), params={name: statement_id})
            )
            if answer.status == 200:
                held = _json(answer, "the statement read back")
                if not isinstance(held, dict):
                    raise UpstreamRefused("the statement read back is not an object")
                return held
            if answer.status != 404:
                raise unavailable(answer)
        return None

    # -- pull ----------------------------------------------------------------------------

    def fetch(
        self, *, since_us: int | None, more: str, limit: int, attachments: bool = False
    ) -> PulledPage:
        if more:
            answer = self.transport.request(Request(method="GET", url=self._more_url(more)))
        else:
            params = {"ascending": "true", "limit": str(limit)}
            if since_us is not None:
                params["since"] = format_timestamp_us(since_us)
            if attachments:
                params["attachments"] = "true"
            answer = self.transport.request(
                Request(method="GET", url=self._url("statements"), params=params)
            )
        if answer.status != 200:
            if answer.status in TRANSIENT:
                raise unavailable(answer)
            raise UpstreamRefused(f"the statement listing answered {detail(answer)}")
        parts: dict[str, AttachmentPart] = {}
        content = answer.content
        content_type = answer.headers.get("content-type", "")
        if content_type.lower().startswith("multipart/mixed"):
            content, parts = parse_multipart(content, content_type)
        result = _json(Answer(status=200, headers=answer.headers, content=content), "listing")
        if not isinstance(result, dict) or not isinstance(result.get("statements"), list):
            raise UpstreamRefused("the statement listing is not a StatementResult")
        next_more = str(result.get("more") or "")
        statements = result["statements"]
        # Ralph's fs backend answers each ascending page reversed; the pages themselves come
        # in stored order, so sorting within the page gives the listing the protocol promises.
        statements.sort(key=_stored_us)
        through = answer.headers.get("x-experience-api-consistent-through")
        return PulledPage(
            statements=statements,
            more=self._more_url(next_more) if next_more else "",
            consistent_through_us=parse_timestamp_us(through) if through else None,
            attachments=parts,
        )

    def _url(self, path: str) -> str:
        return urljoin(self.endpoint, path)

    def _more_url(self, more: str) -> str:
        """A ``more`` link made absolute; one that leaves the upstream's origin is refused,
        since following it would send the upstream's credentials to another server."""
        url = self._url(more)
        if urlsplit(url)[:2] != urlsplit(self.endpoint)[:2]:
            raise UpstreamRefused(f"the 'more' link {more!r} leaves the upstream's origin")
        return url


def _stored_us(statement: Any) -> int:
    stored = statement.get("stored") if isinstance(statement, dict) else None
    return (parse_timestamp_us(stored) if isinstance(stored, str) else None) or 0


def _json(answer: Answer, what: str) -> Any:
    try:
        return orjson.loads(answer.content)
    except orjson.JSONDecodeError as exc:
        raise UpstreamRefused(f"{what} is not JSON: {exc}") from exc


def detail(answer: Answer) -> str:
    """The status and the start of the upstream's reason, for admins."""
    text = answer.text.strip().replace("\n", " ")
    return f"{answer.status} {text[:300]}".strip()


def unavailable(answer: Answer) -> UpstreamUnavailable:
    """A transient answer, with its ``Retry-After`` (seconds or an HTTP date) when given."""
    return UpstreamUnavailable(detail(answer), retry_after_s=retry_after_s(answer.headers))


def retry_after_s(headers: Mapping[str, str]) -> float | None:
    """``Retry-After`` in seconds: delta-seconds, or an HTTP date measured against the
    answer's own ``Date`` (so no clock is read here); None when absent or unreadable."""
    value = (headers.get("retry-after") or "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        until = email.utils.parsedate_to_datetime(value)
        sent = email.utils.parsedate_to_datetime(headers.get("date") or "")
    except (TypeError, ValueError):
        return None
    return max(0.0, (until - sent).total_seconds())
