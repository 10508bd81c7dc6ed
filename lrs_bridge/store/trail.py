"""Read queries behind a learner's page: the evidence trail of one competency and the
notifications sent to a learner.

The trail joins evidence to its statement so a person can see *which* statement gave it (verb
and activity), not only the rule and weight the ledger keeps. It reads one learner × one
competency, so parsing those statements' JSON per request stays small.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, select

from lrs_bridge.store.assignment_records import Notification, record_from_row
from lrs_bridge.store.driver_errors import translate_errors
from lrs_bridge.store.tables import evidence, notifications, statements


@dataclasses.dataclass(frozen=True, kw_only=True)
class TrailEntry:
    """One evidence row with the statement it came from."""

    at_us: int
    statement_id: str
    verb_id: str
    #: The statement's object when it is an Activity (None for an Agent object, a mentor's
    #: statement about a learner, or a StatementRef).
    activity_id: str | None
    #: The Activity's ``definition.name`` language map as that statement gave it.
    activity_name: dict[str, str]
    rule: str
    method: str
    weight: float
    quality: float


class SqlTrailStore:
    """The learner page's reads over an engine it does not own."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextlib.contextmanager
    def _read(self) -> Iterator[Connection]:
        with translate_errors(), self.engine.connect() as conn, conn.begin():
            yield conn

    def evidence_trail(self, learner_id: int, competency_id: str) -> list[TrailEntry]:
        """The evidence of one learner for one competency, oldest first."""
        query = (
            select(
                evidence.c.at_us,
                evidence.c.rule_id,
                evidence.c.method,
                evidence.c.weight,
                evidence.c.quality,
                statements.c.id,
                statements.c.verb_id,
                statements.c.statement,
            )
            .join(statements, statements.c.seq == evidence.c.seq)
            .where(evidence.c.learner_id == learner_id, evidence.c.competency_id == competency_id)
            .order_by(evidence.c.at_us, evidence.c.seq)
        )
        with self._read() as conn:
            return [_entry(row) for row in conn.execute(query)]

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
    activity_id, name = _activity(orjson.loads(row.statement))
    return TrailEntry(
        at_us=row.at_us,
        statement_id=row.id,
        verb_id=row.verb_id,
        activity_id=activity_id,
        activity_name=name,
        rule=row.rule_id,
        method=row.method,
        weight=row.weight,
        quality=row.quality,
    )


def _activity(statement: dict[str, Any]) -> tuple[str | None, dict[str, str]]:
    """The object Activity's id and name map (xAPI Data §2.4.4.1: objectType defaults to
    Activity)."""
    target = statement.get("object")
    if not isinstance(target, dict) or target.get("objectType", "Activity") != "Activity":
        return None, {}
    definition = target.get("definition")
    name = definition.get("name") if isinstance(definition, dict) else None
    names = {k: v for k, v in name.items() if isinstance(v, str)} if isinstance(name, dict) else {}
    activity_id = target.get("id")
    return (activity_id if isinstance(activity_id, str) else None), names
