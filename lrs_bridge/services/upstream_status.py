"""How each upstream is doing, for the admin API, ``upstream status``, ``/metrics`` and the
console: queue depth, dead letters, lag, last outcomes, counts and the pull cursor; and the
admin's retry of dead letters.

Lag follows the common contract: forward lag is now − ``queued_us`` of the oldest pending
row (0 when none is pending); pull lag is now − the last successful pull (None before one).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any, Protocol

from lrs_bridge.store.base import Clock
from lrs_bridge.upstream.model import Upstream
from lrs_bridge.xapi.timefmt import format_timestamp_us


class StatusRecords(Protocol):
    """The store side (``store/upstream_status.py``)."""

    def figures(self, upstream_id: int) -> dict[str, Any]: ...

    def dead_letters(self, upstream_id: int, limit: int, offset: int) -> list[dict[str, Any]]: ...

    def retry_dead(
        self, upstream_id: int, statement_ids: Sequence[str] | None, now_us: int
    ) -> int: ...


def _time(value_us: int | None) -> str | None:
    return None if value_us is None else format_timestamp_us(value_us)


@dataclasses.dataclass(frozen=True, kw_only=True)
class UpstreamStatus:
    """One upstream's figures at ``at_us`` (times in µs; ``to_dict`` formats them)."""

    name: str
    direction: str
    enabled: bool
    at_us: int
    queue_depth: int
    dead_letters: int
    forward_lag_us: int
    forward_last_success_us: int | None
    forward_last_error: str | None
    forward_last_error_us: int | None
    delivered: int
    pull_lag_us: int | None
    pull_last_success_us: int | None
    pull_last_error: str | None
    pull_last_error_us: int | None
    pulled: int
    pull_since_us: int | None
    pull_more: str | None

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON form (API and ``upstream status --json``)."""
        return {
            "name": self.name,
            "direction": self.direction,
            "enabled": self.enabled,
            "at": _time(self.at_us),
            "forward": {
                "queue_depth": self.queue_depth,
                "dead_letters": self.dead_letters,
                "lag_seconds": self.forward_lag_us / 1e6,
                "last_success": _time(self.forward_last_success_us),
                "last_error": self.forward_last_error,
                "last_error_at": _time(self.forward_last_error_us),
                "delivered": self.delivered,
            },
            "pull": {
                "lag_seconds": None if self.pull_lag_us is None else self.pull_lag_us / 1e6,
                "last_success": _time(self.pull_last_success_us),
                "last_error": self.pull_last_error,
                "last_error_at": _time(self.pull_last_error_us),
                "pulled": self.pulled,
                "cursor": {"since": _time(self.pull_since_us), "more": self.pull_more},
            },
        }

    def metrics(self) -> dict[str, Any]:
        """The figures ``/metrics`` exposes (raw µs times; see ``observability.py``)."""
        return {
            "name": self.name,
            "forward": {
                "queue_depth": self.queue_depth,
                "dead_letters": self.dead_letters,
                "lag_seconds": self.forward_lag_us / 1e6,
                "last_success_us": self.forward_last_success_us,
                "last_error_us": self.forward_last_error_us,
            },
            "pull": {
                "lag_seconds": None if self.pull_lag_us is None else self.pull_lag_us / 1e6,
                "last_success_us": self.pull_last_success_us,
                "last_error_us": self.pull_last_error_us,
                "since_us": self.pull_since_us,
            },
        }


def dead_letter_dict(row: dict[str, Any]) -> dict[str, Any]:
    """A dead letter as shown: statement id, stored, attempts, last error, when."""
    return {
        "statement_id": row["statement_id"],
        "stored": _time(row["stored_us"]),
        "attempts": row["attempts"],
        "last_error": row["last_error"],
        "failing_since": _time(row["first_failure_us"]),
        "queued": _time(row["queued_us"]),
    }


class UpstreamStatusService:
    """Status figures and dead letters of registered upstreams."""

    def __init__(self, records: StatusRecords, clock: Clock) -> None:
        self.records = records
        self.clock = clock

    def status(self, upstream: Upstream) -> UpstreamStatus:
        """The figures of one upstream, now."""
        now = self.clock()
        row = self.records.figures(upstream.id)
        oldest = row["oldest_pending_queued_us"]
        pulled_at = row["pull_last_success_us"]
        return UpstreamStatus(
            name=upstream.name,
            direction=upstream.direction,
            enabled=upstream.enabled,
            at_us=now,
            queue_depth=row["pending"],
            dead_letters=row["dead"],
            forward_lag_us=0 if oldest is None else max(0, now - oldest),
            forward_last_success_us=row["forward_last_success_us"],
            forward_last_error=row["forward_last_error"],
            forward_last_error_us=row["forward_last_error_us"],
            delivered=row["forwarded_count"],
            pull_lag_us=None if pulled_at is None else max(0, now - pulled_at),
            pull_last_success_us=pulled_at,
            pull_last_error=row["pull_last_error"],
            pull_last_error_us=row["pull_last_error_us"],
            pulled=row["pulled_count"],
            pull_since_us=row["pull_since_us"],
            pull_more=row["pull_more"],
        )

    def dead_letters(self, upstream: Upstream, limit: int, offset: int) -> list[dict[str, Any]]:
        """A page of the upstream's dead letters, oldest first."""
        rows = self.records.dead_letters(upstream.id, limit, offset)
        return [dead_letter_dict(row) for row in rows]

    def retry(self, upstream: Upstream, statement_ids: Sequence[str] | None = None) -> int:
        """Queue dead letters again (all, or of these statement ids); how many were."""
        return self.records.retry_dead(upstream.id, statement_ids, self.clock())
