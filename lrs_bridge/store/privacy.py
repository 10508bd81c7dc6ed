"""Erasure of one learner (the right to be forgotten), and the instance's pseudonym key.

Erasure runs in one write transaction serialised with ingest, so it either removes
everything that identifies the learner or nothing. It sorts the statements that mention
one of the learner's identifiers:

* **theirs**: they are the actor or the object (an Agent, or a member of the Group): the
  statement is deleted, with the evidence it gave anyone (those states are recomputed);
* **someone else's that names them** (instructor, team, context agents and groups, a
  SubStatement, or the authority of a statement sent with their own credential): the
  statement stays, with the learner replaced by one agent of this erasure (a random
  ``urn:lrs-bridge:erased`` account, not the HMAC of their identifier, which anyone with
  the instance key and their e-mail address could recompute). Its query keys follow, so a
  query by the learner's identifier no longer finds it, and the colleague keeps its evidence;
* statements that only *inherit* the learner's keys through a StatementRef (a voiding
  statement) lose those index rows but stay, because they carry no personal data.

Then go all of the learner's own evidence and states, their documents (State, Agent
Profile), refresher assignments and notifications, own credentials, and the directory entry
with all identifiers. What stays is one ``erasures`` row with a random id, who asked, when
and how many rows of each kind went: no identifier, name or learner id.

:func:`plan_erasure` counts all of that without changing anything (the dry run).
"""

from __future__ import annotations

import dataclasses
import secrets
import uuid
from collections import Counter
from typing import Any

import orjson
from sqlalchemy import Connection, delete, func, insert, select, update

from lrs_bridge.competency.dedup import fingerprint
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
from lrs_bridge.xapi.extract import agent_key, index_statement
from lrs_bridge.xapi.pseudonymise import erased_agent, replace_person


def _chunks(values: list[Any], size: int = 5000) -> list[list[Any]]:
    return [values[i : i + size] for i in range(0, len(values), size)]


@dataclasses.dataclass(kw_only=True)
class ErasurePlan:
    """What erasing one learner touches (see the module doc)."""

    keys: list[str]
    credential_ids: list[int]
    #: Statements deleted: the learner is actor or object.
    own: list[int] = dataclasses.field(default_factory=list)
    #: seq → (statement, keys to replace in it): statements kept with a stand-in agent.
    named: dict[int, tuple[dict[str, Any], set[str]]] = dataclasses.field(default_factory=dict)
    #: Statements that only inherit the learner's keys through a StatementRef.
    inherited: list[int] = dataclasses.field(default_factory=list)
    counts: dict[str, int] = dataclasses.field(default_factory=dict)


def plan_erasure(conn: Connection, learner_id: int) -> ErasurePlan:
    """Sort the statements and count every row an erasure removes; changes nothing."""
    plan = ErasurePlan(
        keys=list(
            conn.execute(
                select(learner_ifis.c.agent_key).where(learner_ifis.c.learner_id == learner_id)
            ).scalars()
        ),
        credential_ids=list(
            conn.execute(
                select(credentials.c.id).where(credentials.c.learner_id == learner_id)
            ).scalars()
        ),
    )
    mentioned: set[int] = set()
    for part in _chunks([f"agent|{k}" for k in plan.keys]):
        mentioned.update(
            conn.execute(
                select(statement_keys.c.seq).where(statement_keys.c.key.in_(part)).distinct()
            ).scalars()
        )
    authored: set[int] = set()
    if plan.credential_ids:
        authored.update(
            conn.execute(
                select(statements.c.seq).where(statements.c.authority_id.in_(plan.credential_ids))
            ).scalars()
        )
    wanted = set(plan.keys)
    for part in _chunks(sorted(mentioned | authored)):
        for seq, text in conn.execute(
            select(statements.c.seq, statements.c.statement).where(statements.c.seq.in_(part))
        ):
            statement = orjson.loads(text)
            agents = index_statement(statement).agents
            if any(narrow for key, narrow in agents.items() if key in wanted):
                plan.own.append(seq)
                continue
            replace = wanted & set(agents)
            authority = statement.get("authority")
            if seq in authored and isinstance(authority, dict):
                replace.add(agent_key(authority) or "")
            if replace:
                plan.named[seq] = (statement, replace)
            else:
                plan.inherited.append(seq)
    plan.counts = _count(conn, learner_id, plan)
    return plan


