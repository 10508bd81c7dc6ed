"""A learner's directory entry and competency states with their evidence trails, as the
store's read methods return them (split from ``ledger.py``, which writes the ledger)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Connection, Select, select

from lrs_bridge.store.tables import competency_state, evidence, learner_ifis, learners, statements


def learner_by_agent_key(conn: Connection, agent_key: str) -> dict[str, Any] | None:
    """The learner an IFI belongs to, with every IFI linked to them."""
    row = conn.execute(
        select(learners)
        .join(learner_ifis, learner_ifis.c.learner_id == learners.c.id)
        .where(learner_ifis.c.agent_key == agent_key)
    ).first()
    return _learner(conn, row) if row else None


def learner_by_id(conn: Connection, learner_id: int) -> dict[str, Any] | None:
    """One learner with their IFIs."""
    row = conn.execute(select(learners).where(learners.c.id == learner_id)).first()
    return _learner(conn, row) if row else None


def _learner(conn: Connection, row: Any) -> dict[str, Any]:
    ifis = conn.execute(
        select(learner_ifis.c.agent_key)
        .where(learner_ifis.c.learner_id == row.id)
        .order_by(learner_ifis.c.agent_key)
    ).scalars()
    return {
        "id": row.id,
        "name": row.name,
        "email": row.email,
        "team": row.team,
        "manager_id": row.manager_id,
        "language": row.language,
        "ifis": list(ifis),
    }


def trail_query(*columns: Any) -> Select[Any]:
    """Evidence rows, oldest first, with their statement's id, the id of the statement a
    repeat repeats (``duplicate_of``, None when it counts) and ``columns``."""
    original = statements.alias("original")
    return (
        select(
            evidence.c.rule_id,
            evidence.c.method,
            evidence.c.weight,
            evidence.c.quality,
            evidence.c.at_us,
            statements.c.id,
            original.c.id.label("duplicate_of"),
            *columns,
        )
        .join(statements, statements.c.seq == evidence.c.seq)
        .outerjoin(original, original.c.seq == evidence.c.duplicate_of)
        .order_by(evidence.c.at_us, evidence.c.seq)
    )


def learner_competencies(conn: Connection, learner_id: int) -> list[dict[str, Any]]:
    """States of one learner with their evidence trails (statement id, rule, weight…, and
    ``duplicate_of``: the id of the statement a repeat repeats, None when it counts)."""
    trails: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in conn.execute(
        trail_query(evidence.c.competency_id).where(evidence.c.learner_id == learner_id)
    ):
        trails[row.competency_id].append(
            {
                "statement_id": row.id,
                "rule": row.rule_id,
                "method": row.method,
                "weight": row.weight,
                "quality": row.quality,
                "at_us": row.at_us,
                "duplicate_of": row.duplicate_of,
            }
        )
    states = conn.execute(
        select(competency_state).where(competency_state.c.learner_id == learner_id)
    ).all()
    return [
        {
            "competency_id": state.competency_id,
            "level": state.level,
            "last_evidence_us": state.last_evidence_us,
            "stale_at_us": state.stale_at_us,
            "evidence_count": state.evidence_count,
            "stability_days": state.stability_days,
            "evidence": trails.get(state.competency_id, []),
        }
        for state in states
    ]
