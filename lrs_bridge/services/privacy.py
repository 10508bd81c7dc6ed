"""Privacy use cases: erase one learner, export statements under pseudonyms."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson

from lrs_bridge.errors import NotFound
from lrs_bridge.services.competencies import EngineSource
from lrs_bridge.store.attachments import AttachmentStore
from lrs_bridge.store.base import Clock
from lrs_bridge.store.sqlalchemy import SqlStore
from lrs_bridge.xapi.pseudonymise import pseudonymise
from lrs_bridge.xapi.timefmt import format_timestamp_us


class PrivacyService:
    """Erasure and pseudonymised export (admin only; the API and CLI check that)."""

    def __init__(
        self,
        store: SqlStore,
        engines: EngineSource | None,
        clock: Clock,
        attachments: AttachmentStore,
    ) -> None:
        self.store = store
        self.engines = engines
        self.clock = clock
        self.attachments = attachments

    def erase(self, learner_id: int, requested_by: str, *, dry_run: bool = False) -> dict[str, Any]:
        """Erase a learner and everything that identifies them; returns the audit record.

        ``dry_run`` only counts what would go, so an operator sees the scale first.
        """
        if dry_run:
            counts = self.store.erasure_counts(learner_id)
            if counts is None:
                raise NotFound(f"no learner {learner_id}")
            return {"dry_run": True, "counts": counts}
        reduce = self.engines.current().reduce if self.engines is not None else None
        record = self.store.erase_learner(
            learner_id, requested_by=requested_by, now_us=self.clock(), reduce=reduce
        )
        if record is None:
            raise NotFound(f"no learner {learner_id}")
        for sha2 in record.pop("files"):
            self.attachments.path_of(sha2).unlink(missing_ok=True)
        at_us = int(record.pop("at_us"))
        return {**record, "at": format_timestamp_us(at_us)}

    def erasures(self) -> list[dict[str, Any]]:
        """The erasure audit trail, newest first (no personal data in it)."""
        return self.store.erasures()

    def export_lines(self, *, pseudonymised: bool = True) -> Iterator[bytes]:
        """Every non-voided statement as one JSON line, in stored order."""
        key = self.store.pseudonym_key() if pseudonymised else b""
        for _seq, _timestamp, statement in self.store.iter_statements():
            body = pseudonymise(statement, key) if pseudonymised else statement
            yield orjson.dumps(body) + b"\n"
