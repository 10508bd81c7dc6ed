"""Shared set-up of the pull tests: a pulling upstream on the local side, its state row."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select

from lrs_bridge.runtime import Runtime
from lrs_bridge.services.pulling import Puller, PullSettings
from lrs_bridge.store.tables import upstream_state
from lrs_bridge.store.upstream_pull import PullStore
from lrs_bridge.store.upstreams import UpstreamStore
from lrs_bridge.upstream.model import Upstream
from lrs_bridge.xapi.timefmt import now_us
from tests.factories import statement


def add_pulling(engine: Engine, peer: Any, name: str = "peer", version: str = "1.0.3") -> Upstream:
    """Register ``peer`` as an upstream this LRS pulls from."""
    return UpstreamStore(engine).add(
        Upstream(
            id=0,
            name=name,
            endpoint=peer.endpoint,
            key=peer.key,
            secret=peer.secret,
            version=version,
            direction="pull",
        ),
        now_us(),
    )


def puller(runtime: Runtime, **settings: int) -> Puller:
    """A puller over the runtime's store and intake, with test settings (page size…)."""
    return Puller(
        PullStore(runtime.engine),
        runtime.statements,
        runtime.store,
        runtime.upstreams,
        runtime.clock,
        PullSettings(**{"lease_seconds": 60, "overlap_seconds": 5, **settings}),
    )


def state(engine: Engine, upstream_id: int) -> dict[str, Any]:
    """The upstream's ``upstream_state`` row, as a dict."""
    with engine.connect() as conn:
        row = conn.execute(
            select(upstream_state).where(upstream_state.c.upstream_id == upstream_id)
        ).first()
    assert row is not None
    return dict(row._mapping)


def pulled_count(engine: Engine, upstream_id: int) -> int:
    """How many statements the puller counted as new (0 before its first pass)."""
    with engine.connect() as conn:
        count = conn.execute(
            select(upstream_state.c.pulled_count).where(upstream_state.c.upstream_id == upstream_id)
        ).scalar()
    return int(count or 0)


def many(count: int) -> list[dict[str, Any]]:
    """``count`` distinct valid statements."""
    return [statement(actor=f"learner{n % 40}") for n in range(count)]


def post_all(peer: Any, statements: list[dict[str, Any]], chunk: int = 500) -> list[str]:
    ids: list[str] = []
    for start in range(0, len(statements), chunk):
        ids.extend(peer.post(statements[start : start + chunk]))
    return ids
