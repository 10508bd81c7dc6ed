"""An upstream LRS as the rest of lrs-bridge sees it, and which statements it wants.

Pure: no I/O. The filter is decided at ingest, inside the statement's transaction, so it
must be cheap and must not depend on anything but the statement and who sent it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from typing import Any

from lrs_bridge.xapi.extract import StatementIndex

VERSIONS = ("1.0.3", "2.0.0")
DIRECTIONS = ("forward", "pull", "both")


@dataclasses.dataclass(frozen=True, kw_only=True)
class Upstream:
    """One configured upstream LRS (the secret in clear: only clients and the store see it)."""

    id: int
    name: str
    #: The xAPI endpoint, ending in ``/`` (``…/statements`` is appended).
    endpoint: str
    key: str
    secret: str = dataclasses.field(repr=False)
    version: str = "1.0.3"
    direction: str = "forward"
    verbs: tuple[str, ...] = ()
    activity_prefixes: tuple[str, ...] = ()
    platforms: tuple[str, ...] = ()
    #: Keys of the credentials whose statements are forwarded (empty: every credential).
    credentials: tuple[str, ...] = ()
    source: str = "api"
    enabled: bool = True
    pull_credential_id: int | None = None

    @property
    def forwards(self) -> bool:
        return self.enabled and self.direction in ("forward", "both")

    @property
    def pulls(self) -> bool:
        return self.enabled and self.direction in ("pull", "both")


def wants(
    upstream: Upstream,
    statement: dict[str, Any],
    index: StatementIndex,
    credential_key: str | None,
) -> bool:
    """Whether a newly accepted statement is forwarded to ``upstream``.

    Every non-empty filter must match (AND); a list is any-of. Activity prefixes match the
    statement's object or any context activity. A voiding statement is decided by the store
    (it follows the statement it voids), not here.
    """
    if not upstream.forwards:
        return False
    if upstream.verbs and index.verb_id not in upstream.verbs:
        return False
    if upstream.credentials and credential_key not in upstream.credentials:
        return False
    if upstream.platforms:
        context = statement.get("context")
        platform = context.get("platform") if isinstance(context, dict) else None
        if platform not in upstream.platforms:
            return False
    if upstream.activity_prefixes and not _any_prefix(index.activities, upstream.activity_prefixes):
        return False
    return True


def _any_prefix(activities: Collection[str], prefixes: Collection[str]) -> bool:
    return any(activity.startswith(prefix) for activity in activities for prefix in prefixes)
