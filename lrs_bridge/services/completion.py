"""Completion of refresher assignments by evidence, decided inside the ingest transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from lrs_bridge.services.competencies import CompetencyEngine
from lrs_bridge.store.assignment_records import Assignment, PairOutcome, Transition
from lrs_bridge.xapi.timefmt import format_timestamp_us


class Completer:
    """Closes open assignments that new evidence completes.

    Only *positive* evidence whose evidence time is not before the assignment was created
    counts (a failed attempt never does, nor a statement dated before the assignment). It
    completes the assignment when it is the refresher activity itself (completed, passed
    or attended), or when it leaves the competency fresh beyond the refresher lead time,
    so that the scan would not assign it again: under a policy whose ``lead_time`` is
    longer than ``due_soon``, "fresh" alone would let any touch of the pair, even a failure
    that leaves ``stale_at`` where it was, close an assignment made for that very date.
    """

    def __init__(self, engine: CompetencyEngine) -> None:
        self.engine = engine

    def __call__(
        self,
        open_assignments: Sequence[Assignment],
        outcomes: Mapping[tuple[int, str], PairOutcome],
        now_us: int,
    ) -> list[Transition]:
        """Transitions to ``completed``, each naming the statement that caused it."""
        verbs = self.engine.map.refreshers.completion_verbs
        done = []
        for a in open_assignments:
            outcome = outcomes.get((a.learner_id, a.competency_id))
            if outcome is None:
                continue
            positive = [s for s in outcome.sources if s.weight > 0 and s.at_us >= a.created_us]
            if not positive:
                continue
            own = [s for s in positive if s.object_id == a.activity_id and s.verb_id in verbs]
            fresh = (
                outcome.after is not None
                and a.competency_id in self.engine.policies
                and not self.engine.refresher_due(
                    a.competency_id, outcome.after.stale_at_us, now_us
                )
            )
            if not own and not fresh:
                continue
            source = own[-1] if own else positive[-1]
            done.append(
                Transition(
                    assignment_id=a.id,
                    from_status=a.status,
                    to_status="completed",
                    cause=f"statement:{source.statement_id}",
                    detail={
                        "by": "refresher activity" if own else "fresh evidence",
                        "verb": source.verb_id,
                        "stale_at": format_timestamp_us(outcome.after.stale_at_us)
                        if outcome.after and outcome.after.stale_at_us
                        else None,
                    },
                )
            )
        return done
