"""Reads of refresher assignments for the API and the console.

Apart from :class:`~lrs_bridge.services.refreshers.RefresherService`, which decides and needs
the competency engine: these reads work with the engine off too, as the API always has.
"""

from __future__ import annotations

from collections.abc import Collection
from contextlib import AbstractContextManager
from typing import Any, Protocol

from lrs_bridge.errors import NotFound
from lrs_bridge.store.assignment_records import Assignment, Notification
from lrs_bridge.store.base import Clock


class _LearnerReads(Protocol):
    def learners(self, learner_ids: Collection[int]) -> dict[int, dict[str, Any]]: ...


class AssignmentStoreReads(Protocol):
    """The store's assignment reads."""

    def list_assignments(self, **filters: Any) -> list[Assignment]: ...

    def assignment(self, assignment_id: int) -> Assignment | None: ...

    def assignment_events(self, assignment_id: int) -> list[dict[str, Any]]: ...

    def assignment_notifications(self, assignment_id: int) -> list[Notification]: ...

    def assignment_counts(self) -> dict[str, int]: ...

    def learner_by_id(self, learner_id: int) -> dict[str, Any] | None: ...

    def refresher_snapshot(self, now_us: int) -> AbstractContextManager[_LearnerReads]: ...


class AssignmentReader:
    """See the module doc."""

    def __init__(self, store: AssignmentStoreReads, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    def find(self, **filters: Any) -> list[Assignment]:
        """Assignments, newest first (filters of ``store.assignments.list_assignments``)."""
        return self.store.list_assignments(**filters)

    def get(self, assignment_id: int) -> Assignment:
        """One assignment; NotFound when there is none."""
        found = self.store.assignment(assignment_id)
        if found is None:
            raise NotFound(f"no assignment {assignment_id}")
        return found

    def events(self, assignment_id: int) -> list[dict[str, Any]]:
        """The event trail of one assignment, oldest first."""
        return self.store.assignment_events(assignment_id)

    def notifications(self, assignment_id: int) -> list[Notification]:
        """The notifications about one assignment."""
        return self.store.assignment_notifications(assignment_id)

    def counts(self) -> dict[str, int]:
        """Assignments per status."""
        return self.store.assignment_counts()

    def is_manager_of(self, manager_id: int, learner_id: int) -> bool:
        """Whether the directory names ``manager_id`` as ``learner_id``'s manager."""
        learner = self.store.learner_by_id(learner_id)
        return learner is not None and learner.get("manager_id") == manager_id

    def learners(self, learner_ids: Collection[int]) -> dict[int, dict[str, Any]]:
        """Directory rows (name, e-mail, team…) of the given learners, by id."""
        if not learner_ids:
            return {}
        with self.store.refresher_snapshot(self.clock()) as snapshot:
            return snapshot.learners(learner_ids)
