"""The forward outbox's SQL: rows queued at ingest, and the forwarder's lease, claim and settle.

Queueing runs inside ``add_statements``' transaction (:func:`queue_forwarding`), so an
acknowledged statement always has its rows. One forwarder per upstream at a time holds the
upstream's lease (``upstream_state.forward_lease_*``, a conditional UPDATE); every write
that settles a batch checks the token in the same transaction, so a forwarder that lost
its lease (it stalled longer than the lease) settles nothing and the rows are sent again by
whoever holds it now, under the same statement ids.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select, update

from lrs_bridge.store.base import NewStatement
from lrs_bridge.store.sets import member
from lrs_bridge.store.tables import statements, upstream_outbox, upstream_state, upstreams
from lrs_bridge.store.transactions import EngineTransactions
from lrs_bridge.store.upstreams import ensure_state

_QUEUE_COLUMNS = ("upstream_id", "seq", "status", "attempts", "queued_us", "next_attempt_us")


def queue_forwarding(
    conn: Connection, items: Sequence[NewStatement], seqs: Mapping[str, int], now_us: int
) -> int:
    """Insert the outbox rows of a batch being stored (one executemany); returns how many.

    A voiding statement also goes wherever the statement it voids went (or is queued to go,
    in this batch), unless that upstream is where the voiding statement was pulled from.
    """
    targets: dict[int, set[int]] = {}
    for item in items:
        if item.forward_to:
            targets[seqs[item.id]] = set(item.forward_to)
    voiding = [item for item in items if item.index.voids_id]
    if voiding:
        followed = _followed_upstreams(conn, [str(item.index.voids_id) for item in voiding])
        voided_here = {str(item.index.voids_id) for item in voiding}
        for item in items:
            if item.id in voided_here and item.forward_to:
                # Queued in this batch, by the same credential: no pull credential to skip.
                followed.setdefault(item.id, set()).update((u, None) for u in item.forward_to)
        for item in voiding:
            extra = {
                upstream_id
                for upstream_id, pull_credential in followed.get(str(item.index.voids_id), set())
                if pull_credential is None or pull_credential != item.authority_id
            }
            if extra:
                targets.setdefault(seqs[item.id], set()).update(extra)
    if not targets:
        return 0
    rows = [(upstream_id, seq) for seq in sorted(targets) for upstream_id in sorted(targets[seq])]
    if conn.dialect.name == "postgresql":
        # One statement, whatever the batch: arrays unnested server-side, not N executes.
        conn.exec_driver_sql(
            f"INSERT INTO upstream_outbox ({', '.join(_QUEUE_COLUMNS)}) "  # noqa: S608
            "SELECT t.upstream_id, t.seq, 'pending', 0, %s, %s "
            "FROM unnest(%s::integer[], %s::bigint[]) AS t(upstream_id, seq)",
            (now_us, now_us, [row[0] for row in rows], [row[1] for row in rows]),
        )
    else:
        conn.exec_driver_sql(
            f"INSERT INTO upstream_outbox ({', '.join(_QUEUE_COLUMNS)}) "  # noqa: S608
            "VALUES (?, ?, 'pending', 0, ?, ?)",
            [(upstream_id, seq, now_us, now_us) for upstream_id, seq in rows],
        )
    return len(rows)


def _followed_upstreams(conn: Connection, target_ids: Sequence[str]) -> dict[str, set[Any]]:
    """For stored statements among ``target_ids``: the forwarding upstreams that have (or
    had) an outbox row for them, with each upstream's pull credential."""
    o, s, u = upstream_outbox.c, statements.c, upstreams.c
    rows = conn.execute(
        select(s.id, u.id.label("upstream_id"), u.pull_credential_id)
        .select_from(
            statements.join(upstream_outbox, o.seq == s.seq).join(upstreams, u.id == o.upstream_id)
        )
        .where(
            member(conn, s.id, target_ids),
            u.enabled.is_(True),
            u.direction.in_(("forward", "both")),
        )
        .distinct()
    )
    found: dict[str, set[Any]] = {}
    for row in rows:
        found.setdefault(row.id, set()).add((row.upstream_id, row.pull_credential_id))
    return found


