"""SQL of the inbox's "map this" preview: what a rule for one activity would add, read
from that activity's statements and the ledger of the pairs it touches, never the whole
store (``services/inbox.py``: the focused dry run)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

import orjson
from sqlalchemy import Select, select

from lrs_bridge.competency.engine import evidence_time
from lrs_bridge.store.base import EvidenceDraft, LedgerPoint, StateRow
from lrs_bridge.store.ledger import admit_evidence, states_of
from lrs_bridge.store.sets import member, rows_of_pairs
from lrs_bridge.store.tables import learner_ifis, statement_keys, statements
from lrs_bridge.store.transactions import EngineTransactions

Pair = tuple[int, str]


def statements_of_activity(activity_id: str, *columns: Any) -> Select[Any]:
    """The non-voided statements whose object is this activity, in seq order: one range
    of the statement keys' index."""
    return (
        select(*columns)
        .join(statement_keys, statement_keys.c.seq == statements.c.seq)
        .where(
            statement_keys.c.key == f"activity|{activity_id}",
            statement_keys.c.narrow.is_(True),
            statements.c.object_type == "Activity",
            statements.c.object_key == activity_id,
            statements.c.voided.is_(False),
        )
        .order_by(statements.c.seq)
    )


class ActivityPreviewStore(EngineTransactions):
    """Reads for previewing a rule that matches one activity."""

    def activity_evidence(
        self, activity_id: str, evidence_for: Callable[[dict[str, Any]], list[EvidenceDraft]]
    ) -> tuple[list[tuple[int, int, EvidenceDraft]], int]:
        """The evidence ``evidence_for`` gives this activity's statements, admitted by each
        statement's credential policy as a replay would: ``(seq, evidence time, draft)``
        and how many statements were evaluated (one index range, not the whole store)."""
        with self._read() as conn:
            rows = conn.execute(
                statements_of_activity(
                    activity_id,
                    statements.c.seq,
                    statements.c.timestamp_us,
                    statements.c.stored_us,
                    statements.c.authority_id,
                    statements.c.statement,
                )
            ).all()
            candidates = [
                (row.seq, evidence_time(row.timestamp_us, row.stored_us), draft, row.authority_id)
                for row in rows
                for draft in evidence_for(orjson.loads(row.statement))
            ]
            return admit_evidence(conn, candidates), len(rows)

    def learner_ids(self, agent_keys: Collection[str]) -> dict[str, int]:
        """The directory learners these identifiers point to."""
        if not agent_keys:
            return {}
        with self._read() as conn:
            return {
                row.agent_key: row.learner_id
                for row in conn.execute(
                    select(learner_ifis).where(member(conn, learner_ifis.c.agent_key, agent_keys))
                )
            }

    def ledger_of_pairs(
        self, pairs: Collection[Pair]
    ) -> tuple[dict[Pair, list[LedgerPoint]], dict[Pair, StateRow]]:
        """The evidence points and the stored states of these learner × competency pairs."""
        points: dict[Pair, list[LedgerPoint]] = {}
        if not pairs:
            return points, {}
        with self._read() as conn:
            columns = ("seq", "at_us", "weight", "quality")
            for learner, competency, seq, at_us, weight, quality in rows_of_pairs(
                conn, "evidence", columns, pairs
            ):
                points.setdefault((learner, competency), []).append(
                    LedgerPoint(seq=seq, at_us=at_us, weight=weight, quality=quality)
                )
            return points, states_of(conn, pairs)
