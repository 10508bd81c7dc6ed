"""Periodic jobs the scheduler process runs. Later issues add the refresher scan and dispatch."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from lrs_bridge.runtime import Runtime


@dataclasses.dataclass(frozen=True, kw_only=True)
class PeriodicJob:
    """A job run every ``seconds``; ``func`` receives the process runtime."""

    id: str
    seconds: int
    func: Callable[[Runtime], None]


def periodic_jobs() -> list[PeriodicJob]:
    """The jobs of this release (none yet: the foundation only provides the process)."""
    return []
