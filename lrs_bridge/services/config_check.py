"""Checking competency configuration files before anything runs on them.

``serve`` checks the framework and map once, before it starts gunicorn: a typo then stops it
with one line naming the file, the rule and the field, instead of every web worker failing
to boot with a traceback. ``lrs-bridge competencies validate FILE`` runs the same check.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import orjson

from lrs_bridge.competency.mapping import read_map_document
from lrs_bridge.errors import BadRequest
from lrs_bridge.services.competencies import (
    DEFAULTS_DIR,
    CompetencyEngine,
    engine_from_documents,
)

_RULE_FIELD = re.compile(r"^rules\[(\d+)\]")


@dataclasses.dataclass(frozen=True, kw_only=True)
class CheckedConfig:
    """What a valid framework and map hold, for a one-line summary."""

    framework_file: str
    map_file: str
    engine: CompetencyEngine

    def summary(self) -> str:
        """``ok: …`` with the counts an admin recognises."""
        cmap, framework = self.engine.map, self.engine.framework
        return (
            f"ok: competency map {self.map_file} (version {cmap.version}): "
            f"{len(cmap.rules)} rules, {len(cmap.policies)} policies, "
            f"{len(cmap.methods)} methods, {len(cmap.refreshers.catalogue)} refreshers; "
            f"framework {self.framework_file} ({framework.id}): "
            f"{len(framework.competencies)} competencies"
        )


def check_files(framework_file: str, map_file: str) -> CheckedConfig:
    """Load and cross-check both files (empty names: the packaged defaults).

    Raises :class:`BadRequest` whose message is one line: the file, the rule id when the
    problem is inside a rule, the field path and what is wrong.
    """
    framework_path = Path(framework_file or DEFAULTS_DIR / "framework.json")
    map_path = Path(map_file or DEFAULTS_DIR / "competency-map.yaml")
    framework_doc = _read(framework_path, lambda p: orjson.loads(p.read_bytes()))
    map_doc = _read(map_path, read_map_document)
    try:
        engine = engine_from_documents(framework_doc, map_doc)
    except BadRequest as error:
        raise _one_line(error, framework_path, map_path, map_doc) from None
    return CheckedConfig(framework_file=str(framework_path), map_file=str(map_path), engine=engine)


def is_framework_document(path: Path) -> bool:
    """Whether a file to validate is a framework (a JSON object with ``competencies``)."""
    if path.suffix != ".json":
        return False
    try:
        document = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return False
    return isinstance(document, dict) and "competencies" in document and "rules" not in document


def _read(path: Path, reader: Any) -> Any:
    try:
        return reader(path)
    except OSError as error:
        raise BadRequest(f"{path}: cannot read: {error.strerror}", field="path") from None
    except orjson.JSONDecodeError as error:
        raise BadRequest(f"{path}: cannot parse: {error}", field="path") from None
    except BadRequest as error:
        raise BadRequest(_flatten(error.message), **error.details) from None


def _one_line(error: BadRequest, framework_path: Path, map_path: Path, map_doc: Any) -> BadRequest:
    field = str(error.details.get("field") or "")
    message = error.message
    # The loaders prefix their own source names; the file path says it better.
    for prefix in ("competency map: ", "competency framework: ", "framework: "):
        message = message.removeprefix(prefix)
    found = _RULE_FIELD.match(field)
    rule_id = _rule_id(map_doc, int(found.group(1))) if found else None
    in_map = found is not None or "competency map" in error.message or _is_map_field(field)
    source = map_path if in_map else framework_path
    if rule_id is not None and f"rule {rule_id!r}" not in message:
        message = f"rule {rule_id!r}: {message}"
    if field and field not in message:
        message = f"{message} (field {field})"
    details = {**error.details, **({"rule": rule_id} if rule_id else {})}
    return BadRequest(_flatten(f"{source}: {message}"), **details)


def _is_map_field(field: str) -> bool:
    return field.split(".")[0].split("[")[0] in {
        "version",
        "methods",
        "policies",
        "direct",
        "rules",
        "refreshers",
    }


def _rule_id(map_doc: Any, index: int) -> str | None:
    rules = map_doc.get("rules") if isinstance(map_doc, dict) else None
    if isinstance(rules, list) and index < len(rules) and isinstance(rules[index], dict):
        rule_id = rules[index].get("id")
        return str(rule_id) if rule_id is not None else None
    return None


def _flatten(text: str) -> str:
    """One line: parser messages (YAML) span several."""
    return " ".join(text.split())
