"""Which evidence rows are repeats (``competency/dedup.py``), kept in ``evidence.duplicate_of``.

Every write that recomputes a learner × competency state reads all of that pair's rows
anyway; it classifies them here first, writes the ``duplicate_of`` that changed, and hands
the state reducer only the rows that count. Classification is a function of the pair's
rows, so ingest, voiding, erasure, a learner merge and a replay all reach the same rows.

It is race-free because every such write runs under the statement write gate (one
transaction at a time, across processes: the file gate on SQLite, an advisory lock on
PostgreSQL) and reads the pair's rows inside that same transaction: two batches of repeats
posted at once are classified one after the other, the second seeing the first's rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from typing import Any, NamedTuple

from sqlalchemy import Connection

from lrs_bridge.competency.dedup import originals
from lrs_bridge.store.base import LedgerPoint
from lrs_bridge.store.sets import Pair

_SET_DUPLICATE = (
    "UPDATE evidence SET duplicate_of = ? WHERE seq = ? AND learner_id = ? AND competency_id = ?"
)

#: The evidence columns :func:`rows_by_pair` expects after ``learner_id, competency_id``.
COLUMNS = ("seq", "at_us", "weight", "quality", "fingerprint", "duplicate_of")


class EvidenceRow(NamedTuple):
    """One evidence row as classification sees it (a tuple: ingest makes one per row of
    every touched pair)."""

    seq: int
    at_us: int
    fingerprint: str | None
    duplicate_of: int | None
    point: LedgerPoint


def rows_by_pair(rows: Iterable[Any]) -> dict[Pair, list[EvidenceRow]]:
    """Group ``learner_id, competency_id, *COLUMNS`` result rows by pair."""
    found: dict[Pair, list[EvidenceRow]] = defaultdict(list)
    for learner_id, competency_id, seq, at_us, weight, quality, content, repeats in rows:
        point = LedgerPoint(seq=seq, at_us=at_us, weight=weight, quality=quality)
        found[(learner_id, competency_id)].append(EvidenceRow(seq, at_us, content, repeats, point))
    return found


def counted(
    rows: Collection[EvidenceRow], window_us: int
) -> tuple[list[LedgerPoint], dict[int, int]]:
    """The points that count (originals, in the given order) and ``{repeat: original}``."""
    repeats = originals(rows, window_us)
    if not repeats:
        return [r.point for r in rows], repeats
    return [r.point for r in rows if r.seq not in repeats], repeats


def settle(
    conn: Connection, rows: dict[Pair, list[EvidenceRow]], window_us: int
) -> dict[Pair, list[LedgerPoint]]:
    """Classify each pair's rows, store the ``duplicate_of`` that changed (one
    executemany), and return the points that count, by pair."""
    points: dict[Pair, list[LedgerPoint]] = {}
    changes = []
    for pair, pair_rows in rows.items():
        points[pair], repeats = counted(pair_rows, window_us)
        changes += [
            (repeats.get(row.seq), row.seq, pair[0], pair[1])
            for row in pair_rows
            if repeats.get(row.seq) != row.duplicate_of
        ]
    if changes:
        text = (
            _SET_DUPLICATE.replace("?", "%s")
            if conn.dialect.name == "postgresql"
            else _SET_DUPLICATE
        )
        conn.exec_driver_sql(text, changes)
    return points
