"""Policy maths of the competency engine: durations, level, freshness, FSRS, status."""

from __future__ import annotations

import dataclasses
import math
import random
from datetime import UTC, datetime, timedelta

import pytest
from fsrs import Card, Rating

from lrs_bridge.competency import engine
from lrs_bridge.competency.engine import (
    AdaptivePolicy,
    CompetencyState,
    Duration,
    EvidencePoint,
    FixedWindowPolicy,
    add_duration,
    compute_state,
    parse_duration,
    status,
    subtract_duration,
)
from lrs_bridge.errors import BadRequest

DAY = 86_400_000_000
HOUR = 3_600_000_000
QUARTERLY = FixedWindowPolicy(id="quarterly", validity="P3M", due_soon="P14D")
ADAPTIVE = AdaptivePolicy(id="adaptive")


def us(text: str) -> int:
    """ISO date or datetime (UTC) → epoch microseconds."""
    moment = datetime.fromisoformat(text).replace(tzinfo=UTC)
    return (moment - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


def iso(value_us: int | None) -> str | None:
    if value_us is None:
        return None
    moment = datetime(1970, 1, 1) + timedelta(microseconds=value_us)
    return moment.isoformat()


def ev(when: str, seq: int, weight: float = 0.4, quality: float = 0.8) -> EvidencePoint:
    return EvidencePoint(at_us=us(when), seq=seq, weight=weight, quality=quality)


# --- durations ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "months", "micros"),
    [
        ("P3M", 3, 0),
        ("P1Y", 12, 0),
        ("P1Y6M", 18, 0),
        ("P90D", 0, 90 * DAY),
        ("P1M2W", 1, 14 * DAY),
        ("P2W", 0, 14 * DAY),
        ("PT36H", 0, 36 * HOUR),
        ("P1DT12H", 0, 36 * HOUR),
        ("PT90M", 0, 90 * 60_000_000),
        ("PT1.5S", 0, 1_500_000),
        ("P0.5D", 0, 12 * HOUR),
        ("P1,5W", 0, 252 * HOUR),
        ("P0D", 0, 0),
        ("  P14D ", 0, 14 * DAY),
        ("P1Y2M3W4DT5H6M7S", 14, (3 * 7 + 4) * DAY + 5 * HOUR + 6 * 60_000_000 + 7_000_000),
    ],
)
def test_parse_duration(text: str, months: int, micros: int) -> None:
    assert parse_duration(text) == Duration(months=months, micros=micros)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "P",
        "PT",
        "P1DT",
        "3M",
        "P-1D",
        "-P1D",
        "P1.5M",
        "P0.5Y",
        "p3m",
        "P3X",
        "P1D2M",
        "P1M1Y",
        "PT1D",
        "P1H",
        "P１D",
        "P3M extra",
        "P" + "9" * 80 + "D",
        "P10001Y",
    ],
)
def test_invalid_duration_raises_bad_request_naming_the_field(text: str) -> None:
    with pytest.raises(BadRequest) as info:
        parse_duration(text, field="validity")
    assert info.value.details["field"] == "validity"
    assert info.value.to_dict()["field"] == "validity"


def test_non_string_duration_is_rejected() -> None:
    with pytest.raises(BadRequest) as info:
        parse_duration(90, field="due_soon")  # type: ignore[arg-type]
    assert info.value.details["field"] == "due_soon"


@pytest.mark.parametrize(
    ("start", "duration", "expected"),
    [
        ("2026-01-15", "P3M", "2026-04-15T00:00:00"),
        ("2026-01-15", "P90D", "2026-04-15T00:00:00"),
        ("2026-01-15T09:30:00", "P3M", "2026-04-15T09:30:00"),
        ("2026-01-31", "P1M", "2026-02-28T00:00:00"),
        ("2028-01-31", "P1M", "2028-02-29T00:00:00"),  # leap year
        ("2028-02-29", "P1Y", "2029-02-28T00:00:00"),
        ("2028-02-29", "P4Y", "2032-02-29T00:00:00"),
        ("2026-01-31", "P1M1D", "2026-03-01T00:00:00"),  # months first, then days
        ("2026-11-30", "P3M", "2027-02-28T00:00:00"),  # across a year end, clamped
        ("2026-12-15", "P1M", "2027-01-15T00:00:00"),
        ("2026-08-31", "P1M", "2026-09-30T00:00:00"),
        ("2026-01-31", "P1M2W", "2026-03-14T00:00:00"),
        ("2026-03-28T18:00:00", "PT36H", "2026-03-30T06:00:00"),  # no DST in UTC
        ("1969-12-31T23:00:00", "P2M", "1970-02-28T23:00:00"),  # before the epoch
    ],
)
def test_add_duration(start: str, duration: str, expected: str) -> None:
    assert iso(add_duration(us(start), duration)) == expected


