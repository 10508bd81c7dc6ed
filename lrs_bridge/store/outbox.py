"""The notification outbox: reads for the API, and the dispatcher's claim and settle.

Rows are written by :meth:`lrs_bridge.store.assignments.AssignmentTx.enqueue` in the same
transaction as the decisions that cause them; this module leases them to a dispatcher one at
a time and records each delivery attempt. A row is ``waiting`` while its recipient has no
channel; the dispatcher copies it to ``pending`` rows per channel (``routed``) once one is
configured.
"""

from __future__ import annotations

import dataclasses
import secrets
from typing import Any

from sqlalchemy import Connection, and_, func, insert, or_, select, update

from lrs_bridge.store.assignment_records import Notification, record_from_row
from lrs_bridge.store.tables import (
    delivery_attempts,
    notification_assignments,
    notifications,
)


def _notification(row: Any) -> Notification:
    return record_from_row(Notification, row, "payload")


def notifications_of_assignment(conn: Connection, assignment_id: int) -> list[Notification]:
    """The notifications that mention an assignment."""
    rows = conn.execute(
        select(notifications)
        .join(
            notification_assignments,
            notification_assignments.c.notification_id == notifications.c.id,
        )
        .where(notification_assignments.c.assignment_id == assignment_id)
        .order_by(notifications.c.id)
    )
    return [_notification(row) for row in rows]


def list_notifications(
    conn: Connection,
    *,
    status: str | None,
    limit: int,
    offset: int,
    channel: str | None = None,
    leased: bool | None = None,
    failed: bool | None = None,
) -> list[Notification]:
    """Outbox rows, newest first; ``leased``: held by a dispatcher now (or not);
    ``failed``: with a last error (or without)."""
    n = notifications.c
    query = select(notifications)
    if status:
        query = query.where(n.status == status)
    if channel:
        query = query.where(n.channel == channel)
    if leased is not None:
        query = query.where(n.lease_token.is_not(None) if leased else n.lease_token.is_(None))
    if failed is not None:
        query = query.where(n.last_error.is_not(None) if failed else n.last_error.is_(None))
    rows = conn.execute(query.order_by(notifications.c.id.desc()).limit(limit).offset(offset))
    return [_notification(row) for row in rows]


def notification_by_id(conn: Connection, notification_id: int) -> Notification | None:
    """One outbox row."""
    row = conn.execute(select(notifications).where(notifications.c.id == notification_id)).first()
    return _notification(row) if row else None


def deliveries_of(conn: Connection, notification_id: int) -> list[dict[str, Any]]:
    """The delivery log of one notification."""
    d = delivery_attempts.c
    return [
        {
            "attempt": row.attempt,
            "at_us": row.at_us,
            "outcome": row.outcome,
            "duration_ms": row.duration_ms,
            "detail": row.detail,
        }
        for row in conn.execute(
            select(delivery_attempts).where(d.notification_id == notification_id).order_by(d.id)
        )
    ]


def claim_notification(
    conn: Connection, now_us: int, lease_us: int, *, skip_locked: bool
) -> Notification | None:
    """Lease the next due notification to this dispatcher, for its own send only.

    One row per claim, taken just before it is sent, under a fresh random token: settling
    and extending the lease need that token and the attempt number, so a dispatcher whose
    lease ran out can never settle a row another dispatcher has taken over since. On
    PostgreSQL ``FOR UPDATE SKIP LOCKED`` lets several dispatchers claim different rows at
    once; SQLite's ``BEGIN IMMEDIATE`` serialises the claim instead.
    """
    n = notifications.c
    query = (
        select(notifications)
        .where(
            n.status == "pending",
            n.next_attempt_us <= now_us,
            or_(n.lease_until_us.is_(None), n.lease_until_us < now_us),
        )
        .order_by(n.next_attempt_us, n.id)
        .limit(1)
    )
    if skip_locked:
        query = query.with_for_update(skip_locked=True)
    row = conn.execute(query).first()
    if row is None:
        return None
    found = _notification(row)
    token = secrets.token_hex(16)
    conn.execute(
        update(notifications)
        .where(n.id == found.id)
        .values(lease_until_us=now_us + lease_us, lease_token=token, attempts=n.attempts + 1)
    )
    return dataclasses.replace(found, attempts=found.attempts + 1, lease_token=token)


