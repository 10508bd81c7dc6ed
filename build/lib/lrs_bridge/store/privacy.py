"""Erasure of one learner (the right to be forgotten), and the instance's pseudonym key.

Erasure runs in one write transaction serialised with ingest, so it either removes
everything that identifies the learner or nothing. What goes:

* every statement that itself mentions one of the learner's identifiers: as actor, object,
  group member, instructor, team or in a SubStatement. Statements that only *inherit* the
  learner's keys through a StatementRef (a voiding statement, a comment on their statement)
  lose those index rows but stay, because they carry no personal data themselves;
* the evidence those statements gave other learners (their states are recomputed), and all
  of the learner's own evidence and states;
* their documents (State, Agent Profile), refresher assignments and notifications, their own
  credentials, and the directory entry with all identifiers.

What stays is one ``erasures`` row with a random id, who asked, when and how many rows of
each kind went: no identifier, name or learner id.
"""

from __future__ import annotations

import secrets
import uuid
from typing import Any

import orjson
from sqlalchemy import Connection, delete, func, insert, select, update

from lrs_bridge.store.assignments import erase_learner_assignments
from lrs_bridge.store.base import StateReducer, StorePart
from lrs_bridge.store.ledger import recompute_states
from lrs_bridge.store.tables import (
    attachment_chunks,
    attachments,
    competency_state,
    credentials,
    documents,
    erasures,
    evidence,
    instance_secrets,
    learner_ifis,
    learners,
    notifications,
    refresher_assignments,
    statement_attachments,
    statement_keys,
    statements,
)
from lrs_bridge.xapi.extract import index_statement


def _chunks(values: list[Any], size: int = 5000) -> list[list[Any]]:
    return [values[i : i + size] for i in range(0, len(values), size)]


def erase_learner(
    conn: Connection,
    learner_id: int,
    *,
    requested_by: str,
    now_us: int,
    reduce: StateReducer | None,
) -> dict[str, Any]:
    """Erase one learner (see the module doc); returns the audit record."""
    keys = list(
        conn.execute(
            select(learner_ifis.c.agent_key).where(learner_ifis.c.learner_id == learner_id)
        ).scalars()
    )
    mentioned: set[int] = set()
    for part in _chunks([f"agent|{k}" for k in keys]):
        mentioned.update(
            conn.execute(
                select(statement_keys.c.seq).where(statement_keys.c.key.in_(part)).distinct()
            ).scalars()
        )
    own: list[int] = []
    inherited: list[int] = []
    wanted = set(keys)
    for part in _chunks(sorted(mentioned)):
        for seq, text in conn.execute(
            select(statements.c.seq, statements.c.statement).where(statements.c.seq.in_(part))
        ):
            index = index_statement(orjson.loads(text))
            (own if wanted & set(index.agents) else inherited).append(seq)
    counts: dict[str, int] = {"statements": len(own)}

    # Other learners lose the evidence the erased statements gave them.
    others: set[tuple[int, str]] = set()
    for part in _chunks(own):
        others.update(
            (row.learner_id, row.competency_id)
            for row in conn.execute(
                select(evidence.c.learner_id, evidence.c.competency_id).where(
                    evidence.c.seq.in_(part), evidence.c.learner_id != learner_id
                )
            )
        )
    removed = 0
    for part in _chunks(own):
        removed += conn.execute(delete(evidence).where(evidence.c.seq.in_(part))).rowcount
    removed += conn.execute(delete(evidence).where(evidence.c.learner_id == learner_id)).rowcount
    counts["evidence"] = removed
    counts["competency_states"] = conn.execute(
        delete(competency_state).where(competency_state.c.learner_id == learner_id)
    ).rowcount
    if reduce is not None and others:
        recompute_states(conn, others, reduce, now_us)

    removed_documents = 0
    for part in _chunks(keys):
        removed_documents += conn.execute(
            delete(documents).where(documents.c.agent_key.in_(part))
        ).rowcount
    counts["documents"] = removed_documents
    counts["attachments"], record_files = _erase_attachments(conn, own)
    for part in _chunks(own):
        conn.execute(delete(statement_keys).where(statement_keys.c.seq.in_(part)))
        conn.execute(delete(statements).where(statements.c.seq.in_(part)))
    for part in _chunks(inherited):
        conn.execute(
            delete(statement_keys).where(
                statement_keys.c.seq.in_(part),
                statement_keys.c.key.in_([f"agent|{k}" for k in keys]),
            )
        )

    counts["assignments"] = conn.execute(
        select(func.count()).where(refresher_assignments.c.learner_id == learner_id)
    ).scalar_one()
    counts["notifications"] = conn.execute(
        select(func.count()).where(notifications.c.learner_id == learner_id)
    ).scalar_one()
    erase_learner_assignments(conn, learner_id)
    counts["credentials"] = conn.execute(
        delete(credentials).where(credentials.c.learner_id == learner_id)
    ).rowcount
    conn.execute(
        update(learners).where(learners.c.manager_id == learner_id).values(manager_id=None)
    )
    counts["identifiers"] = conn.execute(
        delete(learner_ifis).where(learner_ifis.c.learner_id == learner_id)
    ).rowcount
    conn.execute(delete(learners).where(learners.c.id == learner_id))
    record = {
        "id": str(uuid.uuid4()),
        "at_us": now_us,
        "requested_by": requested_by,
        "counts": counts,
    }
    # Not part of the audit row: the service deletes these files after the commit.
    record_with_files = {**record, "files": record_files}
    conn.execute(
        insert(erasures),
        {
            "id": record["id"],
            "at_us": now_us,
            "requested_by": requested_by,
            "counts": orjson.dumps(counts).decode(),
        },
    )
    return record_with_files


