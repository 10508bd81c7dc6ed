"""Read queries behind the team matrix: members and their stored competency states.

They read the precomputed ``competency_state`` rows and the directory only, never the
statements or the evidence ledger, so a matrix costs two indexed queries whatever the size
of the statement store.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterator, Sequence
from typing import Any, NamedTuple

from sqlalchemy import Engine, Select, select

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
        query = select(
            learners.c.id, learners.c.name, learners.c.email, learners.c.team, learners.c.manager_id
        )
        if team is not None:
            query = query.where(learners.c.team == team)
        rows = [
            MemberRecord(
                id=row.id,
                name=row.name,
                email=row.email,
                team=row.team,
                manager_id=row.manager_id,
            )
            for row in self._rows(query, learners.c.id, learner_ids, team is not None)
        ]
        return sorted(rows, key=lambda m: ((m.name or m.email or "").casefold(), m.id))

    def states(self, team: str | None, learner_ids: Collection[int] | None) -> list[StateRecord]:
        """The stored states of the same learners as :meth:`members`."""
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
        rows = self._rows(query, competency_state.c.learner_id, learner_ids, team is not None)
        return list(map(StateRecord._make, rows))

    def _rows(
        self, query: Select[Any], id_column: Any, ids: Collection[int] | None, narrowed: bool
    ) -> Iterator[Any]:
        """Run ``query``, limited to ``ids``: in SQL by chunks when nothing else narrows it,
        otherwise filtered here (one query for a team beats many ``IN`` lists)."""
        with translate_errors(), self.engine.connect() as conn:
            # ``all()`` fetches in one go: iterating a result fetches row by row, slowly.
            if ids is None:
                yield from conn.execute(query).all()
                return
            wanted = frozenset(ids)
            if narrowed:
                yield from (row for row in conn.execute(query).all() if row[0] in wanted)
                return
            ordered: Sequence[int] = sorted(wanted)
            for start in range(0, len(ordered), ID_CHUNK):
                chunk = ordered[start : start + ID_CHUNK]
                yield from conn.execute(query.where(id_column.in_(chunk))).all()
