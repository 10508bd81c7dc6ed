"""SQL of the activity inbox: per-activity and per-agent usage, kept by a seq cursor.

The console must not aggregate raw statements per request (DESIGN.md), so the usage of
every activity (statements, distinct learners, last seen, an example, verbs, platforms and
how many of its statements the ledger turned into evidence) is a summary row that the
scheduler's ``activity-usage`` job advances chunk by chunk (``services/inbox.py`` says why a
job and not the ingest transaction). Every job write first moves the single cursor row with
a compare-and-set, so two schedulers never count a chunk twice: the loser changes nothing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import orjson
from sqlalchemy import (
    Connection,
    bindparam,
    delete,
    exists,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from lrs_bridge.store.activity_inbox import InboxReads
from lrs_bridge.store.activity_preview import statements_of_activity
from lrs_bridge.store.sets import member
from lrs_bridge.store.tables import (
    activity_usage,
    activity_usage_cursor,
    activity_usage_learners,
    agent_usage,
    erasures,
    evidence,
    statements,
)
from lrs_bridge.store.transactions import EngineTransactions

#: At most this many verbs and platforms are kept per activity (a display list, not a count).
MAX_LISTED = 20
#: ``flags_version`` before the first flag computation (0 stands for the shipped files).
NEVER = -1


@dataclasses.dataclass(frozen=True, kw_only=True)
class UsageCursor:
    """Where the job is: counted through ``through_seq``, flags of ``flags_version``."""

    through_seq: int = 0
    flags_version: int = NEVER
    erasures: int = 0


@dataclasses.dataclass(frozen=True, kw_only=True)
class SeenStatement:
    """A stored statement as the job reads it, with whether the ledger has evidence of it."""

    seq: int
    id: str
    stored_us: int
    statement: dict[str, Any]
    produced_evidence: bool


@dataclasses.dataclass(kw_only=True)
class ActivityDelta:
    """What one chunk adds to an activity's usage."""

    statements: int = 0
    evidence_statements: int = 0
    last_us: int = 0
    example_id: str = ""
    name: dict[str, Any] | None = None
    type: str | None = None
    verbs: set[str] = dataclasses.field(default_factory=set)
    platforms: set[str] = dataclasses.field(default_factory=set)
    agent_keys: set[str] = dataclasses.field(default_factory=set)


@dataclasses.dataclass(kw_only=True)
class AgentDelta:
    """What one chunk adds to an agent's usage."""

    agent: dict[str, Any]
    statements: int = 0
    last_us: int = 0


def _merged(existing: str | None, extra: set[str]) -> str:
    values = set(orjson.loads(existing)) if existing else set()
    return orjson.dumps(sorted(values | extra)[:MAX_LISTED]).decode()


