"""The canonical-timestamp fast path of ``parse_timestamp_us`` reads exactly what the full
parser reads: same microseconds, same refusals, whatever the text."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lrs_bridge.xapi.timefmt import _parse_any_us, parse_timestamp_us

CASES = [
    ("2026-01-01T00:00:00Z", 1_767_225_600_000_000),
    ("2026-01-01T00:00:00.5Z", 1_767_225_600_500_000),
    ("2026-01-01T00:00:00.123Z", 1_767_225_600_123_000),
    ("2026-01-01T00:00:00.123456Z", 1_767_225_600_123_456),
    ("2026-01-01T00:00:00.12345678Z", 1_767_225_600_123_456),
    ("2024-02-29T00:00:00+00:00", 1_709_164_800_000_000),
    ("2024-02-29T00:00:00-00:00", 1_709_164_800_000_000),
    ("2024-02-29T23:59:59.999999999+01:00", 1_709_247_599_999_999),
    ("2024-02-29T01:30:00-05:30", 1_709_190_000_000_000),
    ("1969-12-31T23:59:59.5Z", -500_000),
    ("2026-02-29T00:00:00Z", None),
    ("2026-01-01T24:00:00Z", None),
    ("2024-02-29T00:00:60Z", None),
    ("2024-13-01T00:00:00Z", None),
    ("0000-01-01T00:00:00Z", None),
    ("2024-02-29T00:00:00+24:00", None),
    ("not a time", None),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_timestamps_read_as_the_table_says(text: str, expected: int | None) -> None:
    assert parse_timestamp_us(text) == expected
    assert _parse_any_us(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        " 2026-01-01T00:00:00Z",
        "2026-01-01t00:00:00z",
        "2026-01-01 00:00:00Z",
        "2026-01-01T00:00:00.Z",
        "2026-01-01T00:00:00,5Z",
        "2026-01-01T00:00:00+0100",
        "2026-01-01T00:00:00",
        "٢٠٢٦-01-01T00:00:00Z",
    ],
)
def test_other_forms_take_the_full_parser_with_the_same_result(text: str) -> None:
    assert parse_timestamp_us(text) == _parse_any_us(text)


@settings(max_examples=400, deadline=None)
@given(
    moment=st.datetimes(
        min_value=datetime.datetime(1, 1, 2), max_value=datetime.datetime(9999, 12, 30)
    ),
    digits=st.integers(min_value=0, max_value=9),
    offset_minutes=st.integers(min_value=-23 * 60 - 59, max_value=23 * 60 + 59),
    zulu=st.booleans(),
)
def test_any_canonical_moment_reads_as_the_full_parser_reads_it(
    moment: datetime.datetime, digits: int, offset_minutes: int, zulu: bool
) -> None:
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if digits:
        text += "." + f"{moment.microsecond:06d}{moment.microsecond % 1000:03d}"[:digits]
    if zulu:
        text += "Z"
    else:
        sign = "-" if offset_minutes < 0 else "+"
        hours, minutes = divmod(abs(offset_minutes), 60)
        text += f"{sign}{hours:02d}:{minutes:02d}"
    assert parse_timestamp_us(text) == _parse_any_us(text)


@settings(max_examples=300, deadline=None)
@given(
    text=st.from_regex(
        r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,8})?(Z|[+-][0-9]{2}:[0-9]{2})",
        fullmatch=True,
    )
)
def test_out_of_range_fields_are_refused_as_the_full_parser_refuses_them(text: str) -> None:
    assert parse_timestamp_us(text) == _parse_any_us(text)
