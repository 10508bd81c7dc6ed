"""SQL for the Document resources and the Agents/Activities read models (Communication §2.3-2.7).

Documents are rows of one table keyed by kind × activity × agent × registration × id. A write
reads the current row and applies the caller's decision in one transaction, serialised per
document: SQLite's ``BEGIN IMMEDIATE`` takes the database write lock, PostgreSQL a
transaction-level advisory lock on a hash of the key. An ``If-Match`` check and the write
it guards therefore cannot interleave with another writer (Communication §3.1).

The canonical Activity definition is merged from statements through the ``statement_keys``
index and kept in ``activity_definitions`` with the last statement ``seq`` it covers, so a
read merges only statements stored since. Statement commits are serialised (see
``store/sqlalchemy.py``), so ``seq`` order is commit order and the cursor cannot skip a row.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from typing import Any

import orjson
from sqlalchemy import Connection, and_, delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from lrs_bridge.store.ledger import learner_by_agent_key
from lrs_bridge.store.tables import (
    activity_definitions,
    credentials,
    documents,
    statement_keys,
    statements,
)
from lrs_bridge.store.transactions import EngineTransactions

#: The kinds of document (the ``documents.kind`` column).
STATE = "state"
ACTIVITY_PROFILE = "activity_profile"
AGENT_PROFILE = "agent_profile"

#: First key of the two-key PostgreSQL advisory locks on documents ("docs"); the two-key
#: space does not overlap the one-key space the statement write gate uses.
_DOCUMENT_LOCK_CLASS = 0x646F6373
#: Statements read per round trip when merging Activity definitions.
_DEFINITION_BATCH = 1000


@dataclasses.dataclass(frozen=True, kw_only=True)
class DocumentScope:
    """The context documents live in; ``registration`` None means "any" (State lists only)."""

    kind: str
    activity_id: str = ""
    agent_key: str = ""
    registration: str | None = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class DocumentKey:
    """One document: its context and its id (``stateId``/``profileId``)."""

    kind: str
    activity_id: str = ""
    agent_key: str = ""
    registration: str = ""
    document_id: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class StoredDocument:
    """A document as stored: the exact bytes and Content-Type it was sent with."""

    content: bytes
    content_type: str
    etag: str
    updated_us: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class NewContent:
    """What a write stores in place of the current document."""

    content: bytes
    content_type: str


#: A write's decision given the current document: new content, or None to delete it.
Decide = Callable[[StoredDocument | None], NewContent | None]
#: Whether statements sent with a credential of these scopes may (re)define Activities.
MayDefine = Callable[[frozenset[str]], bool]


def content_etag(content: bytes) -> str:
    """The SHA-1 hex digest of a document (Communication §3.1: the ETag, unquoted)."""
    return hashlib.sha1(content, usedforsecurity=False).hexdigest()


def _key_clause(key: DocumentKey) -> Any:
    return and_(
        documents.c.kind == key.kind,
        documents.c.activity_id == key.activity_id,
        documents.c.agent_key == key.agent_key,
        documents.c.registration == key.registration,
        documents.c.document_id == key.document_id,
    )


def _scope_clause(scope: DocumentScope) -> Any:
    clause = and_(
        documents.c.kind == scope.kind,
        documents.c.activity_id == scope.activity_id,
        documents.c.agent_key == scope.agent_key,
    )
    if scope.registration is not None:
        clause = and_(clause, documents.c.registration == scope.registration)
    return clause


def _lock_id(key: DocumentKey) -> int:
    parts = "\x1f".join(
        (key.kind, key.activity_id, key.agent_key, key.registration, key.document_id)
    )
    digest = hashlib.sha1(parts.encode(), usedforsecurity=False).digest()
    return int.from_bytes(digest[:4], "big", signed=True)


def _document(row: Any) -> StoredDocument:
    return StoredDocument(
        content=bytes(row.content),
        content_type=row.content_type,
        etag=row.etag,
        updated_us=row.updated_us,
    )


class SqlDocumentStore(EngineTransactions):
    """Documents, Activity definitions and Person look-ups in the LRS database.

    It is given an engine and does not own it (the caller disposes of it).
    """

    # -- documents ----------------------------------------------------------------------

    def get(self, key: DocumentKey) -> StoredDocument | None:
        """One document, or None."""
        with self._read() as conn:
            row = conn.execute(select(documents).where(_key_clause(key))).first()
            return _document(row) if row else None

    def list_ids(
        self, scope: DocumentScope, since_us: int | None = None
    ) -> tuple[list[str], int | None]:
        """Ids in ``scope`` updated after ``since_us`` (exclusive), and the newest update time."""
        clause = _scope_clause(scope)
        if since_us is not None:
            clause = and_(clause, documents.c.updated_us > since_us)
        with self._read() as conn:
            rows = conn.execute(
                select(documents.c.document_id, documents.c.updated_us)
                .where(clause)
                .order_by(documents.c.updated_us, documents.c.document_id)
            ).all()
        ids = list(dict.fromkeys(row.document_id for row in rows))
        newest = max((row.updated_us for row in rows), default=None)
        return ids, newest

    def modify(self, key: DocumentKey, decide: Decide, now_us: int) -> None:
        """Apply ``decide`` to the current document atomically (it may raise to refuse).

        ``updated`` never goes backwards for a document, even if the clock does.
        """
        with self._write() as conn:
            if self.is_postgres:
                conn.exec_driver_sql(
                    f"SELECT pg_advisory_xact_lock({_DOCUMENT_LOCK_CLASS}, {_lock_id(key)})"
                )
            row = conn.execute(select(documents).where(_key_clause(key))).first()
            current = _document(row) if row else None
            change = decide(current)
            if change is None:
                if current is not None:
                    conn.execute(delete(documents).where(_key_clause(key)))
                return
            values = {
                "content": change.content,
                "content_type": change.content_type,
                "etag": content_etag(change.content),
                "updated_us": now_us if current is None else max(now_us, current.updated_us + 1),
            }
            if current is None:
                conn.execute(
                    insert(documents).values(
                        kind=key.kind,
                        activity_id=key.activity_id,
                        agent_key=key.agent_key,
                        registration=key.registration,
                        document_id=key.document_id,
                        **values,
                    )
                )
            else:
                conn.execute(update(documents).where(_key_clause(key)).values(**values))

    def delete_all(self, scope: DocumentScope) -> int:
        """Delete every document in ``scope``; returns how many went."""
        with self._write() as conn:
            return conn.execute(delete(documents).where(_scope_clause(scope))).rowcount

    # -- Agents and Activities resources -------------------------------------------------

    def learner_identity(self, agent_key: str) -> tuple[str | None, list[str]] | None:
        """The directory's name and every IFI key of the learner ``agent_key`` belongs to."""
        with self._read() as conn:
            learner = learner_by_agent_key(conn, agent_key)
        if learner is None:
            return None
        return learner["name"], list(learner["ifis"])

    def activity_definition(
        self,
        activity_id: str,
        merge: Callable[[dict[str, Any], dict[str, Any], str], None],
        may_define: MayDefine,
        now_us: int,
    ) -> dict[str, Any] | None:
        """The canonical definition of ``activity_id``; None when no statement mentions it.

        ``merge(canonical, statement, activity_id)`` folds one statement's definitions of the
        activity into ``canonical``; statements whose credential ``may_define`` refuses are
        skipped (Communication §4.2 ``define``). Newly merged statements are saved.
        """
        key = f"activity|{activity_id}"
        with self._read() as conn:
            cached = conn.execute(
                select(activity_definitions).where(
                    activity_definitions.c.activity_id == activity_id
                )
            ).first()
            canonical: dict[str, Any] = orjson.loads(cached.definition) if cached else {}
            through = cached.through_seq if cached else 0
            start = through
            scopes_by_credential: dict[int, frozenset[str]] = {}
            while True:
                rows = conn.execute(
                    select(statements.c.seq, statements.c.statement, statements.c.authority_id)
                    .join(statement_keys, statement_keys.c.seq == statements.c.seq)
                    .where(statement_keys.c.key == key, statement_keys.c.seq > through)
                    .order_by(statement_keys.c.seq)
                    .limit(_DEFINITION_BATCH)
                ).all()
                for row in rows:
                    if row.authority_id is None or may_define(
                        self._scopes(conn, row.authority_id, scopes_by_credential)
                    ):
                        merge(canonical, orjson.loads(row.statement), activity_id)
                    through = row.seq
                if len(rows) < _DEFINITION_BATCH:
                    break
        if cached is None and through == 0:
            return None
        if through != start:
            self._save_definition(activity_id, canonical, through, now_us)
        return canonical

    @staticmethod
    def _scopes(
        conn: Connection, credential_id: int, cache: dict[int, frozenset[str]]
    ) -> frozenset[str]:
        if credential_id not in cache:
            text = conn.execute(
                select(credentials.c.scopes).where(credentials.c.id == credential_id)
            ).scalar()
            cache[credential_id] = frozenset((text or "").split())
        return cache[credential_id]

    def _save_definition(
        self, activity_id: str, definition: dict[str, Any], through_seq: int, now_us: int
    ) -> None:
        values = {
            "activity_id": activity_id,
            "definition": orjson.dumps(definition).decode(),
            "through_seq": through_seq,
            "updated_us": now_us,
        }
        dialect_insert = pg_insert if self.is_postgres else sqlite_insert
        stmt = dialect_insert(activity_definitions).values(**values)
        # Two readers may merge the same statements at once; the further one wins.
        stmt = stmt.on_conflict_do_update(
            index_elements=[activity_definitions.c.activity_id],
            set_={
                "definition": stmt.excluded.definition,
                "through_seq": stmt.excluded.through_seq,
                "updated_us": stmt.excluded.updated_us,
            },
            where=activity_definitions.c.through_seq < stmt.excluded.through_seq,
        )
        with self._write() as conn:
            conn.execute(stmt)
