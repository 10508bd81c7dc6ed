"""Map rules as records, and their compiled, indexed form used by the evaluator.

Speed matters (replay must evaluate tens of thousands of statements per second), so rules are
compiled once into a :class:`RuleIndex`:

* rules are bucketed by verb id (rules without a verb condition go to a wildcard bucket);
* inside a bucket, a rule with an object-activity condition is indexed by its exact ids,
  prefixes and globs' literal prefix or suffix (the text before the first / after the last
  wildcard); a rule without one is indexed the same way by a contextActivities condition,
  looked up with every context activity id; a lookup tries each distinct prefix and suffix
  length of the bucket, one dict probe each;
* the remaining rules (no indexable condition) are always candidates of their bucket;
* a candidate's remaining conditions are precompiled predicates (globs via ``fnmatch``/``re``)
  over a :class:`StatementView` built once per statement.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import re
from collections.abc import Callable
from typing import Any

CONTEXT_LISTS = ("parent", "grouping", "category", "other")
FAILED_VERB = "http://adlnet.gov/expapi/verbs/failed"
UNSET = object()


@dataclasses.dataclass(frozen=True, kw_only=True)
class Pattern:
    """Matches an id equal to one of ``exact``, starting with a ``prefix`` or fitting a ``glob``."""

    exact: tuple[str, ...] = ()
    prefix: tuple[str, ...] = ()
    glob: tuple[str, ...] = ()

    def compile(self) -> Callable[[str], bool]:
        """A predicate over one id."""
        exact = frozenset(self.exact)
        prefixes = tuple(self.prefix)
        regex = (
            re.compile("|".join(f"(?:{fnmatch.translate(g)})" for g in self.glob))
            if self.glob
            else None
        )

        def matches(value: str) -> bool:
            if value in exact or (prefixes and value.startswith(prefixes)):
                return True
            return regex is not None and regex.match(value) is not None

        return matches


@dataclasses.dataclass(frozen=True, kw_only=True)
class ResultMatch:
    """Conditions on ``result``; a ``None`` field is not checked.

    ``scaled_min``/``scaled_max`` compare the normalised score (see :func:`normalised_score`);
    a statement without a score fails them.
    """

    success: bool | None = None
    completion: bool | None = None
    scaled_min: float | None = None
    scaled_max: float | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class ExtensionMatch:
    """An extension of ``context`` (default), ``result`` or the object activity's definition."""

    key: str
    scope: str = "context"
    equals: Any = UNSET
    exists: bool | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class Match:
    """All given conditions must hold (AND); inside one condition, any listed value (OR)."""

    verbs: tuple[str, ...] = ()
    activity: Pattern | None = None
    activity_type: tuple[str, ...] = ()
    platform: tuple[str, ...] = ()
    #: ``parent``/``grouping``/``category``/``other``, or ``any`` for any of the four lists.
    context_activities: tuple[tuple[str, Pattern], ...] = ()
    result: ResultMatch | None = None
    extensions: tuple[ExtensionMatch, ...] = ()


@dataclasses.dataclass(frozen=True, kw_only=True)
class EvidenceSpec:
    """What a firing rule yields: evidence for ``competency``; ``weight`` None → method default."""

    competency: str
    method: str
    weight: float | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class Rule:
    """A named condition and the evidence it yields."""

    id: str
    match: Match
    evidence: tuple[EvidenceSpec, ...]
    description: str = ""


# -- the statement, read once --------------------------------------------------------------


#: ``score.scaled`` and ``raw``/``min``/``max`` closer than this agree.
SCORE_TOLERANCE = 0.01


