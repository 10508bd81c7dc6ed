"""The upstream registry's SQL: one row per upstream LRS (``tables.upstreams``)."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import Connection, delete, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from lrs_bridge.errors import Conflict
from lrs_bridge.store.tables import upstream_state, upstreams
from lrs_bridge.store.transactions import EngineTransactions
from lrs_bridge.upstream.model import Upstream

_LISTS = ("verbs", "activity_prefixes", "platforms", "credentials")


def upstream_from_row(row: Any) -> Upstream:
    """An :class:`Upstream` from a ``upstreams`` row."""
    return Upstream(
        id=row.id,
        name=row.name,
        endpoint=row.endpoint,
        key=row.key,
        secret=row.secret,
        version=row.version,
        direction=row.direction,
        verbs=tuple(orjson.loads(row.verbs)),
        activity_prefixes=tuple(orjson.loads(row.activity_prefixes)),
        platforms=tuple(orjson.loads(row.platforms)),
        credentials=tuple(orjson.loads(row.credentials)),
        source=row.source,
        enabled=row.enabled,
        pull_credential_id=row.pull_credential_id,
    )


class UpstreamStore(EngineTransactions):
    """Add, read and remove upstreams."""

    def add(self, upstream: Upstream, now_us: int) -> Upstream:
        """Insert ``upstream`` (its ``id`` is ignored); a used name is a ``Conflict``."""
        values = {
            "name": upstream.name,
            "endpoint": upstream.endpoint,
            "key": upstream.key,
            "secret": upstream.secret,
            "version": upstream.version,
            "direction": upstream.direction,
            "source": upstream.source,
            "enabled": upstream.enabled,
            "pull_credential_id": upstream.pull_credential_id,
            "created_us": now_us,
            "updated_us": now_us,
            **{name: orjson.dumps(list(getattr(upstream, name))).decode() for name in _LISTS},
        }
        with self._write() as conn:
            if conn.execute(
                select(upstreams.c.id).where(upstreams.c.name == upstream.name)
            ).first():
                raise Conflict(f"an upstream named {upstream.name!r} exists already")
            new_id = conn.execute(insert(upstreams).returning(upstreams.c.id), values).scalar_one()
        return self.by_id(new_id)  # type: ignore[return-value]

    def by_id(self, upstream_id: int) -> Upstream | None:
        with self._read() as conn:
            row = conn.execute(select(upstreams).where(upstreams.c.id == upstream_id)).first()
        return upstream_from_row(row) if row else None

    def by_name(self, name: str) -> Upstream | None:
        with self._read() as conn:
            row = conn.execute(select(upstreams).where(upstreams.c.name == name)).first()
        return upstream_from_row(row) if row else None

    def all(self) -> list[Upstream]:
        with self._read() as conn:
            rows = conn.execute(select(upstreams).order_by(upstreams.c.name)).all()
        return [upstream_from_row(row) for row in rows]

    def remove(self, name: str) -> bool:
        """Delete an upstream with its outbox rows and state; False when there is none."""
        with self._write() as conn:
            return bool(conn.execute(delete(upstreams).where(upstreams.c.name == name)).rowcount)


def ensure_state(conn: Connection, upstream_id: int) -> None:
    """Create the upstream's ``upstream_state`` row if it has none (forwarder, puller and
    status pages all start from it; concurrent callers are harmless)."""
    conn.execute(
        sqlite_insert(upstream_state)
        .values(upstream_id=upstream_id)
        .on_conflict_do_nothing(index_elements=["upstream_id"])
        if conn.dialect.name == "sqlite"
        else pg_insert(upstream_state)
        .values(upstream_id=upstream_id)
        .on_conflict_do_nothing(index_elements=["upstream_id"])
    )
