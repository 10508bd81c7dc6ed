"""Runs :func:`lrs_bridge.scheduling.jobs.periodic_jobs` in an APScheduler 3.x scheduler."""

from __future__ import annotations

import logging
import signal
from datetime import UTC, datetime
from types import FrameType

from apscheduler.schedulers.blocking import BlockingScheduler

from lrs_bridge.runtime import Runtime
from lrs_bridge.scheduling.jobs import periodic_jobs

logger = logging.getLogger(__name__)


def run_scheduler(runtime: Runtime) -> None:
    """Block running the periodic jobs until SIGTERM/SIGINT; misfires coalesce into one run."""
    # APScheduler logs two INFO lines per run of every job; our jobs log what they did.
    logging.getLogger("apscheduler").setLevel(max(logging.WARNING, logger.getEffectiveLevel()))
    scheduler = BlockingScheduler(
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
        timezone="UTC",
    )
    for job in periodic_jobs(runtime):
        # The first run comes at once (catching up after downtime), then every interval;
        # APScheduler logs a failing run and tries again at the next one.
        scheduler.add_job(
            job.func,
            "interval",
            seconds=job.seconds,
            id=job.id,
            args=[runtime],
            next_run_time=datetime.now(UTC),
        )

    def _stop(signum: int, _frame: FrameType | None) -> None:
        logger.info("scheduler stopping", extra={"signal": signum})
        scheduler.shutdown(wait=True)

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    logger.info("scheduler started", extra={"jobs": [j.id for j in scheduler.get_jobs()]})
    scheduler.start()
    logger.info("scheduler stopped")