@pytest.mark.parametrize(
    ("start", "duration", "expected"),
    [
        ("2026-04-15", "P14D", "2026-04-01T00:00:00"),
        ("2026-03-31", "P1M", "2026-02-28T00:00:00"),
        ("2024-03-31", "P1M", "2024-02-29T00:00:00"),
        ("2026-01-15", "P3M", "2025-10-15T00:00:00"),
    ],
)
def test_subtract_duration(start: str, duration: str, expected: str) -> None:
    assert iso(subtract_duration(us(start), duration)) == expected


def test_add_duration_out_of_range_names_the_field() -> None:
    with pytest.raises(BadRequest) as info:
        add_duration(us("9999-06-01"), "P1Y", field="validity")
    assert info.value.details["field"] == "validity"


# --- policies ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda: FixedWindowPolicy(id="x", validity="3 months"), "validity"),
        (lambda: FixedWindowPolicy(id="x", validity="P0D"), "validity"),
        (lambda: FixedWindowPolicy(id="x", due_soon="two weeks"), "due_soon"),
        (lambda: FixedWindowPolicy(id=""), "id"),
        (lambda: AdaptivePolicy(id="x", target_retention=1.0), "target_retention"),
        (lambda: AdaptivePolicy(id="x", target_retention=0.0), "target_retention"),
        (lambda: AdaptivePolicy(id="x", target_retention=math.nan), "target_retention"),
        (lambda: AdaptivePolicy(id="x", initial_stability_days=0.0), "initial_stability_days"),
        (lambda: AdaptivePolicy(id="x", initial_stability_days=101.0), "initial_stability_days"),
        (lambda: AdaptivePolicy(id="x", due_soon="P7"), "due_soon"),
        (lambda: AdaptivePolicy(id="x", level_half_life="P0D"), "level_half_life"),
        (lambda: AdaptivePolicy(id="x", level_half_life="PT"), "level_half_life"),
    ],
)
def test_invalid_policy_raises_bad_request_naming_the_field(make: object, field: str) -> None:
    with pytest.raises(BadRequest) as info:
        make()  # type: ignore[operator]
    assert info.value.details["field"] == field


@pytest.mark.parametrize(
    ("weight", "quality", "field"),
    [(0.4, 1.5, "quality"), (0.4, -0.1, "quality"), (math.inf, 0.5, "weight")],
)
def test_invalid_evidence_point(weight: float, quality: float, field: str) -> None:
    with pytest.raises(BadRequest) as info:
        EvidencePoint(at_us=0, seq=1, weight=weight, quality=quality)
    assert info.value.details["field"] == field


def test_default_fixed_policy_is_quarterly() -> None:
    policy = FixedWindowPolicy(id="default")
    state = compute_state([ev("2026-01-15", 1)], policy)
    assert iso(state.stale_at_us) == "2026-04-15T00:00:00"


# --- fixed window: freshness and status --------------------------------------------------


