"""The records of refresher assignments and the notification outbox, shared by the store,
the services and the API (no I/O)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import orjson

from lrs_bridge.store.base import StateRow

_R = TypeVar("_R")

OPEN_STATUSES = ("assigned", "notified", "overdue", "escalated")


@dataclasses.dataclass(frozen=True, kw_only=True)
class DueCandidate:
    """A learner × competency whose freshness ends before the scan horizon, without an
    open assignment (and not cancelled for this same staleness)."""

    learner_id: int
    competency_id: str
    stale_at_us: int
    last_evidence_us: int | None
    level: float
    #: Method and statement id of the newest evidence ("what the learner just did").
    last_method: str | None
    last_statement_id: str | None


@dataclasses.dataclass(frozen=True, kw_only=True)
class NewAssignment:
    """An assignment the scan decided to create."""

    learner_id: int
    competency_id: str
    activity_id: str
    method: str
    reason: dict[str, Any]
    basis_stale_at_us: int
    due_us: int
    next_check_us: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class Assignment:
    """An assignment as stored."""

    id: int
    learner_id: int
    competency_id: str
    activity_id: str
    method: str
    status: str
    reason: dict[str, Any]
    basis_stale_at_us: int | None
    created_us: int
    due_us: int
    next_check_us: int | None
    acknowledged_us: int | None
    snoozed_us: int
    reminders: int
    closed_us: int | None
    closed_by: str | None

    @property
    def open(self) -> bool:
        """True until completed or cancelled."""
        return self.closed_us is None


@dataclasses.dataclass(frozen=True, kw_only=True)
class NewNotification:
    """An outbox entry: delivered later by the dispatcher, at least once, under its key."""

    idempotency_key: str
    channel: str
    target: str
    kind: str
    learner_id: int | None
    payload: dict[str, Any]
    assignment_ids: tuple[int, ...]
    #: ``pending``, or ``waiting`` when no channel reaches the recipient yet.
    status: str = "pending"


@dataclasses.dataclass(frozen=True, kw_only=True)
class Transition:
    """One status change of an assignment and what caused it."""

    assignment_id: int
    from_status: str | None
    to_status: str
    cause: str
    detail: dict[str, Any] | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class Notification:
    """An outbox row as stored."""

    id: int
    idempotency_key: str
    channel: str
    target: str
    kind: str
    learner_id: int | None
    payload: dict[str, Any]
    status: str
    attempts: int
    next_attempt_us: int
    created_us: int
    sent_us: int | None
    last_error: str | None
    #: The current claim's token (None when unclaimed): settling needs it and ``attempts``.
    lease_token: str | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class EvidenceSource:
    """A statement of the ingest batch that gave a pair evidence."""

    statement_id: str
    verb_id: str | None
    object_id: str | None
    weight: float
    #: The statement's evidence time (``min(timestamp, stored)``).
    at_us: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class PairOutcome:
    """What one ingest transaction did to one learner × competency."""

    learner_id: int
    competency_id: str
    after: StateRow | None
    sources: tuple[EvidenceSource, ...]


#: Decides, inside the ingest transaction, which open assignments the new evidence
#: completes: ``(open assignments of touched pairs, outcomes by pair, now) -> transitions``.
AssignmentCloser = Callable[
    [Sequence["Assignment"], Mapping[tuple[int, str], PairOutcome], int], Sequence["Transition"]
]


def record_from_row(kind: type[_R], row: Any, json_field: str) -> _R:
    """A record dataclass from a row whose columns carry its field names; ``json_field``
    holds JSON text."""
    values = {f.name: getattr(row, f.name) for f in dataclasses.fields(kind)}  # type: ignore[arg-type]
    values[json_field] = orjson.loads(values[json_field])
    return kind(**values)
