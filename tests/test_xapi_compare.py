"""Statement comparison (Data §2.3.1): which differences make a re-sent statement a new one."""

from __future__ import annotations

import pytest

from lrs_bridge.xapi.compare import statements_match
from tests.factories import statement

BASE = statement()


@pytest.mark.parametrize(
    ("stored", "received", "same"),
    [
        ("P1DT12H36M0.1237S", "P1DT12H36M0.12S", True),  # beyond hundredths: ignored (2.0.0)
        ("PT0.1S", "PT0.10S", True),
        ("PT1S", "PT1.00S", True),
        ("PT1,5S", "PT1.5S", True),
        ("PT0.13S", "PT0.12S", False),
        ("PT1M", "PT60S", False),  # different text, not normalised across units
        ("P1D", "P1D", True),
    ],
)
def test_durations_are_compared_to_hundredths_of_a_second(
    stored: str, received: str, same: bool
) -> None:
    left = {**BASE, "result": {"duration": stored}}
    right = {**BASE, "result": {"duration": received}}
    assert statements_match(left, right) is same
