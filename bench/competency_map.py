"""A 200-rule competency map for the replay benchmark, derived from the shipped one.

The issue's replay target is stated for a 200-rule map; the shipped map has ~30. Real maps grow
by the catalogue: one rule per course unit, per webinar series, per role-play scenario, score
bands, extension-keyed mentoring topics, and many rules for content that a given stretch of
statements never touches. This module builds such a map from ``config/competency-map.yaml``
and the bench vocabulary, so that the rule index sees exact, prefix and glob patterns, result
and extension conditions, and a realistic share of the generated statements matches.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import yaml
from server import REPO
from vocabulary import (
    ACADEMY_EXT,
    COMPETENCIES,
    COURSES,
    LMS,
    MOVEON_CATEGORY,
    PROGRAMME_ID,
    ROLE_PLAYS,
    VERBS,
    WEBINARS,
)

from lrs_bridge.competency.framework import load_framework
from lrs_bridge.competency.mapping import CompetencyMap, load_map

DEFAULT_MAP = REPO / "config" / "competency-map.yaml"
FRAMEWORK = REPO / "config" / "framework.json"
RULE_COUNT = 200
ADL = "http://adlnet.gov/expapi/activities/"
COMPETENCY_IRI = "https://academy.care-example.com/competencies/"
#: How the statements' verbs are weighed when a rule is written per verb.
VERB_METHOD = {
    "passed": "theory",
    "failed": "theory",
    "completed": "digital-self-study",
    "attended": "webinar",
    "attempted": "role-play",
    "mentored": "mentoring",
}


def _slug_targets(rules: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Academy competency slug -> framework competency ids, read off the shipped e-learning
    rules (``context_activities.other.glob: "*/competencies/<slug>"``)."""
    found: dict[str, list[str]] = {}
    for rule in rules:
        other = rule["match"].get("context_activities", {}).get("other", {})
        glob = other.get("glob")
        if isinstance(glob, str) and glob.startswith("*/competencies/"):
            slug = glob.removeprefix("*/competencies/")
            found.setdefault(slug, [e["competency"] for e in rule["evidence"]])
    missing = set(COMPETENCIES) - set(found)
    if missing:
        raise ValueError(f"shipped map has no rule for academy competencies {sorted(missing)}")
    return found


def _evidence(competencies: list[str], weight: float | None = None) -> list[dict[str, Any]]:
    return [{"competency": c} | ({"weight": weight} if weight else {}) for c in competencies]


