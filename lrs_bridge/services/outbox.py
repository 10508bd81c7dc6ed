"""Delivers the notification outbox: e-mail over SMTP and signed webhooks.

Leases. A dispatcher claims one row just before sending it, under a random lease token,
for ``notification_lease_seconds``; while the send goes on (a slow SMTP server) it extends
the lease every third of that time, so no other dispatcher takes a row that is still being
sent. Settling checks the token and the attempt number (``UPDATE … WHERE id = ? AND
lease_token = ? AND attempts = ?``): a dispatcher that lost its lease settles nothing.

Delivery is therefore exactly once, except in the crash window: when a dispatcher dies
(``kill -9``, OOM, power) after the receiver accepted a message and before the settle
committed, or when it cannot reach the database to extend its lease for longer than the
lease while a send is still going on, the lease runs out and the row is sent again, under
the same idempotency key (the e-mail's ``Message-ID``, the webhook's ``Idempotency-Key``),
which receivers use to drop the repeat. Only the one message in flight per dispatcher can
be repeated this way.

Failures retry with exponential backoff until ``notification_max_attempts``, then the row is
dead-lettered for an admin to inspect and retry. Rows that waited for a channel (none was
configured when they were queued) are copied to their channels first, once one exists.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from email.message import EmailMessage
from typing import Any

from lrs_bridge.config import Settings
from lrs_bridge.notify.brand import DEFAULT_BRANDING, Branding, for_email
from lrs_bridge.notify.model import DeliveryError, Digest, digest_from_dict
from lrs_bridge.notify.render import render_email, webhook_body, webhook_event
from lrs_bridge.notify.smtp import SmtpConfig, send_email
from lrs_bridge.notify.webhook import WebhookResult, post_webhook
from lrs_bridge.services.channels import WAITING_SUFFIX, outbox_rows, reaching
from lrs_bridge.services.leases import renewing
from lrs_bridge.store.assignment_records import NewNotification, Notification, Transition
from lrs_bridge.store.assignments import AssignmentTx
from lrs_bridge.store.base import Clock
from lrs_bridge.store.sqlalchemy import SqlStore

logger = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 3600
#: Waiting notifications looked at per routing transaction.
ROUTE_BATCH = 200

EmailSender = Callable[[SmtpConfig, EmailMessage], str]
WebhookPoster = Callable[..., WebhookResult]


@dataclasses.dataclass(kw_only=True)
class DispatchReport:
    """What one dispatch pass did."""

    sent: int = 0
    retried: int = 0
    dead: int = 0
    #: Waiting notifications copied to the channels configured now.
    routed: int = 0
    #: Sends whose lease another dispatcher took over meanwhile (not settled here).
    lost: int = 0

    def as_dict(self) -> dict[str, int]:
        """JSON form."""
        return dataclasses.asdict(self)


def backoff_seconds(attempt: int, base: int) -> int:
    """Delay before attempt ``attempt + 1``: base, 2·base, 4·base … capped at an hour."""
    return int(min(MAX_BACKOFF_SECONDS, base * 2 ** max(0, attempt - 1)))


class Dispatcher:
    """Claims due outbox rows and delivers them; see the module doc."""

    def __init__(
        self,
        store: SqlStore,
        settings: Settings,
        clock: Clock,
        *,
        send: EmailSender = send_email,
        post: WebhookPoster = post_webhook,
        store_statements: Callable[[Digest], str] | None = None,
        branding: Callable[[], Branding] | None = None,
        console_links: Callable[[Digest], Mapping[int, str]] | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self.send = send
        self.post = post
        self.store_statements = store_statements
        #: Read at each e-mail, so a change in the console shows in the next one sent.
        self.branding = branding
        #: Links signing a learner in to each assignment's console page (a public URL is
        #: configured); made per send, because each holds a fresh token.
        self.console_links = console_links

    def dispatch(self, at_us: int | None = None) -> DispatchReport:
        """Deliver everything due, one claimed row at a time, and return the counts.

        ``at_us`` runs the pass as of that time (simulations): the clock starts there and
        runs on in real time.
        """
        offset = 0 if at_us is None else at_us - self.clock()

        def now() -> int:
            return self.clock() + offset

        report = DispatchReport()
        if self.settings.smtp_url or self.settings.webhook_targets:
            report.routed = self._route_waiting(now())
        lease_us = self.settings.notification_lease_seconds * 1_000_000
        while (notification := self.store.claim_notification(now(), lease_us)) is not None:
            with self._holding(notification, now, lease_us):
                self._deliver(notification, report, now)
        if report.sent or report.retried or report.dead or report.routed or report.lost:
            logger.info("notifications dispatched", extra=report.as_dict())
        return report

    def _route_waiting(self, now_us: int) -> int:
        """Copy waiting notifications to the channels that reach their recipient now."""
        routed, after = 0, 0
        while True:
            count, last = self.store.route_waiting(
                now_us, self._route, after_id=after, limit=ROUTE_BATCH
            )
            routed += count
            if last is None:
                return routed
            after = last

    def _route(self, waiting: Notification, assignment_ids: Sequence[int]) -> list[NewNotification]:
        try:
            digest = digest_from_dict(waiting.payload)
        except ValueError:
            return []  # a corrupt payload stays waiting, visible to an admin
        targets = reaching(self.settings, digest.recipient)
        if not targets:
            return []
        return outbox_rows(
            key=waiting.idempotency_key.removesuffix(WAITING_SUFFIX),
            kind=waiting.kind,
            learner_id=waiting.learner_id,
            payload=waiting.payload,
            assignment_ids=assignment_ids,
            targets=targets,
        )

    def _holding(
        self, notification: Notification, now: Callable[[], int], lease_us: int
    ) -> contextlib.AbstractContextManager[threading.Event]:
        """Extend the row's lease every third of its length until the block ends."""
        return renewing(
            lambda: self.store.extend_notification_lease(notification, now() + lease_us),
            lease_us=lease_us,
            name=f"lease-{notification.id}",
            what=f"notification {notification.id}",
        )

    def _deliver(
        self, notification: Notification, report: DispatchReport, now: Callable[[], int]
    ) -> None:
        started = time.perf_counter()
        try:
            digest = digest_from_dict(notification.payload)
            detail = self._send(notification, digest)
        except DeliveryError as error:
            self._failed(notification, str(error), error.retryable, started, report, now())
            return
        except ValueError as error:  # a corrupt payload or an unusable channel setting
            self._failed(notification, f"cannot send: {error}", False, started, report, now())
            return
        elapsed = (time.perf_counter() - started) * 1000
        settled = self.store.settle_notification(
            notification,
            now_us=now(),
            outcome="sent",
            detail=detail,
            duration_ms=elapsed,
            transitions=lambda tx, ids: _mark_notified(tx, ids, notification),
        )
        if settled:
            report.sent += 1
        else:
            report.lost += 1

    def _send(self, notification: Notification, digest: Digest) -> str:
        if notification.channel == "email":
            if not self.settings.smtp_url:
                raise DeliveryError(
                    "no SMTP server configured (LRS_BRIDGE_SMTP_URL)", retryable=False
                )
            config = SmtpConfig.from_url(self.settings.smtp_url, sender=self.settings.smtp_from)
            brand = for_email(
                self.branding() if self.branding is not None else DEFAULT_BRANDING,
                self.settings.public_url,
            )
            links = self.console_links(digest) if self.console_links else None
            message = render_email(
                digest, sender=self.settings.smtp_from, console_links=links, brand=brand
            )
            return self.send(config, message)
        if notification.channel == "webhook":
            result = self.post(
                notification.target,
                webhook_body(digest),
                secret=self.settings.webhook_secret or None,
                idempotency_key=notification.idempotency_key,
                event=webhook_event(digest.kind),
            )
            return f"HTTP {result.status} in {result.duration_ms:.0f} ms: {result.response_excerpt}"
        if notification.channel == "xapi" and self.store_statements is not None:
            return self.store_statements(digest)
        raise DeliveryError(f"unknown channel {notification.channel!r}", retryable=False)

    def _failed(
        self,
        notification: Notification,
        detail: str,
        retryable: bool,
        started: float,
        report: DispatchReport,
        now: int,
    ) -> None:
        exhausted = notification.attempts >= self.settings.notification_max_attempts
        outcome = "retry" if retryable and not exhausted else "dead"
        delay = backoff_seconds(notification.attempts, self.settings.notification_backoff_seconds)
        settled = self.store.settle_notification(
            notification,
            now_us=now,
            outcome=outcome,
            detail=detail,
            duration_ms=(time.perf_counter() - started) * 1000,
            next_attempt_us=now + delay * 1_000_000,
        )
        if not settled:
            report.lost += 1
            return
        if outcome == "dead":
            report.dead += 1
            logger.warning(
                "notification dead-lettered",
                extra={"notification": notification.id, "error": detail},
            )
        else:
            report.retried += 1


