"""Refresher assignments: the scan that creates them, the follow-up that reminds and
escalates, completion by evidence, and what learners, managers and admins do with them.

Every decision and the notifications it causes are written in one transaction that is
serialised with statement ingest (``SqlStore.refresher_transaction``): two scheduler
processes, on one host or several against one PostgreSQL, can run the same scan at the same
time and still create each assignment and each notification once. The partial unique index
on open assignments backs this up.
"""

from __future__ import annotations

import dataclasses
import logging
import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any

from lrs_bridge.competency.assignment import (
    choose_refresher,
    due_date,
    first_check,
    next_step,
    reason,
    snooze_allowed,
)
from lrs_bridge.competency.policy import add_duration, subtract_duration
from lrs_bridge.config import Settings
from lrs_bridge.errors import BadRequest, Conflict, NotFound
from lrs_bridge.notify.model import AssignmentItem, Digest, Kind, Person, to_dict
from lrs_bridge.services.competencies import CompetencyEngine, EngineSource
from lrs_bridge.store.assignment_records import (
    Assignment,
    DueCandidate,
    NewAssignment,
    NewNotification,
    Transition,
)
from lrs_bridge.store.assignments import AssignmentTx
from lrs_bridge.store.base import Clock
from lrs_bridge.store.sqlalchemy import SqlStore
from lrs_bridge.xapi.timefmt import format_timestamp_us

logger = logging.getLogger(__name__)

#: Learners decided per write transaction: short enough not to hold up ingest for long.
LEARNERS_PER_TRANSACTION = 2000
FOLLOW_UPS_PER_TRANSACTION = 1000


@dataclasses.dataclass(kw_only=True)
class ScanReport:
    """What one scan did (or, in a dry run, would do)."""

    at_us: int
    run: str
    dry_run: bool
    candidates: int = 0
    created: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    #: Due but held back by the per-learner cap; a later scan takes them.
    deferred: int = 0
    #: Due but no refresher in the catalogue for the competency.
    no_refresher: int = 0
    #: Changed meanwhile (fresh evidence, or another scheduler assigned it first).
    skipped: int = 0
    reminded: list[int] = dataclasses.field(default_factory=list)
    escalated: list[int] = dataclasses.field(default_factory=list)
    completed: list[int] = dataclasses.field(default_factory=list)
    notifications: int = 0

    def as_dict(self) -> dict[str, Any]:
        """JSON form (the CLI's ``--json``)."""
        data = dataclasses.asdict(self)
        data["at"] = format_timestamp_us(self.at_us)
        return data


def _person(row: Mapping[str, Any] | None) -> Person:
    if row is None:
        return Person(name=None, email=None, language=None)
    return Person(name=row.get("name"), email=row.get("email"), language=row.get("language"))


