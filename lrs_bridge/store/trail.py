"""Read queries behind a learner's page: the evidence trail of one competency, and the
assignment events and notifications of one learner.

The trail joins evidence to its statement so a person can see *which* statement gave it (verb
and activity), not only the rule and weight the ledger keeps. It reads one learner × one
competency, so parsing those statements' JSON per request stays small.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import orjson
from sqlalchemy import select

from lrs_bridge.store.assignment_records import Notification, record_from_row
from lrs_bridge.store.learner_reads import trail_query
from lrs_bridge.store.tables import (
    assignment_events,
    evidence,
    notifications,
    refresher_assignments,
    statements,
)
from lrs_bridge.store.transactions import EngineTransactions


@dataclasses.dataclass(frozen=True, kw_only=True)
class TrailEntry:
    """One evidence row with the statement it came from."""

    at_us: int
    statement_id: str
    verb_id: str
    #: The verb's ``display`` language map as that statement gave it.
    verb_display: dict[str, str]
    #: The statement's object when it is an Activity (None for an Agent object, a mentor's
    #: statement about a learner, or a StatementRef).
    activity_id: str | None
    #: The Activity's ``definition.name`` language map as that statement gave it.
    activity_name: dict[str, str]
    rule: str
    method: str
    weight: float
    quality: float
    #: The id of the statement this one repeats (``competency/dedup.py``): it is in the
    #: trail but does not count. None: it counts.
    duplicate_of: str | None = None


class SqlTrailStore(EngineTransactions):
    """The learner page's reads over an engine it does not own."""

    def evidence_trail(self, learner_id: int, competency_id: str) -> list[TrailEntry]:
        """The evidence of one learner for one competency, oldest first."""
        query = trail_query(statements.c.verb_id, statements.c.statement).where(
            evidence.c.learner_id == learner_id, evidence.c.competency_id == competency_id
        )
        with self._read() as conn:
            return [_entry(row) for row in conn.execute(query)]

    def repeats_of(self, statement_id: str) -> dict[str, str]:
        """``{competency: id of the statement it repeats}`` for the evidence a stored
        statement gave (for ``explain``); a competency it counts for is absent."""
        own, original = statements.alias("own"), statements.alias("original")
        query = (
            select(evidence.c.competency_id, original.c.id)
            .join(own, own.c.seq == evidence.c.seq)
            .join(original, original.c.seq == evidence.c.duplicate_of)
            .where(own.c.id == statement_id)
            .order_by(evidence.c.competency_id, evidence.c.learner_id)
        )
        with self._read() as conn:
            found: dict[str, str] = {}
            for competency_id, original_id in conn.execute(query):
                found.setdefault(competency_id, original_id)
            return found

    def learner_events(self, learner_id: int) -> list[dict[str, Any]]:
        """Every event of the learner's assignments, newest first (one query, not one per
        assignment)."""
        e, a = assignment_events.c, refresher_assignments.c
        query = (
            select(e.assignment_id, e.at_us, e.from_status, e.to_status, e.cause)
            .join(refresher_assignments, a.id == e.assignment_id)
            .where(a.learner_id == learner_id)
            .order_by(e.at_us.desc(), e.id.desc())
        )
        with self._read() as conn:
            return [row._asdict() for row in conn.execute(query)]

    def learner_notifications(self, learner_id: int, limit: int = 200) -> list[Notification]:
        """Notifications addressed to a learner, newest first."""
        query = (
            select(notifications)
            .where(notifications.c.learner_id == learner_id)
            .order_by(notifications.c.id.desc())
            .limit(limit)
        )
        with self._read() as conn:
            return [record_from_row(Notification, row, "payload") for row in conn.execute(query)]


def _entry(row: Any) -> TrailEntry:
    statement = orjson.loads(row.statement)
    activity_id, name = _activity(statement)
    verb = statement.get("verb")
    return TrailEntry(
        at_us=row.at_us,
        statement_id=row.id,
        verb_id=row.verb_id,
        verb_display=_names(verb.get("display") if isinstance(verb, dict) else None),
        activity_id=activity_id,
        activity_name=name,
        rule=row.rule_id,
        method=row.method,
        weight=row.weight,
        quality=row.quality,
        duplicate_of=row.duplicate_of,
    )


def _activity(statement: dict[str, Any]) -> tuple[str | None, dict[str, str]]:
    """The object Activity's id and name map (xAPI Data §2.4.4.1: objectType defaults to
    Activity)."""
    target = statement.get("object")
    if not isinstance(target, dict) or target.get("objectType", "Activity") != "Activity":
        return None, {}
    definition = target.get("definition")
    names = _names(definition.get("name") if isinstance(definition, dict) else None)
    activity_id = target.get("id")
    return (activity_id if isinstance(activity_id, str) else None), names


def _names(value: Any) -> dict[str, str]:
    """A language map's string entries (anything else: empty)."""
    if not isinstance(value, dict):
        return {}
    return {k: v for k, v in value.items() if isinstance(v, str)}