def _held(notification: Notification) -> Any:
    """The row is still this claim's: same token, same attempt, not settled meanwhile."""
    n = notifications.c
    return and_(
        n.id == notification.id,
        n.lease_token == notification.lease_token,
        n.attempts == notification.attempts,
        n.status == "pending",
    )


def extend_lease(conn: Connection, notification: Notification, until_us: int) -> bool:
    """Move the lease's end to ``until_us`` while a slow send goes on; False when the
    claim was lost (the row was taken over, cancelled or retried by an admin)."""
    result = conn.execute(
        update(notifications).where(_held(notification)).values(lease_until_us=until_us)
    )
    return bool(result.rowcount)


def record_delivery(
    conn: Connection,
    notification: Notification,
    *,
    now_us: int,
    outcome: str,
    detail: str,
    duration_ms: float | None,
    next_attempt_us: int | None = None,
) -> bool:
    """Settle the row (``sent``, ``dead``, or back to ``pending``) and log the attempt.

    ``UPDATE … WHERE id = ? AND lease_token = ? AND attempts = ?``: returns False, and
    logs nothing, when the row is no longer this claim's.
    """
    values: dict[str, Any] = {"lease_until_us": None, "lease_token": None}
    if outcome == "sent":
        values.update(status="sent", sent_us=now_us, last_error=None)
    elif outcome == "dead":
        values.update(status="dead", last_error=detail[:2000])
    else:
        values.update(next_attempt_us=next_attempt_us, last_error=detail[:2000])
    result = conn.execute(update(notifications).where(_held(notification)).values(**values))
    if not result.rowcount:
        return False
    conn.execute(
        insert(delivery_attempts),
        {
            "notification_id": notification.id,
            "attempt": notification.attempts,
            "at_us": now_us,
            "outcome": outcome,
            "duration_ms": duration_ms,
            "detail": detail[:2000],
        },
    )
    return True


def waiting_notifications(
    conn: Connection, after_id: int, limit: int, *, skip_locked: bool
) -> list[Notification]:
    """Notifications waiting for a channel, by id after ``after_id``."""
    n = notifications.c
    query = (
        select(notifications)
        .where(n.status == "waiting", n.id > after_id)
        .order_by(n.id)
        .limit(limit)
    )
    if skip_locked:
        query = query.with_for_update(skip_locked=True)
    return [_notification(row) for row in conn.execute(query)]


def mark_routed(conn: Connection, notification_id: int, now_us: int) -> None:
    """A waiting notification has been copied to its channels' rows."""
    conn.execute(
        update(notifications)
        .where(notifications.c.id == notification_id, notifications.c.status == "waiting")
        .values(status="routed", sent_us=now_us)
    )


def assignment_ids_of(conn: Connection, notification_id: int) -> list[int]:
    """The assignments a notification is about."""
    return list(
        conn.execute(
            select(notification_assignments.c.assignment_id).where(
                notification_assignments.c.notification_id == notification_id
            )
        ).scalars()
    )


def retry_notification(conn: Connection, notification_id: int, now_us: int) -> bool:
    """Put a dead notification back in the queue (an admin's retry)."""
    n = notifications.c
    result = conn.execute(
        update(notifications)
        .where(n.id == notification_id, n.status == "dead")
        .values(
            status="pending",
            attempts=0,
            next_attempt_us=now_us,
            lease_until_us=None,
            lease_token=None,
        )
    )
    return bool(result.rowcount)


def outbox_counts(conn: Connection) -> dict[str, int]:
    """Notifications per status."""
    return {
        status: count
        for status, count in conn.execute(
            select(notifications.c.status, func.count()).group_by(notifications.c.status)
        )
    }
