"""The duplicate-evidence rule by itself (``competency/dedup.py``): what "the same content"
is, and which rows of one learner × competency are repeats of which. Pure, no database."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from lrs_bridge.competency.dedup import Mark, fingerprint, originals

MINUTE = 60_000_000
WINDOW = 10 * MINUTE


def base() -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "actor": {"objectType": "Agent", "name": "Kari", "mbox": "mailto:kari@example.com"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en": "done"}},
        "object": {
            "objectType": "Activity",
            "id": "https://lms.example.com/modules/listening",
            "definition": {"name": {"en": "Listening"}},
        },
        "result": {"success": True, "score": {"scaled": 0.5, "raw": 5}, "duration": "PT5M"},
        "context": {"platform": "Moodle"},
        "timestamp": "2026-01-15T10:00:00Z",
    }


def changed(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    statement = base()
    change(statement)
    return statement


SAME_CONTENT: list[tuple[str, Callable[[dict[str, Any]], None]]] = [
    ("a new id", lambda s: s.update(id=str(uuid.uuid4()))),
    ("another timestamp", lambda s: s.update(timestamp="2026-01-15T10:05:00Z")),
    ("another context", lambda s: s.update(context={"platform": "Totara"})),
    ("another verb display", lambda s: s["verb"].update(display={"nb": "fullført"})),
    ("another activity definition", lambda s: s["object"].update(definition={})),
    ("objectType Activity left out", lambda s: s["object"].pop("objectType")),
    ("another actor name", lambda s: s["actor"].update(name="K. Nordmann")),
    ("the mbox in capitals", lambda s: s["actor"].update(mbox="mailto:KARI@example.com")),
    ("a score 5.0 for 5", lambda s: s["result"]["score"].update(raw=5.0)),
    (
        "result keys in another order",
        lambda s: s.update(result=dict(reversed(s["result"].items()))),
    ),
    ("an authority", lambda s: s.update(authority={"mbox": "mailto:lms@example.com"})),
]

OTHER_CONTENT: list[tuple[str, Callable[[dict[str, Any]], None]]] = [
    ("another actor", lambda s: s["actor"].update(mbox="mailto:ola@example.com")),
    ("another verb", lambda s: s["verb"].update(id="http://adlnet.gov/expapi/verbs/failed")),
    ("another object", lambda s: s["object"].update(id="https://lms.example.com/modules/x")),
    ("another score", lambda s: s["result"]["score"].update(scaled=0.6)),
    ("another success", lambda s: s["result"].update(success=False)),
    ("another duration", lambda s: s["result"].update(duration="PT6M")),
    ("no result", lambda s: s.pop("result")),
    ("an extension in the result", lambda s: s["result"].update(extensions={"https://x": 1})),
    ("a StatementRef with that id", lambda s: s["object"].update(objectType="StatementRef")),
]


@pytest.mark.parametrize(("case", "change"), SAME_CONTENT, ids=[c for c, _ in SAME_CONTENT])
def test_content_is_the_same_whatever_else_differs(case: str, change: Any) -> None:
    assert fingerprint(changed(change)) == fingerprint(base()), case


@pytest.mark.parametrize(("case", "change"), OTHER_CONTENT, ids=[c for c, _ in OTHER_CONTENT])
def test_content_differs_with_actor_verb_object_or_result(case: str, change: Any) -> None:
    assert fingerprint(changed(change)) != fingerprint(base()), case


def test_an_anonymous_group_is_known_by_its_members_in_any_order() -> None:
    def group(*names: str) -> dict[str, Any]:
        members = [{"mbox": f"mailto:{n}@example.com"} for n in names]
        return {"objectType": "Group", "member": members}

    one, other, third = base(), base(), base()
    one["actor"], other["actor"], third["actor"] = group("a", "b"), group("b", "a"), group("a")
    assert fingerprint(one) == fingerprint(other) != fingerprint(third)


def test_the_fingerprint_does_not_change_the_statement() -> None:
    statement = base()
    before = copy.deepcopy(statement)
    assert len(fingerprint(statement)) == 32
    assert statement == before


def marks(*rows: tuple[int, int] | tuple[int, int, str | None]) -> list[Mark]:
    """``(seq, minute[, fingerprint])`` rows; the fingerprint defaults to ``"f"``."""
    return [
        Mark(seq=row[0], at_us=row[1] * MINUTE, fingerprint=row[2] if len(row) == 3 else "f")
        for row in rows
    ]


#: (case, rows (seq, minute[, fingerprint]), window, expected {repeat: original}).
WINDOW_TABLE: list[tuple[str, list[Mark], int, dict[int, int]]] = [
    ("one row", marks((1, 0)), WINDOW, {}),
    ("a repeat 5 minutes later", marks((1, 0), (2, 5)), WINDOW, {2: 1}),
    ("exactly at the window's end", marks((1, 0), (2, 10)), WINDOW, {2: 1}),
    ("just past the window", marks((1, 0), (2, 10), (3, 11)), WINDOW, {2: 1}),
    ("the window counts from the original", marks((1, 0), (2, 6), (3, 12)), WINDOW, {2: 1}),
    ("the third starts a new window", marks((1, 0), (2, 12), (3, 20)), WINDOW, {3: 2}),
    ("the earliest timestamp is the original", marks((1, 8), (2, 3)), WINDOW, {1: 2}),
    ("a tie goes to the one stored first", marks((5, 4), (2, 4), (9, 4)), WINDOW, {5: 2, 9: 2}),
    ("other content never repeats", marks((1, 0), (2, 1, "g")), WINDOW, {}),
    ("no fingerprint never repeats", marks((1, 0, None), (2, 1, None)), WINDOW, {}),
    ("a window of 0 turns the rule off", marks((1, 0), (2, 0)), 0, {}),
    ("a one-minute window", marks((1, 0), (2, 1), (3, 2)), MINUTE, {2: 1}),
]


@pytest.mark.parametrize(
    ("case", "rows", "window", "expected"), WINDOW_TABLE, ids=[c[0] for c in WINDOW_TABLE]
)
def test_which_rows_repeat_which(
    case: str, rows: list[Mark], window: int, expected: dict[int, int]
) -> None:
    assert originals(rows, window) == expected, case
    assert originals(reversed(rows), window) == expected, "arrival order does not matter"


def test_removing_the_original_leaves_what_it_would_be_without_it() -> None:
    rows = marks((1, 0), (2, 4), (3, 9), (4, 13))
    assert originals(rows, WINDOW) == {2: 1, 3: 1}
    without_first = [m for m in rows if m.seq != 1]
    assert originals(without_first, WINDOW) == {3: 2, 4: 2}
