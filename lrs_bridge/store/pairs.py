"""Recomputing the states of many learner × competency pairs in bounded chunks.

Erasure and directory merges can touch thousands of pairs at once. The ledger's pair
look-up grows with the number of pairs it is given (SQLite refuses an expression deeper
than 1,000), so these callers hand it at most :data:`PAIR_CHUNK` pairs at a time: the cost
stays linear in the number of pairs and no single statement grows with it.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection

from lrs_bridge.store.base import StateReducer
from lrs_bridge.store.ledger import Pair, recompute_states

#: Pairs per recomputation: well inside SQLite's default expression depth of 1,000.
PAIR_CHUNK = 250


def recompute_pairs(
    conn: Connection, pairs: Iterable[Pair], reduce: StateReducer, now_us: int
) -> None:
    """Recompute every pair's state from its evidence, :data:`PAIR_CHUNK` pairs per query."""
    ordered = sorted(set(pairs))
    for start in range(0, len(ordered), PAIR_CHUNK):
        recompute_states(conn, ordered[start : start + PAIR_CHUNK], reduce, now_us)
