"""What one learner's page shows: competencies, evidence trails, assignments and history.

The API's ``/learners/<id>/competencies`` and the console's learner page both read through
:class:`LearnerView`, so the level and status a person sees in a browser are the ones the API
returns. Acknowledging and snoozing go through the :class:`RefresherService` with the API's
rules on who may act.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Collection, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from lrs_bridge.competency.assignment import snooze_allowed
from lrs_bridge.competency.catalogue import RefresherActivity
from lrs_bridge.competency.policy import add_duration
from lrs_bridge.errors import BadRequest, Forbidden, NotFound
from lrs_bridge.services.competencies import CompetencyEngine
from lrs_bridge.services.outbox import describe_for_people
from lrs_bridge.store.assignment_records import OPEN_STATUSES, Assignment, Notification
from lrs_bridge.store.trail import SqlTrailStore, TrailEntry
from lrs_bridge.xapi.timefmt import format_timestamp_us, parse_timestamp_us

if TYPE_CHECKING:
    from lrs_bridge.runtime import Runtime

_BARE_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
#: How many assignments of one learner the page lists (open and closed together).
MAX_ASSIGNMENTS = 500


class LearnerReads(Protocol):
    """The store reads the learner page needs (``SqlStore`` provides them)."""

    def learner_by_id(self, learner_id: int) -> dict[str, Any] | None: ...
    def learner_competencies(self, learner_id: int) -> list[dict[str, Any]]: ...
    def list_assignments(
        self,
        *,
        learner_ids: Collection[int] | None = None,
        status: Collection[str] | None = None,
        limit: int = 100,
    ) -> list[Assignment]: ...
    def assignment(self, assignment_id: int) -> Assignment | None: ...
    def assignment_events(self, assignment_id: int) -> list[dict[str, Any]]: ...
    def assignment_notifications(self, assignment_id: int) -> list[Notification]: ...


class TrailReads(Protocol):
    """Evidence with its statements, and a learner's notifications (``SqlTrailStore``)."""

    def evidence_trail(self, learner_id: int, competency_id: str) -> list[TrailEntry]: ...
    def learner_events(self, learner_id: int) -> list[dict[str, Any]]: ...
    def learner_notifications(self, learner_id: int, limit: int = 200) -> list[Notification]: ...


class Engines(Protocol):
    """The active competency engine (``EngineSource``)."""

    def current(self) -> CompetencyEngine: ...


class RefresherActions(Protocol):
    """The assignment actions a learner may take (``RefresherService``)."""

    def acknowledge(self, assignment_id: int, actor: str) -> Assignment: ...
    def snooze(self, assignment_id: int, until_us: int, actor: str) -> Assignment: ...


@dataclasses.dataclass(frozen=True, kw_only=True)
class CompetencyRow:
    """One competency of a learner, as the API reports it."""

    competency_id: str
    #: The framework's language map (None for a state whose competency left the framework).
    name: Mapping[str, str] | None
    level: float
    status: str
    last_evidence_us: int | None
    stale_at_us: int | None
    evidence_count: int
    #: The ledger's trail: statement_id, rule, method, weight, quality, at_us.
    evidence: list[dict[str, Any]]


@dataclasses.dataclass(frozen=True, kw_only=True)
class Event:
    """One entry of an assignment's trail, without delivery targets."""

    assignment_id: int
    at_us: int
    from_status: str | None
    to_status: str
    cause: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class AssignmentDetail:
    """An assignment with its catalogue activity, trail and notifications."""

    assignment: Assignment
    activity: RefresherActivity | None
    #: Newest first.
    events: list[Event]
    #: ``describe_for_people`` views: never targets or errors.
    notifications: list[dict[str, Any]]


@dataclasses.dataclass(frozen=True, kw_only=True)
class History:
    """What happened: closed assignments, every assignment event, notifications sent."""

    closed: list[Assignment]
    #: Newest first.
    events: list[Event]
    notifications: list[dict[str, Any]]


def may_act(assignment: Assignment, *, admin: bool, learner_id: int | None) -> bool:
    """Whether someone may acknowledge or snooze: the learner or an admin, not a manager."""
    return admin or (learner_id is not None and learner_id == assignment.learner_id)


def learner_view(rt: Runtime) -> LearnerView:
    """The service wired from a process's runtime (NotFound when the engine is off)."""
    if rt.competencies is None:
        raise NotFound("the competency engine is off on this server")
    return LearnerView(rt.store, SqlTrailStore(rt.engine), rt.competencies, rt.refreshers, rt.clock)


