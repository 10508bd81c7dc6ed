"""Configuration history: versions, a per-item and a unified diff, rollback, canonical YAML."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from lrs_bridge.errors import BadRequest, NotFound
from lrs_bridge.services.competencies import file_documents
from lrs_bridge.services.config_history import (
    ConfigHistory,
    ItemChange,
    canonical_yaml,
    item_changes,
    parse_yaml_document,
)

CLOCK = lambda: 1_700_000_000_000_000  # noqa: E731


def _shipped() -> dict[str, Any]:
    framework, cmap = file_documents("", "")
    return {"framework": framework, "map": cmap}


def _save(store, docs: dict[str, Any], note: str) -> int:
    return store.save_config(
        docs["framework"], docs["map"], note=note, created_by="admin", clock=CLOCK
    )


def test_canonical_yaml_round_trips_the_shipped_documents():
    docs = _shipped()
    for document in docs.values():
        text = canonical_yaml(document)
        assert parse_yaml_document(text, field="file") == document
        assert canonical_yaml(parse_yaml_document(text, field="file")) == text


@pytest.mark.parametrize(
    ("text", "message"),
    [("rules: [unclosed", "file: not valid YAML at line 1"), ("- a list", "must be a mapping")],
)
def test_bad_yaml_names_the_field(text, message):
    with pytest.raises(BadRequest) as error:
        parse_yaml_document(text, field="file")
    assert message in error.value.message and error.value.details["field"] == "file"


def _edited() -> tuple[dict[str, Any], dict[str, Any], str, str]:
    old = _shipped()
    new = copy.deepcopy(old)
    rules = new["map"]["rules"]
    removed = rules.pop(0)["id"]
    rules[0]["description"] = "changed"
    rules.append({**copy.deepcopy(rules[1]), "id": "brand-new"})
    new["map"]["methods"]["webinar"] = 0.13
    new["map"]["policies"]["yearly"] = {"kind": "fixed", "validity": "P1Y"}
    new["framework"]["competencies"][0]["name"]["en"] = "Renamed"
    new["map"]["refreshers"]["grace"] = "P7D"
    return old, new, removed, rules[0]["id"]


def test_item_changes_name_what_was_added_removed_and_changed():
    old, new, removed, changed_rule = _edited()
    competency = new["framework"]["competencies"][0]["id"]
    assert set(item_changes(old, new)) == {
        ItemChange(collection="rules", item_id=removed, change="removed"),
        ItemChange(collection="rules", item_id="brand-new", change="added"),
        ItemChange(
            collection="rules", item_id=changed_rule, change="changed", fields=("description",)
        ),
        ItemChange(collection="methods", item_id="webinar", change="changed", fields=("value",)),
        ItemChange(collection="policies", item_id="yearly", change="added"),
        ItemChange(
            collection="framework-competencies",
            item_id=competency,
            change="changed",
            fields=("name",),
        ),
        ItemChange(
            collection="settings", item_id="map.refreshers", change="changed", fields=("grace",)
        ),
    }
    assert item_changes(old, copy.deepcopy(old)) == ()


def test_history_lists_versions_newest_first_and_diffs_any_two(store):
    old, new, removed, _ = _edited()
    first = _save(store, old, "first")
    second = _save(store, new, "second")
    history = ConfigHistory(store)
    versions = history.versions()
    assert [(v["id"], v["note"]) for v in versions] == [(second, "second"), (first, "first")]
    assert set(versions[0]) == {"id", "note", "created_by", "created_us", "replayed_us"}
    diff = history.diff(first, second)
    assert diff.counts == {"added": 2, "removed": 1, "changed": 4}
    assert f"-  id: {removed}" in diff.unified or f"- id: {removed}" in diff.unified
    assert diff.unified.startswith(f"--- v{first}/framework.yaml\n+++ v{second}/framework.yaml")
    backwards = history.diff(second, first)
    assert backwards.counts == {"added": 1, "removed": 2, "changed": 4}


def test_rollback_gives_the_old_documents_and_a_note(store):
    old, new, _, _ = _edited()
    first = _save(store, old, "first")
    _save(store, new, "second")
    history = ConfigHistory(store)
    framework, cmap, note = history.rollback_candidate(first)
    assert note == f"rollback to v{first}"
    third = store.save_config(framework, cmap, note=note, created_by="admin", clock=CLOCK)
    assert history.diff(first, third).items == ()
    assert history.versions()[0]["note"] == f"rollback to v{first}"


def test_an_unknown_version_is_not_found(store):
    with pytest.raises(NotFound):
        ConfigHistory(store).diff(1, 2)
