"""Why a rule did not fire for a statement: each condition it fails, with a reason.

The evaluator (:class:`~lrs_bridge.competency.rules.RuleIndex`) only answers *which* rules
fire, as fast as it can. An admin whose statements match nothing needs the opposite: the
rules that *almost* fired and what stood in the way ("verb differs", "activity prefix
differs", "score below 0.8"). This module re-checks every condition of a rule on its own,
slowly and completely, and is used by ``explain`` only. Pure code, no I/O.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from lrs_bridge.competency.rules import (
    UNSET,
    ExtensionMatch,
    Pattern,
    ResultMatch,
    Rule,
    StatementView,
)

#: English reason texts by code; ``{expected}`` is the rule's value. The console translates
#: the codes itself (``map.miss.<code>``).
REASONS = {
    "ignored_verb": "ignored verb",
    "verb_differs": "verb differs",
    "activity_differs": "activity differs",
    "activity_prefix_differs": "activity prefix differs",
    "activity_pattern_differs": "activity pattern differs",
    "not_an_activity": "object is not an activity",
    "activity_type_differs": "activity type differs",
    "platform_differs": "platform differs",
    "context_activity_differs": "context activity ({list}) differs",
    "success_differs": "success differs",
    "completion_differs": "completion differs",
    "no_score": "no score",
    "score_below": "score below {expected}",
    "score_above": "score above {expected}",
    "extension_missing": "extension missing",
    "extension_present": "extension present",
    "extension_differs": "extension differs",
}


@dataclasses.dataclass(frozen=True, kw_only=True)
class Miss:
    """One failed condition: which (``condition``), why (``code``), wanted and found."""

    condition: str
    code: str
    expected: Any
    actual: Any

    @property
    def reason(self) -> str:
        """The English reason, e.g. ``score below 0.8``."""
        listed = self.condition.rpartition(".")[2]
        return REASONS[self.code].format(expected=self.expected, list=listed)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form ``explain`` answers with."""
        return {
            "condition": self.condition,
            "code": self.code,
            "reason": self.reason,
            "expected": self.expected,
            "actual": self.actual,
        }


@dataclasses.dataclass(frozen=True, kw_only=True)
class NearMiss:
    """A rule that did not fire, its failed conditions, and how many it has in all."""

    rule: Rule
    misses: tuple[Miss, ...]
    conditions: int


def _pattern_code(pattern: Pattern) -> str:
    if pattern.glob:
        return "activity_pattern_differs"
    if pattern.prefix and not pattern.exact:
        return "activity_prefix_differs"
    return "activity_differs"


def _pattern_expected(pattern: Pattern) -> list[str]:
    return [*pattern.exact, *(p + "…" for p in pattern.prefix), *pattern.glob]


def _result_misses(rm: ResultMatch, view: StatementView) -> Iterable[Miss]:
    result = view.result
    for name, wanted in (("success", rm.success), ("completion", rm.completion)):
        if wanted is not None and result.get(name) is not wanted:
            yield Miss(
                condition=f"result.{name}",
                code=f"{name}_differs",
                expected=wanted,
                actual=result.get(name),
            )
    for name, bound, code in (
        ("scaled_min", rm.scaled_min, "score_below"),
        ("scaled_max", rm.scaled_max, "score_above"),
    ):
        if bound is None:
            continue
        if view.score is None:
            yield Miss(condition=f"result.{name}", code="no_score", expected=bound, actual=None)
        elif (view.score < bound) if code == "score_below" else (view.score > bound):
            yield Miss(condition=f"result.{name}", code=code, expected=bound, actual=view.score)


def _extension_miss(em: ExtensionMatch, view: StatementView) -> Miss | None:
    found: dict[str, Any] = {
        "context": view.context_extensions,
        "result": view.result_extensions,
        "activity": view.object_extensions,
    }[em.scope]
    condition = f"extensions.{em.scope}"
    value = found.get(em.key, UNSET)
    actual = None if value is UNSET else value
    if em.equals is not UNSET:
        if value is UNSET:
            return Miss(condition=condition, code="extension_missing", expected=em.key, actual=None)
        if value != em.equals:
            return Miss(
                condition=condition, code="extension_differs", expected=em.equals, actual=actual
            )
        return None
    wanted = em.exists is not False
    if (value is not UNSET) is wanted:
        return None
    code = "extension_missing" if wanted else "extension_present"
    return Miss(condition=condition, code=code, expected=em.key, actual=actual)


def conditions_of(rule: Rule) -> int:
    """How many separate conditions a rule has (each result field and extension counts)."""
    m = rule.match
    result = m.result
    result_count = (
        0
        if result is None
        else sum(
            v is not None
            for v in (result.success, result.completion, result.scaled_min, result.scaled_max)
        )
    )
    return (
        bool(m.verbs)
        + (m.activity is not None)
        + bool(m.activity_type)
        + bool(m.platform)
        + len(m.context_activities)
        + result_count
        + len(m.extensions)
    )


def rule_misses(rule: Rule, view: StatementView) -> tuple[Miss, ...]:
    """Every condition of ``rule`` the statement fails, in the map's order of conditions;
    empty when the rule fires."""
    m = rule.match
    out: list[Miss] = []
    if m.verbs and view.verb not in m.verbs:
        out.append(
            Miss(condition="verbs", code="verb_differs", expected=list(m.verbs), actual=view.verb)
        )
    if m.activity is not None:
        if view.object_id is None:
            out.append(
                Miss(
                    condition="activity",
                    code="not_an_activity",
                    expected=_pattern_expected(m.activity),
                    actual=None,
                )
            )
        elif not m.activity.compile()(view.object_id):
            out.append(
                Miss(
                    condition="activity",
                    code=_pattern_code(m.activity),
                    expected=_pattern_expected(m.activity),
                    actual=view.object_id,
                )
            )
    listed = (
        ("activity_type", m.activity_type, view.object_type),
        ("platform", m.platform, view.platform),
    )
    for condition, wanted, actual in listed:
        if wanted and actual not in wanted:
            out.append(
                Miss(
                    condition=condition,
                    code=f"{condition}_differs",
                    expected=list(wanted),
                    actual=actual,
                )
            )
    for name, pattern in m.context_activities:
        ids = view.all_context_ids if name == "any" else view.context_ids.get(name, ())
        test = pattern.compile()
        if not any(test(i) for i in ids):
            out.append(
                Miss(
                    condition=f"context_activities.{name}",
                    code="context_activity_differs",
                    expected=_pattern_expected(pattern),
                    actual=list(ids),
                )
            )
    if m.result is not None:
        out.extend(_result_misses(m.result, view))
    for em in m.extensions:
        miss = _extension_miss(em, view)
        if miss is not None:
            out.append(miss)
    return tuple(out)


#: How many near misses ``explain`` lists at most.
NEAR_MISS_LIMIT = 5


def near_misses(
    rules: Iterable[Rule], view: StatementView, *, limit: int = NEAR_MISS_LIMIT
) -> list[NearMiss]:
    """The rules that did not fire although at least one of their conditions held, fewest
    failed conditions first (then map order), at most ``limit``."""
    found = []
    for position, rule in enumerate(rules):
        misses = rule_misses(rule, view)
        total = conditions_of(rule)
        if misses and len(misses) < total:
            found.append(
                (len(misses), position, NearMiss(rule=rule, misses=misses, conditions=total))
            )
    found.sort(key=lambda item: (item[0], item[1]))
    return [near for _, _, near in found[:limit]]
