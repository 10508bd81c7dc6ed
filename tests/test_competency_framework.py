"""The competency framework: loading, validation, tree queries and CASE import/export."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from lrs_bridge.competency.framework import (
    CASE_EXTENSION,
    DEFAULT_POLICY,
    Competency,
    Framework,
    error_path,
    framework_from_case,
    framework_from_dict,
    framework_to_case,
    framework_to_dict,
    load_framework,
)
from lrs_bridge.errors import BadRequest

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / "config" / "framework.json"
BASE = "https://lrs-bridge.dev/competency/"


def _doc() -> dict[str, Any]:
    return {
        "id": "https://example.com/fw",
        "name": {"en": "Test"},
        "competencies": [
            {"id": "https://example.com/c/a", "name": {"en": "A", "nb": "A-nb"}},
            {
                "id": "https://example.com/c/b",
                "name": {"en": "B"},
                "description": {"en": "b"},
                "parent": "https://example.com/c/a",
                "policy": "monthly",
            },
        ],
    }


# -- the default file --------------------------------------------------------------------------


def test_default_framework_loads_with_four_languages() -> None:
    fw = load_framework(DEFAULT)
    assert len(fw.competencies) == 17
    for c in fw.competencies:
        assert c.id.startswith(BASE)
        assert {"en", "nb", "fi", "nl"} <= c.name.keys()
        assert {"en", "nb", "fi", "nl"} <= c.description.keys()
        assert c.policy in {"quarterly", "monthly"}


def test_default_framework_tree() -> None:
    fw = load_framework(DEFAULT)
    children = {_slug(c.id) for c in fw.children(BASE + "communication")}
    assert children == {
        "active-listening",
        "clarity",
        "adapted-language",
        "non-verbal-communication",
        "questioning-technique",
        "positivity",
    }
    roots = {_slug(c.id) for c in fw.children(None)}
    assert {"communication", "problem-handling", "empathy", "speaking-up"} <= roots
    assert len(roots) == 11


def _slug(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


# -- records ------------------------------------------------------------------------------------


def test_get_and_children() -> None:
    fw = framework_from_dict(_doc())
    b = fw.get("https://example.com/c/b")
    assert isinstance(b, Competency)
    assert b.parent == "https://example.com/c/a" and b.policy == "monthly"
    assert fw.get("https://example.com/c/zzz") is None
    assert [c.id for c in fw.children("https://example.com/c/a")] == ["https://example.com/c/b"]
    assert fw.children("https://example.com/c/b") == ()
    a = fw.get("https://example.com/c/a")
    assert a is not None and a.policy == DEFAULT_POLICY and a.description == {}


def test_dict_round_trip() -> None:
    fw = framework_from_dict(_doc())
    assert framework_from_dict(framework_to_dict(fw)) == fw


# -- validation -------------------------------------------------------------------------------


def _set(path: str, value: Any) -> dict[str, Any]:
    doc = _doc()
    target: Any = doc
    keys = path.split("/")
    for key in keys[:-1]:
        target = target[int(key)] if isinstance(target, list) else target[key]
    if value is _DELETE:
        del target[keys[-1]]
    else:
        target[keys[-1]] = value
    return doc


_DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("competencies/1/name", _DELETE, "competencies[1].name"),
        ("competencies/1/name", {"nb": "B"}, "competencies[1].name"),
        ("competencies/1/name", {"en": ""}, "competencies[1].name"),
        ("competencies/1/name", {"not a tag!": "x", "en": "B"}, "competencies[1].name"),
        ("competencies/0/description", {"nb": "x"}, "competencies[0].description"),
        ("competencies/1/id", "not an iri", "competencies[1].id"),
        ("competencies/1/parent", "nope", "competencies[1].parent"),
        ("competencies/1/policy", "", "competencies[1].policy"),
        ("competencies/1/colour", "red", "competencies[1].colour"),
        ("name", {"fi": "x"}, "name"),
        ("id", 42, "id"),
        ("competencies", "x", "competencies"),
    ],
    ids=[
        "name-missing",
        "name-without-en",
        "name-empty",
        "bad-language-tag",
        "description-without-en",
        "id-not-iri",
        "parent-not-iri",
        "policy-empty",
        "unknown-field",
        "framework-name-without-en",
        "framework-id-not-string",
        "competencies-not-list",
    ],
)
def test_schema_errors_name_the_field(path: str, value: Any, field: str) -> None:
    with pytest.raises(BadRequest) as raised:
        framework_from_dict(_set(path, value))
    assert raised.value.details["field"] == field
    assert field in raised.value.message


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda d: d["competencies"][1].update(id="https://example.com/c/a"), "competencies[1].id"),
        (
            lambda d: d["competencies"][1].update(parent="https://example.com/c/unknown"),
            "competencies[1].parent",
        ),
        (
            lambda d: d["competencies"][0].update(parent="https://example.com/c/b"),
            "competencies[0].parent",
        ),
        (
            lambda d: d["competencies"][0].update(parent="https://example.com/c/a"),
            "competencies[0].parent",
        ),
    ],
    ids=["duplicate-id", "unknown-parent", "cycle", "self-parent"],
)
def test_structure_errors_name_the_field(mutate: Any, field: str) -> None:
    doc = _doc()
    mutate(doc)
    with pytest.raises(BadRequest) as raised:
        framework_from_dict(doc)
    assert raised.value.details["field"] == field


def test_load_framework_rejects_bad_json(tmp_path: Path) -> None:
    path = tmp_path / "fw.json"
    path.write_text("{nope", encoding="utf-8")
    with pytest.raises(BadRequest, match="not JSON"):
        load_framework(path)


def test_load_framework_names_file_and_field(tmp_path: Path) -> None:
    path = tmp_path / "fw.json"
    path.write_text(json.dumps(_set("competencies/1/name", {"nb": "B"})), encoding="utf-8")
    with pytest.raises(BadRequest) as raised:
        load_framework(path)
    assert str(path) in raised.value.message
    assert raised.value.details["field"] == "competencies[1].name"


@pytest.mark.parametrize(
    ("messages", "expected"),
    [
        ({"rules": {4: {"match": {"x": ["bad"]}}}}, "rules[4].match.x"),
        ({"policies": {"q": {"value": {"validity": ["bad"]}}}}, "policies.q.validity"),
        ({"_schema": ["bad"]}, "$"),
        ({"a": {"_schema": ["bad"]}}, "a"),
    ],
    ids=["list-index", "dict-value", "schema-level", "nested-schema-level"],
)
def test_error_path(messages: Any, expected: str) -> None:
    assert error_path(messages)[0] == expected


# -- CASE ---------------------------------------------------------------------------------------


def test_case_round_trip_default_framework() -> None:
    fw = load_framework(DEFAULT)
    case = framework_to_case(fw)
    assert {"CFDocument", "CFItems", "CFAssociations"} <= case.keys()
    assert len(case["CFItems"]) == 17
    assert all(a["associationType"] == "isChildOf" for a in case["CFAssociations"])
    assert framework_from_case(json.loads(json.dumps(case))) == fw


def test_case_round_trip_without_our_extensions_keeps_what_case_carries() -> None:
    """Plain CASE carries ids, English names/descriptions and the tree; not policies or nb/fi/nl."""
    fw = load_framework(DEFAULT)
    case = copy.deepcopy(framework_to_case(fw))
    del case["CFDocument"]["extensions"]
    for item in case["CFItems"]:
        del item["extensions"]
    back = framework_from_case(case)
    assert back.id == fw.id and back.name == {"en": fw.name["en"]}
    for original, imported in zip(fw.competencies, back.competencies, strict=True):
        assert imported.id == original.id
        assert imported.parent == original.parent
        assert imported.name == {"en": original.name["en"]}
        assert imported.description == {"en": original.description["en"]}
        assert imported.policy == DEFAULT_POLICY


def _foreign_case() -> dict[str, Any]:
    """A package shaped like OpenSALT / CASE Network output, in Finnish."""
    doc = "c0000000-0000-4000-8000-000000000000"
    return {
        "CFDocument": {
            "identifier": doc,
            "uri": f"https://case.example.org/uri/{doc}",
            "title": "Asiakaspalvelu",
            "language": "fi",
            "creator": "OpenSALT",
        },
        "CFItems": [
            {
                "identifier": "c0000000-0000-4000-8000-000000000001",
                "CFItemURI": "https://case.example.org/uri/item-1",
                "fullStatement": "Viestintä",
                "humanCodingScheme": "AP.1",
            },
            {
                "identifier": "c0000000-0000-4000-8000-000000000002",
                "uri": "https://case.example.org/uri/item-2",
                "fullStatement": "Kuuntele asiakasta loppuun asti ennen kuin vastaat.",
                "abbreviatedStatement": "Aktiivinen kuuntelu",
                "language": "fi",
            },
            {"identifier": "c0000000-0000-4000-8000-000000000003", "humanCodingScheme": "AP.3"},
            {"identifier": "c0000000-0000-4000-8000-000000000004", "fullStatement": "Empatia"},
        ],
        "CFAssociations": [
            {
                "associationType": "isChildOf",
                "originNodeURI": {"identifier": "c0000000-0000-4000-8000-000000000002"},
                "destinationNodeURI": {"uri": "https://case.example.org/uri/item-1"},
                "sequenceNumber": 2,
            },
            {
                "associationType": "isChildOf",
                "originNodeURI": {"identifier": "c0000000-0000-4000-8000-000000000002"},
                "destinationNodeURI": {"identifier": "c0000000-0000-4000-8000-000000000004"},
                "sequenceNumber": 1,
            },
            {
                "associationType": "isChildOf",
                "originNodeURI": {"identifier": "c0000000-0000-4000-8000-000000000001"},
                "destinationNodeURI": {"identifier": doc},
            },
            {
                "associationType": "isRelatedTo",
                "originNodeURI": {"identifier": "c0000000-0000-4000-8000-000000000003"},
                "destinationNodeURI": {"identifier": "c0000000-0000-4000-8000-000000000001"},
            },
        ],
    }


def test_case_import_from_another_tool() -> None:
    fw = framework_from_case(_foreign_case())
    assert fw.id == "https://case.example.org/uri/c0000000-0000-4000-8000-000000000000"
    assert fw.name == {"fi": "Asiakaspalvelu", "en": "Asiakaspalvelu"}
    by_code = {c.id: c for c in fw.competencies}
    first = by_code["https://case.example.org/uri/item-1"]
    assert first.name["fi"] == "Viestintä" and first.parent is None
    second = by_code["https://case.example.org/uri/item-2"]
    assert second.name["fi"] == "Aktiivinen kuuntelu"
    assert second.description["fi"].startswith("Kuuntele")
    # Two parents: the lower sequenceNumber wins.
    assert second.parent == "urn:uuid:c0000000-0000-4000-8000-000000000004"
    third = by_code["urn:uuid:c0000000-0000-4000-8000-000000000003"]
    assert third.name["fi"] == "AP.3" and third.parent is None  # isRelatedTo is not a parent


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda d: d.pop("CFDocument"), "CFDocument"),
        (lambda d: d["CFDocument"].pop("title"), "CFDocument.title"),
        (lambda d: d["CFItems"].append({"fullStatement": "x"}), "CFItems[4].uri"),
        (lambda d: d["CFItems"].append("x"), "CFItems[4]"),
        (
            lambda d: d["CFItems"].append(dict(d["CFItems"][1])),
            "competencies[4].id",
        ),
    ],
    ids=["no-document", "no-title", "item-without-id", "item-not-object", "duplicate-item"],
)
def test_case_import_errors(mutate: Any, field: str) -> None:
    doc = _foreign_case()
    mutate(doc)
    with pytest.raises(BadRequest) as raised:
        framework_from_case(doc)
    assert raised.value.details["field"] == field


def test_case_export_shape() -> None:
    fw = framework_from_dict(_doc())
    case = framework_to_case(fw, last_change="2026-11-25T00:00:00+00:00")
    item = case["CFItems"][1]
    assert item["uri"] == "https://example.com/c/b"
    assert item["abbreviatedStatement"] == "B" and item["fullStatement"] == "b"
    assert item["language"] == "en" and item["humanCodingScheme"] == "b"
    assert item["lastChangeDateTime"] == "2026-11-25T00:00:00+00:00"
    assert item["extensions"][CASE_EXTENSION]["policy"] == "monthly"
    root, child = case["CFAssociations"]
    assert root["destinationNodeURI"]["uri"] == fw.id
    assert child["destinationNodeURI"]["uri"] == "https://example.com/c/a"
    assert isinstance(fw, Framework)
