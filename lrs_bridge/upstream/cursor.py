"""The pull cursor's arithmetic: where the next listing of an upstream starts.

Pure: no I/O, no clock. A cursor is ``since`` (the upstream ``stored`` time a listing starts
after, exclusive, Communication §2.1.3) plus ``more`` (the link being followed while a listing
is part-way through) plus ``seen``: the statements already taken whose ``stored`` lies in the
overlap window, so that the next listing, which starts a little earlier on purpose, does not
count them again.

Why start earlier: an upstream may commit a statement *after* one with a later ``stored`` was
already listed (two writers). Consistent-Through is its promise that nothing older will still
appear, so the next ``since`` is ``min(latest stored seen, Consistent-Through) - overlap``, and
never earlier than the previous ``since`` (everything at or before that was already settled).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence


@dataclasses.dataclass(frozen=True, kw_only=True)
class PullCursor:
    """Where a pull stands: persisted after every committed page."""

    since_us: int | None = None
    more: str = ""
    #: Statement id → its upstream ``stored`` (µs), for the ids inside the overlap window.
    seen: Mapping[str, int] = dataclasses.field(default_factory=dict)

    @property
    def latest_us(self) -> int | None:
        """The latest upstream ``stored`` taken so far (the window always keeps it)."""
        return max(self.seen.values()) if self.seen else None


def starting_at(from_us: int | None) -> PullCursor:
    """A fresh cursor for a back-fill from ``from_us`` (``None``: from the beginning)."""
    return PullCursor(since_us=from_us)


def restart(cursor: PullCursor) -> PullCursor:
    """The cursor once its ``more`` link has expired or been refused: list again from
    ``since`` (what was taken meanwhile is skipped by id)."""
    return dataclasses.replace(cursor, more="")


def unseen(cursor: PullCursor, statement_ids: Sequence[str]) -> list[int]:
    """Positions of the statements of a page the cursor has not taken yet."""
    return [n for n, statement_id in enumerate(statement_ids) if statement_id not in cursor.seen]


def advance(
    cursor: PullCursor,
    page: Sequence[tuple[str, int]],
    *,
    more: str,
    consistent_through_us: int | None,
    overlap_us: int,
) -> PullCursor:
    """The cursor after a committed page of ``(id, stored_us)`` pairs.

    With ``more``, the listing goes on from that link and ``since`` stays. Without it the
    listing has ended, and the next one starts at ``min(latest, Consistent-Through) -
    overlap`` (not before the previous ``since``); ``seen`` keeps only the ids it will list
    again.
    """
    seen = {**cursor.seen, **dict(page)}
    latest = max(seen.values()) if seen else None
    if latest is None:
        return PullCursor(since_us=cursor.since_us, more=more, seen={})
    horizon = latest if consistent_through_us is None else min(latest, consistent_through_us)
    floor = horizon - overlap_us
    if more:
        return PullCursor(since_us=cursor.since_us, more=more, seen=_from(seen, floor))
    since = floor if cursor.since_us is None else max(cursor.since_us, floor)
    return PullCursor(since_us=since, more="", seen=_from(seen, since))


def _from(seen: Mapping[str, int], floor_us: int) -> dict[str, int]:
    return {statement_id: at for statement_id, at in seen.items() if at >= floor_us}
