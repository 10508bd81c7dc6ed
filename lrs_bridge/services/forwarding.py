"""Delivers the forward outbox to upstream LRSs: in batches, in ``seq`` order, once.

One forwarder per upstream at a time holds the upstream's lease, renewed every third of
its length while a slow send goes on (like the notification dispatcher). A batch is the
next ``upstream_batch_size`` pending rows; the upstream's answer settles each row
(``delivered``; ``conflict``/``rejected`` are dead letters with the reason, and the rest of
the batch goes on). When the upstream cannot be reached the whole batch waits with
exponential backoff, and since the head of the queue is in backoff nothing behind it is
sent: the upstream receives statements in the order of ``stored``. Rows become dead
letters only after ``upstream_dead_after_hours`` of failing.

A crash between the upstream's acceptance and the settle re-sends that batch once the
lease has passed, under the same statement ids: the upstream answers 409/204 for what it
holds, which counts as delivered, so it holds every statement once.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import dataclasses
import logging
import secrets
import threading
from collections.abc import Callable, Sequence
from typing import Protocol

import orjson

from lrs_bridge.config import Settings
from lrs_bridge.services.forward_reports import ForwardReport, UpstreamForwardReport, backoff_us
from lrs_bridge.services.leases import renewing
from lrs_bridge.store.base import AttachmentContentStore, Clock
from lrs_bridge.store.upstream_outbox import Postponed, Queued
from lrs_bridge.upstream.client import (
    AttachmentPart,
    Outgoing,
    UpstreamClient,
    UpstreamRefused,
    UpstreamUnavailable,
    client_for,
)
from lrs_bridge.upstream.model import Upstream

logger = logging.getLogger(__name__)

ClientFactory = Callable[[Upstream], UpstreamClient]


class UpstreamDirectory(Protocol):
    """The registry, read fresh (``UpstreamRegistry``)."""

    def all(self) -> list[Upstream]: ...

    def get(self, name: str) -> Upstream: ...


class ForwardOutbox(Protocol):
    """The store side (``store/upstream_outbox.py``)."""

    def acquire(self, upstream_id: int, token: str, now_us: int, until_us: int) -> bool: ...

    def renew(self, upstream_id: int, token: str, until_us: int) -> bool: ...

    def release(self, upstream_id: int, token: str) -> None: ...

    def claim(
        self,
        upstream_id: int,
        token: str,
        now_us: int,
        until_us: int,
        limit: int,
        *,
        after_seq: int | None = None,
    ) -> list[Queued]: ...

    def settle(
        self,
        upstream_id: int,
        token: str,
        now_us: int,
        delivered: Sequence[int],
        dead: Sequence[tuple[int, str]],
    ) -> bool: ...

    def postpone(
        self,
        upstream_id: int,
        token: str,
        now_us: int,
        batch: Sequence[Queued],
        *,
        next_attempt_us: int,
        dead_before_us: int,
        error: str,
    ) -> Postponed | None: ...

    def pending_count(self, upstream_id: int) -> int: ...


class Forwarder:
    """Forwards queued statements to their upstreams; see the module doc."""

    def __init__(
        self,
        upstreams: UpstreamDirectory,
        outbox: ForwardOutbox,
        settings: Settings,
        clock: Clock,
        *,
        attachments: AttachmentContentStore | None = None,
        clients: ClientFactory | None = None,
    ) -> None:
        self.upstreams = upstreams
        self.outbox = outbox
        self.settings = settings
        self.clock = clock
        self.attachments = attachments
        self.clients = clients or (
            lambda upstream: client_for(upstream, timeout_s=settings.upstream_timeout_seconds)
        )

    def forward(
        self, name: str | None = None, *, once: bool = True, stop: threading.Event | None = None
    ) -> ForwardReport:
        """Deliver what is due to ``name`` (every forwarding upstream without it).

        ``once``: one pass, until each queue is empty or waits for a backoff. Otherwise pass
        after pass, ``upstream_forward_seconds`` apart, until ``stop`` is set.
        """
        stop = stop or threading.Event()
        totals: dict[str, UpstreamForwardReport] = {}
        while True:
            targets = (
                [self.upstreams.get(name)]
                if name
                else [u for u in self.upstreams.all() if u.forwards]
            )
            for upstream in targets:
                if stop.is_set():
                    break
                report = self.forward_upstream(upstream, stop)
                totals[upstream.name] = _merge(totals.get(upstream.name), report)
            if once or stop.wait(self.settings.upstream_forward_seconds):
                return ForwardReport(upstreams=list(totals.values()))

    def forward_upstream(
        self, upstream: Upstream, stop: threading.Event | None = None
    ) -> UpstreamForwardReport:
        """One pass over one upstream's queue, under its lease."""
        report = UpstreamForwardReport(name=upstream.name)
        if not upstream.forwards:
            # Paused (or pull only): what is queued stays queued, even when named.
            report.paused = True
            report.remaining = self.outbox.pending_count(upstream.id)
            return report
        lease_us = self.settings.upstream_lease_seconds * 1_000_000
        token = secrets.token_hex(16)
        if not self.outbox.acquire(upstream.id, token, self.clock(), self.clock() + lease_us):
            report.busy = True
            report.remaining = self.outbox.pending_count(upstream.id)
            return report
        client = self.clients(upstream)
        # One send in flight at a time (the upstream stamps ``stored`` in arrival order);
        # the next batch is read from the outbox while the current one is on the wire.
        wire = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="forward-send")
        try:
            batch = self._claim(upstream.id, token, None)
            while batch and (stop is None or not stop.is_set()):
                batch = self._deliver(upstream, client, wire, token, batch, report)
        finally:
            wire.shutdown()
            client.close()
            self.outbox.release(upstream.id, token)
        report.remaining = self.outbox.pending_count(upstream.id)
        if report.delivered or report.dead or report.retrying or report.lost:
            counts = dataclasses.asdict(report)
            logger.info("upstream forward pass", extra={"upstream": counts.pop("name"), **counts})
        return report

    def _claim(self, upstream_id: int, token: str, after_seq: int | None) -> list[Queued]:
        lease_us = self.settings.upstream_lease_seconds * 1_000_000
        return self.outbox.claim(
            upstream_id,
            token,
            self.clock(),
            self.clock() + lease_us,
            self.settings.upstream_batch_size,
            after_seq=after_seq,
        )

    def _deliver(
        self,
        upstream: Upstream,
        client: UpstreamClient,
        wire: concurrent.futures.Executor,
        token: str,
        batch: list[Queued],
        report: UpstreamForwardReport,
    ) -> list[Queued]:
        """Send one batch and settle it; returns the next batch (claimed while this one was
        sent), or nothing when the pass stops here."""
        lease_us = self.settings.upstream_lease_seconds * 1_000_000
        with self._holding(upstream.id, token, lease_us):
            sending = wire.submit(client.send, self._outgoing(batch))
            following = self._claim(upstream.id, token, batch[-1].seq)
            concurrent.futures.wait([sending])
        try:
            deliveries = sending.result()
        except UpstreamUnavailable as error:
            moving = self._postpone(
                upstream, token, batch, report, error.reason, error.retry_after_s
            )
            return following if moving else []
        except UpstreamRefused as error:
            moving = self._postpone(upstream, token, batch, report, str(error), None)
            return following if moving else []
        except Exception as error:  # noqa: BLE001 - a client bug must not lose or spin rows
            logger.exception("upstream client failed", extra={"upstream": upstream.name})
            moving = self._postpone(upstream, token, batch, report, f"client error: {error}", None)
            return following if moving else []
        outcomes = {delivery.id: delivery for delivery in deliveries}
        delivered: list[int] = []
        dead: list[tuple[int, str]] = []
        for item in batch:
            outcome = outcomes.get(item.statement_id)
            if outcome is None:
                continue  # not answered: stays pending and goes again with the next batch
            if outcome.outcome == "delivered":
                delivered.append(item.row_id)
            else:
                dead.append((item.row_id, f"{outcome.outcome}: {outcome.detail}".strip()))
        if not self.outbox.settle(upstream.id, token, self.clock(), delivered, dead):
            report.lost += 1
            return []
        report.delivered += len(delivered)
        report.dead += len(dead)
        if dead:
            report.error = dead[-1][1]
            logger.warning(
                "upstream refused statements",
                extra={"upstream": upstream.name, "dead": len(dead), "error": dead[-1][1]},
            )
        report.retrying = 0
        return following if len(delivered) + len(dead) == len(batch) else []

    def _postpone(
        self,
        upstream: Upstream,
        token: str,
        batch: list[Queued],
        report: UpstreamForwardReport,
        error: str,
        retry_after_s: float | None,
    ) -> bool:
        now = self.clock()
        result = self.outbox.postpone(
            upstream.id,
            token,
            now,
            batch,
            next_attempt_us=now + backoff_us(batch[0].attempts, self.settings, retry_after_s),
            dead_before_us=now - self.settings.upstream_dead_after_hours * 3_600_000_000,
            error=error,
        )
        if result is None:
            report.lost += 1
            return False
        report.retrying = result.retrying
        report.dead += result.dead
        report.error = error
        logger.warning(
            "upstream unavailable, batch postponed",
            extra={"upstream": upstream.name, "error": error, "attempts": batch[0].attempts + 1},
        )
        # Dead letters at the head let the queue move on; otherwise wait for the backoff.
        return result.retrying == 0

    def _outgoing(self, batch: Sequence[Queued]) -> list[Outgoing]:
        """The batch as the client sends it, with the attachment content the store holds."""
        carrying = [item for item in batch if '"attachments"' in item.json]
        if not carrying or self.attachments is None:
            return [Outgoing(id=item.statement_id, json=item.json) for item in batch]
        stored = {
            part.sha2: part
            for part in self.attachments.for_statements([item.seq for item in carrying])
        }
        outgoing = []
        for item in batch:
            parts: list[AttachmentPart] = []
            if stored and '"attachments"' in item.json:
                for attachment in orjson.loads(item.json).get("attachments") or []:
                    held = stored.get(str(attachment.get("sha2", "")))
                    if held is not None and all(p.sha2 != held.sha2 for p in parts):
                        parts.append(
                            AttachmentPart(
                                sha2=held.sha2,
                                content_type=held.content_type,
                                content=b"".join(self.attachments.open(held)),
                            )
                        )
            outgoing.append(
                Outgoing(id=item.statement_id, json=item.json, attachments=tuple(parts))
            )
        return outgoing

    def _holding(
        self, upstream_id: int, token: str, lease_us: int
    ) -> contextlib.AbstractContextManager[threading.Event]:
        """Extend the upstream's lease every third of its length until the block ends."""
        return renewing(
            lambda: self.outbox.renew(upstream_id, token, self.clock() + lease_us),
            lease_us=lease_us,
            name=f"forward-lease-{upstream_id}",
            what=f"forwarding to upstream {upstream_id}",
        )


def _merge(
    before: UpstreamForwardReport | None, after: UpstreamForwardReport
) -> UpstreamForwardReport:
    """Passes of a long run added up (the latest state wins for what is left)."""
    if before is None:
        return after
    return dataclasses.replace(
        after,
        delivered=before.delivered + after.delivered,
        dead=before.dead + after.dead,
        lost=before.lost + after.lost,
        error=after.error or before.error,
    )