class RefresherService:
    """Creates and moves refresher assignments; see the module doc."""

    def __init__(
        self,
        store: SqlStore,
        engines: EngineSource,
        settings: Settings,
        clock: Clock,
    ) -> None:
        self.store = store
        self.engines = engines
        self.settings = settings
        self.clock = clock

    # -- scan ----------------------------------------------------------------------------

    def scan(self, at_us: int | None = None, *, dry_run: bool = False) -> ScanReport:
        """Follow up open assignments, then assign refreshers for what is due by ``at_us``.

        A pair is due when its ``stale_at`` falls within its policy's lead time of
        ``at_us`` (already stale included). Without ``at_us``: now.
        """
        at = self.clock() if at_us is None else at_us
        engine = self.engines.current()
        report = ScanReport(at_us=at, run=uuid.uuid4().hex[:12], dry_run=dry_run)
        self._follow_up(engine, at, report)
        thresholds = {
            competency.id: add_duration(
                at, engine.map.policies[competency.policy].refresher_lead, field="lead_time"
            )
            for competency in engine.framework.competencies
        }
        if not thresholds:
            return report
        horizon = max(thresholds.values())
        candidates = [
            c
            for c in self.store.due_candidates(horizon)
            if c.stale_at_us <= thresholds.get(c.competency_id, c.stale_at_us - 1)
        ]
        report.candidates = len(candidates)
        by_learner: dict[int, list[DueCandidate]] = defaultdict(list)
        for candidate in candidates:
            by_learner[candidate.learner_id].append(candidate)
        learner_ids = list(by_learner)
        for start in range(0, len(learner_ids), LEARNERS_PER_TRANSACTION):
            group = {
                lid: by_learner[lid]
                for lid in learner_ids[start : start + LEARNERS_PER_TRANSACTION]
            }
            with self._decisions(at, dry_run) as tx:
                self._assign(tx, engine, group, horizon, report)
        logger.info(
            "refresher scan",
            extra={
                "run": report.run,
                "dry_run": dry_run,
                "candidates": report.candidates,
                "assignments_created": len(report.created),
                "deferred": report.deferred,
                "reminded": len(report.reminded),
                "escalated": len(report.escalated),
                "notifications": report.notifications,
            },
        )
        return report

    def _decisions(self, at: int, dry_run: bool) -> AbstractContextManager[AssignmentTx]:
        """The write transaction decisions are made in, or a read-only one for a dry run."""
        if dry_run:
            return self.store.refresher_snapshot(at)
        return self.store.refresher_transaction(at)

    def _assign(
        self,
        tx: AssignmentTx,
        engine: CompetencyEngine,
        group: Mapping[int, list[DueCandidate]],
        horizon_us: int,
        report: ScanReport,
    ) -> None:
        """Decide and (unless dry) write one group of learners' new assignments."""
        refreshers = engine.map.refreshers
        at = tx.now_us
        covered = tx.covered_pairs(group)
        current = tx.current_stale_at(group, horizon_us)
        window_start = subtract_duration(at, refreshers.period, field="refreshers.period")
        given = tx.created_since(group, window_start)
        planned: list[NewAssignment] = []
        for learner_id, candidates in group.items():
            allowed = refreshers.max_per_learner - given.get(learner_id, 0)
            for candidate in candidates:
                pair = (learner_id, candidate.competency_id)
                if (
                    (*pair, None) in covered
                    or (*pair, candidate.stale_at_us) in covered
                    or current.get(pair) != candidate.stale_at_us
                ):
                    report.skipped += 1
                    continue
                choice = choose_refresher(
                    refreshers.for_competency(candidate.competency_id),
                    engine.map.methods,
                    last_method=candidate.last_method,
                )
                if choice is None:
                    report.no_refresher += 1
                    continue
                if allowed <= 0:
                    report.deferred += 1
                    continue
                allowed -= 1
                due = due_date(candidate.stale_at_us, at, refreshers)
                planned.append(
                    NewAssignment(
                        learner_id=learner_id,
                        competency_id=candidate.competency_id,
                        activity_id=choice.activity.id,
                        method=choice.activity.method,
                        reason=reason(
                            competency_id=candidate.competency_id,
                            stale_at_us=candidate.stale_at_us,
                            last_evidence_us=candidate.last_evidence_us,
                            last_statement_id=candidate.last_statement_id,
                            level=candidate.level,
                            at_us=at,
                            choice=choice,
                        ),
                        basis_stale_at_us=candidate.stale_at_us,
                        due_us=due,
                        next_check_us=first_check(due, refreshers),
                    )
                )
        if report.dry_run:
            report.created.extend(_summary(None, item) for item in planned)
            return
        made = tx.insert_assignments(planned, report.run)
        report.created.extend(_summary(aid, item) for aid, item in made)
        assignments = [
            Assignment(
                id=aid,
                learner_id=item.learner_id,
                competency_id=item.competency_id,
                activity_id=item.activity_id,
                method=item.method,
                status="assigned",
                reason=item.reason,
                basis_stale_at_us=item.basis_stale_at_us,
                created_us=at,
                due_us=item.due_us,
                next_check_us=item.next_check_us,
                acknowledged_us=None,
                snoozed_us=0,
                reminders=0,
                closed_us=None,
                closed_by=None,
            )
            for aid, item in made
        ]
        report.notifications += len(
            tx.enqueue(self._digests(tx, engine, "assigned", assignments, report.run))
        )

    # -- follow-up ------------------------------------------------------------------------

    def _follow_up(self, engine: CompetencyEngine, at: int, report: ScanReport) -> None:
        """Remind, escalate or complete open assignments whose next check is due."""
        while True:
            with self._decisions(at, report.dry_run) as tx:
                handled = self._follow_up_batch(tx, engine, report)
            # A dry run changes nothing, so another batch would repeat this one.
            if not handled or report.dry_run:
                return

    def _follow_up_batch(
        self, tx: AssignmentTx, engine: CompetencyEngine, report: ScanReport
    ) -> int:
        at = tx.now_us
        refreshers = engine.map.refreshers
        due = tx.due_for_follow_up(at, FOLLOW_UPS_PER_TRANSACTION)
        if not due:
            return 0
        states = tx.states({(a.learner_id, a.competency_id) for a in due})
        reminders: list[Assignment] = []
        escalations: list[Assignment] = []
        transitions: list[Transition] = []
        values: dict[int, dict[str, Any]] = {}
        for a in due:
            stale_at = states.get((a.learner_id, a.competency_id))
            fresh = (
                a.competency_id in engine.policies
                and engine.status(a.competency_id, stale_at, at) == "fresh"
            )
            step = next_step(
                status=a.status, due_us=a.due_us, at_us=at, fresh=fresh, settings=refreshers
            )
            if step.action == "complete":
                transitions.append(
                    Transition(
                        assignment_id=a.id,
                        from_status=a.status,
                        to_status="completed",
                        cause="evidence",
                        detail={"stale_at": format_timestamp_us(stale_at) if stale_at else None},
                    )
                )
                report.completed.append(a.id)
            elif step.action == "remind":
                transitions.append(
                    Transition(
                        assignment_id=a.id,
                        from_status=a.status,
                        to_status="overdue",
                        cause="follow-up: past due date",
                        detail={"due": format_timestamp_us(a.due_us), "reminder": a.reminders + 1},
                    )
                )
                values[a.id] = {"next_check_us": step.next_check_us, "reminders": a.reminders + 1}
                reminders.append(dataclasses.replace(a, status="overdue"))
                report.reminded.append(a.id)
            elif step.action == "escalate":
                transitions.append(
                    Transition(
                        assignment_id=a.id,
                        from_status=a.status,
                        to_status="escalated",
                        cause="follow-up: overdue past the escalation time",
                        detail={"due": format_timestamp_us(a.due_us)},
                    )
                )
                values[a.id] = {"next_check_us": None}
                escalations.append(dataclasses.replace(a, status="escalated"))
                report.escalated.append(a.id)
            elif not report.dry_run:
                tx.update(a.id, next_check_us=step.next_check_us)
        if report.dry_run:
            return len(due)
        tx.set_status(transitions, values=values)
        queued = self._digests(tx, engine, "reminder", reminders, report.run)
        queued += self._digests(tx, engine, "escalation", escalations, report.run)
        report.notifications += len(tx.enqueue(queued))
        return len(due)

    # -- notifications -------------------------------------------------------------------

    def _digests(
        self,
        tx: AssignmentTx,
        engine: CompetencyEngine,
        kind: Kind,
        assignments: Sequence[Assignment],
        run: str,
    ) -> list[NewNotification]:
        """One notification per learner (and channel target) covering all their items."""
        if not assignments:
            return []
        by_learner: dict[int, list[Assignment]] = defaultdict(list)
        for a in assignments:
            by_learner[a.learner_id].append(a)
        people = tx.learners(by_learner)
        managers = tx.learners(
            {p["manager_id"] for p in people.values() if p.get("manager_id") is not None}
        )
        queued: list[NewNotification] = []
        for learner_id, items in by_learner.items():
            learner = _person(people.get(learner_id))
            recipient = learner
            if kind == "escalation":
                manager_id = (people.get(learner_id) or {}).get("manager_id")
                recipient = _person(managers.get(manager_id) if manager_id else None)
                if manager_id is None:
                    tx.record(
                        [
                            Transition(
                                assignment_id=a.id,
                                from_status="escalated",
                                to_status="escalated",
                                cause="no manager in the learner directory",
                            )
                            for a in items
                        ]
                    )
            targets = self._targets(recipient)
            if kind == "assigned" and self.settings.emit_assignment_statements:
                targets.append(("xapi", "store"))
            if not targets:
                continue
            key = f"{kind}:{learner_id}:{run}"
            # One digest per learner; each channel's copy differs only in its key.
            payload = to_dict(
                Digest(
                    kind=kind,
                    recipient=recipient,
                    learner=learner,
                    learner_id=learner_id,
                    items=tuple(self._item(engine, a) for a in items),
                    idempotency_key=key,
                    created_us=tx.now_us,
                )
            )
            for channel, target in targets:
                channel_key = f"{key}:{channel}:{target}"[:200]
                queued.append(
                    NewNotification(
                        idempotency_key=channel_key,
                        channel=channel,
                        target=target,
                        kind=kind,
                        learner_id=learner_id,
                        payload={**payload, "idempotency_key": channel_key},
                        assignment_ids=tuple(a.id for a in items),
                    )
                )
        return queued

    def _targets(self, recipient: Person) -> list[tuple[str, str]]:
        targets = []
        if self.settings.smtp_url and recipient.email:
            targets.append(("email", recipient.email))
        targets.extend(("webhook", url) for url in self.settings.webhook_targets)
        return targets

    @staticmethod
    def _item(engine: CompetencyEngine, a: Assignment) -> AssignmentItem:
        competency = engine.framework.get(a.competency_id)
        activity = engine.map.refreshers.activity(a.activity_id)
        return AssignmentItem(
            assignment_id=a.id,
            competency_id=a.competency_id,
            competency_name=dict(competency.name) if competency else {"en": a.competency_id},
            activity_id=a.activity_id,
            activity_name=dict(activity.name) if activity else {"en": a.activity_id},
            launch_url=activity.launch_url if activity else None,
            method=a.method,
            duration=activity.duration if activity else None,
            due_us=a.due_us,
            last_evidence_us=_us_or_none(a.reason.get("last_evidence_us")),
            stale_at_us=a.basis_stale_at_us,
            status=a.status,
        )

    # -- learner, manager and admin actions -----------------------------------------------

    def acknowledge(self, assignment_id: int, actor: str) -> Assignment:
        """The learner has seen it; recorded, the lifecycle is unchanged."""
        now = self.clock()
        with self.store.refresher_transaction(now) as tx:
            a = _open(tx, assignment_id)
            tx.update(a.id, acknowledged_us=now)
            tx.record(
                [
                    Transition(
                        assignment_id=a.id,
                        from_status=a.status,
                        to_status=a.status,
                        cause=f"acknowledged by {actor}",
                    )
                ]
            )
        return self._get(assignment_id)

    def snooze(self, assignment_id: int, until_us: int, actor: str) -> Assignment:
        """Move the due date later, at most ``refreshers.snooze_max`` beyond the original."""
        now = self.clock()
        refreshers = self.engines.current().map.refreshers
        with self.store.refresher_transaction(now) as tx:
            a = _open(tx, assignment_id)
            if a.status == "escalated":
                raise Conflict(
                    "an escalated assignment cannot be snoozed", field="until", status=a.status
                )
            allowed, latest = snooze_allowed(
                snoozed_us=a.snoozed_us, due_us=a.due_us, new_due_us=until_us, settings=refreshers
            )
            if not allowed:
                raise BadRequest(
                    f"until: must be after the current due date {format_timestamp_us(a.due_us)} "
                    f"and no later than {format_timestamp_us(latest)} "
                    f"(snooze limit {refreshers.snooze_max})",
                    field="until",
                )
            new_status = "notified" if a.status == "overdue" else a.status
            tx.set_status(
                [
                    Transition(
                        assignment_id=a.id,
                        from_status=a.status,
                        to_status=new_status,
                        cause=f"snoozed by {actor}",
                        detail={
                            "from_due": format_timestamp_us(a.due_us),
                            "to_due": format_timestamp_us(until_us),
                        },
                    )
                ],
                values={
                    a.id: {
                        "due_us": until_us,
                        "snoozed_us": a.snoozed_us + (until_us - a.due_us),
                        "next_check_us": first_check(until_us, refreshers),
                    }
                },
            )
        return self._get(assignment_id)

    def cancel(self, assignment_id: int, actor: str, note: str | None = None) -> Assignment:
        """An admin closes it; the pair is not re-assigned until its staleness changes."""
        now = self.clock()
        with self.store.refresher_transaction(now) as tx:
            a = _open(tx, assignment_id)
            tx.set_status(
                [
                    Transition(
                        assignment_id=a.id,
                        from_status=a.status,
                        to_status="cancelled",
                        cause=f"cancelled by {actor}",
                        detail={"note": note} if note else None,
                    )
                ]
            )
        return self._get(assignment_id)

    def resend(self, assignment_id: int, actor: str) -> int:
        """Queue the assignment's notification again (new key); returns how many."""
        now = self.clock()
        engine = self.engines.current()
        with self.store.refresher_transaction(now) as tx:
            a = _open(tx, assignment_id)
            kind: Kind = "assigned" if a.status in ("assigned", "notified") else "reminder"
            queued = self._digests(tx, engine, kind, [a], f"resend-{uuid.uuid4().hex[:12]}")
            tx.record(
                [
                    Transition(
                        assignment_id=a.id,
                        from_status=a.status,
                        to_status=a.status,
                        cause=f"re-sent by {actor}",
                        detail={"notifications": len(queued)},
                    )
                ]
            )
            return len(tx.enqueue(queued))

    def _get(self, assignment_id: int) -> Assignment:
        found = self.store.assignment(assignment_id)
        if found is None:
            raise NotFound(f"no assignment {assignment_id}")
        return found


def _open(tx: AssignmentTx, assignment_id: int) -> Assignment:
    found = tx.get(assignment_id)
    if found is None:
        raise NotFound(f"no assignment {assignment_id}")
    if not found.open:
        raise Conflict(f"assignment {assignment_id} is already {found.status}", status=found.status)
    return found


def _summary(assignment_id: int | None, item: NewAssignment) -> dict[str, Any]:
    return {
        "id": assignment_id,
        "learner_id": item.learner_id,
        "competency_id": item.competency_id,
        "activity_id": item.activity_id,
        "method": item.method,
        "due": format_timestamp_us(item.due_us),
        "reason": item.reason["summary"],
    }


def _us_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) else None
