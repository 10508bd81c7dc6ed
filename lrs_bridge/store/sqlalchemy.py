"""The SQLAlchemy implementation of the store interfaces, for SQLite and PostgreSQL.

Write transactions are serialised (SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: a
transaction-level advisory lock), and ``stored`` is stamped inside them, from one clock
for every host (``store/clock.py``). Sequence numbers, stored times and commit order
therefore agree, so a reader never sees a later statement
while an earlier one is still in flight: the ``more`` cursor cannot skip a row that
commits late, and ``X-Experience-API-Consistent-Through`` is exact.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Collection, Iterator, Sequence
from typing import Any

import orjson
from sqlalchemy import (
    Connection,
    Engine,
    and_,
    exists,
    func,
    insert,
    select,
    update,
)

from lrs_bridge.competency.engine import evidence_time
from lrs_bridge.errors import Conflict, NotFound
from lrs_bridge.store import directory, ledger
from lrs_bridge.store.assignment_records import AssignmentCloser
from lrs_bridge.store.assignments import close_completed
from lrs_bridge.store.base import (
    AssertionFactory,
    Clock,
    CredentialRecord,
    NewStatement,
    StateChange,
    StatementPage,
    StatementQuery,
    StateReducer,
    StateRow,
    StoredStatement,
)
from lrs_bridge.store.bulk import insert_rows
from lrs_bridge.store.clock import StoredClock
from lrs_bridge.store.config_versions import ConfigVersionQueries
from lrs_bridge.store.directory import DirectoryEntry, import_entries
from lrs_bridge.store.driver_errors import translate_errors
from lrs_bridge.store.engine import SQLITE_BEGIN
from lrs_bridge.store.gate import AdvisoryGate, FileGate, NoGate
from lrs_bridge.store.keys import batch_keys, key_filters, propagate_to_referrers
from lrs_bridge.store.ledger import (
    add_evidence,
    retract_evidence,
)
from lrs_bridge.store.people import PeopleQueries
from lrs_bridge.store.privacy import PrivacyQueries
from lrs_bridge.store.refresher_store import AssignmentQueries
from lrs_bridge.store.replay import AnyVersion, ReplayQueries, check_config
from lrs_bridge.store.sets import member, member_param, member_sql
from lrs_bridge.store.tables import (
    credentials,
    learner_ifis,
    statement_attachments,
    statement_keys,
    statements,
)
from lrs_bridge.store.throttle import ThrottleQueries
from lrs_bridge.store.upstream_outbox import queue_forwarding
from lrs_bridge.xapi.timefmt import format_timestamp_us

logger = logging.getLogger(__name__)


_STORED_COLUMNS = (
    statements.c.seq,
    statements.c.id,
    statements.c.statement,
    statements.c.stored_us,
    statements.c.voided,
    statements.c.authority_id,
    statements.c.voids_id,
)


def _stored(row: Any) -> StoredStatement:
    return StoredStatement(
        seq=row.seq,
        id=row.id,
        json=row.statement,
        stored_us=row.stored_us,
        voided=row.voided,
        authority_id=row.authority_id,
        voids_id=row.voids_id,
    )


class SqlStore(
    AssignmentQueries,
    PrivacyQueries,
    ThrottleQueries,
    ReplayQueries,
    PeopleQueries,
    ConfigVersionQueries,
):
    """Statements and credentials in one relational database.

    It is given an engine and does not own it (the caller disposes of it).
    """

    def __init__(self, engine: Engine, *, duplicate_window_seconds: int = 0) -> None:
        self.engine = engine
        #: Repeats within this window count once as evidence (``competency/dedup.py``).
        self.duplicate_window_us = duplicate_window_seconds * 1_000_000
        self.is_postgres = engine.dialect.name == "postgresql"
        database = engine.url.database or ""
        self.gate: FileGate | AdvisoryGate | NoGate
        if self.is_postgres:
            self.gate = AdvisoryGate()
        elif database and database != ":memory:":
            self.gate = FileGate(database + ".write-gate")
        else:
            self.gate = NoGate()
        self.stored_clock = StoredClock(database_clock=self.is_postgres)

    # -- transactions -------------------------------------------------------------------

    @contextlib.contextmanager
    def _read(self) -> Iterator[Connection]:
        with translate_errors(), self.engine.connect() as conn, conn.begin():
            yield conn

    @contextlib.contextmanager
    def _write(self, *, serialise_statements: bool = False) -> Iterator[Connection]:
        with translate_errors(), self.engine.connect() as conn:
            conn = conn.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"})
            if not serialise_statements:
                with conn.begin():
                    yield conn
                return
            if self.is_postgres:
                with conn.begin(), self.gate.writing(conn):
                    yield conn
            else:
                # SQLite: queue on the gate before BEGIN IMMEDIATE takes the database lock.
                with self.gate.writing(conn), conn.begin():
                    yield conn

    def ping(self) -> None:
        """Raise ``StoreUnavailable`` unless the database answers a trivial query."""
        with self._read() as conn:
            conn.exec_driver_sql("SELECT 1")

    # -- statements ---------------------------------------------------------------------

    def find_statements(self, ids: Collection[str]) -> dict[str, StoredStatement]:
        """The stored statements among ``ids``."""
        if not ids:
            return {}
        with self._read() as conn:
            rows = conn.execute(select(*_STORED_COLUMNS).where(member(conn, statements.c.id, ids)))
            return {row.id: _stored(row) for row in rows}

    def get_statement(self, statement_id: str) -> StoredStatement | None:
        """One statement by id."""
        with self._read() as conn:
            row = conn.execute(
                select(*_STORED_COLUMNS).where(statements.c.id == statement_id)
            ).first()
            return _stored(row) if row else None

    def add_statements(
        self,
        new: Sequence[NewStatement],
        clock: Clock,
        reduce: StateReducer | None = None,
        assertions: AssertionFactory | None = None,
        closer: AssignmentCloser | None = None,
        *,
        config_version: int | None | AnyVersion = "any",
    ) -> list[int]:
        """Insert a batch atomically; see :meth:`StatementStore.add_statements`.

        With ``reduce``, the statements' evidence rows go in too, evidence of statements
        they void is retracted, and the touched learner × competency states are recomputed;
        with ``assertions`` too, statements announcing the changed states are stored as
        well; with ``closer``, open refresher assignments of the touched pairs that the new
        evidence completes are closed. All in the same transaction.

        ``config_version`` is the competency configuration version the evidence was
        computed under: inside the write gate (where versions are saved too) it must still
        be the active one, else ``ConfigurationChanged`` and nothing is written. So no
        statement committed after a change carries evidence of the version before it.
        """
        if not new:
            return []
        with self._write(serialise_statements=True) as conn:
            check_config(conn, config_version)
            # Under the write gate nobody else inserts: sequence numbers are assigned here.
            # Hot-path SQL goes straight to the driver (no expression compilation per call);
            # two single-aggregate queries, because SQLite answers each from an index end but
            # scans the table for one query with two aggregates.
            last_seq = conn.exec_driver_sql("SELECT max(seq) FROM statements").scalar() or 0
            last_stored = conn.exec_driver_sql("SELECT max(stored_us) FROM statements").scalar()
            stored_us = max(self.stored_clock.now(conn, clock), (last_stored or 0) + 1)
            seqs, already_voided = self._insert(conn, new, last_seq, stored_us)
            links = [(seqs[item.id], sha2) for item in new for sha2 in item.attachments]
            if links:  # the content itself was committed before (store/attachments.py)
                conn.execute(
                    insert(statement_attachments),
                    [{"statement_seq": seq, "sha2": sha2} for seq, sha2 in links],
                )
            candidates = [
                (
                    seqs[item.id],
                    evidence_time(item.timestamp_us, stored_us),
                    draft,
                    item.authority_id,
                )
                for item in new
                if item.id not in already_voided
                for draft in item.evidence
            ]
            touched = add_evidence(conn, ledger.admit_evidence(conn, candidates), stored_us)
            pairs = set(touched)
            targets = [item.index.voids_id for item in new if item.index.voids_id]
            if targets:
                # A voiding statement cannot itself be voided (Data §2.3.2).
                voidable = member(conn, statements.c.id, targets) & statements.c.voids_id.is_(None)
                target_seqs = conn.execute(select(statements.c.seq).where(voidable)).scalars()
                pairs |= retract_evidence(conn, list(target_seqs))
                conn.execute(update(statements).where(voidable).values(voided=True))
            if reduce is not None and pairs:
                before = ledger.states_of(conn, pairs) if assertions else {}
                after, counting = ledger.recompute_counting(
                    conn, pairs, reduce, stored_us, window_us=self.duplicate_window_us
                )
                if assertions is not None:
                    self._assert_changes(conn, before, after, assertions, seqs, stored_us)
                if closer is not None:
                    counted = ledger.only_counting(touched, counting)
                    close_completed(conn, stored_us, after, counted, new, seqs, closer)
        return [stored_us] * len(new)

    def _insert(
        self, conn: Connection, items: Sequence[NewStatement], last_seq: int, stored_us: int
    ) -> tuple[dict[str, int], set[str]]:
        """Insert statements and their filter keys after ``last_seq``; returns their seqs and
        the ids that a stored voiding statement already voids."""
        ids = [item.id for item in items]
        stored_text = format_timestamp_us(stored_us)
        referrers = conn.exec_driver_sql(
            "SELECT seq, object_key, voids_id FROM statements "  # noqa: S608 - placeholders
            f"WHERE object_type = 'StatementRef' AND {member_sql(conn, 'object_key')}",
            (member_param(conn, ids),),
        ).all()
        already_voided = {row.object_key for row in referrers if row.voids_id is not None}
        seqs = {item.id: last_seq + n for n, item in enumerate(items, start=1)}
        # Plain DB-API executemany: the bulk of ingest, without per-row SQL compilation.
        insert_rows(
            conn,
            "statements",
            _STATEMENT_COLUMNS,
            [
                _statement_row(
                    item, seqs[item.id], stored_us, stored_text, item.id in already_voided
                )
                for item in items
            ],
        )
        keys = batch_keys(conn, items)
        insert_rows(
            conn,
            "statement_keys",
            ("key", "seq", "narrow"),
            [
                (key, seqs[sid], narrow)
                for sid, item_keys in keys.items()
                for key, narrow in item_keys.items()
            ],
        )
        if referrers:
            propagate_to_referrers(conn, [(row.seq, row.object_key) for row in referrers], keys)
        queue_forwarding(conn, items, seqs, stored_us)  # received and emitted statements alike
        return seqs, already_voided

    def _assert_changes(
        self,
        conn: Connection,
        before: dict[tuple[int, str], StateRow],
        after: dict[tuple[int, str], StateRow | None],
        assertions: AssertionFactory,
        seqs: dict[str, int],
        stored_us: int,
    ) -> None:
        keys = ledger.agent_keys_of(conn, {learner for learner, _ in after})
        changes = [
            StateChange(
                learner_id=learner,
                agent_key=keys[learner],
                competency_id=competency,
                before=before.get((learner, competency)),
                after=state,
            )
            for (learner, competency), state in sorted(after.items())
            if learner in keys
        ]
        emitted = list(assertions(changes))
        if emitted:
            self._insert(conn, emitted, max(seqs.values()), stored_us)

    def count_statements(self, since_us: int | None = None) -> int:
        """How many non-voided statements are stored (after ``since_us``)."""
        conditions: list[Any] = [statements.c.voided.is_(False)]
        if since_us is not None:
            conditions.append(statements.c.stored_us > since_us)
        with self._read() as conn:
            return int(
                conn.execute(
                    select(func.count()).select_from(statements).where(*conditions)
                ).scalar_one()
            )

    def import_directory(
        self, entries: Sequence[DirectoryEntry], reduce: StateReducer, clock: Clock
    ) -> dict[str, int]:
        """Import learners (see ``store/directory.py``) in one transaction."""
        with self._write(serialise_statements=True) as conn:
            return import_entries(
                conn, entries, reduce, clock(), window_us=self.duplicate_window_us
            )

    def known_emails(self, emails: Sequence[str]) -> set[str]:
        """The lower-cased addresses among ``emails`` that belong to a learner."""
        with self._read() as conn:
            return directory.known_emails(conn, emails)

    # -- competency configuration and directory ---------------------------------------------

    def active_config(self) -> dict[str, Any] | None:
        """The newest saved framework/map version."""
        with self._read() as conn:
            return ledger.active_config(conn)

    def active_config_id(self) -> int | None:
        """The id of the newest saved version."""
        with self._read() as conn:
            return ledger.active_config_id(conn)

    def save_config(
        self,
        framework_doc: dict[str, Any],
        map_doc: dict[str, Any],
        *,
        note: str | None,
        created_by: str | None,
        clock: Clock,
    ) -> int:
        """Save a new active version, under the statement write gate: every statement
        transaction thus commits wholly before or wholly after the change."""
        with self._write(serialise_statements=True) as conn:
            return ledger.save_config(
                conn, framework_doc, map_doc, note=note, created_by=created_by, now_us=clock()
            )

    def mark_replayed(self, config_id: int, clock: Clock) -> None:
        """Record that a version's replay finished."""
        with self._write() as conn:
            ledger.mark_replayed(conn, config_id, clock())

    def learner_ids_by_agent_key(self) -> dict[str, int]:
        """The whole IFI → learner map (for in-memory previews)."""
        with self._read() as conn:
            return dict(
                conn.execute(select(learner_ifis.c.agent_key, learner_ifis.c.learner_id)).all()
            )

    def iter_statements(self, chunk: int = 5000) -> Iterator[tuple[int, int, dict[str, Any]]]:
        """Every non-voided statement as ``(seq, evidence time, statement)``, in seq order."""
        low = 0
        while True:
            with self._read() as conn:
                rows = conn.execute(
                    select(
                        statements.c.seq,
                        statements.c.timestamp_us,
                        statements.c.stored_us,
                        statements.c.statement,
                    )
                    .where(statements.c.seq > low, statements.c.voided.is_(False))
                    .order_by(statements.c.seq)
                    .limit(chunk)
                ).all()
            if not rows:
                return
            for row in rows:
                yield (
                    row.seq,
                    evidence_time(row.timestamp_us, row.stored_us),
                    orjson.loads(row.statement),
                )
            low = rows[-1].seq

    def list_learners(self, team: str | None, limit: int, offset: int) -> list[dict[str, Any]]:
        """A page of the directory."""
        with self._read() as conn:
            return [
                ledger.learner_by_id(conn, row.id) or {}
                for row in directory.list_learners(conn, team, limit, offset)
            ]

    def update_learner(self, learner_id: int, changes: dict[str, Any]) -> bool:
        """Change a learner's profile; False if there is no such learner."""
        with self._write() as conn:
            return directory.update_learner(conn, learner_id, changes)

    # -- competency reads ------------------------------------------------------------------

    def learner_by_agent_key(self, agent_key: str) -> dict[str, Any] | None:
        """The learner an IFI belongs to."""
        with self._read() as conn:
            return ledger.learner_by_agent_key(conn, agent_key)

    def learner_by_id(self, learner_id: int) -> dict[str, Any] | None:
        """One learner."""
        with self._read() as conn:
            return ledger.learner_by_id(conn, learner_id)

    def learner_competencies(self, learner_id: int) -> list[dict[str, Any]]:
        """A learner's competency states with their evidence trails."""
        with self._read() as conn:
            return ledger.learner_competencies(conn, learner_id)

    def all_states(self) -> list[tuple[Any, ...]]:
        """Every competency state row, ordered."""
        with self._read() as conn:
            return ledger.all_states(conn)

    def query_statements(self, query: StatementQuery, clock: Clock) -> StatementPage:
        """One page of matching, non-voided statements."""
        s = statements
        filters = key_filters(query)
        conditions: list[Any] = [s.c.voided.is_(False)]
        source: Any = s
        order_col: Any = s.c.seq
        for number, (key, narrow_only) in enumerate(filters):
            k = statement_keys.alias(f"k{number}")
            key_conditions = [k.c.key == key]
            if narrow_only:
                key_conditions.append(k.c.narrow.is_(True))
            if number == 0:
                # The most selective filter drives the scan, in sequence order.
                source = k.join(s, s.c.seq == k.c.seq)
                order_col = k.c.seq
                conditions.extend(key_conditions)
            else:
                conditions.append(exists().where(k.c.seq == s.c.seq, *key_conditions))
        if query.since_us is not None:
            conditions.append(s.c.stored_us > query.since_us)
        if query.until_us is not None:
            conditions.append(s.c.stored_us <= query.until_us)
        if query.authority_id is not None:
            conditions.append(s.c.authority_id == query.authority_id)
        if query.after_seq is not None:
            conditions.append(
                order_col > query.after_seq if query.ascending else order_col < query.after_seq
            )
        stmt = (
            select(*_STORED_COLUMNS)
            .select_from(source)
            .where(and_(*conditions))
            .order_by(order_col.asc() if query.ascending else order_col.desc())
            .limit(query.limit + 1)
        )
        with self._read() as conn:
            # Before the page: on PostgreSQL each statement of a READ COMMITTED transaction
            # sees its own snapshot, and a later one could cover a statement that the page's
            # snapshot does not show.
            through = self._consistent_through(conn, clock)
            rows = conn.execute(stmt).all()
        page = [_stored(row) for row in rows[: query.limit]]
        return StatementPage(
            statements=page, has_more=len(rows) > query.limit, consistent_through_us=through
        )

    def consistent_through(self, clock: Clock) -> int:
        """A time up to which every stored statement is visible to later reads."""
        with self._read() as conn:
            return self._consistent_through(conn, clock)

    def _consistent_through(self, conn: Connection, clock: Clock) -> int:
        # Read the clock, then probe the gate: with no writer inside at the probe, everything
        # stamped up to the reading is committed, and writers entering later stamp later
        # times. (Probing first would let a writer slip in between and stamp below the
        # reading.) With a writer inside, the newest stored time is the honest answer.
        now = self.stored_clock.now(conn, clock)
        if self.gate.idle(conn):
            return now
        newest = conn.execute(select(func.max(statements.c.stored_us))).scalar()
        return int(newest or 0)

    # -- credentials --------------------------------------------------------------------

    def add_credential(
        self,
        *,
        name: str,
        key: str,
        secret_hash: str,
        scopes: Collection[str],
        created_us: int,
        learner_id: int | None = None,
        evidence: str = "trusted",
    ) -> CredentialRecord:
        """Store a new credential."""
        try:
            with self._write() as conn:
                new_id = conn.execute(
                    insert(credentials).returning(credentials.c.id),
                    {
                        "name": name,
                        "key": key,
                        "secret_hash": secret_hash,
                        "scopes": " ".join(sorted(scopes)),
                        "created_us": created_us,
                        "disabled": False,
                        "learner_id": learner_id,
                        "evidence": evidence,
                    },
                ).scalar_one()
        except Conflict:
            raise Conflict(f"a credential with key {key!r} already exists", key=key) from None
        return CredentialRecord(
            id=new_id,
            name=name,
            key=key,
            secret_hash=secret_hash,
            scopes=frozenset(scopes),
            disabled=False,
            learner_id=learner_id,
            evidence=evidence,
        )

    def _credential_where(self, condition: Any) -> CredentialRecord | None:
        with self._read() as conn:
            row = conn.execute(select(credentials).where(condition)).first()
        return _credential(row) if row else None

    def credential_by_key(self, key: str) -> CredentialRecord | None:
        """The credential with this public key."""
        return self._credential_where(credentials.c.key == key)

    def credential_by_id(self, credential_id: int) -> CredentialRecord | None:
        """The credential with this id."""
        return self._credential_where(credentials.c.id == credential_id)

    def list_credentials(self) -> list[CredentialRecord]:
        """Every credential."""
        with self._read() as conn:
            rows = conn.execute(select(credentials).order_by(credentials.c.id)).all()
        return [_credential(row) for row in rows]

    def set_credential_disabled(self, key: str, disabled: bool) -> None:
        """Disable or enable a credential by key."""
        with self._write() as conn:
            result = conn.execute(
                update(credentials).where(credentials.c.key == key).values(disabled=disabled)
            )
            if result.rowcount == 0:
                raise NotFound(f"no credential with key {key!r}", key=key)