class ActivityUsageStore(EngineTransactions, InboxReads):
    """Usage summaries in the relational database (SQLite or PostgreSQL): the job's
    writes here, the inbox's reads in :class:`InboxReads`."""

    # -- the job's side -------------------------------------------------------------------

    def cursor(self) -> UsageCursor:
        """The job's position (the defaults before its first run)."""
        with self._read() as conn:
            row = conn.execute(select(activity_usage_cursor)).first()
        if row is None:
            return UsageCursor()
        return UsageCursor(
            through_seq=row.through_seq, flags_version=row.flags_version, erasures=row.erasures
        )

    def erasure_count(self) -> int:
        """How many erasures were ever made (each may have removed statements)."""
        with self._read() as conn:
            return int(conn.execute(select(func.count()).select_from(erasures)).scalar() or 0)

    def statements_after(self, seq: int, limit: int) -> list[SeenStatement]:
        """Up to ``limit`` non-voided statements after ``seq``, in seq order."""
        produced = exists().where(evidence.c.seq == statements.c.seq)
        with self._read() as conn:
            rows = conn.execute(
                select(
                    statements.c.seq,
                    statements.c.id,
                    statements.c.stored_us,
                    statements.c.statement,
                    produced.label("produced"),
                )
                .where(statements.c.seq > seq, statements.c.voided.is_(False))
                .order_by(statements.c.seq)
                .limit(limit)
            ).all()
        return [
            SeenStatement(
                seq=row.seq,
                id=row.id,
                stored_us=row.stored_us,
                statement=orjson.loads(row.statement),
                produced_evidence=bool(row.produced),
            )
            for row in rows
        ]

    def last_seq(self) -> int:
        """The newest statement's seq (0 in an empty store)."""
        with self._read() as conn:
            return int(conn.exec_driver_sql("SELECT max(seq) FROM statements").scalar() or 0)

    def _advance(self, conn: Connection, old: UsageCursor, new: UsageCursor, now_us: int) -> bool:
        """Compare-and-set the cursor row; False when another job moved it first."""
        values = {
            "through_seq": new.through_seq,
            "flags_version": new.flags_version,
            "erasures": new.erasures,
            "updated_us": now_us,
        }
        moved = conn.execute(
            update(activity_usage_cursor)
            .where(
                activity_usage_cursor.c.id == 1,
                activity_usage_cursor.c.through_seq == old.through_seq,
                activity_usage_cursor.c.flags_version == old.flags_version,
                activity_usage_cursor.c.erasures == old.erasures,
            )
            .values(**values)
        ).rowcount
        if moved:
            return True
        if old != UsageCursor():
            return False
        # The very first run: create the row (a concurrent first run conflicts and loses).
        inserter = pg_insert if self.is_postgres else sqlite_insert
        created = conn.execute(
            inserter(activity_usage_cursor)
            .values(id=1, **values)
            .on_conflict_do_nothing(index_elements=[activity_usage_cursor.c.id])
            .returning(activity_usage_cursor.c.id)
        ).first()
        return created is not None

    def apply(
        self,
        old: UsageCursor,
        through_seq: int,
        activities: Mapping[str, ActivityDelta],
        agents: Mapping[str, AgentDelta],
        now_us: int,
    ) -> bool:
        """Add one chunk's usage and move the cursor to ``through_seq``, atomically."""
        new = dataclasses.replace(old, through_seq=through_seq)
        with self._write() as conn:
            if not self._advance(conn, old, new, now_us):
                return False
            if activities:
                self._add_activities(conn, activities)
            if agents:
                self._add_agents(conn, agents)
        return True

    def _add_activities(self, conn: Connection, deltas: Mapping[str, ActivityDelta]) -> None:
        known = {
            row.activity_id: row
            for row in conn.execute(
                select(activity_usage).where(member(conn, activity_usage.c.activity_id, deltas))
            )
        }
        seen = {
            (row.activity_id, row.agent_key)
            for row in conn.execute(
                select(activity_usage_learners.c.activity_id, activity_usage_learners.c.agent_key)
                .where(member(conn, activity_usage_learners.c.activity_id, deltas))
                .where(
                    member(
                        conn,
                        activity_usage_learners.c.agent_key,
                        {key for d in deltas.values() for key in d.agent_keys},
                    )
                )
            )
        }
        new_pairs = [
            {"activity_id": activity, "agent_key": key}
            for activity, delta in deltas.items()
            for key in sorted(delta.agent_keys)
            if (activity, key) not in seen
        ]
        if new_pairs:
            conn.execute(insert(activity_usage_learners), new_pairs)
        added: dict[str, int] = {}
        for pair in new_pairs:
            added[pair["activity_id"]] = added.get(pair["activity_id"], 0) + 1
        inserts, updates = [], []
        for activity, delta in deltas.items():
            old = known.get(activity)
            values = {
                "statements": delta.statements + (old.statements if old else 0),
                "learners": added.get(activity, 0) + (old.learners if old else 0),
                "evidence_statements": delta.evidence_statements
                + (old.evidence_statements if old else 0),
                "last_us": max(delta.last_us, old.last_us if old else 0),
                "example_id": delta.example_id,
                "name": orjson.dumps(delta.name).decode() if delta.name else old and old.name,
                "type": delta.type or (old.type if old else None),
                "verbs": _merged(old.verbs if old else None, delta.verbs),
                "platforms": _merged(old.platforms if old else None, delta.platforms),
            }
            if old is None:
                inserts.append({"activity_id": activity, **values})
            else:
                updates.append({"key": activity, **values})
        if inserts:
            conn.execute(insert(activity_usage), inserts)
        if updates:
            # One executemany, not a statement per activity.
            conn.execute(
                update(activity_usage)
                .where(activity_usage.c.activity_id == bindparam("key"))
                .values({name: bindparam(name) for name in updates[0] if name != "key"}),
                updates,
            )

    def _add_agents(self, conn: Connection, deltas: Mapping[str, AgentDelta]) -> None:
        known = {
            row.agent_key: row
            for row in conn.execute(
                select(agent_usage).where(member(conn, agent_usage.c.agent_key, deltas))
            )
        }
        inserts, updates = [], []
        for key, delta in deltas.items():
            old = known.get(key)
            values = {
                "agent": orjson.dumps(delta.agent).decode(),
                "statements": delta.statements + (old.statements if old else 0),
                "last_us": max(delta.last_us, old.last_us if old else 0),
            }
            if old is None:
                inserts.append({"agent_key": key, **values})
            else:
                updates.append({"key": key, **values})
        if inserts:
            conn.execute(insert(agent_usage), inserts)
        if updates:
            conn.execute(
                update(agent_usage)
                .where(agent_usage.c.agent_key == bindparam("key"))
                .values({name: bindparam(name) for name in updates[0] if name != "key"}),
                updates,
            )

    def reset(self, old: UsageCursor, erasures_seen: int, now_us: int) -> bool:
        """Forget all usage (statements were erased) so the job counts again from seq 0."""
        new = UsageCursor(through_seq=0, flags_version=old.flags_version, erasures=erasures_seen)
        with self._write() as conn:
            if not self._advance(conn, old, new, now_us):
                return False
            for table in (activity_usage, activity_usage_learners, agent_usage):
                conn.execute(delete(table))
        return True

    def recompute_flags(self, old: UsageCursor, version: int, now_us: int) -> bool:
        """Set every activity's evidence count from the ledger (after a replay under
        ``version``): one grouped pass over the evidence, not one query per activity."""
        new = dataclasses.replace(old, flags_version=version)
        with self._write() as conn:
            if not self._advance(conn, old, new, now_us):
                return False
            counts = conn.execute(
                select(statements.c.object_key, func.count(func.distinct(evidence.c.seq)))
                .join(statements, statements.c.seq == evidence.c.seq)
                .where(statements.c.object_type == "Activity", evidence.c.seq <= old.through_seq)
                .group_by(statements.c.object_key)
            ).all()
            conn.execute(update(activity_usage).values(evidence_statements=0))
            if counts:
                conn.execute(
                    update(activity_usage)
                    .where(activity_usage.c.activity_id == bindparam("key"))
                    .values(evidence_statements=bindparam("count")),
                    [{"key": activity, "count": count} for activity, count in counts],
                )
        return True

    # -- one activity, at once -------------------------------------------------------------

    def statements_of_activity(self, activity_id: str, through_seq: int) -> list[dict[str, Any]]:
        """The non-voided statements counted so far whose object is this activity."""
        with self._read() as conn:
            rows = conn.execute(
                statements_of_activity(activity_id, statements.c.statement).where(
                    statements.c.seq <= through_seq
                )
            ).scalars()
            return [orjson.loads(text) for text in rows]

    def set_evidence_count(self, activity_id: str, count: int) -> None:
        """Record how many of an activity's statements give evidence (after a save)."""
        with self._write() as conn:
            conn.execute(
                update(activity_usage)
                .where(activity_usage.c.activity_id == activity_id)
                .values(evidence_statements=count)
            )
