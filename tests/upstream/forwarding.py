"""Helpers of the forwarding tests: the local side (a real app on either database) wired to
an upstream, a forwarder on a clock the test moves, and the peer restarted on its port."""

from __future__ import annotations

import dataclasses
import threading
import uuid
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

import tests.conftest
from lrs_bridge.auth import create_credential
from lrs_bridge.runtime import Runtime
from lrs_bridge.services.forwarding import ClientFactory, Forwarder
from lrs_bridge.store.tables import statements, upstream_outbox, upstream_state
from lrs_bridge.store.upstream_outbox import UpstreamOutboxStore
from lrs_bridge.upstream.model import Upstream
from lrs_bridge.xapi.timefmt import now_us
from tests.conftest import ServerProcess, headers
from tests.factories import statement
from tests.upstream.conftest import PeerLrs


class ManualClock:
    """The real clock plus an offset the test moves (backoff and outages in seconds), so
    rows queued at ingest (stamped with the real clock) are due when they would be."""

    def __init__(self) -> None:
        self.offset_us = 0
        self._lock = threading.Lock()

    def __call__(self) -> int:
        with self._lock:
            return now_us() + self.offset_us

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.offset_us += int(seconds * 1_000_000)

    def move_to(self, at_us: int) -> None:
        """On to ``at_us`` (a row's next attempt), if the clock is not past it yet."""
        with self._lock:
            self.offset_us += max(0, at_us - (now_us() + self.offset_us))


class Local:
    """The lrs-bridge that receives statements and forwards them."""

    def __init__(self, app: Flask, client: FlaskClient) -> None:
        self.runtime: Runtime = app.extensions["lrs_bridge"]
        self.client = client
        self.credential_id, self.key, self.auth = self.credential("producer")

    def credential(self, name: str, scopes: str = "all") -> tuple[int, str, dict[str, str]]:
        """A new credential: its id, key and request headers."""
        key = f"{name}-{uuid.uuid4().hex[:8]}"
        record, secret = create_credential(
            self.runtime.store, name=name, scopes=scopes, now_us=now_us(), key=key, secret="s" + key
        )
        return record.id, record.key, headers(record.key, secret)

    def add_upstream(self, endpoint: str, key: str, secret: str, **fields: Any) -> Upstream:
        """Register an upstream (the registry forgets its cache, so ingest sees it at once)."""
        fields.setdefault("name", f"up-{uuid.uuid4().hex[:6]}")
        return self.runtime.upstreams.add(
            Upstream(id=0, endpoint=endpoint, key=key, secret=secret, **fields)
        )

    def add_peer(self, peer: PeerLrs, **fields: Any) -> Upstream:
        return self.add_upstream(peer.endpoint, peer.key, peer.secret, **fields)

    def post(self, batch: list[dict[str, Any]], auth: dict[str, str] | None = None) -> list[str]:
        response = self.client.post("/xapi/statements", json=batch, headers=auth or self.auth)
        assert response.status_code == 200, response.get_json()
        ids: list[str] = response.get_json()
        return ids

    def post_many(self, count: int, batch: int = 500, **fields: Any) -> list[str]:
        """``count`` new statements in batches of ``batch``; their ids in ``stored`` order."""
        ids: list[str] = []
        while len(ids) < count:
            size = min(batch, count - len(ids))
            ids.extend(self.post([statement(**fields) for _ in range(size)]))
        return ids

    def forwarder(
        self, clock: Any = None, clients: ClientFactory | None = None, **settings: Any
    ) -> Forwarder:
        """A forwarder over this side's outbox, on ``clock`` (default: the runtime's)."""
        runtime = self.runtime
        return Forwarder(
            runtime.upstreams,
            UpstreamOutboxStore(runtime.engine),
            dataclasses.replace(runtime.settings, **settings),
            clock or runtime.clock,
            attachments=runtime.attachments,
            clients=clients,
        )

    def outbox(self, upstream: Upstream) -> list[Any]:
        """The upstream's outbox rows with their statement ids, in ``seq`` order."""
        o = upstream_outbox.c
        with self.runtime.engine.connect() as conn:
            return conn.execute(
                select(upstream_outbox, statements.c.id.label("statement_id"))
                .select_from(upstream_outbox.join(statements, statements.c.seq == o.seq))
                .where(o.upstream_id == upstream.id)
                .order_by(o.seq)
            ).all()

    def queued_ids(self, upstream: Upstream) -> list[str]:
        return [row.statement_id for row in self.outbox(upstream)]

    def statuses(self, upstream: Upstream) -> dict[str, int]:
        counts: dict[str, int] = {}
        for row in self.outbox(upstream):
            counts[row.status] = counts.get(row.status, 0) + 1
        return counts

    def state(self, upstream: Upstream) -> Any:
        with self.runtime.engine.connect() as conn:
            return conn.execute(
                select(upstream_state).where(upstream_state.c.upstream_id == upstream.id)
            ).first()


def restart_peer(peer: PeerLrs, request: pytest.FixtureRequest) -> None:
    """Start the stopped peer again on the same port and database (clients reconnect to
    the same endpoint, as after an upstream's maintenance window)."""
    old = peer.server
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tests.conftest, "free_port", lambda: old.port)
        peer.server = ServerProcess(old.database_url, Path(old.log.name).parent)
    request.addfinalizer(peer.server.stop)
