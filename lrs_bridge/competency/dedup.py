"""Duplicate evidence by content: repeats of a statement count once as competency evidence.

Producers re-send history after an outage (the Moodle plugin replays its log), re-send the
same event under new ids (video players), and a bridge that both pulls and receives sees
one event twice. xAPI stores every one of them (they have different ids); the competency
engine must not count them twice. Pure code, no I/O: the store applies :func:`originals`
to the evidence rows of one learner × competency.

Choices:

- **Same content** is the :func:`fingerprint` of four parts, nothing else (context,
  timestamp, authority and id may differ):

  - *actor*: its IFI key (``mbox`` lower-cased, as queries match it); an anonymous Group by
    the sorted keys of its identified members;
  - *verb*: its ``id`` (``display`` is a label);
  - *object*: an Activity or StatementRef by ``objectType`` and ``id`` (not the definition,
    which producers vary); an Agent or Group as the actor; a SubStatement by its canonical
    JSON;
  - *result*: canonical JSON of the whole ``result`` (sorted keys; numbers compared by value,
    so ``1`` and ``1.0`` are the same score; strings such as ``duration`` compared as
    text); no result is a part of its own, unlike any result.

- **The window** is measured from the *original*, never chained: with a 10-minute window,
  events at 0, 6 and 12 minutes are an original (0), its repeat (6) and a new original (12).
  Both ends are inclusive.
- **The original** is the earliest by evidence time (the statement's timestamp, see
  :func:`~lrs_bridge.competency.engine.evidence_time`), ties broken by the lower sequence
  number (stored first). A late-arriving statement with an earlier timestamp therefore
  becomes the original, and the one stored first its repeat.
- The classification is a pure function of the *set* of rows, not of their arrival order:
  ingest, a replay and a voiding (the voided row is simply absent) give the same answer, so
  voiding an original leaves the state it would have had were the original never stored.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from typing import Any, NamedTuple, Protocol, TypeVar

import orjson

from lrs_bridge.xapi.extract import agent_key


class Marked(Protocol):
    """What the rule needs of one evidence row (the store passes its own rows)."""

    @property
    def seq(self) -> int: ...
    @property
    def at_us(self) -> int: ...
    #: None: the row never duplicates anything (evidence written before the policy).
    @property
    def fingerprint(self) -> str | None: ...


class Mark(NamedTuple):
    """A plain :class:`Marked` row."""

    seq: int
    at_us: int
    fingerprint: str | None


M = TypeVar("M", bound=Marked)


def fingerprint(statement: dict[str, Any]) -> str:
    """A 128-bit hex digest of the statement's actor, verb id, object and result."""
    verb = statement.get("verb")
    parts = [
        _who(statement.get("actor")),
        verb.get("id") if isinstance(verb, dict) else None,
        _what(statement.get("object")),
        _canonical(statement.get("result")),
    ]
    return hashlib.blake2b(
        orjson.dumps(parts, option=orjson.OPT_SORT_KEYS), digest_size=16
    ).hexdigest()


def originals(marks: Iterable[M], window_us: int) -> dict[int, int]:
    """``{seq of a repeat: seq of its original}`` among the rows of one learner ×
    competency; rows that are absent are originals. ``window_us`` 0: no repeats."""
    if window_us <= 0:
        return {}
    groups: dict[str, list[M]] = defaultdict(list)
    for mark in marks:
        if mark.fingerprint is not None:
            groups[mark.fingerprint].append(mark)
    repeats: dict[int, int] = {}
    for group in groups.values():
        if len(group) < 2:
            continue
        group.sort(key=lambda m: (m.at_us, m.seq))
        original = group[0]
        for mark in group[1:]:
            if mark.at_us - original.at_us <= window_us:
                repeats[mark.seq] = original.seq
            else:
                original = mark
    return repeats


def _who(agent: Any) -> Any:
    if not isinstance(agent, dict):
        return None
    key = agent_key(agent)
    if key is not None:
        return key
    members = agent.get("member") or ()
    return ["group", sorted(k for m in members if isinstance(m, dict) and (k := agent_key(m)))]


def _what(target: Any) -> Any:
    if not isinstance(target, dict):
        return None
    kind = target.get("objectType", "Activity")
    if kind in ("Activity", "StatementRef"):
        return [kind, target.get("id")]
    if kind in ("Agent", "Group"):
        return [kind, _who(target)]
    return [kind, _canonical(target)]


def _canonical(value: Any) -> Any:
    """``value`` with every number a float (1 == 1.0) and bools kept; keys are sorted when
    it is serialised."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    return value
