"""The notification outbox: reads for the API, and the dispatcher's claim and settle.

Rows are written by :meth:`lrs_bridge.store.assignments.AssignmentTx.enqueue` in the same
transaction as the decisions that cause them; this module leases them to a dispatcher and
records each delivery attempt.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import Connection, func, insert, or_, select, update

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
    conn: Connection, *, status: str | None, limit: int, offset: int
) -> list[Notification]:
    """Outbox rows, newest first."""
    query = select(notifications)
    if status:
        query = query.where(notifications.c.status == status)
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


def claim_notifications(
    conn: Connection, now_us: int, lease_us: int, limit: int, *, skip_locked: bool
) -> list[Notification]:
    """Lease due notifications to this dispatcher (others skip them until the lease ends).

    On PostgreSQL ``FOR UPDATE SKIP LOCKED`` lets several dispatchers claim disjoint rows at
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
        .limit(limit)
    )
    if skip_locked:
        query = query.with_for_update(skip_locked=True)
    claimed = [_notification(row) for row in conn.execute(query)]
    if claimed:
        conn.execute(
            update(notifications)
            .where(n.id.in_([item.id for item in claimed]))
            .values(lease_until_us=now_us + lease_us, attempts=n.attempts + 1)
        )
    return [dataclasses.replace(item, attempts=item.attempts + 1) for item in claimed]


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
    """Log an attempt and settle the row: ``sent``, ``dead``, or back to ``pending``.

    Returns False when the row is no longer this attempt's (an admin cancelled it or another
    dispatcher took it over after the lease ran out and settled it first).
    """
    n = notifications.c
    still_ours = conn.execute(select(n.status, n.attempts).where(n.id == notification.id)).first()
    if still_ours is None or still_ours.status != "pending":
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
    values: dict[str, Any] = {"lease_until_us": None}
    if outcome == "sent":
        values.update(status="sent", sent_us=now_us, last_error=None)
    elif outcome == "dead":
        values.update(status="dead", last_error=detail[:2000])
    else:
        values.update(next_attempt_us=next_attempt_us, last_error=detail[:2000])
    conn.execute(update(notifications).where(n.id == notification.id).values(**values))
    return True


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
        .values(status="pending", attempts=0, next_attempt_us=now_us, lease_until_us=None)
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
