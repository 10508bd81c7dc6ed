"""The evidence ledger and competency state tables, written inside the ingest transaction.

Functions here take an open connection of the statement write transaction, so evidence
rows and recomputed states commit with the statements that caused them (DESIGN.md).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from typing import Any

import orjson
from sqlalchemy import Connection, delete, func, insert, select, update

from lrs_bridge.store import duplicates
from lrs_bridge.store.base import EvidenceDraft, LedgerPoint, StateReducer, StateRow
from lrs_bridge.store.bulk import insert_rows
from lrs_bridge.store.learner_reads import learner_by_agent_key as learner_by_agent_key
from lrs_bridge.store.learner_reads import learner_by_id as learner_by_id
from lrs_bridge.store.learner_reads import learner_competencies as learner_competencies
from lrs_bridge.store.sets import Pair as Pair  # re-exported: other stores name pairs so
from lrs_bridge.store.sets import member, rows_of_pairs
from lrs_bridge.store.tables import (
    competency_configs,
    competency_state,
    credentials,
    evidence,
    learner_ifis,
    learners,
)

# Hot-path SQL, the same on SQLite (3.24+) and PostgreSQL; ``?`` becomes the driver's marker.
_EVIDENCE_COLUMNS = (
    "seq", "learner_id", "competency_id", "rule_id", "method", "weight", "quality", "at_us",
    "fingerprint",
)  # fmt: skip
_UPSERT_STATE = (
    "INSERT INTO competency_state (learner_id, competency_id, level, last_evidence_us, "
    "stale_at_us, evidence_count, stability_days, updated_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (learner_id, competency_id) DO UPDATE SET level = excluded.level, "
    "last_evidence_us = excluded.last_evidence_us, stale_at_us = excluded.stale_at_us, "
    "evidence_count = excluded.evidence_count, stability_days = excluded.stability_days, "
    "updated_us = excluded.updated_us"
)
_DELETE_STATE = "DELETE FROM competency_state WHERE learner_id = ? AND competency_id = ?"


def _sql(conn: Connection, text: str) -> str:
    return text.replace("?", "%s") if conn.dialect.name == "postgresql" else text


def resolve_learners(
    conn: Connection, agents: dict[str, dict[str, Any]], now_us: int
) -> dict[str, int]:
    """Learner ids for agent keys, creating a learner for each IFI the directory lacks."""
    if not agents:
        return {}
    found = dict(
        conn.execute(
            select(learner_ifis.c.agent_key, learner_ifis.c.learner_id).where(
                member(conn, learner_ifis.c.agent_key, agents)
            )
        ).all()
    )
    missing = [(key, agent) for key, agent in agents.items() if key not in found]
    if not missing:
        return found
    # One multi-row INSERT … RETURNING (ids in parameter order) and one executemany, not two
    # round trips per new learner: a batch of 500 new learners is common on first import.
    new_ids = conn.execute(
        insert(learners).returning(learners.c.id, sort_by_parameter_order=True),
        [
            {
                "name": agent.get("name"),
                "email": _email_of(agent.get("mbox")),
                "created_us": now_us,
            }
            for _, agent in missing
        ],
    ).scalars()
    for (key, _), learner_id in zip(missing, new_ids, strict=True):
        found[key] = learner_id
    conn.execute(
        insert(learner_ifis),
        [{"agent_key": key, "learner_id": found[key]} for key, _ in missing],
    )
    return found


def _email_of(mbox: Any) -> str | None:
    return mbox[len("mailto:") :] if isinstance(mbox, str) else None


def add_evidence(
    conn: Connection, drafts: Sequence[tuple[int, int, EvidenceDraft]], now_us: int
) -> dict[Pair, list[int]]:
    """Insert evidence rows ``(seq, at_us default, draft)``; returns the pairs they touch,
    each with the seqs of the statements that gave it evidence."""
    if not drafts:
        return {}
    ids = resolve_learners(conn, {d.agent_key: d.agent for _, _, d in drafts}, now_us)
    rows: dict[tuple[int, int, str], tuple[Any, ...]] = {}
    for seq, default_at, draft in drafts:
        learner_id = ids[draft.agent_key]
        rows[(seq, learner_id, draft.competency_id)] = (
            seq,
            learner_id,
            draft.competency_id,
            draft.rule_id,
            draft.method,
            draft.weight,
            draft.quality,
            draft.at_us if draft.at_us is not None else default_at,
            draft.fingerprint,
        )
    insert_rows(conn, "evidence", _EVIDENCE_COLUMNS, list(rows.values()))
    touched: dict[Pair, list[int]] = defaultdict(list)
    for seq, learner_id, competency in rows:
        touched[(learner_id, competency)].append(seq)
    return touched


#: ``(seq, evidence time, draft, credential id of the statement)``.
Candidate = tuple[int, int, EvidenceDraft, int | None]


def admit_evidence(
    conn: Connection, candidates: Sequence[Candidate]
) -> list[tuple[int, int, EvidenceDraft]]:
    """The evidence each statement's credential may give (its ``evidence`` policy).

    ``trusted``: all of it; ``self``: only for the credential's own learner (an IFI linked
    to them); ``none``: nothing. A statement without a credential (lrs-bridge's own) is
    trusted; one whose credential is gone (erased with its learner) gives nothing. Ingest
    and replay both filter here, so they agree.
    """
    ids = {c[3] for c in candidates if c[3] is not None}
    if not ids:
        return [c[:3] for c in candidates]
    policies = {
        row.id: (row.evidence, row.learner_id)
        for row in conn.execute(
            select(credentials.c.id, credentials.c.evidence, credentials.c.learner_id).where(
                credentials.c.id.in_(sorted(ids))
            )
        )
    }
    if all(policies.get(i, ("none",))[0] == "trusted" for i in ids):
        return [c[:3] for c in candidates]
    own = {policy[1] for policy in policies.values() if policy[0] == "self"}
    keys: dict[int, set[str]] = defaultdict(set)
    if own:
        for row in conn.execute(
            select(learner_ifis.c.learner_id, learner_ifis.c.agent_key).where(
                learner_ifis.c.learner_id.in_(sorted(i for i in own if i is not None))
            )
        ):
            keys[row.learner_id].add(row.agent_key)
    admitted = []
    for seq, at_us, draft, credential in candidates:
        policy, learner = (
            policies.get(credential, ("none", None)) if credential else ("trusted", None)
        )
        if policy == "trusted" or (
            policy == "self" and learner is not None and draft.agent_key in keys[learner]
        ):
            admitted.append((seq, at_us, draft))
    return admitted


def retract_evidence(conn: Connection, seqs: Collection[int]) -> set[Pair]:
    """Delete the evidence of voided statements; returns the pairs that lost evidence."""
    if not seqs:
        return set()
    pairs = {
        (row.learner_id, row.competency_id)
        for row in conn.execute(
            select(evidence.c.learner_id, evidence.c.competency_id).where(
                member(conn, evidence.c.seq, seqs)
            )
        )
    }
    if pairs:
        conn.execute(delete(evidence).where(member(conn, evidence.c.seq, seqs)))
    return pairs


def recompute_states(
    conn: Connection,
    pairs: Iterable[Pair],
    reduce: StateReducer,
    now_us: int,
    *,
    window_us: int,
) -> dict[Pair, StateRow | None]:
    """Recompute the state of each pair from all of its evidence rows (order-free), with
    repeats within ``window_us`` counted once (``store/duplicates.py``).

    Returns the new state of every pair (None: no evidence left).
    """
    return recompute_counting(conn, pairs, reduce, now_us, window_us=window_us)[0]


def recompute_counting(
    conn: Connection,
    pairs: Iterable[Pair],
    reduce: StateReducer,
    now_us: int,
    *,
    window_us: int,
) -> tuple[dict[Pair, StateRow | None], dict[Pair, set[int]]]:
    """:func:`recompute_states`, and the seqs whose evidence counts (is no repeat), by pair."""
    wanted = set(pairs)
    if not wanted:
        return {}, {}
    rows = duplicates.rows_by_pair(rows_of_pairs(conn, "evidence", duplicates.COLUMNS, wanted))
    points = duplicates.settle(conn, rows, window_us)
    counting = {pair: {p.seq for p in found} for pair, found in points.items()}
    return write_states(conn, wanted, points, reduce, now_us), counting


def only_counting(
    touched: dict[Pair, list[int]], counting: dict[Pair, set[int]]
) -> dict[Pair, list[int]]:
    """``touched`` without the seqs whose evidence is a repeat: a repeat completes nothing."""
    return {
        pair: [seq for seq in found if seq in counting.get(pair, ())]
        for pair, found in touched.items()
    }


def states_of(conn: Connection, pairs: Collection[Pair]) -> dict[Pair, StateRow]:
    """The stored states of ``pairs`` (absent pairs have none)."""
    if not pairs:
        return {}
    columns = ("level", "last_evidence_us", "stale_at_us", "evidence_count", "stability_days")
    return {
        (row[0], row[1]): StateRow(
            level=row[2],
            last_evidence_us=row[3],
            stale_at_us=row[4],
            evidence_count=row[5],
            stability_days=row[6],
        )
        for row in rows_of_pairs(conn, "competency_state", columns, pairs)
    }


def agent_keys_of(conn: Connection, learner_ids: Collection[int]) -> dict[int, str]:
    """One IFI key per learner (the smallest), to name them in statements."""
    if not learner_ids:
        return {}
    rows = conn.execute(
        select(learner_ifis.c.learner_id, func.min(learner_ifis.c.agent_key))
        .where(member(conn, learner_ifis.c.learner_id, learner_ids))
        .group_by(learner_ifis.c.learner_id)
    )
    return {learner_id: key for learner_id, key in rows}


def write_states(
    conn: Connection,
    pairs: Collection[Pair],
    points: dict[Pair, list[LedgerPoint]],
    reduce: StateReducer,
    now_us: int,
) -> dict[Pair, StateRow | None]:
    """Replace the state rows of ``pairs``; a pair without evidence has no state row.

    One upsert and one delete, each a single executemany, whatever the number of pairs.
    """
    upserts = []
    removals = []
    result: dict[Pair, StateRow | None] = {}
    for pair in pairs:
        result[pair] = None
        if points.get(pair):
            state = reduce(pair[1], points[pair])
            result[pair] = state
            upserts.append(
                (
                    pair[0],
                    pair[1],
                    state.level,
                    state.last_evidence_us,
                    state.stale_at_us,
                    state.evidence_count,
                    state.stability_days,
                    now_us,
                )
            )
        else:
            removals.append(pair)
    if upserts:
        conn.exec_driver_sql(_sql(conn, _UPSERT_STATE), upserts)
    if removals:
        conn.exec_driver_sql(_sql(conn, _DELETE_STATE), removals)
    return result


def all_states(conn: Connection) -> list[tuple[Any, ...]]:
    """Every state row, ordered (for comparing replay with incremental processing)."""
    return [
        tuple(row)
        for row in conn.execute(
            select(
                competency_state.c.learner_id,
                competency_state.c.competency_id,
                competency_state.c.level,
                competency_state.c.last_evidence_us,
                competency_state.c.stale_at_us,
                competency_state.c.evidence_count,
                competency_state.c.stability_days,
            ).order_by(competency_state.c.learner_id, competency_state.c.competency_id)
        )
    ]


# -- configuration versions ---------------------------------------------------------------


def active_config(conn: Connection) -> dict[str, Any] | None:
    """The newest competency configuration version, if any was saved."""
    row = conn.execute(
        select(competency_configs).order_by(competency_configs.c.id.desc()).limit(1)
    ).first()
    if row is None:
        return None
    return {
        "id": row.id,
        "framework": orjson.loads(row.framework),
        "map": orjson.loads(row.map),
        "note": row.note,
        "created_by": row.created_by,
        "created_us": row.created_us,
        "replayed_us": row.replayed_us,
    }


def active_config_id(conn: Connection) -> int | None:
    """Only the id of the newest version (cheap enough to poll)."""
    return conn.execute(select(func.max(competency_configs.c.id))).scalar()


def save_config(
    conn: Connection,
    framework_doc: dict[str, Any],
    map_doc: dict[str, Any],
    *,
    note: str | None,
    created_by: str | None,
    now_us: int,
) -> int:
    """Store a new version; it becomes active at once, replay marks it applied later."""
    return int(
        conn.execute(
            insert(competency_configs).returning(competency_configs.c.id),
            {
                "framework": orjson.dumps(framework_doc).decode(),
                "map": orjson.dumps(map_doc).decode(),
                "note": note,
                "created_by": created_by,
                "created_us": now_us,
            },
        ).scalar_one()
    )


def mark_replayed(conn: Connection, config_id: int, now_us: int) -> None:
    """Record that evidence and states were rebuilt under this version."""
    conn.execute(
        update(competency_configs)
        .where(competency_configs.c.id == config_id)
        .values(replayed_us=now_us)
    )
