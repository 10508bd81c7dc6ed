"""The refresher part of :class:`~lrs_bridge.store.sqlalchemy.SqlStore`: transactions for
the refresher service and reads for the API and the dispatcher."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from sqlalchemy import func, select

from lrs_bridge.store.assignment_records import (
    Assignment,
    DueCandidate,
    NewNotification,
    Notification,
)
from lrs_bridge.store.assignments import (
    AssignmentTx,
    assignment_by_id,
    due_candidates,
    events_of,
    list_assignments,
)
from lrs_bridge.store.base import StorePart
from lrs_bridge.store.outbox import (
    assignment_ids_of,
    claim_notification,
    deliveries_of,
    extend_lease,
    list_notifications,
    mark_routed,
    notification_by_id,
    notifications_of_assignment,
    outbox_counts,
    record_delivery,
    retry_notification,
    waiting_notifications,
)
from lrs_bridge.store.tables import refresher_assignments


class AssignmentQueries(StorePart):
    """The refresher part of :class:`~lrs_bridge.store.sqlalchemy.SqlStore` (a mixin: it
    uses the store's transactions)."""

    @contextlib.contextmanager
    def refresher_transaction(self, now_us: int) -> Iterator[AssignmentTx]:
        """A write transaction serialised with statement ingest (the write gate), so the
        competency states it reads cannot change under it and two schedulers never decide
        the same thing twice."""
        with self._write(serialise_statements=True) as conn:
            yield AssignmentTx(conn, now_us)

    @contextlib.contextmanager
    def refresher_snapshot(self, now_us: int) -> Iterator[AssignmentTx]:
        """A read-only transaction with the same reads (dry runs)."""
        with self._read() as conn:
            yield AssignmentTx(conn, now_us)

    def due_candidates(self, horizon_us: int) -> list[DueCandidate]:
        """See :func:`due_candidates`."""
        with self._read() as conn:
            return due_candidates(conn, horizon_us)

    def list_assignments(self, **filters: Any) -> list[Assignment]:
        """See :func:`list_assignments`."""
        with self._read() as conn:
            return list_assignments(conn, **filters)

    def assignment(self, assignment_id: int) -> Assignment | None:
        """One assignment."""
        with self._read() as conn:
            return assignment_by_id(conn, assignment_id)

    def assignment_events(self, assignment_id: int) -> list[dict[str, Any]]:
        """The event trail of one assignment."""
        with self._read() as conn:
            return events_of(conn, assignment_id)

    def assignment_notifications(self, assignment_id: int) -> list[Notification]:
        """The notifications about one assignment."""
        with self._read() as conn:
            return notifications_of_assignment(conn, assignment_id)

    def list_notifications(
        self, *, status: str | None = None, limit: int = 100, offset: int = 0, **filters: Any
    ) -> list[Notification]:
        """Outbox rows, newest first (more filters: see :func:`list_notifications`)."""
        with self._read() as conn:
            return list_notifications(conn, status=status, limit=limit, offset=offset, **filters)

    def notification(self, notification_id: int) -> Notification | None:
        """One outbox row."""
        with self._read() as conn:
            return notification_by_id(conn, notification_id)

    def notification_deliveries(self, notification_id: int) -> list[dict[str, Any]]:
        """The delivery log of one notification."""
        with self._read() as conn:
            return deliveries_of(conn, notification_id)

    def assignment_counts(self) -> dict[str, int]:
        """Assignments per status."""
        with self._read() as conn:
            return {
                status: count
                for status, count in conn.execute(
                    select(refresher_assignments.c.status, func.count()).group_by(
                        refresher_assignments.c.status
                    )
                )
            }

    def outbox_counts(self) -> dict[str, int]:
        """Notifications per status."""
        with self._read() as conn:
            return outbox_counts(conn)

    def claim_notification(self, now_us: int, lease_us: int) -> Notification | None:
        """Lease the next due notification (see :func:`claim_notification`)."""
        with self._write() as conn:
            return claim_notification(conn, now_us, lease_us, skip_locked=self.is_postgres)

    def extend_notification_lease(self, notification: Notification, until_us: int) -> bool:
        """See :func:`extend_lease`."""
        with self._write() as conn:
            return extend_lease(conn, notification, until_us)

    def route_waiting(
        self,
        now_us: int,
        route: Callable[[Notification, list[int]], Sequence[NewNotification]],
        *,
        after_id: int,
        limit: int,
    ) -> tuple[int, int | None]:
        """Copy waiting notifications that now have a channel to ``pending`` rows (one
        transaction per batch); returns how many were routed and the last id looked at
        (None when there were no more)."""
        with self._write() as conn:
            waiting = waiting_notifications(conn, after_id, limit, skip_locked=self.is_postgres)
            tx = AssignmentTx(conn, now_us)
            routed = 0
            for notification in waiting:
                copies = route(notification, assignment_ids_of(conn, notification.id))
                if copies:
                    tx.enqueue(copies)
                    mark_routed(conn, notification.id, now_us)
                    routed += 1
            return routed, (waiting[-1].id if waiting else None)

    def settle_notification(
        self,
        notification: Notification,
        *,
        now_us: int,
        outcome: str,
        detail: str,
        duration_ms: float | None,
        next_attempt_us: int | None = None,
        transitions: Callable[[AssignmentTx, list[int]], None] | None = None,
    ) -> bool:
        """Record a delivery attempt; on success let ``transitions`` move the assignments
        the notification was about, in the same transaction."""
        with self._write() as conn:
            settled = record_delivery(
                conn,
                notification,
                now_us=now_us,
                outcome=outcome,
                detail=detail,
                duration_ms=duration_ms,
                next_attempt_us=next_attempt_us,
            )
            if settled and transitions is not None:
                transitions(AssignmentTx(conn, now_us), assignment_ids_of(conn, notification.id))
            return settled

    def retry_notification(self, notification_id: int, now_us: int) -> bool:
        """Re-queue a dead notification."""
        with self._write() as conn:
            return retry_notification(conn, notification_id, now_us)
