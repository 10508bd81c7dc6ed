"""Competency level and freshness from evidence: the pure policy maths.

No I/O, no clock, no randomness. Instants are integer microseconds since the epoch
(UTC); ``now`` is always a parameter.

:func:`compute_state` is a function of the *collection* of evidence points, not of the
order they arrived in: it sorts them by ``(at_us, seq)`` (the statement's timestamp,
then the store sequence) before doing anything order-sensitive, and sums floating
point numbers in that order too. Incremental processing in any arrival order, a full
replay, and voiding (drop the point, recompute) therefore give bit-identical states.

Modelling decisions
-------------------
**Level.** ``quality`` is how well the learner did (the normalised score; the
mapping uses 1.0 for a success without a score and 0.0 for a failure without one), and
``weight`` the learning method's strength, negative for a failed attempt. A success
contributes ``weight * quality`` (a better score is stronger evidence); a failure
contributes ``weight * (1 - quality)`` (a worse score is a clearer failure: an
unscored failure counts fully, a near miss little). Each contribution ``c`` is
discounted by age relative to the *most recent* point, ``c * 2 ** (-age / half_life)``,
with the half-life tied to the policy (one validity window for a fixed policy,
``level_half_life`` for an adaptive one), so a session from two windows ago counts a
quarter of one from today. The net amount ``x`` is squashed with
``level = 1 - exp(-LEVEL_RATE * max(x, 0))``:

* it is 0 with no evidence, rises monotonically and saturates at 1: each extra unit of
  evidence closes a fixed fraction of the remaining gap (diminishing returns, the
  exponential learning curve);
* read as a noisy-OR, it is the probability that at least one piece of evidence
  demonstrates the skill if evidence arrives as a Poisson process with rate
  ``LEVEL_RATE`` per unit of weighted evidence;
* with ``LEVEL_RATE = 2`` and the seeds' method weights (coaching 0.40, role-play 0.35,
  technique 0.30, theory 0.20, self-study 0.15), one flawless coaching session gives
  0.55, a theory + role-play + coaching sequence ~0.85: "competent" needs mixed
  practice, not one e-learning module;
* net-negative evidence is clamped to level 0 rather than going below it.

The level is "as of the latest evidence" and does not change with ``now``: it is a
precomputed row, and time-based decay is what ``stale_at`` and :func:`status`
express. Consequently new evidence after a long gap re-weights old evidence, which can
lower the level; that is intended (the old evidence now counts less).

**Freshness.** Only *positive* evidence (``weight > 0``) makes a competency fresh: a
failed attempt shows the learner practised but did not demonstrate the skill, so
``last_evidence_us`` is the newest positive point and a failure never moves
``stale_at`` later. Points with weight 0 carry no information and are ignored (they
still count in ``evidence_count``).

* Fixed window: ``stale_at = last positive evidence + validity`` (calendar months).
* Adaptive: the points replay through an FSRS card in order (failure → *Again*;
  success → *Hard* / *Good* / *Easy* by quality and method, see :func:`fsrs_rating`). The final
  stability ``S`` gives the interval after which retrievability falls to the target
  retention, rounded to whole days as FSRS does (≥ 1 day); ``stale_at = last positive
  evidence + interval``. Successful practice when retrievability has dropped raises
  ``S`` (longer intervals); a failure lowers ``S``, which pulls ``stale_at`` earlier,
  possibly into the past. Several sessions on one day do not inflate ``S`` (FSRS's
  short-term rule), so statement spam does not buy a long interval. FSRS has no notion
  of review strength, so weight affects the level but not the interval.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from operator import attrgetter
from typing import Literal, Protocol

from fsrs import Card, Rating, Scheduler
from fsrs.scheduler import DEFAULT_PARAMETERS

from lrs_bridge.competency.policy import (
    DAY_US,
    AdaptivePolicy,
    Duration,
    FixedWindowPolicy,
    Policy,
    add_duration,
    parse_duration,
    subtract_duration,
)
from lrs_bridge.errors import BadRequest

__all__ = [
    "AdaptivePolicy",
    "CompetencyState",
    "Duration",
    "EvidencePoint",
    "Point",
    "FixedWindowPolicy",
    "Policy",
    "Status",
    "add_duration",
    "compute_state",
    "evidence_time",
    "fsrs_rating",
    "parse_duration",
    "status",
    "subtract_duration",
]

Status = Literal["none", "fresh", "due_soon", "stale"]

#: Rate of the saturating level curve, per unit of weighted evidence (see module doc).
LEVEL_RATE = 2.0
#: Quality at or above which a success is an FSRS *Easy* review (near-flawless) ...
EASY_QUALITY = 0.9
#: ... when the method is also a strong one (technique training, role-play, coaching).
#: Attendance or self-study scores 1.0 without showing ease, so it stays *Good*.
EASY_MIN_WEIGHT = 0.3
#: Quality at or above which a success is *Good*; below it, *Hard* (scraped through).
GOOD_QUALITY = 0.6
#: FSRS's default maximum interval (100 years).
MAX_INTERVAL_DAYS = 36_500

_LN2 = math.log(2.0)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SORT_KEY = attrgetter("at_us", "seq", "weight", "quality")


class Point(Protocol):
    """What the model reads of a piece of evidence: :class:`EvidencePoint`, or a store's
    own row type with the same fields (no copy per row on every state recomputation)."""

    @property
    def at_us(self) -> int: ...
    @property
    def seq(self) -> int: ...
    @property
    def weight(self) -> float: ...
    @property
    def quality(self) -> float: ...


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class EvidencePoint:
    """One piece of evidence for one learner × competency.

    Attributes:
        at_us: the statement's :func:`evidence_time` (its ``timestamp``, but never later than
            when it was stored).
        seq: the store sequence of the statement; breaks ties between equal timestamps.
        weight: signed strength of the learning method; negative for a failed attempt.
        quality: in [0, 1], how well the learner did: the normalised score, else 1.0
            for a success or attendance and 0.0 for a failure (as ``mapping`` does).
    """

    at_us: int
    seq: int
    weight: float
    quality: float

    def __post_init__(self) -> None:
        if not math.isfinite(self.weight):
            raise BadRequest("weight: must be a finite number", field="weight")
        if not 0.0 <= self.quality <= 1.0:
            raise BadRequest("quality: must be in [0, 1]", field="quality")


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class CompetencyState:
    """The precomputed state of one learner × competency.

    Attributes:
        level: in [0, 1], from weighted, age-discounted evidence.
        last_evidence_us: timestamp of the newest positive evidence, or None.
        stale_at_us: when the competency goes stale; None without positive evidence.
        evidence_count: number of evidence points considered (including failures).
        stability_days: FSRS stability after the last point (adaptive policies only).
    """

    level: float
    last_evidence_us: int | None
    stale_at_us: int | None
    evidence_count: int
    stability_days: float | None = None


EMPTY_STATE = CompetencyState(level=0.0, last_evidence_us=None, stale_at_us=None, evidence_count=0)


def evidence_time(timestamp_us: int | None, stored_us: int) -> int:
    """When a statement counts as evidence: ``min(timestamp, stored)``.

    The timestamp says when it happened, but a statement cannot have happened after the LRS
    received it: a future date (a wrong clock, or a producer's mistake) would otherwise keep
    a competency fresh past its real date, or count as evidence after an assignment that
    was made later.
    """
    return stored_us if timestamp_us is None else min(timestamp_us, stored_us)


def compute_state(points: Iterable[Point], policy: Policy) -> CompetencyState:
    """The state implied by a collection of evidence points under ``policy``.

    Order-independent and deterministic; see the module docstring for the model.
    """
    ordered = sorted(points, key=_SORT_KEY)
    if not ordered:
        return EMPTY_STATE
    informative = [p for p in ordered if p.weight != 0.0]
    level = _level(informative, policy.level_half_life_us)
    last_positive = max((p.at_us for p in informative if p.weight > 0.0), default=None)

    if isinstance(policy, FixedWindowPolicy):
        stale_at = (
            None
            if last_positive is None
            else add_duration(last_positive, policy.validity_duration, field="validity")
        )
        return CompetencyState(
            level=level,
            last_evidence_us=last_positive,
            stale_at_us=stale_at,
            evidence_count=len(ordered),
        )

    stability = _fsrs_stability(informative, policy)
    if last_positive is None or stability is None:
        stale_at = None
    else:
        stale_at = last_positive + adaptive_interval_days(stability, policy) * DAY_US
    return CompetencyState(
        level=level,
        last_evidence_us=last_positive,
        stale_at_us=stale_at,
        evidence_count=len(ordered),
        stability_days=stability,
    )


def status(state: CompetencyState, policy: Policy, now_us: int) -> Status:
    """Freshness at ``now_us``.

    ``none``: no positive evidence; ``stale``: ``now >= stale_at``; ``due_soon``:
    ``now >= stale_at - policy.due_soon``; otherwise ``fresh``.
    """
    stale_at = state.stale_at_us
    if stale_at is None:
        return "none"
    if now_us >= stale_at:
        return "stale"
    if now_us >= subtract_duration(stale_at, policy.due_soon_duration, field="due_soon"):
        return "due_soon"
    return "fresh"


def fsrs_rating(point: Point) -> Rating:
    """The FSRS rating of a point.

    Failure → *Again*; success with quality < ``GOOD_QUALITY`` → *Hard*; quality ≥
    ``EASY_QUALITY`` with weight ≥ ``EASY_MIN_WEIGHT`` → *Easy*; otherwise *Good*.
    """
    if point.weight < 0.0:
        return Rating.Again
    if point.quality >= EASY_QUALITY and point.weight >= EASY_MIN_WEIGHT:
        return Rating.Easy
    if point.quality >= GOOD_QUALITY:
        return Rating.Good
    return Rating.Hard


def adaptive_interval_days(stability_days: float, policy: AdaptivePolicy) -> int:
    """Whole days until FSRS retrievability falls from 1 to ``policy.target_retention``.

    FSRS's forgetting curve is ``R(t) = (1 + F * t / S) ** -d`` with ``F`` chosen so
    that ``R(S) = 0.9``; solving ``R(t) = r`` gives ``t = S / F * (r ** (-1 / d) - 1)``.
    Rounded and bounded like FSRS's own scheduler (1 day to 100 years).
    """
    decay = float(DEFAULT_PARAMETERS[20])
    factor = math.pow(0.9, -1.0 / decay) - 1.0
    days = stability_days / factor * (math.pow(policy.target_retention, -1.0 / decay) - 1.0)
    return min(max(round(days), 1), MAX_INTERVAL_DAYS)


def _level(points: list[Point], half_life_us: int) -> float:
    if not points:
        return 0.0
    newest = points[-1].at_us
    rate = _LN2 / half_life_us
    total = 0.0
    for p in points:  # summed in sorted order: bit-identical for any arrival order
        strength = p.quality if p.weight > 0.0 else 1.0 - p.quality
        total += p.weight * strength * math.exp(-rate * (newest - p.at_us))
    if total <= 0.0:
        return 0.0
    return min(1.0, max(0.0, 1.0 - math.exp(-LEVEL_RATE * total)))


def _fsrs_stability(points: list[Point], policy: AdaptivePolicy) -> float | None:
    if not points:
        return None
    scheduler = _scheduler(policy.target_retention, policy.initial_stability_days)
    # Explicit id and due: Card() would otherwise read the clock (and sleep 1 ms).
    card = Card(card_id=0, due=_EPOCH)
    for p in points:
        card, _ = scheduler.review_card(
            card, fsrs_rating(p), review_datetime=_EPOCH + timedelta(microseconds=p.at_us)
        )
    return card.stability


@functools.lru_cache(maxsize=64)
def _scheduler(target_retention: float, initial_stability_days: float) -> Scheduler:
    # No learning/relearning steps: every review is a day-scale Review, which is the
    # right grain for skills practised in sessions. No fuzzing: it draws random numbers.
    scale = initial_stability_days / DEFAULT_PARAMETERS[2]
    initial = [min(w * scale, 100.0) for w in DEFAULT_PARAMETERS[:4]]
    return Scheduler(
        parameters=(*initial, *DEFAULT_PARAMETERS[4:]),
        desired_retention=target_retention,
        learning_steps=(),
        relearning_steps=(),
        maximum_interval=MAX_INTERVAL_DAYS,
        enable_fuzzing=False,
    )