def _mark_notified(tx: AssignmentTx, assignment_ids: list[int], notification: Notification) -> None:
    """The first delivered ``assigned`` notice moves an assignment to ``notified``; every
    delivery is recorded in its trail."""
    cause = f"notification:{notification.id} {notification.kind} by {notification.channel}"
    transitions = []
    for assignment_id in assignment_ids:
        current = tx.get(assignment_id)
        if current is None or not current.open:
            continue
        # Storing an xAPI statement tells the LRS, not the learner.
        reached = notification.channel != "xapi"
        to_status = "notified" if current.status == "assigned" and reached else current.status
        transitions.append(
            Transition(
                assignment_id=assignment_id,
                from_status=current.status,
                to_status=to_status,
                cause=cause,
                # The channel, never the target: trails are shown to learners and managers,
                # and webhook URLs carry tokens (the outbox row keeps the target, for admins).
                detail={"channel": notification.channel},
            )
        )
    tx.set_status(transitions)


def describe(notification: Notification) -> dict[str, Any]:
    """An outbox row for the admin API (targets, keys and errors included)."""
    return {
        "id": notification.id,
        "idempotency_key": notification.idempotency_key,
        "channel": notification.channel,
        "target": notification.target,
        "kind": notification.kind,
        "learner_id": notification.learner_id,
        "status": notification.status,
        "attempts": notification.attempts,
        "next_attempt_us": notification.next_attempt_us,
        "created_us": notification.created_us,
        "sent_us": notification.sent_us,
        "last_error": notification.last_error,
    }


def describe_for_people(notification: Notification) -> dict[str, Any]:
    """An outbox row as a learner or manager may see it: whether and how they were told,
    never where it went (webhook URLs carry tokens) or what failed."""
    return {
        "id": notification.id,
        "channel": notification.channel,
        "kind": notification.kind,
        "status": notification.status,
        "sent_us": notification.sent_us,
    }