@pytest.mark.parametrize(
    ("validity", "evidence", "stale_at"),
    [
        ("P3M", "2026-01-15T10:00:00", "2026-04-15T10:00:00"),
        ("P1M", "2026-01-31", "2026-02-28T00:00:00"),
        ("P1M", "2028-01-31", "2028-02-29T00:00:00"),
        ("P1Y", "2028-02-29", "2029-02-28T00:00:00"),
        ("P90D", "2026-01-15", "2026-04-15T00:00:00"),
        ("P6M", "2026-08-31", "2027-02-28T00:00:00"),
    ],
)
def test_fixed_window_stale_at(validity: str, evidence: str, stale_at: str) -> None:
    policy = FixedWindowPolicy(id="p", validity=validity, due_soon="P14D")
    state = compute_state([ev(evidence, 1)], policy)
    assert state.last_evidence_us == us(evidence)
    assert iso(state.stale_at_us) == stale_at
    assert state.evidence_count == 1
    assert state.stability_days is None


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        ("2026-01-15", "fresh"),
        ("2026-03-31T23:59:59", "fresh"),
        ("2026-04-01", "due_soon"),  # stale_at - P14D, inclusive
        ("2026-04-14T23:59:59", "due_soon"),
        ("2026-04-15", "stale"),  # stale_at, inclusive
        ("2027-01-01", "stale"),
    ],
)
def test_fixed_window_status_over_time(now: str, expected: str) -> None:
    state = compute_state([ev("2026-01-15", 1)], QUARTERLY)
    assert status(state, QUARTERLY, us(now)) == expected


def test_status_with_no_due_soon_window() -> None:
    policy = FixedWindowPolicy(id="p", validity="P1M", due_soon="P0D")
    state = compute_state([ev("2026-01-15", 1)], policy)
    assert status(state, policy, us("2026-02-14T23:59:59")) == "fresh"
    assert status(state, policy, us("2026-02-15")) == "stale"


def test_no_evidence_is_status_none() -> None:
    state = compute_state([], QUARTERLY)
    assert state == CompetencyState(
        level=0.0, last_evidence_us=None, stale_at_us=None, evidence_count=0
    )
    assert status(state, QUARTERLY, us("2026-01-01")) == "none"
    assert status(compute_state([], ADAPTIVE), ADAPTIVE, us("2026-01-01")) == "none"


@pytest.mark.parametrize("policy", [QUARTERLY, ADAPTIVE], ids=["fixed", "adaptive"])
def test_only_failures_is_status_none(policy: FixedWindowPolicy | AdaptivePolicy) -> None:
    state = compute_state([ev("2026-01-15", 1, weight=-0.35, quality=0.0)], policy)
    assert state.level == 0.0
    assert state.last_evidence_us is None
    assert state.stale_at_us is None
    assert state.evidence_count == 1
    assert status(state, policy, us("2026-01-16")) == "none"


def test_newer_evidence_refreshes_and_status_moves_back_to_fresh() -> None:
    points = [ev("2026-01-15", 1)]
    assert status(compute_state(points, QUARTERLY), QUARTERLY, us("2026-05-01")) == "stale"
    points.append(ev("2026-04-20", 2, weight=0.2))
    state = compute_state(points, QUARTERLY)
    assert iso(state.stale_at_us) == "2026-07-20T00:00:00"
    assert status(state, QUARTERLY, us("2026-05-01")) == "fresh"


# --- negative evidence, zero weight, voiding ----------------------------------------------


def test_failure_lowers_level_and_does_not_refresh() -> None:
    success = ev("2026-01-15", 1, weight=0.4, quality=0.9)
    failure = ev("2026-03-01", 2, weight=-0.35, quality=0.0)
    before = compute_state([success], QUARTERLY)
    after = compute_state([success, failure], QUARTERLY)
    assert after.level < before.level
    assert after.last_evidence_us == before.last_evidence_us == us("2026-01-15")
    assert after.stale_at_us == before.stale_at_us
    assert after.evidence_count == 2


def test_unscored_failure_counts_fully_and_a_near_miss_little() -> None:
    success = ev("2026-01-15", 1, 0.4, 1.0)
    unscored = compute_state([success, ev("2026-01-16", 2, -0.35, 0.0)], QUARTERLY)
    near_miss = compute_state([success, ev("2026-01-16", 2, -0.35, 0.55)], QUARTERLY)
    alone = compute_state([success], QUARTERLY)
    assert unscored.level < near_miss.level < alone.level


@pytest.mark.parametrize(
    ("weight", "quality", "rating"),
    [
        (-0.35, 0.0, Rating.Again),
        (-0.35, 0.59, Rating.Again),
        (0.35, 0.5, Rating.Hard),  # completion: false
        (0.2, 0.75, Rating.Good),
        (0.15, 1.0, Rating.Good),  # attendance / self-study: no sign of ease
        (0.4, 0.95, Rating.Easy),  # near-flawless coaching or role-play
        (0.35, 0.9, Rating.Easy),
    ],
)
def test_fsrs_rating(weight: float, quality: float, rating: Rating) -> None:
    point = EvidencePoint(at_us=0, seq=1, weight=weight, quality=quality)
    assert engine.fsrs_rating(point) == rating