def _credential(row: Any) -> CredentialRecord:
    return CredentialRecord(
        id=row.id,
        name=row.name,
        key=row.key,
        secret_hash=row.secret_hash,
        scopes=frozenset(row.scopes.split()),
        disabled=row.disabled,
        learner_id=row.learner_id,
        evidence=row.evidence,
    )


_STATEMENT_COLUMNS = (
    "seq", "id", "stored_us", "timestamp_us", "verb_id", "actor_key", "object_type",
    "object_key", "registration", "voids_id", "voided", "authority_id", "version", "statement",
)  # fmt: skip


def _statement_row(
    item: NewStatement, seq: int, stored_us: int, stored_text: str, voided: bool
) -> tuple[Any, ...]:
    # A copy: if the transaction fails (e.g. an id is taken), the caller still holds the
    # statement exactly as received, to compare with the stored one.
    body = {**item.statement, "stored": stored_text}
    timestamp_us = item.timestamp_us
    if timestamp_us is None:
        # Data §2.4.7: an absent timestamp is set to the stored time.
        body["timestamp"] = stored_text
        timestamp_us = stored_us
    index = item.index
    return (
        seq,
        item.id,
        stored_us,
        timestamp_us,
        index.verb_id,
        index.actor_key,
        index.object_type,
        index.object_key,
        index.registration,
        index.voids_id,
        voided and index.voids_id is None,
        item.authority_id,
        item.version,
        orjson.dumps(body).decode(),
    )
