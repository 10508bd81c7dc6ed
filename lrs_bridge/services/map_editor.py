"""The map editor's use cases: preview a candidate configuration, then save exactly what was
previewed; edit one item; upload and download documents; test a statement against the map.

Every save goes through a preview: :meth:`MapEditor.preview` validates the candidate, runs
the dry run and gives a fingerprint of the candidate and of the active version it was
compared with. :meth:`MapEditor.save` saves only when that fingerprint still holds, so a
candidate changed after its preview, or a version saved by someone else meanwhile, is
previewed again rather than saved unseen.
"""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Any, Literal

import orjson

from lrs_bridge.errors import BadRequest
from lrs_bridge.services.admin import ConfigService, DryRun, explain
from lrs_bridge.services.competencies import EngineSource
from lrs_bridge.services.config_history import (
    ConfigHistory,
    ItemChange,
    canonical_yaml,
    item_changes,
    parse_yaml_document,
)
from lrs_bridge.services.config_items import collection, edited
from lrs_bridge.store.sqlalchemy import SqlStore
from lrs_bridge.xapi.validate import validate_statement

Document = Literal["framework", "map"]


@dataclasses.dataclass(frozen=True, kw_only=True)
class Candidate:
    """A proposed framework and map, with the note its version would be saved with."""

    framework: Any
    map: Any
    note: str

    def to_json(self) -> str:
        """The candidate as the preview's confirm form carries it."""
        return orjson.dumps({"framework": self.framework, "map": self.map}).decode()

    @classmethod
    def from_json(cls, text: str, note: str) -> Candidate:
        """The candidate a confirm form sent back; BadRequest names ``candidate``."""
        try:
            data = orjson.loads(text)
        except orjson.JSONDecodeError:
            raise BadRequest("candidate: not JSON", field="candidate") from None
        if not isinstance(data, dict) or set(data) != {"framework", "map"}:
            raise BadRequest("candidate: needs framework and map", field="candidate")
        return cls(framework=data["framework"], map=data["map"], note=note)


def fingerprint(candidate: Candidate, base_version: int | None) -> str:
    """A hash of the candidate's documents and the version it was previewed against."""
    payload = orjson.dumps(
        [base_version, candidate.framework, candidate.map], option=orjson.OPT_SORT_KEYS
    )
    return hashlib.sha256(payload).hexdigest()


@dataclasses.dataclass(frozen=True, kw_only=True)
class Preview:
    """A validated candidate, what it would do, and the fingerprint a save must quote."""

    candidate: Candidate
    base_version: int | None
    dry_run: DryRun
    changes: tuple[ItemChange, ...]
    fingerprint: str


class MapEditor:
    """The admin's map editor over the configuration service and the version history."""

    def __init__(self, store: SqlStore, source: EngineSource, config: ConfigService) -> None:
        self.store = store
        self.source = source
        self.config = config
        self.history = ConfigHistory(store)

    def documents(self) -> dict[str, Any]:
        """The active documents and version: ``{"version", "framework", "map"}``."""
        return self.config.documents()

    def edit_item(self, name: str, item_id: str, body: Any | None) -> Candidate:
        """The candidate with one item replaced, added or (``body`` None) deleted."""
        docs = self.documents()
        changed = edited(docs, collection(name), item_id, body)
        verb = "delete" if body is None else "edit"
        return Candidate(
            framework=changed["framework"], map=changed["map"], note=f"{verb} {name}/{item_id}"
        )

    def upload(self, document: Document, text: str, filename: str) -> Candidate:
        """The candidate with the whole map or framework replaced by an uploaded YAML (or
        JSON) file."""
        parsed = parse_yaml_document(text, field="file")
        docs = self.documents()
        docs[document] = parsed
        return Candidate(
            framework=docs["framework"], map=docs["map"], note=f"upload {document}: {filename}"
        )

    def download(self, document: Document) -> str:
        """The active map or framework as canonical YAML."""
        return canonical_yaml(self.documents()[document])

    def rollback(self, version_id: int) -> Candidate:
        """The candidate that saves an old version again, as the newest."""
        framework, cmap, note = self.history.rollback_candidate(version_id)
        return Candidate(framework=framework, map=cmap, note=note)

    def preview(self, candidate: Candidate) -> Preview:
        """Validate the candidate (BadRequest names the rule and the field) and dry-run it."""
        active = self.documents()
        _, _, engine = self.config.candidate(candidate.framework, candidate.map)
        return Preview(
            candidate=candidate,
            base_version=active["version"],
            dry_run=self.config.dry_run(engine),
            changes=item_changes(active, {"framework": candidate.framework, "map": candidate.map}),
            fingerprint=fingerprint(candidate, active["version"]),
        )

    def save(self, candidate: Candidate, quoted: str, by: str) -> int | Preview:
        """Save the candidate if ``quoted`` is the fingerprint of its preview against the
        active version; otherwise the fresh preview to show instead."""
        active_version = self.documents()["version"]
        if quoted != fingerprint(candidate, active_version):
            return self.preview(candidate)
        framework, cmap, _ = self.config.candidate(candidate.framework, candidate.map)
        return self.config.apply(framework, cmap, note=candidate.note, created_by=by)

    def test_statement(self, text: str | None, statement_id: str | None) -> dict[str, Any]:
        """``explain`` for a pasted statement (JSON) or a stored one by id."""
        if statement_id:
            return self.config.explain_stored(self.source.current(), statement_id)
        if not text or not text.strip():
            raise BadRequest("statement: paste a statement or give a stored id", field="statement")
        try:
            statement = orjson.loads(text)
        except orjson.JSONDecodeError as error:
            raise BadRequest(f"statement: not JSON ({error})", field="statement") from None
        validate_statement(statement, version="1.0.3")
        return explain(self.source.current(), statement)
