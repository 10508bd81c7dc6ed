"""Completion of refresher assignments by evidence, decided inside the ingest transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from lrs_bridge.services.competencies import CompetencyEngine
from lrs_bridge.store.assignment_records import Assignment, PairOutcome, Transition
from lrs_bridge.xapi.timefmt import format_timestamp_us


class Completer:
    """Closes open assignments that new evidence completes: the refresher activity itself
    completed, passed or attended (not failed), or any evidence that leaves the competency
    fresh again."""

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
            own = [
                s
                for s in outcome.sources
                if s.object_id == a.activity_id and s.verb_id in verbs and s.weight > 0
            ]
            fresh = (
                outcome.after is not None
                and a.competency_id in self.engine.policies
                and self.engine.status(a.competency_id, outcome.after.stale_at_us, now_us)
                == "fresh"
            )
            if not own and not fresh:
                continue
            source = own[-1] if own else (outcome.sources[-1] if outcome.sources else None)
            done.append(
                Transition(
                    assignment_id=a.id,
                    from_status=a.status,
                    to_status="completed",
                    cause=f"statement:{source.statement_id}" if source else "evidence",
                    detail={
                        "by": "refresher activity" if own else "fresh evidence",
                        "verb": source.verb_id if source else None,
                        "stale_at": format_timestamp_us(outcome.after.stale_at_us)
                        if outcome.after and outcome.after.stale_at_us
                        else None,
                    },
                )
            )
        return done