def _number(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def normalised_score(result: Any) -> float | None:
    """The attempt's score in [0, 1], or ``None`` when it has none; the rules:

    ==============================================  =======================================
    the score has                                   normalised score
    ==============================================  =======================================
    ``raw`` and ``max`` (``min`` absent: 0),        ``(raw - min) / (max - min)``, clamped
    ``max > min``, and no ``scaled``
    ``scaled`` only (or an unusable raw range)      ``scaled`` clamped to [0, 1]: a negative
                                                    scaled score means "nothing right" and
                                                    clamps to 0 rather than mapping linearly
    both, agreeing within ``SCORE_TOLERANCE``       ``scaled`` (clamped)
    both, disagreeing                               the raw ratio: ``raw`` is what the tool
                                                    measured, ``scaled`` is derived from it,
                                                    and some tools send a placeholder
                                                    (Moodle: ``raw 50, max 100, scaled 0.0``)
    neither                                         ``None``
    ==============================================  =======================================

    How ``success`` bounds the quality of evidence is decided in
    :func:`lrs_bridge.competency.mapping.quality_of`.
    """
    if not isinstance(result, dict):
        return None
    score = result.get("score")
    if not isinstance(score, dict):
        return None
    scaled = _number(score.get("scaled"))
    raw, high = _number(score.get("raw")), _number(score.get("max"))
    low = _number(score.get("min"))
    ratio = None
    if raw is not None and high is not None:
        low = 0.0 if low is None else low
        if high > low:
            ratio = min(1.0, max(0.0, (raw - low) / (high - low)))
    if scaled is not None:
        clamped = min(1.0, max(0.0, scaled))
        if ratio is None or abs(clamped - ratio) <= SCORE_TOLERANCE:
            return clamped
    return ratio


class StatementView:
    """The fields rules look at, extracted once per statement."""

    __slots__ = (
        "verb",
        "object_id",
        "object_type",
        "object_extensions",
        "platform",
        "context_ids",
        "all_context_ids",
        "_context_activities",
        "context_extensions",
        "result",
        "result_extensions",
        "score",
    )

    def __init__(self, statement: dict[str, Any]) -> None:
        verb = statement.get("verb")
        self.verb: str = verb.get("id", "") if isinstance(verb, dict) else ""
        obj = statement.get("object")
        obj = obj if isinstance(obj, dict) else {}
        is_activity = obj.get("objectType", "Activity") == "Activity"
        self.object_id: str | None = obj.get("id") if is_activity else None
        definition = obj.get("definition") if is_activity else None
        definition = definition if isinstance(definition, dict) else {}
        self.object_type: str | None = definition.get("type")
        self.object_extensions: dict[str, Any] = definition.get("extensions") or {}
        context = statement.get("context")
        context = context if isinstance(context, dict) else {}
        self.platform: str | None = context.get("platform")
        self.context_extensions: dict[str, Any] = context.get("extensions") or {}
        lists = context.get("contextActivities")
        ids: dict[str, tuple[str, ...]] = {}
        activities: list[Any] = []
        if isinstance(lists, dict):
            for name, value in lists.items():
                if isinstance(value, dict):  # xAPI 0.95 allowed a single object
                    value = [value]
                if name in CONTEXT_LISTS and isinstance(value, list):
                    ids[name] = tuple([a["id"] for a in value if isinstance(a, dict) and "id" in a])
                    activities.extend(value)
        self.context_ids = ids
        self.all_context_ids: tuple[str, ...] = (
            tuple([i for v in ids.values() for i in v]) if ids else ()
        )
        self._context_activities = activities
        result = statement.get("result")
        self.result: dict[str, Any] = result if isinstance(result, dict) else {}
        self.result_extensions: dict[str, Any] = self.result.get("extensions") or {}
        self.score = normalised_score(self.result)

    @property
    def context_types(self) -> tuple[str, ...]:
        """Activity types of the context activities (computed on demand: rarely needed)."""
        types = []
        for a in self._context_activities:
            d = a.get("definition") if isinstance(a, dict) else None
            if isinstance(d, dict) and isinstance(d.get("type"), str):
                types.append(d["type"])
        return tuple(types)

    @property
    def failed(self) -> bool:
        """A failed attempt: ``result.success`` false or the ADL ``failed`` verb."""
        return self.result.get("success") is False or self.verb == FAILED_VERB


# -- compilation -------------------------------------------------------------------------


Predicate = Callable[[StatementView], bool]


def _context_predicate(list_name: str, pattern: Pattern) -> Predicate:
    test = pattern.compile()
    if list_name == "any":
        return lambda v: any(test(i) for i in v.all_context_ids)
    return lambda v: any(test(i) for i in v.context_ids.get(list_name, ()))


def _result_predicates(rm: ResultMatch) -> list[Predicate]:
    out: list[Predicate] = []
    if rm.success is not None:
        success = rm.success
        out.append(lambda v: v.result.get("success") is success)
    if rm.completion is not None:
        completion = rm.completion
        out.append(lambda v: v.result.get("completion") is completion)
    if rm.scaled_min is not None:
        low = rm.scaled_min
        out.append(lambda v: v.score is not None and v.score >= low)
    if rm.scaled_max is not None:
        high = rm.scaled_max
        out.append(lambda v: v.score is not None and v.score <= high)
    return out


def _extension_predicate(em: ExtensionMatch) -> Predicate:
    attr = {
        "context": "context_extensions",
        "result": "result_extensions",
        "activity": "object_extensions",
    }[em.scope]
    key = em.key
    if em.equals is not UNSET:
        expected = em.equals
        return lambda v: getattr(v, attr).get(key, UNSET) == expected
    present = em.exists is not False
    return lambda v: (key in getattr(v, attr)) is present


def compile_rule(rule: Rule, *, skip_activity: bool) -> tuple[Predicate, ...]:
    """The rule's conditions except the verb (the index checks it), cheapest first.

    With ``skip_activity`` the object-activity condition is left out too: the index already
    decided it (exact ids and prefixes; a glob is indexed by its literal prefix only, so
    rules with globs are compiled without ``skip_activity``).
    """
    m = rule.match
    preds: list[Predicate] = []
    if m.activity_type:
        types = frozenset(m.activity_type)
        preds.append(lambda v: v.object_type in types)
    if m.platform:
        platforms = frozenset(m.platform)
        preds.append(lambda v: v.platform in platforms)
    if m.result is not None:
        preds.extend(_result_predicates(m.result))
    if m.activity is not None and not skip_activity:
        test = m.activity.compile()
        preds.append(lambda v: v.object_id is not None and test(v.object_id))
    preds.extend(_context_predicate(name, p) for name, p in m.context_activities)
    preds.extend(_extension_predicate(e) for e in m.extensions)
    return tuple(preds)


def _literal_ends(glob: str) -> tuple[str, str]:
    """The literal text before the first and after the last wildcard of a glob."""
    wild = [i for i, ch in enumerate(glob) if ch in "*?["]
    if not wild:
        return glob, glob
    last = wild[-1]
    if glob[last] == "[":  # the class runs to its closing bracket
        close = glob.find("]", last + 2)
        last = close if close != -1 else len(glob) - 1
    return glob[: wild[0]], glob[last + 1 :]


class _IdIndex:
    """Rules keyed by exact id, literal prefix or literal suffix of their patterns."""

    __slots__ = ("exact", "prefixes", "prefix_lengths", "suffixes", "suffix_lengths")

    def __init__(self) -> None:
        self.exact: dict[str, list[int]] = {}
        self.prefixes: dict[str, list[int]] = {}
        self.prefix_lengths: tuple[int, ...] = ()
        self.suffixes: dict[str, list[int]] = {}
        self.suffix_lengths: tuple[int, ...] = ()

    @staticmethod
    def indexable(pattern: Pattern) -> bool:
        return all(any(_literal_ends(g)) for g in pattern.glob)

    def add(self, position: int, pattern: Pattern) -> None:
        for exact in pattern.exact:
            self.exact.setdefault(exact, []).append(position)
        for prefix in pattern.prefix:
            self.prefixes.setdefault(prefix, []).append(position)
        for glob in pattern.glob:
            head, tail = _literal_ends(glob)
            if len(head) >= len(tail):
                self.prefixes.setdefault(head, []).append(position)
            else:
                self.suffixes.setdefault(tail, []).append(position)
        self.prefix_lengths = tuple(sorted({len(k) for k in self.prefixes}))
        self.suffix_lengths = tuple(sorted({len(k) for k in self.suffixes}))

    def lookup(self, value: str, out: set[int]) -> None:
        hit = self.exact.get(value)
        if hit:
            out.update(hit)
        size = len(value)
        if self.prefix_lengths:
            prefixes = self.prefixes
            for length in self.prefix_lengths:
                if length > size:
                    break
                hit = prefixes.get(value[:length])
                if hit:
                    out.update(hit)
        if self.suffix_lengths:
            suffixes = self.suffixes
            for length in self.suffix_lengths:
                if length > size:
                    break
                hit = suffixes.get(value[size - length :])
                if hit:
                    out.update(hit)


class _Bucket:
    """The rules of one verb: indexed by object id, else by a context activity id, else always."""

    __slots__ = ("by_object", "by_context", "has_context", "always")

    def __init__(self) -> None:
        self.by_object = _IdIndex()
        self.by_context = _IdIndex()
        self.has_context = False
        self.always: list[int] = []

    def add(self, position: int, rule: Rule) -> bool:
        """Index the rule; True when its activity condition is fully decided by the index."""
        pattern = rule.match.activity
        if pattern is not None and _IdIndex.indexable(pattern):
            self.by_object.add(position, pattern)
            return not pattern.glob
        if pattern is None:
            # Any one context condition must hold, so indexing by it loses nothing; the
            # compiled predicate still checks which list the id came from.
            for _, context_pattern in rule.match.context_activities:
                if _IdIndex.indexable(context_pattern):
                    self.by_context.add(position, context_pattern)
                    self.has_context = True
                    return False
        self.always.append(position)
        return False

    def candidates(self, view: StatementView, out: set[int]) -> None:
        out.update(self.always)
        if view.object_id is not None:
            self.by_object.lookup(view.object_id, out)
        if self.has_context:
            for context_id in view.all_context_ids:
                self.by_context.lookup(context_id, out)


class RuleIndex:
    """Rules compiled for evaluation; :meth:`firing` lists the rules a statement satisfies."""

    def __init__(self, rules: tuple[Rule, ...]) -> None:
        self.rules = rules
        self._by_verb: dict[str, _Bucket] = {}
        self._any_verb = _Bucket()
        self._checks: list[tuple[Predicate, ...]] = []
        for position, rule in enumerate(rules):
            decided = False
            buckets = [self._by_verb.setdefault(v, _Bucket()) for v in rule.match.verbs]
            for bucket in buckets or [self._any_verb]:
                decided = bucket.add(position, rule)
            self._checks.append(compile_rule(rule, skip_activity=decided))

    def firing(self, view: StatementView) -> list[Rule]:
        """Rules whose every condition holds, in map order."""
        candidates: set[int] = set()
        bucket = self._by_verb.get(view.verb)
        if bucket is not None:
            bucket.candidates(view, candidates)
        self._any_verb.candidates(view, candidates)
        if not candidates:
            return []
        fired = []
        checks = self._checks
        for position in sorted(candidates):
            for predicate in checks[position]:
                if not predicate(view):
                    break
            else:
                fired.append(self.rules[position])
        return fired