class LearnerView:
    """Use cases of the learner page (and of the API's learner competencies)."""

    def __init__(
        self,
        store: LearnerReads,
        trails: TrailReads,
        engines: Engines,
        refreshers: RefresherActions | None,
        clock: Callable[[], int],
    ) -> None:
        self.store = store
        self.trails = trails
        self.engines = engines
        self.refreshers = refreshers
        self.clock = clock

    def learner(self, learner_id: int) -> dict[str, Any]:
        """The directory entry, or NotFound."""
        found = self.store.learner_by_id(learner_id)
        if found is None:
            raise NotFound(f"no learner {learner_id}")
        return found

    def competencies(self, learner_id: int) -> list[CompetencyRow]:
        """The learner's stored competency states with status now (what the API lists)."""
        engine = self.engines.current()
        now = self.clock()
        rows = []
        for state in self.store.learner_competencies(learner_id):
            competency = engine.framework.get(state["competency_id"])
            rows.append(
                CompetencyRow(
                    competency_id=state["competency_id"],
                    name=competency.name if competency else None,
                    level=state["level"],
                    status=engine.status(state["competency_id"], state["stale_at_us"], now),
                    last_evidence_us=state["last_evidence_us"],
                    stale_at_us=state["stale_at_us"],
                    evidence_count=state["evidence_count"],
                    evidence=state["evidence"],
                )
            )
        return rows

    def framework_rows(self, learner_id: int) -> list[CompetencyRow]:
        """Every framework competency in framework order; never-trained ones as ``none``."""
        engine = self.engines.current()
        stored = {row.competency_id: row for row in self.competencies(learner_id)}
        now = self.clock()
        return [
            stored.get(c.id)
            or CompetencyRow(
                competency_id=c.id,
                name=c.name,
                level=0.0,
                status=engine.status(c.id, None, now),
                last_evidence_us=None,
                stale_at_us=None,
                evidence_count=0,
                evidence=[],
            )
            for c in engine.framework.competencies
        ]

    def competency(self, learner_id: int, competency_id: str) -> CompetencyRow:
        """One framework competency of the learner (BadRequest naming ``competency``)."""
        for row in self.framework_rows(learner_id):
            if row.competency_id == competency_id:
                return row
        raise BadRequest(
            f"competency: {competency_id!r} is not in the framework", field="competency"
        )

    def evidence_trail(self, learner_id: int, competency_id: str) -> list[TrailEntry]:
        """Each evidence row of one competency with its statement's verb and activity."""
        self.competency(learner_id, competency_id)
        return self.trails.evidence_trail(learner_id, competency_id)

    def open_assignments(self, learner_id: int) -> list[AssignmentDetail]:
        """Open assignments, soonest due first."""
        rows = self.store.list_assignments(
            learner_ids=[learner_id], status=OPEN_STATUSES, limit=MAX_ASSIGNMENTS
        )
        return [self._detail(a) for a in sorted(rows, key=lambda a: a.due_us)]

    def history(self, learner_id: int) -> History:
        """Closed assignments, the events of all assignments (newest first), notifications."""
        rows = self.store.list_assignments(learner_ids=[learner_id], limit=MAX_ASSIGNMENTS)
        return History(
            closed=[a for a in rows if not a.open],
            events=[Event(**e) for e in self.trails.learner_events(learner_id)],
            notifications=[
                describe_for_people(n) for n in self.trails.learner_notifications(learner_id)
            ],
        )

    def assignment(self, assignment_id: int) -> AssignmentDetail:
        """One assignment with its trail, or NotFound."""
        found = self.store.assignment(assignment_id)
        if found is None:
            raise NotFound(f"no assignment {assignment_id}")
        return self._detail(found)

    def acknowledge(
        self, assignment_id: int, *, admin: bool, learner_id: int | None, actor: str
    ) -> Assignment:
        """The learner (or an admin) has seen it; ``actor`` names them in the trail."""
        self._may_act(assignment_id, admin=admin, learner_id=learner_id)
        return self._actions().acknowledge(assignment_id, actor)

    def snooze(
        self,
        assignment_id: int,
        *,
        by: str | None,
        until: str | None,
        admin: bool,
        learner_id: int | None,
        actor: str,
    ) -> Assignment:
        """Move the due date later by a duration (``P3D``) or to a time, within snooze_max.

        ``until`` is an ISO 8601 timestamp, or a bare date (a date picker's ``2026-05-01``),
        which keeps the current due time of day.
        """
        current = self._may_act(assignment_id, admin=admin, learner_id=learner_id)
        if (by is None) == (until is None):
            raise BadRequest("until: give exactly one of until or by", field="until")
        if until is not None:
            if _BARE_DATE.fullmatch(until):
                until = f"{until}T{format_timestamp_us(current.due_us)[11:19]}Z"
            until_us = parse_timestamp_us(until)
            if until_us is None:
                raise BadRequest("until: not an ISO 8601 timestamp", field="until")
        else:
            assert by is not None
            if not by.startswith("P"):
                raise BadRequest("by: must be an ISO 8601 duration such as P7D", field="by")
            until_us = add_duration(current.due_us, by, field="by")
        return self._actions().snooze(assignment_id, until_us, actor)

    def snooze_latest(self, assignment: Assignment) -> int:
        """The latest due date ``refreshers.snooze_max`` allows for this assignment."""
        settings = self.engines.current().map.refreshers
        _, latest = snooze_allowed(
            snoozed_us=assignment.snoozed_us,
            due_us=assignment.due_us,
            new_due_us=assignment.due_us,
            settings=settings,
        )
        return latest

    # -- helpers --------------------------------------------------------------------------

    def _may_act(self, assignment_id: int, *, admin: bool, learner_id: int | None) -> Assignment:
        """Only the learner or an admin may act (as ``api/assignments.py``); managers read."""
        found = self.store.assignment(assignment_id)
        if found is None:
            raise NotFound(f"no assignment {assignment_id}")
        if not may_act(found, admin=admin, learner_id=learner_id):
            raise Forbidden("only the learner or an admin may act on an assignment")
        return found

    def _actions(self) -> RefresherActions:
        if self.refreshers is None:
            raise NotFound("the competency engine is off on this server")
        return self.refreshers

    def _events(self, assignment_id: int) -> list[Event]:
        return [
            Event(
                assignment_id=assignment_id,
                at_us=e["at_us"],
                from_status=e["from"],
                to_status=e["to"],
                cause=e["cause"],
            )
            for e in self.store.assignment_events(assignment_id)
        ]

    def _detail(self, a: Assignment) -> AssignmentDetail:
        return AssignmentDetail(
            assignment=a,
            activity=self.engines.current().map.refreshers.activity(a.activity_id),
            events=self._events(a.id)[::-1],  # newest first, as the history lists them
            notifications=[
                describe_for_people(n) for n in self.store.assignment_notifications(a.id)
            ],
        )