@dataclasses.dataclass(frozen=True, kw_only=True)
class Queued:
    """A pending outbox row with the statement it carries."""

    row_id: int
    seq: int
    statement_id: str
    json: str
    attempts: int
    next_attempt_us: int
    first_failure_us: int | None


@dataclasses.dataclass(frozen=True, kw_only=True)
class Postponed:
    """What a failed attempt did to a batch."""

    retrying: int
    dead: int


class UpstreamOutboxStore(EngineTransactions):
    """The forwarder's side of ``upstream_outbox`` and ``upstream_state.forward_*``."""

    # -- the upstream lease -------------------------------------------------------------

    def acquire(self, upstream_id: int, token: str, now_us: int, until_us: int) -> bool:
        """Take the upstream's forward lease if it is free, expired or already ours."""
        st = upstream_state.c
        with self._write() as conn:
            ensure_state(conn, upstream_id)
            result = conn.execute(
                update(upstream_state)
                .where(
                    st.upstream_id == upstream_id,
                    or_(
                        st.forward_lease_token.is_(None),
                        st.forward_lease_until_us < now_us,
                        st.forward_lease_token == token,
                    ),
                )
                .values(forward_lease_token=token, forward_lease_until_us=until_us)
            )
            return bool(result.rowcount)

    def renew(self, upstream_id: int, token: str, until_us: int) -> bool:
        """Extend the lease (and the leases of the rows in flight); False if it was lost."""
        with self._write() as conn:
            if not _extend(conn, upstream_id, token, until_us):
                return False
            conn.execute(
                update(upstream_outbox)
                .where(
                    upstream_outbox.c.upstream_id == upstream_id,
                    upstream_outbox.c.lease_token == token,
                )
                .values(lease_until_us=until_us)
            )
            return True

    def release(self, upstream_id: int, token: str) -> None:
        """Give the lease up (a pass ended), so another forwarder need not wait it out,
        with the leases of rows claimed but not sent."""
        st = upstream_state.c
        with self._write() as conn:
            conn.execute(
                update(upstream_outbox)
                .where(
                    upstream_outbox.c.upstream_id == upstream_id,
                    upstream_outbox.c.lease_token == token,
                )
                .values(lease_token=None, lease_until_us=None)
            )
            conn.execute(
                update(upstream_state)
                .where(st.upstream_id == upstream_id, st.forward_lease_token == token)
                .values(forward_lease_token=None, forward_lease_until_us=None)
            )

    # -- batches ------------------------------------------------------------------------

    def claim(
        self,
        upstream_id: int,
        token: str,
        now_us: int,
        until_us: int,
        limit: int,
        *,
        after_seq: int | None = None,
    ) -> list[Queued]:
        """The next ``limit`` pending rows in ``seq`` order, leased under ``token``; empty
        when the queue is empty, its head is in backoff, or the lease is not ours.

        ``after_seq``: the rows behind a batch being sent now (its head decides backoff)."""
        o, s = upstream_outbox.c, statements.c
        with self._write() as conn:
            if not _extend(conn, upstream_id, token, until_us):
                return []
            rows = conn.execute(
                select(
                    o.id,
                    o.seq,
                    s.id.label("statement_id"),
                    s.statement,
                    o.attempts,
                    o.next_attempt_us,
                    o.first_failure_us,
                )
                .select_from(upstream_outbox.join(statements, s.seq == o.seq))
                .where(
                    o.upstream_id == upstream_id,
                    o.status == "pending",
                    o.seq > (after_seq or 0),
                )
                .order_by(o.seq)
                .limit(limit)
            ).all()
            if not rows or (after_seq is None and rows[0].next_attempt_us > now_us):
                return []
            conn.execute(
                update(upstream_outbox)
                .where(
                    o.upstream_id == upstream_id,
                    o.status == "pending",
                    o.seq.between(rows[0].seq, rows[-1].seq),
                )
                .values(lease_token=token, lease_until_us=until_us)
            )
        return [
            Queued(
                row_id=row.id,
                seq=row.seq,
                statement_id=row.statement_id,
                json=row.statement,
                attempts=row.attempts,
                next_attempt_us=row.next_attempt_us,
                first_failure_us=row.first_failure_us,
            )
            for row in rows
        ]

    def settle(
        self,
        upstream_id: int,
        token: str,
        now_us: int,
        delivered: Sequence[int],
        dead: Sequence[tuple[int, str]],
    ) -> bool:
        """Record a batch's outcomes (row ids delivered; row ids dead with the reason) and
        the upstream's last success; False, writing nothing, if the lease was lost."""
        o, st = upstream_outbox.c, upstream_state.c
        with self._write() as conn:
            held = conn.execute(
                update(upstream_state)
                .where(st.upstream_id == upstream_id, st.forward_lease_token == token)
                .values(
                    forward_last_success_us=now_us,
                    forwarded_count=st.forwarded_count + len(delivered),
                )
            )
            if not held.rowcount:
                return False
            if delivered:
                conn.execute(
                    update(upstream_outbox)
                    .where(member(conn, o.id, delivered), o.status == "pending")
                    .values(
                        status="delivered",
                        delivered_us=now_us,
                        lease_token=None,
                        lease_until_us=None,
                    )
                )
            for row_id, reason in dead:
                conn.execute(
                    update(upstream_outbox)
                    .where(o.id == row_id, o.status == "pending")
                    .values(
                        status="dead",
                        attempts=o.attempts + 1,
                        last_error=reason,
                        lease_token=None,
                        lease_until_us=None,
                    )
                )
            if dead:
                conn.execute(
                    update(upstream_state)
                    .where(st.upstream_id == upstream_id)
                    .values(forward_last_error=dead[-1][1], forward_last_error_us=now_us)
                )
        return True

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
    ) -> Postponed | None:
        """A failed attempt at ``batch``: one more attempt each, retried at
        ``next_attempt_us``; rows failing since before ``dead_before_us`` become dead
        letters. None, writing nothing, if the lease was lost."""
        o, st = upstream_outbox.c, upstream_state.c
        ids = [item.row_id for item in batch]
        with self._write() as conn:
            held = conn.execute(
                update(upstream_state)
                .where(st.upstream_id == upstream_id, st.forward_lease_token == token)
                .values(forward_last_error=error, forward_last_error_us=now_us)
            )
            if not held.rowcount:
                return None
            mine = and_(member(conn, o.id, ids), o.status == "pending")
            expired = and_(o.first_failure_us.is_not(None), o.first_failure_us < dead_before_us)
            dead = conn.execute(
                update(upstream_outbox)
                .where(mine, expired)
                .values(
                    status="dead",
                    attempts=o.attempts + 1,
                    last_error=error,
                    lease_token=None,
                    lease_until_us=None,
                )
            ).rowcount
            retrying = conn.execute(
                update(upstream_outbox)
                .where(mine)
                .values(
                    attempts=o.attempts + 1,
                    next_attempt_us=next_attempt_us,
                    first_failure_us=func.coalesce(o.first_failure_us, now_us),
                    last_error=error,
                    lease_token=None,
                    lease_until_us=None,
                )
            ).rowcount
        return Postponed(retrying=int(retrying), dead=int(dead))

    def pending_count(self, upstream_id: int) -> int:
        """Rows still to deliver to the upstream."""
        o = upstream_outbox.c
        with self._read() as conn:
            return int(
                conn.execute(
                    select(func.count())
                    .select_from(upstream_outbox)
                    .where(o.upstream_id == upstream_id, o.status == "pending")
                ).scalar_one()
            )


def _extend(conn: Connection, upstream_id: int, token: str, until_us: int) -> bool:
    st = upstream_state.c
    result = conn.execute(
        update(upstream_state)
        .where(st.upstream_id == upstream_id, st.forward_lease_token == token)
        .values(forward_lease_until_us=until_us)
    )
    return bool(result.rowcount)
