"""The notification outbox as admins see it: lists, one row's delivery log, retry of a dead
letter, and whether any channel is configured at all.

Read by the admin API and the console; the dispatcher (``services/outbox.py``) is what
sends. ``sending`` is not a stored status: it is a ``pending`` row under a live lease.
"""

from __future__ import annotations

from typing import Any, Protocol

from lrs_bridge.config import Settings
from lrs_bridge.errors import BadRequest, NotFound
from lrs_bridge.store.assignment_records import Notification
from lrs_bridge.store.base import Clock

#: Stored statuses, in the order of a notification's life.
STATUSES = ("waiting", "pending", "sent", "dead", "routed")
#: What the console shows: ``pending`` split into queued, being sent (a dispatcher holds
#: it) and failed (waiting for its next attempt after an error).
STATES = ("waiting", "pending", "sending", "failed", "dead", "sent", "routed")
CHANNELS = ("email", "webhook", "xapi", "none")
_STATE_FILTERS: dict[str, dict[str, Any]] = {
    "waiting": {"status": "waiting"},
    "pending": {"status": "pending", "leased": False, "failed": False},
    "sending": {"status": "pending", "leased": True},
    "failed": {"status": "pending", "leased": False, "failed": True},
    "dead": {"status": "dead"},
    "sent": {"status": "sent"},
    "routed": {"status": "routed"},
}


class OutboxReads(Protocol):
    """The store's outbox reads and the admin's retry."""

    def list_notifications(
        self, *, status: str | None = None, limit: int = 100, offset: int = 0, **filters: Any
    ) -> list[Notification]: ...

    def notification(self, notification_id: int) -> Notification | None: ...

    def notification_deliveries(self, notification_id: int) -> list[dict[str, Any]]: ...

    def outbox_counts(self) -> dict[str, int]: ...

    def retry_notification(self, notification_id: int, now_us: int) -> bool: ...


def channels_configured(settings: Settings) -> list[str]:
    """The channels that can reach a person (``email``, ``webhook``); empty when none is
    configured, so every digest waits (the console warns about it)."""
    found = []
    if settings.smtp_url:
        found.append("email")
    if settings.webhook_targets:
        found.append("webhook")
    return found


def state_of(notification: Notification) -> str:
    """The row's state as the console shows it (one of :data:`STATES`)."""
    if notification.status != "pending":
        return notification.status
    if notification.lease_token is not None:
        return "sending"
    return "failed" if notification.last_error else "pending"


class NotificationService:
    """See the module doc."""

    def __init__(self, store: OutboxReads, settings: Settings, clock: Clock) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock

    def channels(self) -> list[str]:
        """See :func:`channels_configured`."""
        return channels_configured(self.settings)

    def find(
        self, *, status: str | None = None, limit: int = 100, offset: int = 0
    ) -> list[Notification]:
        """Outbox rows, newest first; ``status`` one of :data:`STATUSES` (None: all)."""
        if status is not None and status not in STATUSES:
            raise BadRequest(
                "status must be waiting, pending, sent, dead or routed", field="status"
            )
        return self.store.list_notifications(status=status, limit=limit, offset=offset)

    def browse(
        self, *, state: str | None = None, channel: str | None = None, limit: int, offset: int
    ) -> list[Notification]:
        """Outbox rows, newest first, by console state (:data:`STATES`) and channel."""
        if state is not None and state not in _STATE_FILTERS:
            raise BadRequest(f"state must be one of {', '.join(STATES)}", field="state")
        if channel is not None and channel not in CHANNELS:
            raise BadRequest(f"channel must be one of {', '.join(CHANNELS)}", field="channel")
        filters = dict(_STATE_FILTERS[state]) if state else {}
        if channel:
            filters["channel"] = channel
        return self.store.list_notifications(limit=limit, offset=offset, **filters)

    def counts(self) -> dict[str, int]:
        """Notifications per stored status."""
        return self.store.outbox_counts()

    def get(self, notification_id: int) -> Notification:
        """One outbox row; NotFound when there is none."""
        found = self.store.notification(notification_id)
        if found is None:
            raise NotFound(f"no notification {notification_id}")
        return found

    def deliveries(self, notification_id: int) -> list[dict[str, Any]]:
        """The delivery log of one notification, oldest first."""
        return self.store.notification_deliveries(notification_id)

    def retry(self, notification_id: int) -> None:
        """Put a dead letter back in the queue, due now, with its attempts reset."""
        self.get(notification_id)
        if not self.store.retry_notification(notification_id, self.clock()):
            raise BadRequest("only a dead notification can be retried", field="status")
