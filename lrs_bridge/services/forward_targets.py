"""Which upstreams a statement being stored is queued for: decided at ingest, for received
statements and for the ones lrs-bridge writes itself (competency assertions, assignment
statements), so the outbox rows commit with the statement."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from lrs_bridge.upstream.model import Upstream, wants
from lrs_bridge.xapi.extract import StatementIndex


class ForwardTargets(Protocol):
    """The upstreams accepted statements may be forwarded to (``UpstreamRegistry``)."""

    def forward_targets(self) -> list[Upstream]: ...


def forward_to(
    targets: Sequence[Upstream],
    statement: dict[str, Any],
    index: StatementIndex,
    credential_id: int | None,
    credential_key: str | None,
) -> tuple[int, ...]:
    """The ids of the upstreams whose filter wants the statement, except the one it was
    pulled from (stored under that upstream's pull credential: never sent back).

    ``credential_id``/``credential_key`` are None for statements lrs-bridge writes itself;
    an upstream that forwards only listed credentials does not get those.
    """
    if not targets:
        return ()
    return tuple(
        upstream.id
        for upstream in targets
        if (credential_id is None or upstream.pull_credential_id != credential_id)
        and wants(upstream, statement, index, credential_key)
    )