def _count(conn: Connection, learner_id: int, plan: ErasurePlan) -> dict[str, int]:
    own = set(plan.own)
    evidence_rows = sum(
        conn.execute(select(func.count()).where(evidence.c.seq.in_(part))).scalar_one()
        for part in _chunks(plan.own)
    )
    evidence_rows += sum(
        1
        for seq in conn.execute(
            select(evidence.c.seq).where(evidence.c.learner_id == learner_id)
        ).scalars()
        if seq not in own
    )

    def rows(condition: Any) -> int:
        return int(conn.execute(select(func.count()).where(condition)).scalar_one())

    return {
        "statements": len(plan.own),
        "pseudonymised": len(plan.named),
        "evidence": evidence_rows,
        "competency_states": rows(competency_state.c.learner_id == learner_id),
        "documents": sum(rows(documents.c.agent_key.in_(p)) for p in _chunks(plan.keys)),
        "attachments": len(_orphaned_attachments(conn, plan.own)),
        "assignments": rows(refresher_assignments.c.learner_id == learner_id),
        "notifications": rows(notifications.c.learner_id == learner_id),
        "credentials": len(plan.credential_ids),
        "identifiers": len(plan.keys),
    }


def erase_learner(
    conn: Connection,
    learner_id: int,
    *,
    requested_by: str,
    now_us: int,
    reduce: StateReducer | None,
    window_us: int = 0,
) -> dict[str, Any]:
    """Erase one learner (see the module doc); returns the audit record."""
    plan = plan_erasure(conn, learner_id)
    erasure_id = str(uuid.uuid4())
    # Other learners lose the evidence the erased statements gave them.
    others: set[tuple[int, str]] = set()
    for part in _chunks(plan.own):
        others.update(
            (row.learner_id, row.competency_id)
            for row in conn.execute(
                select(evidence.c.learner_id, evidence.c.competency_id).where(
                    evidence.c.seq.in_(part), evidence.c.learner_id != learner_id
                )
            )
        )
    for part in _chunks(plan.own):
        conn.execute(delete(evidence).where(evidence.c.seq.in_(part)))
    conn.execute(delete(evidence).where(evidence.c.learner_id == learner_id))
    conn.execute(delete(competency_state).where(competency_state.c.learner_id == learner_id))

    for part in _chunks(plan.keys):
        conn.execute(delete(documents).where(documents.c.agent_key.in_(part)))
    record_files = _erase_attachments(conn, plan.own)
    for part in _chunks(plan.own):
        conn.execute(delete(statement_keys).where(statement_keys.c.seq.in_(part)))
        conn.execute(delete(statements).where(statements.c.seq.in_(part)))
    others |= _replace_in_statements(conn, plan, erased_agent(uuid.uuid4().hex))
    if reduce is not None and others:
        recompute_states(conn, others, reduce, now_us, window_us=window_us)
    erased_keys = [f"agent|{k}" for k in plan.keys]
    for part in _chunks(plan.inherited):
        conn.execute(
            delete(statement_keys).where(
                statement_keys.c.seq.in_(part), statement_keys.c.key.in_(erased_keys)
            )
        )

    erase_learner_assignments(conn, learner_id)
    conn.execute(delete(credentials).where(credentials.c.learner_id == learner_id))
    conn.execute(
        update(learners).where(learners.c.manager_id == learner_id).values(manager_id=None)
    )
    conn.execute(delete(learner_ifis).where(learner_ifis.c.learner_id == learner_id))
    conn.execute(delete(learners).where(learners.c.id == learner_id))
    record = {
        "id": erasure_id,
        "at_us": now_us,
        "requested_by": requested_by,
        "counts": plan.counts,
    }
    conn.execute(
        insert(erasures),
        {
            "id": erasure_id,
            "at_us": now_us,
            "requested_by": requested_by,
            "counts": orjson.dumps(plan.counts).decode(),
        },
    )
    # Not part of the audit row: the service deletes these files after the commit.
    return {**record, "files": record_files}