def test_net_negative_evidence_clamps_level_at_zero() -> None:
    points = [ev("2026-01-15", 1, 0.15, 0.5), ev("2026-01-16", 2, -0.4, 0.0)]
    state = compute_state(points, QUARTERLY)
    assert state.level == 0.0
    assert state.last_evidence_us == us("2026-01-15")  # still fresh from the success


def test_zero_weight_points_are_ignored_but_counted() -> None:
    base = [ev("2026-01-15", 1)]
    state = compute_state([*base, ev("2026-03-01", 2, weight=0.0, quality=1.0)], QUARTERLY)
    expected = compute_state(base, QUARTERLY)
    assert state.level == expected.level
    assert state.stale_at_us == expected.stale_at_us
    assert state.evidence_count == 2


@pytest.mark.parametrize("policy", [QUARTERLY, ADAPTIVE], ids=["fixed", "adaptive"])
def test_voiding_is_recomputation_without_the_point(
    policy: FixedWindowPolicy | AdaptivePolicy,
) -> None:
    points = [
        ev("2026-01-15", 1, 0.2, 0.7),
        ev("2026-02-10", 2, 0.35, 0.9),
        ev("2026-02-20", 3, -0.35, 0.0),
        ev("2026-03-05", 4, 0.4, 0.8),
    ]
    full = compute_state(points, policy)
    voided = compute_state([p for p in points if p.seq != 4], policy)
    assert voided == compute_state(points[:3], policy)
    assert voided.last_evidence_us == us("2026-02-10")
    assert voided.stale_at_us is not None and full.stale_at_us is not None
    assert voided.stale_at_us < full.stale_at_us
    assert voided.evidence_count == 3
    # Voiding everything returns to the empty state.
    assert compute_state([], policy).stale_at_us is None


# --- order independence --------------------------------------------------------------------


def _history(rng: random.Random, n: int) -> list[EvidencePoint]:
    start = us("2025-06-01")
    points = []
    for seq in range(1, n + 1):
        at = start + rng.randrange(0, 300) * DAY + rng.randrange(0, 24) * HOUR
        weight = rng.choice([0.40, 0.35, 0.30, 0.20, 0.15, -0.35, -0.2])
        points.append(EvidencePoint(at_us=at, seq=seq, weight=weight, quality=rng.random()))
    # Equal timestamps must be ordered by seq, not by arrival.
    points.append(EvidencePoint(at_us=points[0].at_us, seq=n + 1, weight=-0.3, quality=0.0))
    points.append(EvidencePoint(at_us=points[0].at_us, seq=n + 2, weight=0.3, quality=0.95))
    return points


