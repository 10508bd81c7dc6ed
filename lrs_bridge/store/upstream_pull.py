"""The puller's SQL: its lease on an upstream, the cursor, outcomes, the pull credential.

The ``pull_*`` columns of ``upstream_state`` belong to the puller. A lease is taken with a
conditional UPDATE (free, expired, or already ours), so with several schedulers each upstream
is pulled by one at a time; every cursor write is conditional on the lease too, so a puller
that lost its lease (paused longer than the lease) cannot move the cursor under the new holder.
"""

from __future__ import annotations

import orjson
from sqlalchemy import ColumnElement, and_, or_, select, update

from lrs_bridge.store.tables import upstream_state, upstreams
from lrs_bridge.store.transactions import EngineTransactions
from lrs_bridge.store.upstreams import ensure_state
from lrs_bridge.upstream.cursor import PullCursor

_S = upstream_state.c


class PullStore(EngineTransactions):
    """Leases, cursors and outcomes of pulls (one ``upstream_state`` row per upstream)."""

    def claim(self, upstream_id: int, token: str, now_us: int, lease_us: int) -> bool:
        """Take the pull lease unless another puller holds it unexpired."""
        with self._write() as conn:
            ensure_state(conn, upstream_id)
            taken = conn.execute(
                update(upstream_state)
                .where(
                    _S.upstream_id == upstream_id,
                    or_(
                        _S.pull_lease_token.is_(None),
                        _S.pull_lease_until_us < now_us,
                        _S.pull_lease_token == token,
                    ),
                )
                .values(pull_lease_token=token, pull_lease_until_us=now_us + lease_us)
            ).rowcount
        return bool(taken)

    def lease_until(self, upstream_id: int) -> int | None:
        """Until when the current pull lease runs (None: free)."""
        with self._read() as conn:
            row = conn.execute(
                select(_S.pull_lease_token, _S.pull_lease_until_us).where(
                    _S.upstream_id == upstream_id
                )
            ).first()
        return int(row.pull_lease_until_us) if row and row.pull_lease_token else None

    def renew(self, upstream_id: int, token: str, until_us: int) -> bool:
        """Extend a lease still held; False when it was lost."""
        with self._write() as conn:
            return bool(
                conn.execute(
                    update(upstream_state)
                    .where(_held(upstream_id, token))
                    .values(pull_lease_until_us=until_us)
                ).rowcount
            )

    def release(self, upstream_id: int, token: str) -> None:
        with self._write() as conn:
            conn.execute(
                update(upstream_state)
                .where(_held(upstream_id, token))
                .values(pull_lease_token=None, pull_lease_until_us=None)
            )

    def cursor(self, upstream_id: int) -> PullCursor:
        with self._read() as conn:
            row = conn.execute(
                select(_S.pull_since_us, _S.pull_more, _S.pull_seen).where(
                    _S.upstream_id == upstream_id
                )
            ).first()
        if row is None:
            return PullCursor()
        seen = orjson.loads(row.pull_seen) if row.pull_seen else []
        return PullCursor(
            since_us=row.pull_since_us,
            more=row.pull_more or "",
            seen={str(statement_id): int(at) for statement_id, at in seen},
        )

    def save_cursor(
        self,
        upstream_id: int,
        token: str,
        cursor: PullCursor,
        *,
        new_count: int,
        now_us: int,
        lease_us: int,
    ) -> bool:
        """Persist the cursor after a committed page, count what was new, mark the success
        and extend the lease; False (nothing written) when the lease was lost."""
        with self._write() as conn:
            return bool(
                conn.execute(
                    update(upstream_state)
                    .where(_held(upstream_id, token))
                    .values(
                        pull_since_us=cursor.since_us,
                        pull_more=cursor.more or None,
                        # Pairs, not a map: small, and ordered as they were listed.
                        pull_seen=orjson.dumps(list(cursor.seen.items())).decode(),
                        pulled_count=_S.pulled_count + new_count,
                        pull_last_success_us=now_us,
                        pull_lease_until_us=now_us + lease_us,
                    )
                ).rowcount
            )

    def record_error(self, upstream_id: int, message: str, now_us: int) -> None:
        """What went wrong last (a failed pass, or statements skipped): status shows it."""
        with self._write() as conn:
            ensure_state(conn, upstream_id)
            conn.execute(
                update(upstream_state)
                .where(_S.upstream_id == upstream_id)
                .values(pull_last_error=message[:4000], pull_last_error_us=now_us)
            )

    def set_pull_credential(self, upstream_id: int, credential_id: int) -> int:
        """Record the upstream's pull credential unless it has one; returns the one it has."""
        with self._write() as conn:
            conn.execute(
                update(upstreams)
                .where(
                    and_(upstreams.c.id == upstream_id, upstreams.c.pull_credential_id.is_(None))
                )
                .values(pull_credential_id=credential_id)
            )
            held = conn.execute(
                select(upstreams.c.pull_credential_id).where(upstreams.c.id == upstream_id)
            ).scalar_one()
        return int(held)


def _held(upstream_id: int, token: str) -> ColumnElement[bool]:
    return and_(_S.upstream_id == upstream_id, _S.pull_lease_token == token)
