"""The history of the competency configuration: its versions, the difference between any
two, and a rollback (an old version saved again as the newest, so history only grows).

A diff is given two ways: per item (rules, competencies, policies, methods and refreshers
added, removed or changed, and which of their fields changed), which is what an admin asks
("what did this change do?"), and as a unified diff of canonical YAML for the details.
"""

from __future__ import annotations

import dataclasses
import difflib
from typing import Any, Protocol

import yaml

from lrs_bridge.errors import BadRequest, NotFound
from lrs_bridge.services.config_items import COLLECTIONS, Collection, items


class VersionStore(Protocol):
    """What the history needs from the store."""

    def config_versions(self, limit: int = 500) -> list[dict[str, Any]]:
        """Saved versions, newest first, without documents."""
        ...

    def config_version(self, config_id: int) -> dict[str, Any] | None:
        """One version with its documents."""
        ...


@dataclasses.dataclass(frozen=True, kw_only=True)
class ItemChange:
    """One item ``added``, ``removed`` or ``changed`` (``fields``: its changed fields)."""

    collection: str  # a name of COLLECTIONS, or "settings" for the other top-level parts
    item_id: str
    change: str
    fields: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True, kw_only=True)
class ConfigDiff:
    """From one version to another: per item, and the unified diff of canonical YAML."""

    old: int
    new: int
    items: tuple[ItemChange, ...]
    unified: str

    @property
    def counts(self) -> dict[str, int]:
        """How many items were added, removed and changed."""
        out = {"added": 0, "removed": 0, "changed": 0}
        for change in self.items:
            out[change.change] += 1
        return out


def canonical_yaml(document: Any) -> str:
    """A document as YAML with sorted keys (list order kept), so equal documents give equal
    text and a diff shows only real changes."""
    return yaml.safe_dump(document, sort_keys=True, allow_unicode=True, width=100)


def parse_yaml_document(text: str, *, field: str) -> Any:
    """A YAML (or JSON, which is YAML) document; BadRequest names ``field`` and the line."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise BadRequest(f"{field}: not valid YAML{where}", field=field) from None
    if not isinstance(document, dict):
        raise BadRequest(f"{field}: the document must be a mapping", field=field)
    return document


def _by_id(found: Any, where: Collection) -> dict[str, Any]:
    if where.shape == "dict":
        return dict(found) if isinstance(found, dict) else {}
    return {str(i["id"]): i for i in found if isinstance(i, dict) and "id" in i}


def _changed_fields(old: Any, new: Any) -> tuple[str, ...]:
    if isinstance(old, dict) and isinstance(new, dict):
        return tuple(sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k)))
    return ("value",)


#: The top-level keys that are collections (the refresher catalogue sits one level down).
_COLLECTION_KEYS = {(c.document, c.path[0]) for c in COLLECTIONS.values() if len(c.path) == 1}


def _settings(documents: dict[str, Any]) -> dict[str, Any]:
    """The parts outside every collection: the map's version, direct alignment and
    refresher settings, the framework's id and name."""
    out: dict[str, Any] = {}
    for document in ("framework", "map"):
        for key, value in (documents.get(document) or {}).items():
            if (document, key) in _COLLECTION_KEYS:
                continue
            if document == "map" and key == "refreshers" and isinstance(value, dict):
                value = {k: v for k, v in value.items() if k != "catalogue"}
            out[f"{document}.{key}"] = value
    return out


def item_changes(old: dict[str, Any], new: dict[str, Any]) -> tuple[ItemChange, ...]:
    """Per-item differences between two ``{"framework", "map"}`` document pairs."""
    changes: list[ItemChange] = []
    groups = [
        (c.name, _by_id(items(old, c), c), _by_id(items(new, c), c)) for c in COLLECTIONS.values()
    ]
    groups.append(("settings", _settings(old), _settings(new)))
    for name, before, after in groups:
        for item_id in before.keys() - after.keys():
            changes.append(ItemChange(collection=name, item_id=item_id, change="removed"))
        for item_id in after.keys() - before.keys():
            changes.append(ItemChange(collection=name, item_id=item_id, change="added"))
        for item_id in before.keys() & after.keys():
            if before[item_id] != after[item_id]:
                changes.append(
                    ItemChange(
                        collection=name,
                        item_id=item_id,
                        change="changed",
                        fields=_changed_fields(before[item_id], after[item_id]),
                    )
                )
    order = {name: i for i, name in enumerate([*COLLECTIONS, "settings"])}
    return tuple(sorted(changes, key=lambda c: (order[c.collection], c.change, c.item_id)))


def unified_diff(old: dict[str, Any], new: dict[str, Any], old_name: str, new_name: str) -> str:
    """A unified diff of both documents as canonical YAML."""
    lines: list[str] = []
    for document, suffix in (("framework", "framework.yaml"), ("map", "competency-map.yaml")):
        lines.extend(
            difflib.unified_diff(
                canonical_yaml(old.get(document)).splitlines(keepends=True),
                canonical_yaml(new.get(document)).splitlines(keepends=True),
                fromfile=f"{old_name}/{suffix}",
                tofile=f"{new_name}/{suffix}",
            )
        )
    return "".join(lines)


def rollback_note(version_id: int) -> str:
    """The note a rollback saves its new version with."""
    return f"rollback to v{version_id}"


class ConfigHistory:
    """Saved versions of the framework and map, their diffs, and rollbacks' candidates."""

    def __init__(self, store: VersionStore) -> None:
        self.store = store

    def versions(self) -> list[dict[str, Any]]:
        """Newest first: id, note, created_by, created_us, replayed_us."""
        return self.store.config_versions()

    def version(self, version_id: int) -> dict[str, Any]:
        """One version with its documents; NotFound names it."""
        found = self.store.config_version(version_id)
        if found is None:
            raise NotFound(f"no configuration version {version_id}", field="version")
        return found

    def diff(self, old_id: int, new_id: int) -> ConfigDiff:
        """What changed from version ``old_id`` to ``new_id`` (either may be older)."""
        old, new = self.version(old_id), self.version(new_id)
        return ConfigDiff(
            old=old_id,
            new=new_id,
            items=item_changes(old, new),
            unified=unified_diff(old, new, f"v{old_id}", f"v{new_id}"),
        )

    def rollback_candidate(self, version_id: int) -> tuple[Any, Any, str]:
        """The framework and map of an old version, and the note to save them with."""
        old = self.version(version_id)
        return old["framework"], old["map"], rollback_note(version_id)
