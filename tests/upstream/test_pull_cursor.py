"""The pull cursor's arithmetic, as a table: where the next listing starts, what it skips."""

from __future__ import annotations

import pytest

from lrs_bridge.upstream.cursor import PullCursor, advance, restart, starting_at, unseen

S = 1_000_000  # one second in µs
OVERLAP = 5 * S


def cursor(since: int | None = None, more: str = "", **seen: int) -> PullCursor:
    return PullCursor(since_us=since, more=more, seen=seen)


# (rule, cursor before, page of (id, stored), more, Consistent-Through, expected cursor after)
ADVANCE = [
    (
        "mid-listing: since stays, more is followed",
        cursor(since=100 * S),
        [("a", 101 * S), ("b", 102 * S)],
        "/more/1",
        200 * S,
        cursor(100 * S, "/more/1", a=101 * S, b=102 * S),
    ),
    (
        "end of listing: next since is the latest stored minus the overlap",
        cursor(since=100 * S),
        [("a", 101 * S), ("b", 120 * S)],
        "",
        200 * S,
        cursor(115 * S, b=120 * S),
    ),
    (
        "end of listing: Consistent-Through earlier than the latest stored wins",
        cursor(since=100 * S),
        [("a", 101 * S), ("b", 120 * S)],
        "",
        110 * S,
        cursor(105 * S, b=120 * S),
    ),
    (
        "end of listing: never before the previous since",
        cursor(since=100 * S),
        [("a", 101 * S)],
        "",
        102 * S,
        cursor(100 * S, a=101 * S),
    ),
    (
        "end of listing without Consistent-Through: the latest stored alone",
        cursor(since=None),
        [("a", 50 * S), ("b", 60 * S)],
        "",
        None,
        cursor(55 * S, b=60 * S),
    ),
    (
        "first listing from the beginning: since comes from what was seen",
        cursor(since=None),
        [("a", 10 * S)],
        "",
        1000 * S,
        cursor(5 * S, a=10 * S),
    ),
    (
        "an empty listing leaves since where it was",
        cursor(since=100 * S),
        [],
        "",
        500 * S,
        cursor(100 * S),
    ),
    (
        "an empty listing from the beginning stays at the beginning",
        cursor(since=None),
        [],
        "",
        500 * S,
        cursor(None),
    ),
    (
        "ids seen in the previous overlap count toward the latest stored",
        cursor(115 * S, b=120 * S),
        [],
        "",
        500 * S,
        cursor(115 * S, b=120 * S),
    ),
    (
        "seen keeps only the overlap window (ids before it are not listed again)",
        cursor(since=0),
        [("a", 1 * S), ("b", 7 * S), ("c", 10 * S)],
        "",
        100 * S,
        cursor(5 * S, b=7 * S, c=10 * S),
    ),
    (
        "mid-listing, seen is trimmed to the window below the horizon too",
        cursor(since=0),
        [("a", 1 * S), ("b", 7 * S), ("c", 10 * S)],
        "/more/2",
        100 * S,
        cursor(0, "/more/2", b=7 * S, c=10 * S),
    ),
    (
        "a statement at exactly the window's edge is kept",
        cursor(since=0),
        [("a", 5 * S), ("b", 10 * S)],
        "",
        100 * S,
        cursor(5 * S, a=5 * S, b=10 * S),
    ),
]


@pytest.mark.parametrize(
    ("before", "page", "more", "through", "after"),
    [pytest.param(*row[1:], id=row[0]) for row in ADVANCE],
)
def test_advance(before, page, more, through, after):
    assert (
        advance(before, page, more=more, consistent_through_us=through, overlap_us=OVERLAP) == after
    )


def test_without_overlap_the_next_listing_starts_at_the_latest_stored():
    after = advance(cursor(0), [("a", 3 * S)], more="", consistent_through_us=9 * S, overlap_us=0)
    assert after == cursor(3 * S, a=3 * S)


def test_a_late_commit_inside_the_overlap_is_listed_again_and_taken():
    """Upstream listed b (stored 120) before a late writer committed x (stored 118): the
    next listing starts at 115, lists x and b, and only x is new."""
    first = advance(
        cursor(100 * S),
        [("b", 120 * S)],
        more="",
        consistent_through_us=130 * S,
        overlap_us=OVERLAP,
    )
    relisted = ["x", "b"]
    assert first.since_us is not None and first.since_us < 118 * S
    assert [relisted[n] for n in unseen(first, relisted)] == ["x"]


@pytest.mark.parametrize(
    ("seen", "page", "fresh"),
    [
        ({}, ["a", "b"], [0, 1]),
        ({"a": 1}, ["a", "b"], [1]),
        ({"a": 1, "b": 2}, ["a", "b"], []),
        ({"z": 1}, [], []),
    ],
)
def test_unseen_gives_the_positions_not_taken_yet(seen, page, fresh):
    assert unseen(PullCursor(seen=seen), page) == fresh


def test_restart_drops_the_more_link_and_keeps_since_and_seen():
    before = cursor(100 * S, "/expired", a=101 * S)
    assert restart(before) == cursor(100 * S, a=101 * S)


@pytest.mark.parametrize("from_us", [None, 0, 1_700_000_000 * S])
def test_a_back_fill_starts_at_its_date_with_nothing_seen(from_us):
    assert starting_at(from_us) == PullCursor(since_us=from_us)


def test_latest_is_the_newest_seen():
    assert cursor(0, a=3, b=9, c=4).latest_us == 9
    assert cursor(0).latest_us is None
