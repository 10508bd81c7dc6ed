"""Freshness policies and the ISO 8601 durations they are written in.

Pure code: no I/O and no clock. Every instant is an integer number of microseconds
since 1970-01-01T00:00:00Z, as elsewhere in lrs-bridge.

Durations
---------
``parse_duration`` accepts the ISO 8601 form ``PnYnMnWnDTnHnMnS`` (ISO 8601-1:2019
also allows weeks beside other components, so ``P1M2W`` is valid). Years and months
must be whole numbers; weeks, days, hours, minutes and seconds may carry a decimal
fraction (``.`` or ``,``). A duration is kept as two parts because they do not convert
into each other:

* a **calendar part** in months (``P1Y`` = 12 months), added to the calendar date with
  the day clamped to the month's end: 2026-01-31 + ``P1M`` = 2026-02-28, and
  2028-01-31 + ``P1M`` = 2028-02-29 (leap year); 2028-02-29 + ``P1Y`` = 2029-02-28;
* an **exact part** in microseconds (weeks, days, hours, minutes, seconds). All
  arithmetic is in UTC, where a day is always 86,400 s (POSIX time has no leap
  seconds and UTC no daylight saving).

As in XML Schema (Part 2, appendix E), the calendar part is added first and the exact
part second. Invalid text raises :class:`~lrs_bridge.errors.BadRequest` naming the
field it came from, so an admin API can report it as a validation error.
"""

from __future__ import annotations

import calendar
import dataclasses
import functools
import math
import re
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from lrs_bridge.errors import BadRequest

SECOND_US = 1_000_000
MINUTE_US = 60 * SECOND_US
HOUR_US = 60 * MINUTE_US
DAY_US = 24 * HOUR_US
WEEK_US = 7 * DAY_US
#: Mean Gregorian month (365.2425 / 12 days); used only where a duration must become one
#: number (e.g. a half-life), never for due dates, which use the calendar.
NOMINAL_MONTH_US = 2_629_746 * SECOND_US

DEFAULT_VALIDITY = "P3M"  # the seeds recommend quarterly refreshers
DEFAULT_FIXED_DUE_SOON = "P14D"
DEFAULT_TARGET_RETENTION = 0.9
DEFAULT_ADAPTIVE_DUE_SOON = "P7D"
#: FSRS's own default first-review stabilities (0.2 to 8.3 days) suit flash cards; a
#: customer-service skill practised once in training is taken to hold ~a month, so the
#: first refresher falls at the seeds' "monthly" end and grows towards quarterly and beyond.
DEFAULT_INITIAL_STABILITY_DAYS = 30.0
MAX_INITIAL_STABILITY_DAYS = 100.0  # the upper bound FSRS accepts for its w0..w3
DEFAULT_LEVEL_HALF_LIFE = "P3M"

_MAX_TEXT = 64
_MAX_MONTHS = 12 * 10_000
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_NUM = r"[0-9]+(?:[.,][0-9]+)?"
_DURATION_RE = re.compile(
    r"P(?!$)"
    r"(?:(?P<years>[0-9]+)Y)?"
    r"(?:(?P<months>[0-9]+)M)?"
    rf"(?:(?P<weeks>{_NUM})W)?"
    rf"(?:(?P<days>{_NUM})D)?"
    r"(?:T(?=[0-9])"
    rf"(?:(?P<hours>{_NUM})H)?"
    rf"(?:(?P<minutes>{_NUM})M)?"
    rf"(?:(?P<seconds>{_NUM})S)?"
    r")?"
)
_EXACT_UNITS = (("weeks", WEEK_US), ("days", DAY_US), ("hours", HOUR_US), ("minutes", MINUTE_US))


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Duration:
    """A parsed ISO 8601 duration: calendar months plus exact microseconds."""

    months: int
    micros: int

    @property
    def nominal_us(self) -> int:
        """The length as one number, counting a month as 1/12 of a Gregorian year."""
        return self.months * NOMINAL_MONTH_US + self.micros


def parse_duration(text: str, *, field: str = "duration") -> Duration:
    """Parse an ISO 8601 duration such as ``P3M``, ``P90D``, ``P1M2W`` or ``PT36H``.

    Raises:
        BadRequest: ``text`` is not such a duration; ``field`` names where it came from.
    """
    if not isinstance(text, str):
        raise BadRequest(f"{field}: expected an ISO 8601 duration string", field=field)
    return _parse(text, field)


@functools.lru_cache(maxsize=256)
def _parse(text: str, field: str) -> Duration:
    # Cached: policies are few and their durations are re-read on every computation.
    stripped = text.strip()
    match = _DURATION_RE.fullmatch(stripped) if len(stripped) <= _MAX_TEXT else None
    if match is None:
        raise BadRequest(
            f"{field}: {text!r} is not an ISO 8601 duration (e.g. P3M, P90D, P1M2W, PT12H)",
            field=field,
        )
    groups = match.groupdict()
    months = 12 * int(groups["years"] or 0) + int(groups["months"] or 0)
    if months > _MAX_MONTHS:
        raise BadRequest(f"{field}: {text!r} is longer than 10,000 years", field=field)
    exact = Decimal(0)
    try:
        for name, unit in _EXACT_UNITS:
            if groups[name]:
                exact += Decimal(groups[name].replace(",", ".")) * unit
        if groups["seconds"]:
            exact += Decimal(groups["seconds"].replace(",", ".")) * SECOND_US
        micros = int(exact.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))
    except (InvalidOperation, ValueError, OverflowError) as exc:  # pragma: no cover - regex-guarded
        raise BadRequest(f"{field}: {text!r} is not a usable duration", field=field) from exc
    return Duration(months=months, micros=micros)


