"""Delivers the notification outbox: e-mail over SMTP and signed webhooks.

Delivery is at least once with a stable identity: a row is leased before it is sent and
settled after, so a dispatcher that dies mid-send (``kill -9``) leaves a lease that expires
and the row is sent again under the same idempotency key (the e-mail's ``Message-ID``, the
webhook's ``Idempotency-Key``), which receivers use to drop the repeat. Only a message that
was in flight at the moment of the crash can be repeated; everything else is sent once.
Failures retry with exponential backoff until ``notification_max_attempts``, then the row is
dead-lettered for an admin to inspect and retry.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from email.message import EmailMessage
from typing import Any

from lrs_bridge.config import Settings
from lrs_bridge.notify.model import DeliveryError, Digest, digest_from_dict
from lrs_bridge.notify.render import render_email, webhook_body, webhook_event
from lrs_bridge.notify.smtp import SmtpConfig, send_email
from lrs_bridge.notify.webhook import WebhookResult, post_webhook
from lrs_bridge.store.assignment_records import Notification, Transition
from lrs_bridge.store.assignments import AssignmentTx
from lrs_bridge.store.base import Clock
from lrs_bridge.store.sqlalchemy import SqlStore

logger = logging.getLogger(__name__)

CLAIM_BATCH = 20
MAX_BACKOFF_SECONDS = 3600

EmailSender = Callable[[SmtpConfig, EmailMessage], str]
WebhookPoster = Callable[..., WebhookResult]


@dataclasses.dataclass(kw_only=True)
class DispatchReport:
    """What one dispatch pass did."""

    sent: int = 0
    retried: int = 0
    dead: int = 0

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
    ) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self.send = send
        self.post = post
        self.store_statements = store_statements

    def dispatch(self) -> DispatchReport:
        """Deliver everything due now, batch by batch, and return the counts."""
        report = DispatchReport()
        while True:
            claimed = self.store.claim_notifications(
                self.clock(), self.settings.notification_lease_seconds * 1_000_000, CLAIM_BATCH
            )
            if not claimed:
                break
            for notification in claimed:
                self._deliver(notification, report)
        if report.sent or report.retried or report.dead:
            logger.info("notifications dispatched", extra=report.as_dict())
        return report

    def _deliver(self, notification: Notification, report: DispatchReport) -> None:
        started = time.perf_counter()
        try:
            digest = digest_from_dict(notification.payload)
            detail = self._send(notification, digest)
        except DeliveryError as error:
            self._failed(notification, str(error), error.retryable, started, report)
            return
        except ValueError as error:  # a corrupt payload or an unusable channel setting
            self._failed(notification, f"cannot send: {error}", False, started, report)
            return
        elapsed = (time.perf_counter() - started) * 1000
        settled = self.store.settle_notification(
            notification,
            now_us=self.clock(),
            outcome="sent",
            detail=detail,
            duration_ms=elapsed,
            transitions=lambda tx, ids: _mark_notified(tx, ids, notification),
        )
        if settled:
            report.sent += 1

    def _send(self, notification: Notification, digest: Digest) -> str:
        if notification.channel == "email":
            if not self.settings.smtp_url:
                raise DeliveryError(
                    "no SMTP server configured (LRS_BRIDGE_SMTP_URL)", retryable=False
                )
            config = SmtpConfig.from_url(self.settings.smtp_url, sender=self.settings.smtp_from)
            message = render_email(digest, sender=self.settings.smtp_from)
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
    ) -> None:
        now = self.clock()
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
                detail={"target": notification.target},
            )
        )
    tx.set_status(transitions)


def describe(notification: Notification) -> dict[str, Any]:
    """An outbox row for the admin API."""
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
