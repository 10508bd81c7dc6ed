"""The activity inbox's reads of the usage summary: unmapped activities busiest first, one
activity, and the agents no directory identifier names (``store/activity_usage.py`` keeps
the summary)."""

from __future__ import annotations

import contextlib
import dataclasses
from typing import Any

import orjson
from sqlalchemy import Connection, and_, exists, func, select

from lrs_bridge.store.tables import (
    activity_definitions,
    activity_usage,
    agent_usage,
    learner_ifis,
    statement_keys,
)


@dataclasses.dataclass(frozen=True, kw_only=True)
class ActivityUsage:
    """One inbox row: an activity and how it is used."""

    activity_id: str
    statements: int
    learners: int
    evidence_statements: int
    last_us: int
    example_id: str
    name: dict[str, Any] | None
    type: str | None
    verbs: list[str]
    platforms: list[str]


@dataclasses.dataclass(frozen=True, kw_only=True)
class AgentUsage:
    """An agent seen in statements."""

    agent_key: str
    agent: dict[str, Any]
    statements: int
    last_us: int


def _usage(row: Any) -> ActivityUsage:
    name = orjson.loads(row.name) if row.name else None
    definition = orjson.loads(row.definition) if getattr(row, "definition", None) else {}
    # The canonical definition (merged by the Activities resource), when one was built.
    return ActivityUsage(
        activity_id=row.activity_id,
        statements=row.statements,
        learners=row.learners,
        evidence_statements=row.evidence_statements,
        last_us=row.last_us,
        example_id=row.example_id,
        name=definition.get("name") or name,
        type=definition.get("type") or row.type,
        verbs=orjson.loads(row.verbs),
        platforms=orjson.loads(row.platforms),
    )


class InboxReads:
    """Reads of the summary; mixed into ``ActivityUsageStore``, which gives transactions."""

    def _read(self) -> contextlib.AbstractContextManager[Connection]:
        raise NotImplementedError

    def unmapped(self, limit: int, offset: int) -> tuple[list[ActivityUsage], int]:
        """A page of activities without evidence, busiest first, and how many there are."""
        unmapped = activity_usage.c.evidence_statements == 0
        with self._read() as conn:
            total = (
                conn.execute(
                    select(func.count()).select_from(activity_usage).where(unmapped)
                ).scalar()
                or 0
            )
            rows = conn.execute(
                select(activity_usage, activity_definitions.c.definition)
                .outerjoin(
                    activity_definitions,
                    activity_definitions.c.activity_id == activity_usage.c.activity_id,
                )
                .where(unmapped)
                .order_by(activity_usage.c.statements.desc(), activity_usage.c.activity_id.desc())
                .limit(limit)
                .offset(offset)
            ).all()
        return [_usage(row) for row in rows], int(total)

    def activity(self, activity_id: str) -> ActivityUsage | None:
        """One activity's usage."""
        with self._read() as conn:
            row = conn.execute(
                select(activity_usage, activity_definitions.c.definition)
                .outerjoin(
                    activity_definitions,
                    activity_definitions.c.activity_id == activity_usage.c.activity_id,
                )
                .where(activity_usage.c.activity_id == activity_id)
            ).first()
        return _usage(row) if row else None

    def unknown_agents(
        self, limit: int, offset: int, *, erasure_pending: bool = False
    ) -> tuple[list[AgentUsage], int]:
        """Agents no directory identifier names, busiest first.

        With ``erasure_pending`` (an erasure the job has not rebuilt after), an agent that no
        stored statement names any more is left out, so an erased person is never shown;
        that check probes the statement keys per agent, so it is made only then.
        """
        condition: Any = ~exists().where(learner_ifis.c.agent_key == agent_usage.c.agent_key)
        if erasure_pending:
            condition = and_(
                condition,
                exists().where(statement_keys.c.key == "agent|" + agent_usage.c.agent_key),
            )
        with self._read() as conn:
            total = (
                conn.execute(
                    select(func.count()).select_from(agent_usage).where(condition)
                ).scalar()
                or 0
            )
            rows = conn.execute(
                select(agent_usage)
                .where(condition)
                .order_by(agent_usage.c.statements.desc(), agent_usage.c.agent_key.desc())
                .limit(limit)
                .offset(offset)
            ).all()
        return [
            AgentUsage(
                agent_key=row.agent_key,
                agent=orjson.loads(row.agent),
                statements=row.statements,
                last_us=row.last_us,
            )
            for row in rows
        ], int(total)