def add_duration(at_us: int, duration: str | Duration, *, field: str = "duration") -> int:
    """``at_us`` plus ``duration``: calendar months first (day clamped), then exact time.

    2026-01-31T10:00Z + ``P1M`` is 2026-02-28T10:00Z; + ``P1M1D`` is 2026-03-01T10:00Z.

    Raises:
        BadRequest: the duration is invalid, or the result leaves years 1..9999.
    """
    parsed = parse_duration(duration, field=field) if isinstance(duration, str) else duration
    return _shift(at_us, parsed.months, parsed.micros, field)


def subtract_duration(at_us: int, duration: str | Duration, *, field: str = "duration") -> int:
    """``at_us`` minus ``duration`` (months back with day clamping, then exact time).

    Not an exact inverse of :func:`add_duration` when clamping occurs:
    2026-03-31 - ``P1M`` is 2026-02-28.
    """
    parsed = parse_duration(duration, field=field) if isinstance(duration, str) else duration
    return _shift(at_us, -parsed.months, -parsed.micros, field)


def _shift(at_us: int, months: int, micros: int, field: str) -> int:
    if months:
        day_index, time_of_day = divmod(at_us, DAY_US)
        try:
            day = date.fromordinal(_EPOCH_ORDINAL + day_index)
        except (ValueError, OverflowError) as exc:
            raise BadRequest(f"{field}: instant out of range", field=field) from exc
        year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
        if not 1 <= year <= 9999:
            raise BadRequest(f"{field}: result falls outside years 1..9999", field=field)
        last_day = calendar.monthrange(year, month0 + 1)[1]
        moved = date(year, month0 + 1, min(day.day, last_day))
        at_us = (moved.toordinal() - _EPOCH_ORDINAL) * DAY_US + time_of_day
    return at_us + micros


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class FixedWindowPolicy:
    """A competency is fresh for ``validity`` after its last positive evidence.

    This is how certification products expire a certificate, applied per competency.
    ``due_soon`` is the lead time before ``stale_at`` in which the status is ``due_soon``
    (``P0D`` disables that warning). Validity is also the half-life of evidence in the
    level (see :func:`lrs_bridge.competency.engine.compute_state`).
    """

    id: str
    validity: str = DEFAULT_VALIDITY
    due_soon: str = DEFAULT_FIXED_DUE_SOON

    def __post_init__(self) -> None:
        _check_id(self.id)
        if self.validity_duration.nominal_us <= 0:
            raise BadRequest("validity: must be longer than zero", field="validity")
        _ = self.due_soon_duration  # validates eagerly

    @property
    def validity_duration(self) -> Duration:
        """The parsed ``validity``."""
        return parse_duration(self.validity, field="validity")

    @property
    def due_soon_duration(self) -> Duration:
        """The parsed ``due_soon`` lead time."""
        return parse_duration(self.due_soon, field="due_soon")

    @property
    def level_half_life_us(self) -> int:
        """Age at which a piece of evidence counts half in the level: one validity window."""
        return self.validity_duration.nominal_us


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class AdaptivePolicy:
    """Spaced repetition with FSRS: practice lengthens the interval, failure shortens it.

    * ``target_retention``: the competency is due when FSRS's predicted probability of
      recall (retrievability) falls to this value; higher means more frequent refreshers.
    * ``initial_stability_days``: stability after a first *Good* practice, i.e. the first
      interval at 90 % retention. FSRS's other first-review stabilities (Again, Hard,
      Easy) are scaled by the same factor from its defaults, capped at 100 days.
    * ``due_soon``: lead time before ``stale_at`` for the ``due_soon`` status.
    * ``level_half_life``: age at which evidence counts half in the level.
    """

    id: str
    target_retention: float = DEFAULT_TARGET_RETENTION
    due_soon: str = DEFAULT_ADAPTIVE_DUE_SOON
    initial_stability_days: float = DEFAULT_INITIAL_STABILITY_DAYS
    level_half_life: str = DEFAULT_LEVEL_HALF_LIFE

    def __post_init__(self) -> None:
        _check_id(self.id)
        retention = self.target_retention
        if not _is_real(retention) or not 0.0 < retention < 1.0:
            raise BadRequest(
                "target_retention: must be a number strictly between 0 and 1",
                field="target_retention",
            )
        stability = self.initial_stability_days
        if not _is_real(stability) or not 0.0 < stability <= MAX_INITIAL_STABILITY_DAYS:
            raise BadRequest(
                f"initial_stability_days: must be a number in (0, {MAX_INITIAL_STABILITY_DAYS:g}]",
                field="initial_stability_days",
            )
        _ = self.due_soon_duration  # validates eagerly
        if self.level_half_life_us <= 0:
            raise BadRequest("level_half_life: must be longer than zero", field="level_half_life")

    @property
    def due_soon_duration(self) -> Duration:
        """The parsed ``due_soon`` lead time."""
        return parse_duration(self.due_soon, field="due_soon")

    @property
    def level_half_life_us(self) -> int:
        """Age at which a piece of evidence counts half in the level."""
        return parse_duration(self.level_half_life, field="level_half_life").nominal_us


Policy = FixedWindowPolicy | AdaptivePolicy


def _check_id(value: object) -> None:
    if not isinstance(value, str) or not value:
        raise BadRequest("id: a policy needs a non-empty id", field="id")


def _is_real(value: object) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )
