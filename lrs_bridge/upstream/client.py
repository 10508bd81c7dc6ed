"""What the forwarder and the puller need from an upstream LRS, whatever speaks to it.

Two implementations: ``tincan_client`` (the ``tincan`` library's ``RemoteLRS``, 1.0.3, wrapped
with a timeout) and ``http_client`` (plain HTTP: 2.0.0, and multipart for attachments).
:func:`client_for` picks one. Errors are classified here, once: a transient failure is
retried with backoff, a rejection is dead-lettered (``Delivery``/``UpstreamUnavailable``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any, Protocol

from lrs_bridge.upstream.model import Upstream


@dataclasses.dataclass(frozen=True, kw_only=True)
class AttachmentPart:
    """The content of one attachment a forwarded statement carries (by its SHA-2)."""

    sha2: str
    content_type: str
    content: bytes


@dataclasses.dataclass(frozen=True, kw_only=True)
class Outgoing:
    """A stored statement to deliver: its id and exact stored JSON text."""

    id: str
    json: str
    attachments: tuple[AttachmentPart, ...] = ()


#: ``delivered`` (stored now, or already held unchanged: a 409 for the same content),
#: ``conflict`` (the upstream holds different content under the id) or ``rejected``
#: (the upstream refuses the statement itself: 400/403/413…). Both of the last are dead letters.
OUTCOMES = ("delivered", "conflict", "rejected")


@dataclasses.dataclass(frozen=True, kw_only=True)
class Delivery:
    """What became of one statement of a batch."""

    id: str
    outcome: str
    detail: str = ""


class UpstreamUnavailable(Exception):
    """The upstream could not be reached or answered a transient error (timeout, connection
    refused, 5xx, 429): nothing was decided, so the whole batch is retried later."""

    def __init__(self, reason: str, *, retry_after_s: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after_s = retry_after_s


class UpstreamRefused(Exception):
    """The upstream refused the request as a whole for a reason retrying will not fix
    (401/403 on a pull, a malformed answer): reported to admins, retried with backoff."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class PulledPage:
    """One page of a statement listing."""

    statements: list[dict[str, Any]]
    #: The upstream's ``more`` link (absolute URL), empty at the end of the listing.
    more: str
    #: ``X-Experience-API-Consistent-Through`` in µs, when the upstream sent it.
    consistent_through_us: int | None
    #: With ``attachments=True``: content parts by SHA-2.
    attachments: dict[str, AttachmentPart] = dataclasses.field(default_factory=dict)


class UpstreamClient(Protocol):
    """One upstream, spoken to in its version."""

    def send(self, batch: Sequence[Outgoing]) -> list[Delivery]:
        """Deliver ``batch`` (ids kept), one :class:`Delivery` per statement in order; raises
        :class:`UpstreamUnavailable` when nothing can be decided now."""
        ...

    def fetch(
        self, *, since_us: int | None, more: str, limit: int, attachments: bool = False
    ) -> PulledPage:
        """A page of statements stored upstream after ``since_us`` (ascending by ``stored``),
        or the page behind ``more`` when it is given."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


def client_for(upstream: Upstream, *, timeout_s: float) -> UpstreamClient:
    """The client for ``upstream``: tincan's RemoteLRS (wrapped, with plain HTTP for
    attachment content) for 1.0.3, plain HTTP for 2.0.0 (tincan speaks only 1.0.3)."""
    if upstream.version == "1.0.3":
        from lrs_bridge.upstream.tincan_client import TincanClient

        return TincanClient(upstream, timeout_s=timeout_s)
    from lrs_bridge.upstream.http_client import HttpClient

    return HttpClient(upstream, timeout_s=timeout_s)
