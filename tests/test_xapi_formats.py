"""Specification of the ``format=ids`` and ``format=canonical`` statement views."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from lrs_bridge.xapi.formats import pick_language, to_canonical_format, to_ids_format
from lrs_bridge.xapi.validate import validate_statement

CORPUS = Path(__file__).parents[1].parent / "shared" / "corpus"
UUID = "fd41c918-b88b-4b20-a0a5-a4c32391aaa0"

ACTIVITY = {
    "objectType": "Activity",
    "id": "http://example.com/q/1",
    "definition": {
        "name": {"en-US": "Question", "fr-FR": "Question (fr)", "de": "Frage"},
        "description": {"en-GB": "Pick", "fr-CA": "Choisir"},
        "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
        "interactionType": "choice",
        "choices": [{"id": "a", "description": {"en-US": "A", "fr-FR": "A (fr)"}}],
    },
}
STATEMENT: dict[str, Any] = {
    "id": UUID,
    "actor": {"objectType": "Agent", "name": "Ann", "mbox": "mailto:ann@example.com"},
    "verb": {"id": "http://example.com/verbs/did", "display": {"en-US": "did", "fr-FR": "a fait"}},
    "object": ACTIVITY,
    "result": {"success": True},
    "context": {
        "instructor": {"name": "T", "account": {"homePage": "http://ex.com", "name": "t"}},
        "team": {
            "objectType": "Group",
            "name": "Team",
            "member": [{"name": "B", "mbox": "mailto:b@ex.com"}],
        },
        "contextActivities": {"parent": {"id": "http://ex.com/course", "definition": {}}},
    },
    "timestamp": "2024-05-01T10:00:00Z",
    "authority": {"objectType": "Agent", "name": "LRS", "mbox": "mailto:lrs@ex.com"},
}


def test_ids_format_keeps_only_identifiers() -> None:
    ids = to_ids_format(copy.deepcopy(STATEMENT))
    assert ids == {
        "id": UUID,
        "actor": {"objectType": "Agent", "mbox": "mailto:ann@example.com"},
        "verb": {"id": "http://example.com/verbs/did"},
        "object": {"id": "http://example.com/q/1"},
        "result": {"success": True},
        "context": {
            "instructor": {
                "objectType": "Agent",
                "account": {"homePage": "http://ex.com", "name": "t"},
            },
            "team": {
                "objectType": "Group",
                "member": [{"objectType": "Agent", "mbox": "mailto:b@ex.com"}],
            },
            "contextActivities": {"parent": [{"id": "http://ex.com/course"}]},
        },
        "timestamp": "2024-05-01T10:00:00Z",
        "authority": {"objectType": "Agent", "mbox": "mailto:lrs@ex.com"},
    }


IDS_OBJECTS: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "agent": (
        {"objectType": "Agent", "name": "X", "openid": "http://o.example/1"},
        {"objectType": "Agent", "openid": "http://o.example/1"},
    ),
    "identified-group-drops-members": (
        {
            "objectType": "Group",
            "name": "G",
            "mbox": "mailto:g@ex.com",
            "member": [{"mbox": "mailto:a@b.c"}],
        },
        {"objectType": "Group", "mbox": "mailto:g@ex.com"},
    ),
    "anonymous-group-reduces-members": (
        {"objectType": "Group", "name": "G", "member": [{"name": "A", "mbox_sha1sum": "a" * 40}]},
        {"objectType": "Group", "member": [{"objectType": "Agent", "mbox_sha1sum": "a" * 40}]},
    ),
    "statement-ref-unchanged": (
        {"objectType": "StatementRef", "id": UUID},
        {"objectType": "StatementRef", "id": UUID},
    ),
    "substatement-reduced-inside": (
        {
            "objectType": "SubStatement",
            "actor": {"name": "A", "mbox": "mailto:a@b.c"},
            "verb": {"id": "http://ex.com/v", "display": {"en": "v"}},
            "object": {"id": "http://ex.com/a", "definition": {"name": {"en": "a"}}},
        },
        {
            "objectType": "SubStatement",
            "actor": {"objectType": "Agent", "mbox": "mailto:a@b.c"},
            "verb": {"id": "http://ex.com/v"},
            "object": {"id": "http://ex.com/a"},
        },
    ),
}


@pytest.mark.parametrize(
    ("obj", "expected"), [pytest.param(*v, id=k) for k, v in IDS_OBJECTS.items()]
)
def test_ids_format_objects(obj: dict[str, Any], expected: dict[str, Any]) -> None:
    statement = {**STATEMENT, "object": obj, "context": {}}
    assert to_ids_format(statement)["object"] == expected


def test_ids_format_reduces_2_0_0_context_agents_and_groups() -> None:
    context = {
        "contextAgents": [
            {"objectType": "contextAgent", "agent": {"name": "P", "mbox": "mailto:p@x.y"}}
        ],
        "contextGroups": [
            {
                "objectType": "contextGroup",
                "group": {"objectType": "Group", "name": "T", "mbox": "mailto:t@x.y"},
                "relevantTypes": ["http://ex.com/t"],
            }
        ],
    }
    out = to_ids_format({**STATEMENT, "context": context})["context"]
    assert out["contextAgents"][0]["agent"] == {"objectType": "Agent", "mbox": "mailto:p@x.y"}
    assert out["contextGroups"][0] == {
        "objectType": "contextGroup",
        "group": {"objectType": "Group", "mbox": "mailto:t@x.y"},
        "relevantTypes": ["http://ex.com/t"],
    }


def test_formats_do_not_mutate_the_stored_statement() -> None:
    stored = copy.deepcopy(STATEMENT)
    to_ids_format(stored)
    to_canonical_format(stored, ["fr"])
    assert stored == STATEMENT


# (map tags in order, Accept-Language ranges, expected tag)
PICKS: dict[str, tuple[list[str], list[str], str | None]] = {
    "exact": (["en-US", "fr-FR"], ["fr-FR"], "fr-FR"),
    "case-insensitive": (["en-US", "fr-FR"], ["FR-fr"], "fr-FR"),
    "preference-order": (["en-US", "fr-FR", "de"], ["de", "fr-FR"], "de"),
    "range-is-prefix-of-tag": (["en-US", "fr-FR"], ["fr"], "fr-FR"),
    "not-a-substring-match": (["fr-FR", "frr"], ["fr"], "fr-FR"),
    "truncated-range": (["en-US", "fr"], ["fr-CA"], "fr"),
    "truncated-range-then-prefix": (["en-US", "fr-FR"], ["fr-CA"], "fr-FR"),
    "earlier-range-wins-before-truncation": (["fr", "de-DE"], ["fr-CA", "de-DE"], "de-DE"),
    "star": (["de", "fr"], ["*"], "de"),
    "q-value-suffix-ignored": (["en", "fr"], ["fr;q=0.8"], "fr"),
    "fallback-und": (["de", "und"], ["ja"], "und"),
    "fallback-english": (["de", "en-GB"], ["ja"], "en-GB"),
    "fallback-first": (["de", "fr"], [], "de"),
    "empty-map": ([], ["en"], None),
}


@pytest.mark.parametrize(
    ("tags", "ranges", "expected"), [pytest.param(*v, id=k) for k, v in PICKS.items()]
)
def test_pick_language(tags: list[str], ranges: list[str], expected: str | None) -> None:
    assert pick_language(tags, ranges) == expected


def test_canonical_keeps_one_language_per_activity_and_verb_map() -> None:
    out = to_canonical_format(copy.deepcopy(STATEMENT), ["fr-CA", "fr", "en"])
    assert out["verb"]["display"] == {"fr-FR": "a fait"}
    definition = out["object"]["definition"]
    assert definition["name"] == {"fr-FR": "Question (fr)"}
    assert definition["description"] == {"fr-CA": "Choisir"}
    assert definition["choices"] == [{"id": "a", "description": {"fr-FR": "A (fr)"}}]
    assert out["context"]["contextActivities"] == {
        "parent": [{"id": "http://ex.com/course", "definition": {}}]
    }
    # Agents and Groups are returned exactly as stored.
    assert out["actor"] == STATEMENT["actor"]
    assert out["context"]["team"] == STATEMENT["context"]["team"]


def test_canonical_filters_inside_substatements() -> None:
    sub = {
        "objectType": "SubStatement",
        "actor": {"mbox": "mailto:a@b.c"},
        "verb": {"id": "http://ex.com/v", "display": {"en": "v", "de": "w"}},
        "object": ACTIVITY,
    }
    out = to_canonical_format({**STATEMENT, "object": sub}, ["de"])
    assert out["object"]["verb"]["display"] == {"de": "w"}
    assert out["object"]["object"]["definition"]["name"] == {"de": "Frage"}


@pytest.mark.parametrize("name", ["cmi5.json", "jisc.json", "xapi-spec.json"])
def test_formats_of_corpus_statements_stay_valid(name: str) -> None:
    path = CORPUS / name
    if not path.exists():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    for statement in json.loads(path.read_text(encoding="utf-8")):
        validate_statement(to_ids_format(statement), version="1.0.3")
        validate_statement(to_canonical_format(statement, ["en-US"]), version="1.0.3")
