"""Pure decisions of the refresher workflow: which activity, due when, why, and what an open
assignment's next step is. No I/O and no clock; instants are microseconds since the epoch.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from lrs_bridge.competency.catalogue import RefresherActivity, RefresherSettings
from lrs_bridge.competency.policy import add_duration
from lrs_bridge.xapi.timefmt import format_timestamp_us


@dataclasses.dataclass(frozen=True, kw_only=True)
class Choice:
    """The chosen refresher and a human-readable account of why."""

    activity: RefresherActivity
    explanation: str
    #: Every catalogue option with its effect, best first, and why it was passed over.
    considered: tuple[dict[str, Any], ...]


def choose_refresher(
    options: Sequence[RefresherActivity],
    effects: Mapping[str, float],
    *,
    last_method: str | None,
    last_activity: str | None = None,
) -> Choice | None:
    """Prefer the method with the best effect that the learner has not just done.

    "Just done" is the method of the learner's newest evidence for the competency (or the
    activity itself): repeating the same kind of training is less effective than varying
    it (the seeds: combine role-play, coaching and e-learning). When every option repeats
    it, the best option is taken anyway. Ties keep catalogue order.
    """
    if not options:
        return None
    ranked = sorted(
        enumerate(options), key=lambda pair: (-effects.get(pair[1].method, 0.0), pair[0])
    )
    considered = []
    chosen: RefresherActivity | None = None
    for _, option in ranked:
        effect = effects.get(option.method, 0.0)
        repeat = option.method == last_method or option.id == last_activity
        note = "just done" if repeat else ("chosen" if chosen is None else "lower effect")
        if chosen is None and not repeat:
            chosen = option
        considered.append(
            {"activity_id": option.id, "method": option.method, "effect": effect, "note": note}
        )
    best = ranked[0][1]
    if chosen is None:
        chosen = best
        considered[0]["note"] = "chosen"
        explanation = (
            f"{chosen.method} (effect {effects.get(chosen.method, 0.0):.2f}) is the most "
            "effective refresher in the catalogue; every option repeats the learner's "
            f"latest method ({last_method})"
        )
    elif chosen is best:
        explanation = (
            f"{chosen.method} (effect {effects.get(chosen.method, 0.0):.2f}) is the most "
            "effective refresher in the catalogue"
        )
        if last_method:
            explanation += f"; the learner's latest evidence was {last_method}"
    else:
        explanation = (
            f"{chosen.method} (effect {effects.get(chosen.method, 0.0):.2f}) is the most "
            f"effective method the learner has not just done (latest evidence: {last_method}; "
            f"{best.method}, effect {effects.get(best.method, 0.0):.2f}, would repeat it)"
        )
    return Choice(activity=chosen, explanation=explanation, considered=tuple(considered))


def due_date(stale_at_us: int, at_us: int, settings: RefresherSettings) -> int:
    """Due when the competency goes stale; if it already is, ``grace`` after the scan."""
    if stale_at_us > at_us:
        return stale_at_us
    return add_duration(at_us, settings.grace, field="refreshers.grace")


def first_check(due_us: int, settings: RefresherSettings) -> int:
    """When the follow-up job first looks at an assignment: the reminder time."""
    return add_duration(due_us, settings.remind_after, field="refreshers.remind_after")


def reason(
    *,
    competency_id: str,
    stale_at_us: int,
    last_evidence_us: int | None,
    last_statement_id: str | None,
    level: float,
    at_us: int,
    choice: Choice,
) -> dict[str, Any]:
    """Why the assignment exists, as stored with it and shown to learners and admins."""
    stale = stale_at_us <= at_us
    since = format_timestamp_us(last_evidence_us) if last_evidence_us is not None else None
    summary = (
        f"{'Stale since' if stale else 'Goes stale on'} {format_timestamp_us(stale_at_us)}"
        + (f"; last evidence {since}" if since else "")
        + f". {choice.explanation[0].upper()}{choice.explanation[1:]}."
    )
    return {
        "summary": summary,
        "competency_id": competency_id,
        "status_at_scan": "stale" if stale else "due_soon",
        "stale_at": format_timestamp_us(stale_at_us),
        "last_evidence": since,
        "last_evidence_us": last_evidence_us,
        "last_evidence_statement": last_statement_id,
        "level": round(level, 4),
        "choice": choice.explanation,
        "considered": list(choice.considered),
    }


FollowUp = Literal["complete", "remind", "escalate", "wait"]


@dataclasses.dataclass(frozen=True, kw_only=True)
class NextStep:
    """What the follow-up job does with an open assignment now, and when to look again."""

    action: FollowUp
    next_check_us: int | None


def next_step(
    *,
    status: str,
    due_us: int,
    at_us: int,
    fresh: bool,
    settings: RefresherSettings,
) -> NextStep:
    """assigned/notified → overdue (reminder) → escalated; fresh evidence completes it.

    The reminder comes ``remind_after`` the due date and the escalation ``escalate_after``
    it (never before a reminder was sent); an escalated assignment stays open until
    evidence or an admin closes it.
    """
    if fresh:
        return NextStep(action="complete", next_check_us=None)
    remind_at = add_duration(due_us, settings.remind_after, field="refreshers.remind_after")
    escalate_at = add_duration(due_us, settings.escalate_after, field="refreshers.escalate_after")
    if status in ("assigned", "notified"):
        if at_us < remind_at:
            return NextStep(action="wait", next_check_us=remind_at)
        # Always a reminder first, even when escalation is already due (after downtime):
        # the next run escalates.
        return NextStep(action="remind", next_check_us=escalate_at)
    if status == "overdue":
        if at_us < escalate_at:
            return NextStep(action="wait", next_check_us=escalate_at)
        return NextStep(action="escalate", next_check_us=None)
    return NextStep(action="wait", next_check_us=None)


def snooze_allowed(
    *, snoozed_us: int, due_us: int, new_due_us: int, settings: RefresherSettings
) -> tuple[bool, int]:
    """Whether moving the due date to ``new_due_us`` stays within ``snooze_max`` in total.

    Returns the verdict and the latest due date the policy allows.
    """
    original = due_us - snoozed_us
    latest = add_duration(original, settings.snooze_max, field="refreshers.snooze_max")
    return new_due_us <= latest and new_due_us > due_us, latest