def build_map_document(rule_count: int = RULE_COUNT) -> dict[str, Any]:
    """The shipped map plus generated rule families, cut to ``rule_count`` rules."""
    document: dict[str, Any] = yaml.safe_load(DEFAULT_MAP.read_text(encoding="utf-8"))
    shipped: list[dict[str, Any]] = document["rules"]
    targets = _slug_targets(shipped)
    framework_ids = [c.id for c in load_framework(FRAMEWORK).competencies]
    rules: list[dict[str, Any]] = list(shipped)

    def add(
        rule_id: str, method: str, match: dict[str, Any], evidence: list[dict[str, Any]]
    ) -> None:
        rules.append({"id": rule_id, "method": method, "match": match, "evidence": evidence})

    # Per course unit (exact activity id), cmi5 moveOn statements.
    for slug, (_title, skills, units) in COURSES.items():
        comps = sorted({c for s in skills for c in targets[s]})
        for unit in range(1, units + 1):
            add(
                f"au-{slug}-{unit}",
                "digital-self-study",
                {
                    "verbs": [VERBS["passed"], VERBS["failed"], VERBS["completed"]],
                    "activity": {"exact": f"{LMS}/cmi5/courses/{slug}/aus/{unit}"},
                    "context_activities": {"category": {"exact": MOVEON_CATEGORY}},
                },
                _evidence(comps),
            )
    # Per course (prefix) mastery band: a high score counts as a refresher.
    for slug, (_title, skills, _units) in COURSES.items():
        add(
            f"mastery-{slug}",
            "refresher",
            {
                "verbs": [VERBS["passed"]],
                "activity": {"prefix": f"{LMS}/cmi5/courses/{slug}/"},
                "result": {"success": True, "scaled_min": 0.9},
            },
            _evidence(sorted({c for s in skills for c in targets[s]}), 0.25),
        )
    # Competency tag x verb (exact context activity), with result conditions where they apply.
    results = {
        "passed": {"success": True},
        "completed": {"completion": True},
        "attended": {"completion": True},
    }
    for slug, (verb, method) in itertools.product(COMPETENCIES, VERB_METHOD.items()):
        match: dict[str, Any] = {
            "verbs": [VERBS[verb]],
            "context_activities": {"other": {"exact": COMPETENCY_IRI + slug}},
        }
        if verb in results:
            match["result"] = results[verb]
        add(f"tag-{slug}-{verb}", method, match, _evidence(targets[slug]))
    # Webinar series (glob on the meeting id), completed attendance on BigBlueButton.
    for slug, (_title, skills) in WEBINARS.items():
        add(
            f"webinar-series-{slug}",
            "webinar",
            {
                "verbs": [VERBS["attended"]],
                "activity": {"glob": f"https://meet.care-example.com/b/{slug}/*"},
                "platform": ["BigBlueButton"],
                "result": {"completion": True},
            },
            _evidence(sorted({c for s in skills for c in targets[s]})),
        )
    # Role-play scenarios (exact): completed attempts, and rated ones (extension present).
    for slug, (_title, skills) in ROLE_PLAYS.items():
        comps = sorted({c for s in skills for c in targets[s]})
        scenario = f"https://academy.care-example.com/role-plays/{slug}"
        add(
            f"scenario-{slug}",
            "role-play",
            {
                "verbs": [VERBS["attempted"]],
                "activity": {"exact": scenario},
                "result": {"completion": True},
            },
            _evidence(comps),
        )
        add(
            f"scenario-rated-{slug}",
            "peer-feedback",
            {
                "verbs": [VERBS["attempted"]],
                "activity": {"exact": scenario},
                "extensions": [
                    {"key": ACADEMY_EXT + "competency-ratings", "scope": "result", "exists": True}
                ],
            },
            _evidence(["https://lrs-bridge.dev/competency/customer-feedback-handling"]),
        )
    # Mentoring topics (context extension equals the topic name).
    for slug, name in COMPETENCIES.items():
        add(
            f"mentoring-topic-{slug}",
            "mentoring",
            {
                "verbs": [VERBS["mentored"]],
                "context_activities": {
                    "parent": {"exact": "https://academy.care-example.com/mentoring"}
                },
                "extensions": [{"key": ACADEMY_EXT + "session-topic", "equals": name}],
            },
            _evidence(targets[slug]),
        )
    # Anything completed within the programme (grouping) is a little communication practice.
    add(
        "programme-completion",
        "theory",
        {
            "verbs": [VERBS["completed"], VERBS["passed"]],
            "context_activities": {"grouping": {"exact": PROGRAMME_ID}},
        },
        _evidence(["https://lrs-bridge.dev/competency/communication"], 0.05),
    )
    # The rest of the catalogue: rules for content outside the generated programme (other
    # courses, SCORM packages, scenarios), which the index must skip cheaply.
    kinds = itertools.cycle(["prefix", "glob", "exact"])
    number = 0
    while len(rules) < rule_count:
        kind = next(kinds)
        competency = framework_ids[number % len(framework_ids)]
        if kind == "prefix":
            match = {
                "verbs": [VERBS["passed"], VERBS["failed"], VERBS["completed"]],
                "activity": {"prefix": f"{LMS}/cmi5/courses/catalogue-{number:03d}/"},
            }
            method = "theory"
        elif kind == "glob":
            match = {
                "verbs": [VERBS["completed"]],
                "activity": {"glob": f"https://scorm.care-example.com/packages/pkg-{number:03d}/*"},
                "activity_type": [ADL + "module", ADL + "lesson"],
            }
            method = "digital-self-study"
        else:
            match = {
                "verbs": [VERBS["attempted"], VERBS["passed"], VERBS["failed"]],
                "activity": {
                    "exact": f"https://academy.care-example.com/role-plays/extra-{number:03d}"
                },
                "result": {"scaled_min": 0.5},
            }
            method = "simulation"
        add(f"catalogue-{kind}-{number:03d}", method, match, _evidence([competency]))
        number += 1
    document["rules"] = rules[:rule_count]
    document["version"] = f"bench-{rule_count}"
    return document


def write_map(folder: Path, rule_count: int = RULE_COUNT) -> tuple[Path, CompetencyMap]:
    """Write the map as YAML in ``folder`` and load it back exactly as the server would,
    checked against the shipped framework (raises ``BadRequest`` when it is invalid)."""
    path = folder / f"competency-map-{rule_count}.yaml"
    document = build_map_document(rule_count)
    path.write_text(yaml.safe_dump(document, sort_keys=False, width=120), encoding="utf-8")
    cmap = load_map(path)
    cmap.check_against(load_framework(FRAMEWORK))
    if len(cmap.rules) != rule_count:
        raise ValueError(f"map has {len(cmap.rules)} rules, wanted {rule_count}")
    return path, cmap