def _erase_attachments(conn: Connection, seqs: list[int]) -> tuple[int, list[str]]:
    """Unlink the erased statements' attachments and remove content nobody else links.

    Returns how many contents went and the hashes of those kept in the file store (their
    files are deleted after the commit; a crash in between leaves an unreferenced file,
    never a reference without content).
    """
    hashes: set[str] = set()
    for part in _chunks(seqs):
        hashes.update(
            conn.execute(
                select(statement_attachments.c.sha2).where(
                    statement_attachments.c.statement_seq.in_(part)
                )
            ).scalars()
        )
        conn.execute(
            delete(statement_attachments).where(statement_attachments.c.statement_seq.in_(part))
        )
    if not hashes:
        return 0, []
    still_linked = set(
        conn.execute(
            select(statement_attachments.c.sha2)
            .where(statement_attachments.c.sha2.in_(sorted(hashes)))
            .distinct()
        ).scalars()
    )
    orphans = sorted(hashes - still_linked)
    if not orphans:
        return 0, []
    files = list(
        conn.execute(
            select(attachments.c.sha2).where(
                attachments.c.sha2.in_(orphans), attachments.c.location == "file"
            )
        ).scalars()
    )
    conn.execute(delete(attachment_chunks).where(attachment_chunks.c.sha2.in_(orphans)))
    conn.execute(delete(attachments).where(attachments.c.sha2.in_(orphans)))
    return len(orphans), files


def list_erasures(conn: Connection, limit: int = 100) -> list[dict[str, Any]]:
    """The audit trail of erasures, newest first."""
    return [
        {
            "id": row.id,
            "at_us": row.at_us,
            "requested_by": row.requested_by,
            "counts": orjson.loads(row.counts),
        }
        for row in conn.execute(select(erasures).order_by(erasures.c.at_us.desc()).limit(limit))
    ]


def pseudonym_key(conn: Connection) -> bytes:
    """The instance's key for stable pseudonyms, created on first use.

    Kept in the database so every process and every export agrees; a new database gives
    new pseudonyms, which cannot be linked to an earlier export.
    """
    found = conn.execute(
        select(instance_secrets.c.value).where(instance_secrets.c.name == "pseudonym-key")
    ).scalar()
    if found is not None:
        return bytes.fromhex(found)
    value = secrets.token_hex(32)
    conn.execute(insert(instance_secrets), {"name": "pseudonym-key", "value": value})
    return bytes.fromhex(value)


class PrivacyQueries(StorePart):
    """The privacy part of :class:`~lrs_bridge.store.sqlalchemy.SqlStore` (a mixin)."""

    def erase_learner(
        self, learner_id: int, *, requested_by: str, now_us: int, reduce: StateReducer | None
    ) -> dict[str, Any] | None:
        """Erase a learner in one transaction; None when there is no such learner."""
        with self._write(serialise_statements=True) as conn:
            exists = conn.execute(select(learners.c.id).where(learners.c.id == learner_id)).first()
            if exists is None:
                return None
            return erase_learner(
                conn,
                learner_id,
                requested_by=requested_by,
                now_us=now_us,
                reduce=reduce,
            )

    def erasures(self, limit: int = 100) -> list[dict[str, Any]]:
        """The erasure audit trail, newest first."""
        with self._read() as conn:
            return list_erasures(conn, limit)

    def pseudonym_key(self) -> bytes:
        """The instance's pseudonym key (created on first use)."""
        with self._write() as conn:
            return pseudonym_key(conn)
