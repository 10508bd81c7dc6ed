"""The learner directory as the admin API uses it: look-ups, pages, profile changes and
imports. The web layer calls this, never the store, so the rules (a manager must exist,
an unknown learner is a 404) live in one place."""

from __future__ import annotations

from typing import Any, Protocol

from lrs_bridge.errors import BadRequest, NotFound
from lrs_bridge.services.directory import DirectoryStore, ImportResult, import_directory
from lrs_bridge.store.base import Clock, StateReducer


class LearnerStore(DirectoryStore, Protocol):
    """The directory reads and writes this service needs (SqlStore provides them)."""

    def learner_by_id(self, learner_id: int) -> dict[str, Any] | None: ...

    def list_learners(self, team: str | None, limit: int, offset: int) -> list[dict[str, Any]]: ...

    def update_learner(self, learner_id: int, changes: dict[str, Any]) -> bool: ...


class LearnerDirectory:
    """Directory use cases for admins and for the learners reading themselves."""

    def __init__(self, store: LearnerStore, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    def get(self, learner_id: int) -> dict[str, Any]:
        """One learner with their identifiers; 404 when there is none."""
        found = self.store.learner_by_id(learner_id)
        if found is None:
            raise NotFound(f"no learner {learner_id}")
        return found

    def by_agent_key(self, key: str | None) -> dict[str, Any]:
        """The learner an identifier (canonical IFI key) points to; 404 when none does."""
        found = self.store.learner_by_agent_key(key) if key else None
        if found is None:
            raise NotFound("no learner has this agent's identifier")
        return found

    def page(self, team: str | None, limit: int, offset: int) -> list[dict[str, Any]]:
        """A page of the directory, optionally one team's."""
        return self.store.list_learners(team, limit, offset)

    def update(self, learner_id: int, changes: dict[str, Any]) -> dict[str, Any]:
        """Change profile fields; the new manager must be in the directory."""
        manager = changes.get("manager_id")
        if manager is not None and self.store.learner_by_id(manager) is None:
            raise BadRequest(f"no learner {manager} to be the manager", field="manager_id")
        if not self.store.update_learner(learner_id, changes):
            raise NotFound(f"no learner {learner_id}")
        return self.get(learner_id)

    def import_csv(self, text: str, reduce: StateReducer) -> ImportResult:
        """Import a directory CSV (see :func:`import_directory`)."""
        return import_directory(self.store, text, reduce, self.clock)