@pytest.mark.parametrize("policy", [QUARTERLY, ADAPTIVE], ids=["fixed", "adaptive"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_order_independence(policy: FixedWindowPolicy | AdaptivePolicy, seed: int) -> None:
    rng = random.Random(seed)
    points = _history(rng, 25)
    expected = compute_state(points, policy)
    for _ in range(30):
        shuffled = points[:]
        rng.shuffle(shuffled)
        assert compute_state(shuffled, policy) == expected  # bit-identical floats
        assert compute_state(iter(shuffled), policy) == expected  # any iterable


@pytest.mark.parametrize("policy", [QUARTERLY, ADAPTIVE], ids=["fixed", "adaptive"])
def test_incremental_in_any_arrival_order_equals_replay(
    policy: FixedWindowPolicy | AdaptivePolicy,
) -> None:
    rng = random.Random(42)
    points = _history(rng, 15)
    replay = compute_state(points, policy)
    arrival = points[:]
    rng.shuffle(arrival)
    seen: list[EvidencePoint] = []
    state = compute_state(seen, policy)
    for point in arrival:  # the ingest path: one statement at a time, late arrivals included
        seen.append(point)
        state = compute_state(seen, policy)
    assert state == replay


def test_seq_breaks_ties_between_equal_timestamps() -> None:
    fail = EvidencePoint(at_us=us("2026-01-15"), seq=1, weight=-0.35, quality=0.0)
    passed = EvidencePoint(at_us=us("2026-01-15"), seq=2, weight=0.35, quality=0.7)
    swapped = [
        dataclasses.replace(fail, seq=2),
        dataclasses.replace(passed, seq=1),
    ]
    fail_then_pass = compute_state([passed, fail], ADAPTIVE)
    pass_then_fail = compute_state(swapped, ADAPTIVE)
    assert fail_then_pass != pass_then_fail
    # Same as if the lower seq had happened a microsecond earlier.
    spread = [dataclasses.replace(fail, at_us=fail.at_us - 1), passed]
    assert compute_state(spread, ADAPTIVE).stability_days == fail_then_pass.stability_days


# --- level ---------------------------------------------------------------------------------


def test_level_of_one_flawless_coaching_session() -> None:
    state = compute_state([ev("2026-01-15", 1, 0.4, 1.0)], QUARTERLY)
    assert state.level == pytest.approx(1 - math.exp(-engine.LEVEL_RATE * 0.4))


def test_level_grows_with_practice_and_saturates_below_one() -> None:
    levels = []
    points: list[EvidencePoint] = []
    for day in range(1, 21):
        points.append(ev(f"2026-01-{day:02d}", day, 0.35, 0.9))
        levels.append(compute_state(points, QUARTERLY).level)
    assert all(b > a for a, b in zip(levels, levels[1:], strict=False))
    assert 0.99 < levels[-1] <= 1.0


def test_old_evidence_counts_half_after_one_validity_window() -> None:
    # A point one validity window (nominal 3 months) older than the newest counts half.
    newest = us("2026-06-01")
    old = newest - QUARTERLY.level_half_life_us
    points = [
        EvidencePoint(at_us=old, seq=1, weight=0.4, quality=1.0),
        EvidencePoint(at_us=newest, seq=2, weight=0.2, quality=1.0),
    ]
    expected = 1 - math.exp(-engine.LEVEL_RATE * (0.2 + 0.4 / 2))
    assert compute_state(points, QUARTERLY).level == pytest.approx(expected)


def test_level_is_as_of_latest_evidence_not_now() -> None:
    state = compute_state([ev("2026-01-15", 1)], QUARTERLY)
    later = compute_state([ev("2026-01-15", 1)], QUARTERLY)
    assert state == later
    assert status(state, QUARTERLY, us("2030-01-01")) == "stale"  # decay shows in status


# --- adaptive (FSRS) ---------------------------------------------------------------------------


def _interval_days(state: CompetencyState) -> float:
    assert state.stale_at_us is not None and state.last_evidence_us is not None
    return (state.stale_at_us - state.last_evidence_us) / DAY


def test_first_good_practice_gives_initial_stability_interval() -> None:
    state = compute_state([ev("2026-01-15", 1, 0.4, 0.8)], ADAPTIVE)
    assert state.stability_days == pytest.approx(30.0)
    assert iso(state.stale_at_us) == "2026-02-14T00:00:00"
    assert state.last_evidence_us == us("2026-01-15")


def test_first_rating_orders_intervals() -> None:
    hard = compute_state([ev("2026-01-15", 1, 0.4, 0.3)], ADAPTIVE)
    good = compute_state([ev("2026-01-15", 1, 0.4, 0.7)], ADAPTIVE)
    easy = compute_state([ev("2026-01-15", 1, 0.4, 0.95)], ADAPTIVE)
    assert _interval_days(hard) < _interval_days(good) < _interval_days(easy)


def test_successful_practice_lengthens_the_interval() -> None:
    first = compute_state([ev("2026-01-15", 1)], ADAPTIVE)
    assert first.stale_at_us is not None
    second_at = iso(first.stale_at_us)
    assert second_at is not None
    second = compute_state([ev("2026-01-15", 1), ev(second_at, 2)], ADAPTIVE)
    third_at = iso(second.stale_at_us)
    assert third_at is not None
    third = compute_state([ev("2026-01-15", 1), ev(second_at, 2), ev(third_at, 3)], ADAPTIVE)
    assert _interval_days(first) < _interval_days(second) < _interval_days(third)
    assert _interval_days(second) > 2 * _interval_days(first)


def test_failure_shortens_the_interval_and_does_not_refresh() -> None:
    success = ev("2026-01-15", 1)
    failure = ev("2026-02-01", 2, weight=-0.35, quality=0.0)
    before = compute_state([success], ADAPTIVE)
    after = compute_state([success, failure], ADAPTIVE)
    assert before.stability_days is not None and after.stability_days is not None
    assert after.stability_days < before.stability_days
    assert after.last_evidence_us == us("2026-01-15")
    assert after.stale_at_us is not None and before.stale_at_us is not None
    assert after.stale_at_us < before.stale_at_us
    assert status(after, ADAPTIVE, us("2026-02-01")) == "stale"
    assert status(before, ADAPTIVE, us("2026-02-01")) == "fresh"
    # Relearning after the failure: fresh again, but on a shorter interval than before.
    relearned = compute_state([success, failure, ev("2026-02-03", 3)], ADAPTIVE)
    assert relearned.last_evidence_us == us("2026-02-03")
    assert _interval_days(relearned) < _interval_days(before)
    # The short interval puts the next refresher inside the due-soon window at once.
    assert status(relearned, ADAPTIVE, us("2026-02-04")) == "due_soon"
    assert status(relearned, ADAPTIVE, relearned.stale_at_us or 0) == "stale"


def test_same_day_repetition_does_not_inflate_stability() -> None:
    once = compute_state([ev("2026-01-15T09:00:00", 1)], ADAPTIVE)
    spam = compute_state([ev(f"2026-01-15T{9 + i:02d}:00:00", i + 1) for i in range(8)], ADAPTIVE)
    assert spam.stability_days == pytest.approx(once.stability_days)


def test_higher_target_retention_means_shorter_interval() -> None:
    points = [ev("2026-01-15", 1), ev("2026-02-20", 2)]
    strict = AdaptivePolicy(id="strict", target_retention=0.95)
    lax = AdaptivePolicy(id="lax", target_retention=0.8)
    assert (
        _interval_days(compute_state(points, strict))
        < _interval_days(compute_state(points, ADAPTIVE))
        < _interval_days(compute_state(points, lax))
    )


def test_adaptive_interval_matches_fsrs_scheduler() -> None:
    # When the last point is a success, stale_at is the FSRS scheduler's own due date.
    points = [ev("2026-01-15", 1), ev("2026-02-20", 2, quality=0.95), ev("2026-06-01", 3)]
    policy = AdaptivePolicy(id="p", target_retention=0.85, initial_stability_days=20.0)
    scheduler = engine._scheduler(policy.target_retention, policy.initial_stability_days)
    card = Card(card_id=0, due=datetime(1970, 1, 1, tzinfo=UTC))
    for p in points:
        moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=p.at_us)
        card, _ = scheduler.review_card(card, engine.fsrs_rating(p), review_datetime=moment)
    state = compute_state(points, policy)
    assert state.stability_days == card.stability
    assert iso(state.stale_at_us) == card.due.replace(tzinfo=None).isoformat()


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        ("2026-01-15", "fresh"),
        ("2026-02-06T23:59:59", "fresh"),
        ("2026-02-07", "due_soon"),  # stale_at 2026-02-14 - P7D
        ("2026-02-14", "stale"),
    ],
)
def test_adaptive_status_over_time(now: str, expected: str) -> None:
    state = compute_state([ev("2026-01-15", 1)], ADAPTIVE)
    assert status(state, ADAPTIVE, us(now)) == expected


def test_compute_state_never_reads_the_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    import fsrs.card
    import fsrs.scheduler

    class NoClock(datetime):
        @classmethod
        def now(cls, tz: object = None) -> NoClock:
            raise AssertionError("the clock was read")

    def no_random() -> float:
        raise AssertionError("randomness was used")

    monkeypatch.setattr(fsrs.card, "datetime", NoClock)
    monkeypatch.setattr(fsrs.scheduler, "datetime", NoClock)
    monkeypatch.setattr(fsrs.scheduler, "random", no_random)
    points = _history(random.Random(7), 20)
    assert compute_state(points, ADAPTIVE) == compute_state(points, ADAPTIVE)
