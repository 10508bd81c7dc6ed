"""SQL of the console's statement browser: the ledger rows that given statements produced."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection

from sqlalchemy import Engine, select

from lrs_bridge.store.driver_errors import translate_errors
from lrs_bridge.store.sets import member
from lrs_bridge.store.tables import evidence


@dataclasses.dataclass(frozen=True, kw_only=True)
class EvidenceRow:
    """One ledger row: what a statement gave whom."""

    seq: int
    learner_id: int
    competency_id: str
    rule_id: str
    method: str
    weight: float
    quality: float


class StatementEvidenceStore:
    """Reads the evidence ledger by statement."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def evidence_of(self, seqs: Collection[int]) -> dict[int, list[EvidenceRow]]:
        """The ledger rows of these statements (one query, whatever their number)."""
        if not seqs:
            return {}
        found: dict[int, list[EvidenceRow]] = {}
        with translate_errors(), self.engine.connect() as conn:
            rows = conn.execute(
                select(evidence)
                .where(member(conn, evidence.c.seq, seqs))
                .order_by(evidence.c.seq, evidence.c.learner_id, evidence.c.competency_id)
            )
            for row in rows:
                found.setdefault(row.seq, []).append(
                    EvidenceRow(
                        seq=row.seq,
                        learner_id=row.learner_id,
                        competency_id=row.competency_id,
                        rule_id=row.rule_id,
                        method=row.method,
                        weight=row.weight,
                        quality=row.quality,
                    )
                )
        return found
