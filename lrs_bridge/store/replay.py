"""Replaying the ledger: every statement evaluated again under the active competency
configuration, beside live ingest.

A replay must neither stop ingest nor hold the ledger in memory, so it works in chunks:
evaluation (the costly part) happens in read transactions, and each write transaction under
the statement write gate only replaces one sequence range's evidence, or writes the states
of a range of learners computed ahead of it. Every write transaction first checks that the
replay's configuration version is still the active one.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from typing import Any, Literal

import orjson
from sqlalchemy import Connection, case, delete, null, select

from lrs_bridge.competency.engine import evidence_time
from lrs_bridge.errors import ConfigurationChanged
from lrs_bridge.store import duplicates, ledger
from lrs_bridge.store.base import (
    Clock,
    EvidenceDraft,
    LedgerPoint,
    StateReducer,
    StateRow,
    StorePart,
)
from lrs_bridge.store.duplicates import EvidenceRow, rows_by_pair
from lrs_bridge.store.ledger import Candidate, Pair, add_evidence, admit_evidence, write_states
from lrs_bridge.store.ledger import _sql as sql
from lrs_bridge.store.tables import competency_state, evidence, learners, statements

#: ``config_version="any"``: write without checking the competency configuration version.
AnyVersion = Literal["any"]

_ROWS_OF_LEARNERS = (
    "SELECT learner_id, competency_id, seq, at_us, weight, quality, fingerprint, duplicate_of "
    "FROM evidence WHERE learner_id > ? AND learner_id <= ? "
    "ORDER BY learner_id, competency_id, seq"
)


def evidence_candidates_in_range(
    conn: Connection,
    low_seq: int,
    high_seq: int,
    evidence_for: Callable[[dict[str, Any]], list[EvidenceDraft]],
    silent_verbs: Collection[str] = (),
) -> tuple[list[Candidate], int]:
    """Evidence of the non-voided statements with ``low < seq <= high`` before their
    credentials admit it (:func:`replace_evidence_in_range` does), and how many statements.

    Read outside the write gate: evaluating is the costly part of a replay. Statements whose
    verb can never give evidence (``silent_verbs``) are counted but their JSON is neither
    fetched nor parsed: lifecycle statements are half of a typical store.
    """
    text: Any = statements.c.statement
    if silent_verbs:
        text = case((statements.c.verb_id.in_(list(silent_verbs)), null()), else_=text)
    rows = conn.execute(
        select(
            statements.c.seq,
            statements.c.timestamp_us,
            statements.c.stored_us,
            statements.c.authority_id,
            text.label("statement"),
        )
        .where(
            statements.c.seq > low_seq,
            statements.c.seq <= high_seq,
            statements.c.voided.is_(False),
        )
        .order_by(statements.c.seq)
    ).all()
    candidates = [
        (row.seq, evidence_time(row.timestamp_us, row.stored_us), draft, row.authority_id)
        for row in rows
        if row.statement is not None
        for draft in evidence_for(orjson.loads(row.statement))
    ]
    return candidates, len(rows)


def replace_evidence_in_range(
    conn: Connection, low_seq: int, high_seq: int, candidates: Sequence[Candidate], now_us: int
) -> None:
    """Replace the evidence of ``low < seq <= high`` (inside the write gate).

    The candidates were evaluated outside the gate, so statements voided or erased since
    are dropped here; states are left to :func:`rebuild_states`.
    """
    conn.execute(delete(evidence).where(evidence.c.seq > low_seq, evidence.c.seq <= high_seq))
    live = set(
        conn.execute(
            select(statements.c.seq).where(
                statements.c.seq > low_seq,
                statements.c.seq <= high_seq,
                statements.c.voided.is_(False),
            )
        ).scalars()
    )
    add_evidence(conn, admit_evidence(conn, [c for c in candidates if c[0] in live]), now_us)


def learner_bound(conn: Connection, after_learner: int, learners_count: int) -> int | None:
    """The id of the ``learners_count``-th learner after ``after_learner`` (or the last one);
    None when there is none after it."""
    ids = conn.execute(
        select(learners.c.id)
        .where(learners.c.id > after_learner)
        .order_by(learners.c.id)
        .limit(learners_count)
    ).scalars()
    found = list(ids)
    return int(found[-1]) if found else None


def rows_of_learners(
    conn: Connection, after_learner: int, last_learner: int
) -> dict[Pair, list[EvidenceRow]]:
    """The evidence of learners ``after < id <= last``, by pair, each in ``seq`` order (a
    pair has one row per statement)."""
    return rows_by_pair(
        conn.exec_driver_sql(sql(conn, _ROWS_OF_LEARNERS), (after_learner, last_learner))
    )


def rebuild_states(
    conn: Connection,
    after_learner: int,
    last_learner: int,
    reduce: StateReducer,
    now_us: int,
    *,
    window_us: int,
) -> None:
    """Recompute every state of learners ``after < id <= last`` from their evidence (a pair
    without evidence loses its state row), classifying repeats again (a changed window
    applies here), inside a write transaction."""
    points = duplicates.settle(conn, rows_of_learners(conn, after_learner, last_learner), window_us)
    stored = conn.execute(
        select(competency_state.c.learner_id, competency_state.c.competency_id).where(
            competency_state.c.learner_id > after_learner,
            competency_state.c.learner_id <= last_learner,
        )
    )
    pairs = set(points) | {(row.learner_id, row.competency_id) for row in stored}
    write_states(conn, pairs, points, reduce, now_us)


def reduced_ahead(
    reduce: StateReducer, snapshot: dict[Pair, list[EvidenceRow]], window_us: int
) -> StateReducer:
    """``reduce``, with the states of ``snapshot`` (the points that count in it) computed
    now: a later call with exactly the same points returns the precomputed state (reduce
    is a pure function)."""
    known = {}
    for pair, rows in snapshot.items():
        points = duplicates.counted(rows, window_us)[0]
        known[(pair[1], tuple(points))] = reduce(pair[1], points)

    def reduce_known(competency_id: str, points: Sequence[LedgerPoint]) -> StateRow:
        state = known.get((competency_id, tuple(points)))
        return state if state is not None else reduce(competency_id, points)

    return reduce_known


def check_config(conn: Connection, expected: int | None | AnyVersion) -> None:
    """Inside the write gate: ``ConfigurationChanged`` unless ``expected`` is still active."""
    if expected == "any":
        return
    active = ledger.active_config_id(conn)
    if active != expected:
        raise ConfigurationChanged(
            f"competency configuration {active} replaced {expected} meanwhile", active=active
        )


class ReplayQueries(StorePart):
    """The replay part of :class:`~lrs_bridge.store.sqlalchemy.SqlStore` (a mixin)."""

    def replay_ledger(
        self,
        evidence_for: Callable[[dict[str, Any]], list[EvidenceDraft]],
        reduce: StateReducer,
        clock: Clock,
        *,
        since_us: int | None = None,
        chunk: int = 1000,
        progress: Callable[[int], None] | None = None,
        silent_verbs: Collection[str] = (),
        config_version: int | None | AnyVersion = "any",
        learners_per_chunk: int = 100,
    ) -> int:
        """Rebuild evidence (for statements stored after ``since_us``) and every state.

        Works in chunks, so ingest goes on meanwhile: ``chunk`` statements are evaluated
        outside the write gate, then one short write transaction replaces exactly the
        evidence of that sequence range; afterwards the states are rebuilt from the evidence
        ``learners_per_chunk`` learners per transaction. States are a pure function of the
        evidence, so a state that concurrent ingest recomputes comes out the same. Nothing
        holds more than one chunk in memory.

        With ``config_version``, every transaction first checks that this version is still
        the active one and raises ``ConfigurationChanged`` otherwise: a replay under a
        superseded version must stop, and the newer one be replayed instead. Statements
        stored after the replay began were evaluated under the active version by ingest
        itself (see :meth:`add_statements`), so none is left with older evidence. Returns
        the number of statements evaluated.
        """
        with self._read() as conn:
            high = conn.exec_driver_sql("SELECT max(seq) FROM statements").scalar() or 0
            low = 0
            if since_us is not None:
                low = (
                    conn.exec_driver_sql(
                        f"SELECT min(seq) FROM statements WHERE stored_us > {int(since_us)}"  # noqa: S608
                    ).scalar()
                    or high + 1
                ) - 1
        done = 0
        while low < high:
            upper = min(low + chunk, high)
            with self._read() as conn:
                candidates, count = evidence_candidates_in_range(
                    conn, low, upper, evidence_for, silent_verbs
                )
            with self._write(serialise_statements=True) as conn:
                check_config(conn, config_version)
                replace_evidence_in_range(conn, low, upper, candidates, clock())
            done += count
            if progress is not None:
                progress(count)
            low = upper
        last = 0
        while True:
            # States are computed outside the gate from a snapshot of the evidence; inside
            # it the evidence is read again and only pairs whose points changed meanwhile
            # (concurrent ingest) are reduced again, so the gate is held for SQL alone.
            with self._read() as conn:
                upper = learner_bound(conn, last, learners_per_chunk)
                if upper is None:
                    return done
                snapshot = rows_of_learners(conn, last, upper)
            known = reduced_ahead(reduce, snapshot, self.duplicate_window_us)
            with self._write(serialise_statements=True) as conn:
                check_config(conn, config_version)
                rebuild_states(
                    conn, last, upper, known, clock(), window_us=self.duplicate_window_us
                )
            last = upper

    def preview_evidence(
        self,
        evidence_for: Callable[[dict[str, Any]], list[EvidenceDraft]],
        silent_verbs: Collection[str] = (),
        chunk: int = 1000,
    ) -> Iterator[tuple[list[tuple[int, int, EvidenceDraft]], int]]:
        """The evidence a replay would write, chunk by chunk, without writing anything (for
        a dry run): ``(admitted (seq, evidence time, draft), statements evaluated)``."""
        with self._read() as conn:
            high = conn.exec_driver_sql("SELECT max(seq) FROM statements").scalar() or 0
        for low in range(0, high, chunk):
            with self._read() as conn:
                candidates, count = evidence_candidates_in_range(
                    conn, low, min(low + chunk, high), evidence_for, silent_verbs
                )
                yield admit_evidence(conn, candidates), count
