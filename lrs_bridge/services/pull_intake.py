"""One pulled page through intake, as if a tool had posted it: validated, deduplicated by id,
evaluated by the competency engine, stored in one transaction.

A page the intake refuses as a whole because of one statement (an id held here with other
content, an invalid statement, missing attachment content) is split in halves until the
statements that fail are alone; they are skipped and reported, the rest is stored. A pull
must never stall on one bad statement upstream.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from lrs_bridge.auth import Principal
from lrs_bridge.errors import BadRequest, Conflict
from lrs_bridge.store.base import ReceivedAttachment
from lrs_bridge.upstream.client import AttachmentPart
from lrs_bridge.xapi.validate import validate_statement

#: Why a whole batch can fail because of one of its statements (``InvalidStatement`` is a
#: ``BadRequest``, and so is unusable attachment content).
_ONE_BAD = (Conflict, BadRequest)


class Intake(Protocol):
    """The ingest path received statements take (``StatementService``)."""

    def store_statements(
        self,
        statements: Sequence[dict[str, Any]],
        *,
        principal: Principal,
        version: str,
        statement_id: str | None = None,
        attachments: Mapping[str, ReceivedAttachment] | None = None,
    ) -> Any: ...


@dataclasses.dataclass(frozen=True, kw_only=True)
class Skipped:
    """A pulled statement that was not stored, and why."""

    id: str
    reason: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class PageOutcome:
    new: int
    skipped: list[Skipped]


class PageIntake:
    """Stores pulled pages under an upstream's pull credential."""

    def __init__(
        self, intake: Intake, spool_directory: Callable[[], Path | None] = lambda: None
    ) -> None:
        self.intake = intake
        self.spool_directory = spool_directory

    def store(
        self,
        statements: Sequence[dict[str, Any]],
        *,
        principal: Principal,
        version: str,
        parts: Mapping[str, AttachmentPart],
    ) -> PageOutcome:
        """Validate, then store what is valid (splitting around what intake refuses)."""
        skipped: list[Skipped] = []
        valid: list[dict[str, Any]] = []
        for statement in statements:
            statement_id = str(statement.get("id") or "")
            if not statement_id:
                # A statement without id would get a new one on every pull: counted twice.
                skipped.append(Skipped(id="?", reason="the upstream listed a statement without id"))
                continue
            try:
                validate_statement(statement, version=version)
            except BadRequest as exc:
                skipped.append(Skipped(id=statement_id, reason=str(exc)))
                continue
            valid.append(statement)
        new = self._split(valid, principal, version, parts, skipped)
        return PageOutcome(new=new, skipped=skipped)

    def _split(
        self,
        batch: list[dict[str, Any]],
        principal: Principal,
        version: str,
        parts: Mapping[str, AttachmentPart],
        skipped: list[Skipped],
    ) -> int:
        if not batch:
            return 0
        try:
            with self._received(batch, parts) as received:
                result = self.intake.store_statements(
                    batch, principal=principal, version=version, attachments=received
                )
            return int(result.new_count)
        except _ONE_BAD as exc:
            if len(batch) == 1:
                skipped.append(Skipped(id=str(batch[0].get("id")), reason=str(exc)))
                return 0
        middle = len(batch) // 2
        # In order: a voiding statement follows its target, as upstream listed them.
        return self._split(batch[:middle], principal, version, parts, skipped) + self._split(
            batch[middle:], principal, version, parts, skipped
        )

    @contextlib.contextmanager
    def _received(
        self, batch: Sequence[dict[str, Any]], parts: Mapping[str, AttachmentPart]
    ) -> Iterator[dict[str, ReceivedAttachment]]:
        """The batch's attachment parts, spooled to files as a multipart request's are (the
        attachment store may move them, so each try spools its own)."""
        used = {
            str(attachment.get("sha2", "")).lower()
            for statement in batch
            for attachment in statement.get("attachments") or ()
            if isinstance(attachment, dict)
        }
        wanted = [parts[sha2] for sha2 in sorted(used) if sha2 in parts]
        if not wanted:
            yield {}
            return
        paths: list[Path] = []
        received: dict[str, ReceivedAttachment] = {}
        try:
            for part in wanted:
                if not _content_matches(part):
                    continue  # not the content it claims: as if it were missing
                handle, name = tempfile.mkstemp(dir=self.spool_directory(), prefix="pull-")
                with os.fdopen(handle, "wb") as spooled:
                    spooled.write(part.content)
                paths.append(Path(name))
                received[part.sha2] = ReceivedAttachment(
                    sha2=part.sha2,
                    content_type=part.content_type,
                    length=len(part.content),
                    path=Path(name),
                )
            yield received
        finally:
            for path in paths:
                path.unlink(missing_ok=True)


#: SHA-2 variants by the length of their hex digest (Data §2.4.11: any SHA-2).
_SHA2_BY_LENGTH = {56: "sha224", 64: "sha256", 96: "sha384", 128: "sha512"}


def _content_matches(part: AttachmentPart) -> bool:
    algorithm = _SHA2_BY_LENGTH.get(len(part.sha2))
    return algorithm is not None and hashlib.new(algorithm, part.content).hexdigest() == part.sha2
