"""Read queries behind the team matrix: members and their stored competency states.

They read the precomputed ``competency_state`` rows and the directory only, never the
statements or the evidence ledger, so a matrix costs two queries in one transaction
whatever the size of the statement store.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Sequence
from typing import Any, NamedTuple

from sqlalchemy import Connection, Engine, Select, select

from lrs_bridge.store.driver_errors import translate_errors
from lrs_bridge.store.tables import competency_state, learners

#: Learner ids per ``IN (...)`` list (well below SQLite's bound-parameter limit).
ID_CHUNK = 900


@dataclasses.dataclass(frozen=True, kw_only=True)
class MemberRecord:
    """A directory learner as the matrix shows them."""

    id: int
    name: str | None
    email: str | None
    team: str | None
    manager_id: int | None


class StateRecord(NamedTuple):
    """One stored learner × competency state: the level and when it goes stale (a tuple:
    a 500 × 17 matrix reads 8,500 of them per page)."""

    learner_id: int
    competency_id: str
    level: float
    stale_at_us: int | None


class SqlMatrixStore:
    """The matrix's reads over an engine it is given (and does not own)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def members(self, team: str | None, learner_ids: Collection[int] | None) -> list[MemberRecord]:
        """Learners of ``team`` (None: any team), limited to ``learner_ids`` when given,
        ordered by name then id."""
        with translate_errors(), self.engine.connect() as conn:
            return _members(conn, team, learner_ids)

    def members_and_states(
        self, team: str | None, learner_ids: Collection[int] | None
    ) -> tuple[list[MemberRecord], list[StateRecord]]:
        """:meth:`members` and their stored states, read in one transaction: one snapshot
        (a state never without its member), and one connection's round trips."""
        query = select(
            competency_state.c.learner_id,
            competency_state.c.competency_id,
            competency_state.c.level,
            competency_state.c.stale_at_us,
        )
        if team is not None:
            query = query.join(learners, learners.c.id == competency_state.c.learner_id).where(
                learners.c.team == team
            )
        with translate_errors(), self.engine.connect() as conn, conn.begin():
            members = _members(conn, team, learner_ids)
            rows = _limited(conn, query, competency_state.c.learner_id, learner_ids, team)
            return members, list(map(StateRecord._make, rows))


def _members(
    conn: Connection, team: str | None, learner_ids: Collection[int] | None
) -> list[MemberRecord]:
    query = select(
        learners.c.id, learners.c.name, learners.c.email, learners.c.team, learners.c.manager_id
    )
    if team is not None:
        query = query.where(learners.c.team == team)
    rows = [
        MemberRecord(
            id=row.id, name=row.name, email=row.email, team=row.team, manager_id=row.manager_id
        )
        for row in _limited(conn, query, learners.c.id, learner_ids, team)
    ]
    return sorted(rows, key=lambda m: ((m.name or m.email or "").casefold(), m.id))


def _limited(
    conn: Connection,
    query: Select[Any],
    id_column: Any,
    ids: Collection[int] | None,
    team: str | None,
) -> list[Any]:
    """Run ``query`` (its first column a learner id), limited to ``ids``: in SQL by chunks
    when no team narrows it, otherwise filtered here (one query for a team beats many ``IN``
    lists). ``all()`` fetches in one go: iterating a result fetches row by row, slowly."""
    if ids is None:
        return list(conn.execute(query).all())
    wanted = frozenset(ids)
    if team is not None:
        return [row for row in conn.execute(query).all() if row[0] in wanted]
    ordered: Sequence[int] = sorted(wanted)
    found: list[Any] = []
    for start in range(0, len(ordered), ID_CHUNK):
        found += conn.execute(query.where(id_column.in_(ordered[start : start + ID_CHUNK]))).all()
    return found
