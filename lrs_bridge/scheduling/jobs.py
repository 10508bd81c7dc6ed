"""Periodic jobs the scheduler process runs. Later issues add the refresher scan and dispatch."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from lrs_bridge.runtime import Runtime
from lrs_bridge.services.admin import apply_pending_replay
from lrs_bridge.xapi.timefmt import now_us


@dataclasses.dataclass(frozen=True, kw_only=True)
class PeriodicJob:
    """A job run every ``seconds``; ``func`` receives the process runtime."""

    id: str
    seconds: int
    func: Callable[[Runtime], None]


def _replay_pending_config(runtime: Runtime) -> None:
    if runtime.competencies is not None:
        apply_pending_replay(runtime.store, runtime.competencies, now_us)


def periodic_jobs() -> list[PeriodicJob]:
    """The jobs of this release."""
    return [
        # An admin's map or framework change is active for new statements at once; this
        # rebuilds the evidence of all stored statements under it.
        PeriodicJob(id="competency-config-replay", seconds=30, func=_replay_pending_config),
    ]
