"""The learner directory: people, and every IFI that identifies them.

A person may appear under several IFIs (an e-mail address, accounts on several platforms).
Importing the directory links those IFIs to one learner; learners that ingest had created
for a single IFI are merged into the person, evidence and state following them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from lrs_bridge.store.base import StateReducer
from lrs_bridge.store.ledger import Pair, recompute_states
from lrs_bridge.store.tables import competency_state, evidence, learner_ifis, learners


@dataclasses.dataclass(frozen=True, kw_only=True)
class DirectoryEntry:
    """One person of an imported directory; ``agent_keys`` are canonical IFI keys."""

    name: str
    email: str | None
    agent_keys: tuple[str, ...]
    team: str | None = None
    manager_email: str | None = None
    language: str | None = None


def import_entries(
    conn: Connection,
    entries: Sequence[DirectoryEntry],
    reduce: StateReducer,
    now_us: int,
    *,
    window_us: int,
) -> dict[str, int]:
    """Create or update learners, merging learners that share an entry's IFIs.

    Returns counts: ``created``, ``updated``, ``merged``.
    """
    counts = {"created": 0, "updated": 0, "merged": 0}
    by_email: dict[str, int] = {}
    touched: set[Pair] = set()
    for entry in entries:
        owners = sorted(
            set(
                conn.execute(
                    select(learner_ifis.c.learner_id).where(
                        learner_ifis.c.agent_key.in_(list(entry.agent_keys))
                    )
                ).scalars()
            )
        )
        profile = {
            "name": entry.name,
            "email": entry.email,
            "team": entry.team,
            "language": entry.language,
        }
        if owners:
            target = owners[0]
            conn.execute(update(learners).where(learners.c.id == target).values(**profile))
            counts["updated"] += 1
        else:
            target = conn.execute(
                insert(learners).returning(learners.c.id), {**profile, "created_us": now_us}
            ).scalar_one()
            counts["created"] += 1
        for other in owners[1:]:
            touched |= _merge(conn, other, into=target)
            counts["merged"] += 1
        known = set(
            conn.execute(
                select(learner_ifis.c.agent_key).where(learner_ifis.c.learner_id == target)
            ).scalars()
        )
        for key in entry.agent_keys:
            if key not in known:
                conn.execute(insert(learner_ifis), {"agent_key": key, "learner_id": target})
        if entry.email:
            by_email[entry.email.lower()] = target
    for entry in entries:
        if entry.manager_email and entry.email:
            manager = by_email.get(entry.manager_email.lower())
            if manager is None:  # a manager imported earlier
                manager = conn.execute(
                    select(learners.c.id)
                    .where(func.lower(learners.c.email) == entry.manager_email.lower())
                    .order_by(learners.c.id)
                    .limit(1)
                ).scalar()
            if manager is not None:
                conn.execute(
                    update(learners)
                    .where(learners.c.id == by_email[entry.email.lower()])
                    .values(manager_id=manager)
                )
    recompute_states(conn, touched, reduce, now_us, window_us=window_us)
    return counts


def _merge(conn: Connection, source: int, *, into: int) -> set[Pair]:
    """Move a learner's IFIs and evidence to another learner; returns the pairs to recompute."""
    competencies = set(
        conn.execute(
            select(evidence.c.competency_id).where(evidence.c.learner_id == source)
        ).scalars()
    )
    conn.execute(
        update(learner_ifis).where(learner_ifis.c.learner_id == source).values(learner_id=into)
    )
    conn.execute(update(evidence).where(evidence.c.learner_id == source).values(learner_id=into))
    conn.execute(delete(competency_state).where(competency_state.c.learner_id == source))
    conn.execute(update(learners).where(learners.c.manager_id == source).values(manager_id=into))
    conn.execute(delete(learners).where(learners.c.id == source))
    return {(into, competency) for competency in competencies}


def known_emails(conn: Connection, emails: Sequence[str]) -> set[str]:
    """Which of these e-mail addresses (lower-cased) belong to a learner."""
    wanted = sorted({email.lower() for email in emails})
    found: set[str] = set()
    for start in range(0, len(wanted), 5000):
        found.update(
            conn.execute(
                select(func.lower(learners.c.email)).where(
                    func.lower(learners.c.email).in_(wanted[start : start + 5000])
                )
            ).scalars()
        )
    return found


def list_learners(conn: Connection, team: str | None, limit: int, offset: int) -> list[Any]:
    """Learners ordered by id, optionally of one team."""
    query = select(learners).order_by(learners.c.id).limit(limit).offset(offset)
    if team is not None:
        query = query.where(learners.c.team == team)
    return list(conn.execute(query).all())


def update_learner(conn: Connection, learner_id: int, changes: dict[str, Any]) -> bool:
    """Change a learner's profile fields; returns False when there is no such learner."""
    allowed = {k: v for k, v in changes.items() if k in {"name", "email", "team", "language"}}
    if "manager_id" in changes:
        allowed["manager_id"] = changes["manager_id"]
    if not allowed:
        return (
            conn.execute(select(learners.c.id).where(learners.c.id == learner_id)).first()
            is not None
        )
    result = conn.execute(update(learners).where(learners.c.id == learner_id).values(**allowed))
    return bool(result.rowcount)
