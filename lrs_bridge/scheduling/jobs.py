"""Periodic jobs the scheduler process runs (never inside web workers)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from lrs_bridge.runtime import Runtime
from lrs_bridge.services.admin import apply_pending_replay
from lrs_bridge.services.inbox import UsageTracker
from lrs_bridge.store.activity_usage import ActivityUsageStore
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


def _scan_refreshers(runtime: Runtime) -> None:
    if runtime.refreshers is not None:
        runtime.refreshers.scan()


def _dispatch_notifications(runtime: Runtime) -> None:
    runtime.dispatcher.dispatch()


def _pull_upstreams(runtime: Runtime) -> None:
    runtime.puller.pull_all()


#: Unlinked attachment content younger than this is left alone (a request may be between
#: storing it and committing its statements).
ATTACHMENT_GRACE_US = 3600 * 1_000_000


def _collect_attachment_garbage(runtime: Runtime) -> None:
    runtime.attachments.collect_garbage(ATTACHMENT_GRACE_US)


def _count_activity_usage(runtime: Runtime) -> None:
    UsageTracker(ActivityUsageStore(runtime.engine), runtime.store, runtime.clock).run()


#: How often the activity inbox's usage summary catches up with new statements.
ACTIVITY_USAGE_SECONDS = 10


def periodic_jobs(runtime: Runtime) -> list[PeriodicJob]:
    """The jobs of this release, at the intervals the settings give."""
    settings = runtime.settings
    return [
        # Absence is the trigger: nothing arrives when a skill fades, so a scan looks.
        PeriodicJob(
            id="refresher-scan", seconds=settings.refresher_scan_seconds, func=_scan_refreshers
        ),
        PeriodicJob(
            id="notification-dispatch",
            seconds=settings.dispatch_seconds,
            func=_dispatch_notifications,
        ),
        # Content a crash or an erasure left without a statement.
        PeriodicJob(id="attachment-gc", seconds=3600, func=_collect_attachment_garbage),
        # An admin's map or framework change is active for new statements at once; this
        # rebuilds the evidence of all stored statements under it.
        PeriodicJob(id="competency-config-replay", seconds=30, func=_replay_pending_config),
        # The console's activity inbox reads this summary, never the raw statements.
        PeriodicJob(
            id="activity-usage", seconds=ACTIVITY_USAGE_SECONDS, func=_count_activity_usage
        ),
        # Each pulling upstream is claimed in the database: one scheduler pulls it at a time.
        PeriodicJob(
            id="upstream-pull", seconds=settings.upstream_pull_seconds, func=_pull_upstreams
        ),
    ]