def _replace_in_statements(
    conn: Connection, plan: ErasurePlan, stand_in: dict[str, Any]
) -> set[tuple[int, str]]:
    """Put ``stand_in`` where the learner was in statements that stay, JSON and keys alike,
    and in the content fingerprint of the evidence they gave (a SubStatement naming the
    learner is part of it); returns the pairs of that evidence, to classify again."""
    stand_in_key = f"agent|{agent_key(stand_in)}"
    pairs: set[tuple[int, str]] = set()
    for seq, (statement, keys) in plan.named.items():
        rewritten = replace_person(statement, keys, stand_in)
        conn.execute(
            update(statements)
            .where(statements.c.seq == seq)
            .values(statement=orjson.dumps(rewritten).decode())
        )
        pairs.update(
            (row.learner_id, row.competency_id)
            for row in conn.execute(
                update(evidence)
                .where(evidence.c.seq == seq, evidence.c.fingerprint.is_not(None))
                .values(fingerprint=fingerprint(rewritten))
                .returning(evidence.c.learner_id, evidence.c.competency_id)
            )
        )
        conn.execute(
            delete(statement_keys).where(
                statement_keys.c.seq == seq,
                statement_keys.c.key.in_([f"agent|{k}" for k in sorted(keys)]),
            )
        )
        conn.execute(insert(statement_keys), {"key": stand_in_key, "seq": seq, "narrow": False})
    if plan.credential_ids:
        conn.execute(
            update(statements)
            .where(statements.c.authority_id.in_(plan.credential_ids))
            .values(authority_id=None)
        )
    return pairs


def _orphaned_attachments(conn: Connection, seqs: list[int]) -> list[str]:
    """Attachment contents only these statements link (nobody else needs them)."""
    own_links: Counter[str] = Counter()
    for part in _chunks(seqs):
        own_links.update(
            conn.execute(
                select(statement_attachments.c.sha2).where(
                    statement_attachments.c.statement_seq.in_(part)
                )
            ).scalars()
        )
    if not own_links:
        return []
    all_links: dict[str, int] = dict(
        conn.execute(
            select(statement_attachments.c.sha2, func.count())
            .where(statement_attachments.c.sha2.in_(sorted(own_links)))
            .group_by(statement_attachments.c.sha2)
        ).all()
    )
    return sorted(sha2 for sha2, links in own_links.items() if all_links.get(sha2) == links)


def _erase_attachments(conn: Connection, seqs: list[int]) -> list[str]:
    """Unlink the erased statements' attachments and remove content nobody else links.

    Returns the hashes of removed contents kept in the file store (their files are deleted
    after the commit; a crash in between leaves an unreferenced file, never a reference
    without content).
    """
    orphans = _orphaned_attachments(conn, seqs)
    for part in _chunks(seqs):
        conn.execute(
            delete(statement_attachments).where(statement_attachments.c.statement_seq.in_(part))
        )
    if not orphans:
        return []
    files = list(
        conn.execute(
            select(attachments.c.sha2).where(
                attachments.c.sha2.in_(orphans), attachments.c.location == "file"
            )
        ).scalars()
    )
    conn.execute(delete(attachment_chunks).where(attachment_chunks.c.sha2.in_(orphans)))
    conn.execute(delete(attachments).where(attachments.c.sha2.in_(orphans)))
    return files


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
                window_us=self.duplicate_window_us,
            )

    def erasure_counts(self, learner_id: int) -> dict[str, int] | None:
        """What erasing a learner would remove, changing nothing; None: no such learner."""
        with self._read() as conn:
            exists = conn.execute(select(learners.c.id).where(learners.c.id == learner_id)).first()
            return None if exists is None else plan_erasure(conn, learner_id).counts

    def erasures(self, limit: int = 100) -> list[dict[str, Any]]:
        """The erasure audit trail, newest first."""
        with self._read() as conn:
            return list_erasures(conn, limit)

    def pseudonym_key(self) -> bytes:
        """The instance's pseudonym key (created on first use)."""
        with self._write() as conn:
            return pseudonym_key(conn)
