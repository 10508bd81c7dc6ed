"""Refresher assignments and their event trail: the SQL (the outbox reads are in
``store/outbox.py``, the records in ``store/assignment_records.py``).

The refresher service decides; this module reads and writes. Everything that creates or
moves an assignment runs inside one write transaction (:class:`AssignmentTx`) together
with the notifications it causes, so a crash can never leave an assignment without its
notification or a notification without its assignment (the transactional outbox).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

import orjson
from sqlalchemy import (
    Connection,
    and_,
    any_,
    delete,
    exists,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY

from lrs_bridge.competency.engine import evidence_time
from lrs_bridge.store.assignment_records import (
    Assignment,
    AssignmentCloser,
    DueCandidate,
    EvidenceSource,
    NewAssignment,
    NewNotification,
    PairOutcome,
    Transition,
    record_from_row,
)
from lrs_bridge.store.base import NewStatement, StateRow
from lrs_bridge.store.sets import member_param, member_sql
from lrs_bridge.store.tables import (
    assignment_events,
    competency_state,
    delivery_attempts,
    evidence,
    learners,
    notification_assignments,
    notifications,
    refresher_assignments,
    statements,
)

#: From this many rows, PostgreSQL inserts use COPY.
COPY_THRESHOLD = 50
#: Statements of one IN list; SQLite allows 32,766 parameters per statement.
IN_CHUNK = 5000


def _chunks(values: Sequence[Any], size: int = IN_CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _assignment(row: Any) -> Assignment:
    return record_from_row(Assignment, row, "reason")


def _covered(state: Any) -> Any:
    """An open assignment, or one cancelled for exactly this staleness, covers a pair."""
    a = refresher_assignments.c
    return exists().where(
        a.learner_id == state.learner_id,
        a.competency_id == state.competency_id,
        or_(
            a.closed_us.is_(None),
            and_(a.status == "cancelled", a.basis_stale_at_us == state.stale_at_us),
        ),
    )


def due_candidates(conn: Connection, horizon_us: int) -> list[DueCandidate]:
    """Pairs stale by ``horizon_us`` and not yet covered, by learner then staleness.

    Reads the ``stale_at_us`` index and, per candidate, one seek into open assignments and
    one into the evidence index: the cost follows the pairs that are due, not history.
    """
    s = competency_state.c
    e = evidence.c
    newest = (
        select((e.method + " " + statements.c.id).label("last"))
        .select_from(evidence.join(statements, statements.c.seq == e.seq))
        .where(e.learner_id == s.learner_id, e.competency_id == s.competency_id)
        .order_by(e.at_us.desc(), e.seq.desc())
        .limit(1)
        .scalar_subquery()
    )
    rows = conn.execute(
        select(s.learner_id, s.competency_id, s.stale_at_us, s.last_evidence_us, s.level, newest)
        .where(s.stale_at_us <= horizon_us, ~_covered(competency_state.c))
        .order_by(s.learner_id, s.stale_at_us, s.competency_id)
    )
    found = []
    for row in rows:
        method, _, statement_id = (row[5] or "").partition(" ")
        found.append(
            DueCandidate(
                learner_id=row.learner_id,
                competency_id=row.competency_id,
                stale_at_us=row.stale_at_us,
                last_evidence_us=row.last_evidence_us,
                level=row.level,
                last_method=method or None,
                last_statement_id=statement_id or None,
            )
        )
    return found


class AssignmentTx:
    """The reads and writes of one refresher write transaction (see the module doc)."""

    def __init__(self, conn: Connection, now_us: int) -> None:
        self.conn = conn
        self.now_us = now_us

    # -- scan -----------------------------------------------------------------------------

    def covered_pairs(self, learner_ids: Collection[int]) -> set[tuple[int, str, int | None]]:
        """What covers the learners' pairs now: ``(learner, competency, None)`` for an open
        assignment, ``(learner, competency, basis)`` for one cancelled at staleness ``basis``."""
        a = refresher_assignments.c
        found: set[tuple[int, str, int | None]] = set()
        for part in _chunks(sorted(learner_ids)):
            rows = self.conn.execute(
                select(a.learner_id, a.competency_id, a.closed_us, a.basis_stale_at_us).where(
                    self._member(a.learner_id, part),
                    or_(a.closed_us.is_(None), a.status == "cancelled"),
                )
            )
            for row in rows:
                basis = None if row.closed_us is None else row.basis_stale_at_us
                found.add((row.learner_id, row.competency_id, basis))
        return found

    def current_stale_at(
        self, learner_ids: Collection[int], horizon_us: int
    ) -> dict[tuple[int, str], int]:
        """``stale_at_us`` now (inside the transaction) of the learners' pairs due by then."""
        s = competency_state.c
        found = {}
        for part in _chunks(sorted(learner_ids)):
            for row in self.conn.execute(
                select(s.learner_id, s.competency_id, s.stale_at_us).where(
                    self._member(s.learner_id, part), s.stale_at_us <= horizon_us
                )
            ):
                found[(row.learner_id, row.competency_id)] = row.stale_at_us
        return found

    def created_since(self, learner_ids: Collection[int], since_us: int) -> dict[int, int]:
        """How many assignments each learner was given after ``since_us`` (the cap window)."""
        a = refresher_assignments.c
        counts: dict[int, int] = {}
        for part in _chunks(sorted(learner_ids)):
            for learner_id, count in self.conn.execute(
                select(a.learner_id, func.count())
                .where(self._member(a.learner_id, part), a.created_us > since_us)
                .group_by(a.learner_id)
            ):
                counts[learner_id] = count
        return counts

    def _member(self, column: Any, values: Sequence[Any]) -> Any:
        """``column IN values``; on PostgreSQL ``= ANY(array)``, one parameter that psycopg
        parses once, instead of thousands of placeholders parsed on every call."""
        if self.conn.dialect.name == "postgresql":
            return column == any_(literal(list(values), ARRAY(column.type)))
        return column.in_(list(values))

    def _ids(self, table: str, count: int) -> list[int]:
        """``count`` new primary keys for ``table``, allocated before a plain executemany.

        RETURNING with many rows is slow on psycopg (each big statement is parsed again);
        PostgreSQL hands out sequence values, and on SQLite the transaction holds the only
        write lock, so the next ids after the largest are ours.
        """
        if self.conn.dialect.name == "postgresql":
            return list(
                self.conn.exec_driver_sql(
                    f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) "  # noqa: S608
                    "FROM generate_series(1, %s)",
                    (count,),
                ).scalars()
            )
        top = self.conn.exec_driver_sql(f"SELECT max(id) FROM {table}").scalar() or 0  # noqa: S608
        return list(range(top + 1, top + 1 + count))

    def _insert_many(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        """A driver-level executemany: no per-row SQL compilation or parameter processing."""
        if not rows:
            return
        if self.conn.dialect.name == "postgresql" and len(rows) >= COPY_THRESHOLD:
            # COPY: one stream instead of a round of parse/bind/execute per row.
            raw: Any = self.conn.connection.driver_connection
            with (
                raw.cursor() as cursor,
                cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
            return
        mark = "%s" if self.conn.dialect.name == "postgresql" else "?"
        self.conn.exec_driver_sql(
            f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608 - fixed names
            f"VALUES ({', '.join([mark] * len(columns))})",
            rows,
        )

    def insert_assignments(
        self, items: Sequence[NewAssignment], scan_run: str
    ) -> list[tuple[int, NewAssignment]]:
        """Insert open assignments; returns their ids in the order given."""
        if not items:
            return []
        ids = self._ids("refresher_assignments", len(items))
        self._insert_many(
            "refresher_assignments",
            (
                "id",
                "learner_id",
                "competency_id",
                "activity_id",
                "method",
                "status",
                "reason",
                "basis_stale_at_us",
                "created_us",
                "due_us",
                "next_check_us",
                "snoozed_us",
                "reminders",
                "scan_run",
            ),
            [
                (
                    assignment_id,
                    item.learner_id,
                    item.competency_id,
                    item.activity_id,
                    item.method,
                    "assigned",
                    orjson.dumps(item.reason).decode(),
                    item.basis_stale_at_us,
                    self.now_us,
                    item.due_us,
                    item.next_check_us,
                    0,
                    0,
                    scan_run,
                )
                for assignment_id, item in zip(ids, items, strict=True)
            ],
        )
        self.record(
            [
                Transition(
                    assignment_id=assignment_id,
                    from_status=None,
                    to_status="assigned",
                    cause=f"scan:{scan_run}",
                    detail={"due_us": item.due_us, "activity_id": item.activity_id},
                )
                for assignment_id, item in zip(ids, items, strict=True)
            ]
        )
        return list(zip(ids, items, strict=True))

    def learners(self, learner_ids: Collection[int]) -> dict[int, dict[str, Any]]:
        """Name, e-mail, language and manager of each learner."""
        found = {}
        for part in _chunks(sorted(learner_ids)):
            for row in self.conn.execute(
                select(
                    learners.c.id,
                    learners.c.name,
                    learners.c.email,
                    learners.c.language,
                    learners.c.manager_id,
                ).where(self._member(learners.c.id, part))
            ):
                found[row.id] = dict(row._mapping)
        return found

    # -- transitions ------------------------------------------------------------------------

    def record(self, transitions: Sequence[Transition]) -> None:
        """Append transitions to the event trail."""
        self._insert_many(
            "assignment_events",
            ("assignment_id", "at_us", "from_status", "to_status", "cause", "detail"),
            [
                (
                    t.assignment_id,
                    self.now_us,
                    t.from_status,
                    t.to_status,
                    t.cause,
                    orjson.dumps(t.detail).decode() if t.detail is not None else None,
                )
                for t in transitions
            ],
        )

    def set_status(
        self,
        transitions: Sequence[Transition],
        *,
        values: Mapping[int, Mapping[str, Any]] | None = None,
    ) -> None:
        """Move assignments to new statuses (closing them when completed or cancelled)."""
        for t in transitions:
            changes: dict[str, Any] = {"status": t.to_status}
            if t.to_status in ("completed", "cancelled"):
                changes.update(closed_us=self.now_us, closed_by=t.cause, next_check_us=None)
            changes.update((values or {}).get(t.assignment_id, {}))
            self.conn.execute(
                update(refresher_assignments)
                .where(refresher_assignments.c.id == t.assignment_id)
                .values(**changes)
            )
        self.record(transitions)

    def update(self, assignment_id: int, **values: Any) -> None:
        """Change fields of one assignment without a status change."""
        self.conn.execute(
            update(refresher_assignments)
            .where(refresher_assignments.c.id == assignment_id)
            .values(**values)
        )

    def due_for_follow_up(self, at_us: int, limit: int) -> list[Assignment]:
        """Open assignments whose next check (reminder, escalation) is due: about ``limit``,
        and never a recipient's share split over two calls.

        A run sends one digest per learner (reminders) and per manager (escalations) under
        a key naming the run, so each batch ends at a group boundary: rows are ordered by
        manager, then learner, and the rest of the last group (the last manager's reports,
        or the last unmanaged learner) joins the batch.
        """
        a = refresher_assignments.c
        manager = learners.c.manager_id
        due = (
            select(refresher_assignments, manager.label("group_manager"))
            .select_from(refresher_assignments.outerjoin(learners, learners.c.id == a.learner_id))
            .where(a.closed_us.is_(None), a.next_check_us <= at_us)
        )
        rows = list(
            self.conn.execute(due.order_by(manager.nulls_last(), a.learner_id, a.id).limit(limit))
        )
        if len(rows) == limit:
            last = rows[-1]

            def same_group(row: Any) -> bool:
                if last.group_manager is not None:
                    return bool(row.group_manager == last.group_manager)
                return row.group_manager is None and row.learner_id == last.learner_id

            group = (
                manager == last.group_manager
                if last.group_manager is not None
                else and_(manager.is_(None), a.learner_id == last.learner_id)
            )
            rows = [row for row in rows if not same_group(row)] + list(
                self.conn.execute(due.where(group).order_by(a.learner_id, a.id))
            )
        return [_assignment(row) for row in rows]

    def open_for_learners(self, learner_ids: Collection[int]) -> list[Assignment]:
        """Open assignments of these learners (the ingest completion check)."""
        a = refresher_assignments.c
        found: list[Assignment] = []
        for part in _chunks(sorted(learner_ids)):
            rows = self.conn.execute(
                select(refresher_assignments).where(
                    self._member(a.learner_id, part), a.closed_us.is_(None)
                )
            )
            found.extend(_assignment(row) for row in rows)
        return found

    def get(self, assignment_id: int) -> Assignment | None:
        """One assignment."""
        row = self.conn.execute(
            select(refresher_assignments).where(refresher_assignments.c.id == assignment_id)
        ).first()
        return _assignment(row) if row else None

    def states(self, pairs: Collection[tuple[int, str]]) -> dict[tuple[int, str], int | None]:
        """``stale_at_us`` of pairs (absent: no state)."""
        s = competency_state.c
        learners_wanted = sorted({learner for learner, _ in pairs})
        found = {}
        for part in _chunks(learners_wanted):
            for row in self.conn.execute(
                select(s.learner_id, s.competency_id, s.stale_at_us).where(
                    self._member(s.learner_id, part)
                )
            ):
                pair = (row.learner_id, row.competency_id)
                if pair in pairs:
                    found[pair] = row.stale_at_us
        return found

    # -- outbox ----------------------------------------------------------------------------

    def enqueue(self, items: Sequence[NewNotification]) -> list[int]:
        """Write notifications to the outbox; returns their ids.

        Keys are unique by construction (they name the scan run); the unique index turns a
        repeat into a ``Conflict`` that rolls the whole decision back.
        """
        if not items:
            return []
        ids = self._ids("notifications", len(items))
        self._insert_many(
            "notifications",
            (
                "id",
                "idempotency_key",
                "channel",
                "target",
                "kind",
                "learner_id",
                "payload",
                "status",
                "attempts",
                "next_attempt_us",
                "created_us",
            ),
            [
                (
                    nid,
                    item.idempotency_key,
                    item.channel,
                    item.target,
                    item.kind,
                    item.learner_id,
                    orjson.dumps(item.payload).decode(),
                    item.status,
                    0,
                    self.now_us,
                    self.now_us,
                )
                for nid, item in zip(ids, items, strict=True)
            ],
        )
        self._insert_many(
            "notification_assignments",
            ("notification_id", "assignment_id"),
            [
                (nid, aid)
                for nid, item in zip(ids, items, strict=True)
                for aid in item.assignment_ids
            ],
        )
        return ids


# -- reads for the API and the dispatcher -----------------------------------------------------


def list_assignments(
    conn: Connection,
    *,
    learner_ids: Collection[int] | None = None,
    team: str | None = None,
    manager_id: int | None = None,
    status: Collection[str] | None = None,
    competency_id: str | None = None,
    overdue_at_us: int | None = None,
    due_before_us: int | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[Assignment]:
    """Assignments, newest first, filtered (``team``/``manager_id`` via the directory;
    ``due_before_us``: due strictly before that time)."""
    a = refresher_assignments.c
    query = select(refresher_assignments)
    if team is not None or manager_id is not None:
        query = query.join(learners, learners.c.id == a.learner_id)
        if team is not None:
            query = query.where(learners.c.team == team)
        if manager_id is not None:
            query = query.where(learners.c.manager_id == manager_id)
    if learner_ids is not None:
        query = query.where(a.learner_id.in_(list(learner_ids)))
    if status:
        query = query.where(a.status.in_(list(status)))
    if competency_id:
        query = query.where(a.competency_id == competency_id)
    if overdue_at_us is not None:
        query = query.where(a.closed_us.is_(None), a.due_us < overdue_at_us)
    if due_before_us is not None:
        query = query.where(a.due_us < due_before_us)
    rows = conn.execute(query.order_by(a.id.desc()).limit(limit).offset(offset))
    return [_assignment(row) for row in rows]


def assignment_by_id(conn: Connection, assignment_id: int) -> Assignment | None:
    """One assignment."""
    row = conn.execute(
        select(refresher_assignments).where(refresher_assignments.c.id == assignment_id)
    ).first()
    return _assignment(row) if row else None


def events_of(conn: Connection, assignment_id: int) -> list[dict[str, Any]]:
    """The event trail of one assignment, oldest first."""
    e = assignment_events.c
    return [
        {
            "at_us": row.at_us,
            "from": row.from_status,
            "to": row.to_status,
            "cause": row.cause,
            "detail": orjson.loads(row.detail) if row.detail else None,
        }
        for row in conn.execute(
            select(assignment_events).where(e.assignment_id == assignment_id).order_by(e.id)
        )
    ]


def erase_learner_assignments(conn: Connection, learner_id: int) -> None:
    """Remove a learner's assignments, events and notifications (privacy erasure)."""
    a = refresher_assignments.c
    ids = select(a.id).where(a.learner_id == learner_id)
    # A manager's digest about several reports has no single learner; it names this one
    # too, so it goes with their assignments. Read first: the links are deleted below.
    note_ids = sorted(
        set(
            conn.execute(
                select(notifications.c.id).where(notifications.c.learner_id == learner_id)
            ).scalars()
        )
        | set(
            conn.execute(
                select(notification_assignments.c.notification_id).where(
                    notification_assignments.c.assignment_id.in_(ids)
                )
            ).scalars()
        )
    )
    conn.execute(
        delete(notification_assignments).where(notification_assignments.c.assignment_id.in_(ids))
    )
    for part in _chunks(note_ids):
        links = notification_assignments.c.notification_id.in_(list(part))
        conn.execute(
            delete(delivery_attempts).where(delivery_attempts.c.notification_id.in_(list(part)))
        )
        conn.execute(delete(notification_assignments).where(links))
        conn.execute(delete(notifications).where(notifications.c.id.in_(list(part))))
    conn.execute(delete(assignment_events).where(assignment_events.c.assignment_id.in_(ids)))
    conn.execute(delete(refresher_assignments).where(a.learner_id == learner_id))


_OPEN_PAIRS = (
    "SELECT learner_id, competency_id FROM refresher_assignments WHERE closed_us IS NULL AND "
)


def close_completed(
    conn: Connection,
    now_us: int,
    after: Mapping[tuple[int, str], StateRow | None],
    touched: Mapping[tuple[int, str], Sequence[int]],
    batch: Sequence[NewStatement],
    seqs: Mapping[str, int],
    closer: AssignmentCloser,
) -> None:
    """Close the open assignments that this ingest batch completes (same transaction).

    One indexed read of the touched learners' open assignments; nothing more when they have
    none, which is the common case.
    """
    learner_ids = sorted({learner for learner, _ in after})
    if not learner_ids:
        return
    # The hot path: one prepared driver-level probe, no expression building per batch.
    probe = conn.exec_driver_sql(
        _OPEN_PAIRS + member_sql(conn, "learner_id"), (member_param(conn, learner_ids),)
    )
    if not any((row[0], row[1]) in after for row in probe):
        return
    tx = AssignmentTx(conn, now_us)
    open_ = [
        a for a in tx.open_for_learners(learner_ids) if (a.learner_id, a.competency_id) in after
    ]
    by_seq = {seqs[item.id]: item for item in batch}
    outcomes = {}
    for a in open_:
        pair = (a.learner_id, a.competency_id)
        sources = []
        for seq in touched.get(pair, ()):
            item = by_seq.get(seq)
            if item is None:
                continue
            statement = item.statement
            verb = statement.get("verb") or {}
            obj = statement.get("object") or {}
            weight = next(
                (d.weight for d in item.evidence if d.competency_id == a.competency_id), 0.0
            )
            sources.append(
                EvidenceSource(
                    statement_id=item.id,
                    verb_id=verb.get("id"),
                    object_id=obj.get("id")
                    if obj.get("objectType", "Activity") == "Activity"
                    else None,
                    weight=weight,
                    at_us=evidence_time(item.timestamp_us, now_us),
                )
            )
        outcomes[pair] = PairOutcome(
            learner_id=a.learner_id,
            competency_id=a.competency_id,
            after=after[pair],
            sources=tuple(sources),
        )
    tx.set_status(closer(open_, outcomes, now_us))
