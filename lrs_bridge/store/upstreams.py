"""The upstream registry's SQL: one row per upstream LRS (``tables.upstreams``).

Secrets are sealed (encrypted) on the way in and opened on the way out by a
:class:`~lrs_bridge.upstream.secrets.SecretBox`, so the column never holds a clear secret.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from lrs_bridge.errors import Conflict
from lrs_bridge.store.people import named_secret
from lrs_bridge.store.tables import upstream_outbox, upstream_state, upstreams
from lrs_bridge.store.transactions import EngineTransactions
from lrs_bridge.upstream.model import Upstream
from lrs_bridge.upstream.secrets import INSTANCE_KEY_NAME, SecretBox, secret_box

_LISTS = ("verbs", "activity_prefixes", "platforms", "credentials")
#: The fields an update may change (``name`` and ``id`` never change).
CHANGEABLE = (
    "endpoint",
    "key",
    "secret",
    "version",
    "direction",
    *_LISTS,
    "source",
    "enabled",
    "pull_credential_id",
)


def upstream_from_row(row: Any, reveal: Callable[[str], str] = str) -> Upstream:
    """An :class:`Upstream` from a ``upstreams`` row; ``reveal`` opens the stored secret
    (``UpstreamStore`` passes its box; without it the secret is the sealed text)."""
    return Upstream(
        id=row.id,
        name=row.name,
        endpoint=row.endpoint,
        key=row.key,
        secret=reveal(row.secret),
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
    """Add, read, change and remove upstreams."""

    def __init__(self, engine: Engine, secret_key: str = "") -> None:
        """``secret_key``: the ``upstream_secret_key`` setting (empty: the instance key)."""
        super().__init__(engine)
        self.box: SecretBox = secret_box(secret_key, self._instance_key)

    def _instance_key(self) -> str:
        try:
            with self._write() as conn:
                return named_secret(conn, INSTANCE_KEY_NAME)
        except Conflict:
            # Another process created it between our read and our insert: read theirs.
            with self._read() as conn:
                return named_secret(conn, INSTANCE_KEY_NAME)

    def _columns(self, values: Mapping[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, value in values.items():
            if name in _LISTS:
                out[name] = orjson.dumps(list(value)).decode()
            elif name == "secret":
                out[name] = self.box.seal(value)
            else:
                out[name] = value
        return out

    def add(self, upstream: Upstream, now_us: int) -> Upstream:
        """Insert ``upstream`` (its ``id`` is ignored); a used name is a ``Conflict``."""
        values = self._columns(
            {name: getattr(upstream, name) for name in CHANGEABLE}
            | {"name": upstream.name, "created_us": now_us, "updated_us": now_us}
        )
        with self._write() as conn:
            if conn.execute(
                select(upstreams.c.id).where(upstreams.c.name == upstream.name)
            ).first():
                raise Conflict(f"an upstream named {upstream.name!r} exists already")
            new_id = conn.execute(insert(upstreams).returning(upstreams.c.id), values).scalar_one()
        return dataclasses.replace(upstream, id=new_id)

    def change(self, name: str, changes: Mapping[str, Any], now_us: int) -> Upstream | None:
        """Set the given fields (of :data:`CHANGEABLE`); None when there is no such upstream."""
        unknown = set(changes) - set(CHANGEABLE)
        if unknown:
            raise ValueError(f"not changeable: {sorted(unknown)}")
        with self._write() as conn:
            done = conn.execute(
                update(upstreams)
                .where(upstreams.c.name == name)
                .values(**self._columns(changes), updated_us=now_us)
            ).rowcount
        return self.by_name(name) if done else None

    def by_id(self, upstream_id: int) -> Upstream | None:
        with self._read() as conn:
            row = conn.execute(select(upstreams).where(upstreams.c.id == upstream_id)).first()
        return upstream_from_row(row, self.box.open) if row else None

    def by_name(self, name: str) -> Upstream | None:
        with self._read() as conn:
            row = conn.execute(select(upstreams).where(upstreams.c.name == name)).first()
        return upstream_from_row(row, self.box.open) if row else None

    def all(self) -> list[Upstream]:
        with self._read() as conn:
            rows = conn.execute(select(upstreams).order_by(upstreams.c.name)).all()
        return [upstream_from_row(row, self.box.open) for row in rows]

    def queued(self, name: str) -> int:
        """Outbox rows not yet delivered (what removing the upstream would drop)."""
        with self._read() as conn:
            return int(
                conn.execute(
                    select(func.count())
                    .select_from(upstream_outbox.join(upstreams))
                    .where(upstreams.c.name == name, upstream_outbox.c.status != "delivered")
                ).scalar_one()
            )

    def remove(self, name: str) -> bool:
        """Delete an upstream with its outbox rows and state; False when there is none."""
        with self._write() as conn:
            # ON DELETE CASCADE takes the outbox rows and the state (SQLite: foreign_keys=ON).
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
