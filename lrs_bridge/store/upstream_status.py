"""Reads of the forward outbox and the per-upstream state for status pages and metrics, and
the one write they allow: an admin's retry of dead letters (the common contract's UPDATE).

Every figure is an indexed read: counts by ``(upstream_id, status)`` and the oldest pending
row by ``(upstream_id, status, seq)`` (``ix_upstream_outbox_status``), the rest from the one
``upstream_state`` row. Nothing scans the statements.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select, update

from lrs_bridge.store.tables import statements, upstream_outbox, upstream_state
from lrs_bridge.store.transactions import EngineTransactions

#: Columns of ``upstream_state`` that status shows.
STATE_COLUMNS = (
    "forward_last_success_us",
    "forward_last_error",
    "forward_last_error_us",
    "forwarded_count",
    "pull_since_us",
    "pull_more",
    "pull_last_success_us",
    "pull_last_error",
    "pull_last_error_us",
    "pulled_count",
)


class UpstreamStatusStore(EngineTransactions):
    """Outbox counts, state, dead letters and their retry, per upstream id."""

    def figures(self, upstream_id: int) -> dict[str, Any]:
        """``pending``, ``dead``, ``oldest_pending_queued_us`` and the state columns (None
        or 0 before the forwarder or puller first wrote them)."""
        box = upstream_outbox.c
        with self._read() as conn:
            counts: dict[str, int] = dict(
                conn.execute(
                    select(box.status, func.count())
                    .where(box.upstream_id == upstream_id, box.status.in_(("pending", "dead")))
                    .group_by(box.status)
                ).all()
            )
            # Delivery is in seq order, so the first pending row by seq is the oldest one.
            oldest = conn.execute(
                select(box.queued_us)
                .where(box.upstream_id == upstream_id, box.status == "pending")
                .order_by(box.seq)
                .limit(1)
            ).scalar()
            state = conn.execute(
                select(*(upstream_state.c[name] for name in STATE_COLUMNS)).where(
                    upstream_state.c.upstream_id == upstream_id
                )
            ).first()
        figures: dict[str, Any] = dict.fromkeys(STATE_COLUMNS)
        figures |= {"forwarded_count": 0, "pulled_count": 0}
        if state is not None:
            figures |= state._asdict()
        return figures | {
            "pending": int(counts.get("pending", 0)),
            "dead": int(counts.get("dead", 0)),
            "oldest_pending_queued_us": oldest,
        }

    def dead_letters(self, upstream_id: int, limit: int, offset: int) -> list[dict[str, Any]]:
        """A page of dead letters in ``seq`` order, with the statement's id and stored time."""
        box = upstream_outbox.c
        with self._read() as conn:
            rows = conn.execute(
                select(
                    statements.c.id.label("statement_id"),
                    statements.c.stored_us,
                    box.attempts,
                    box.last_error,
                    box.first_failure_us,
                    box.queued_us,
                )
                .join(statements, statements.c.seq == box.seq)
                .where(box.upstream_id == upstream_id, box.status == "dead")
                .order_by(box.seq)
                .limit(limit)
                .offset(offset)
            ).all()
        return [row._asdict() for row in rows]

    def retry_dead(self, upstream_id: int, statement_ids: Sequence[str] | None, now_us: int) -> int:
        """Dead letters back to ``pending`` (all, or those of ``statement_ids``), keeping
        ``last_error``; how many."""
        box = upstream_outbox.c
        condition = [box.upstream_id == upstream_id, box.status == "dead"]
        if statement_ids is not None:
            condition.append(
                box.seq.in_(select(statements.c.seq).where(statements.c.id.in_(statement_ids)))
            )
        with self._write() as conn:
            return int(
                conn.execute(
                    update(upstream_outbox)
                    .where(*condition)
                    .values(
                        status="pending",
                        attempts=0,
                        next_attempt_us=now_us,
                        first_failure_us=None,
                        lease_token=None,
                        lease_until_us=None,
                    )
                ).rowcount
            )
