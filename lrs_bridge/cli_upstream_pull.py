"""``lrs-bridge upstream pull NAME [--from ISO8601] [--once]``: pull one upstream by hand.

``--from`` back-fills the history from that date with a progress bar, then exits and leaves
the cursor where it ended, for the scheduler to carry on. ``--once`` is one pass to the end of
the listing. Without either it keeps pulling every ``upstream_pull_seconds`` until SIGTERM or
Ctrl-C. Any failure exits non-zero with the reason; another puller holding the upstream's
lease is a failure for a one-shot run.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
from types import FrameType

import click

from lrs_bridge.cli_upstreams import upstream_runtime
from lrs_bridge.errors import LrsBridgeError
from lrs_bridge.runtime import Runtime
from lrs_bridge.services.pulling import PullBusy, PullReport
from lrs_bridge.upstream.client import UpstreamRefused, UpstreamUnavailable
from lrs_bridge.upstream.model import Upstream
from lrs_bridge.xapi.timefmt import format_timestamp_us, parse_timestamp_us

#: What makes a pull pass fail: the upstream, this database, or the lease.
_FAILURES = (LrsBridgeError, UpstreamUnavailable, UpstreamRefused, PullBusy, OSError)


@click.command("pull")
@click.argument("name")
@click.option(
    "--from",
    "from_",
    metavar="ISO8601",
    default=None,
    help="Back-fill everything the upstream stored after this date, then exit.",
)
@click.option("--once", is_flag=True, help="One pass to the end of the listing, then exit.")
@click.pass_context
def pull(ctx: click.Context, name: str, from_: str | None, once: bool) -> None:
    """Pull statements from upstream NAME into this LRS, through intake."""
    from_us = _parse_from(from_) if from_ is not None else None
    with upstream_runtime(ctx) as runtime:
        try:
            target = runtime.upstreams.get(name)
        except LrsBridgeError as exc:
            raise click.ClickException(str(exc)) from None
        if not target.pulls:
            raise click.ClickException(
                f"upstream {name!r} does not pull (direction {target.direction}"
                f"{', disabled' if not target.enabled else ''})"
            )
        stop = _stop_on_signals()
        if from_us is not None or once:
            report = _one_pass(runtime, target, from_us, stop)
            click.echo(_summary(report))
            return
        _keep_pulling(runtime, target, stop)


def _parse_from(value: str) -> int:
    parsed = parse_timestamp_us(value)
    if parsed is None and len(value) == 10:
        parsed = parse_timestamp_us(value + "T00:00:00Z")  # a date alone: its midnight, UTC
    if parsed is None:
        raise click.BadParameter(
            f"{value!r} is not an ISO 8601 date or timestamp", param_hint="--from"
        )
    return parsed


def _one_pass(
    runtime: Runtime, target: Upstream, from_us: int | None, stop: threading.Event
) -> PullReport:
    progress = _Progress(from_us, runtime.clock()) if from_us is not None else None
    try:
        report = runtime.puller.pull(
            target,
            from_us=from_us,
            backfill=from_us is not None,
            on_page=progress.page if progress else None,
            stop=stop,
        )
        if progress is not None and not report.stopped:
            progress.finish()  # the end of the listing: the history up to now is in
        return report
    except _FAILURES as exc:
        raise click.ClickException(f"pulling {target.name!r} failed: {exc}") from None
    finally:
        if progress is not None:
            progress.close()


def _keep_pulling(runtime: Runtime, target: Upstream, stop: threading.Event) -> None:
    """Pass after pass until stopped; a failed pass is reported and tried again next time."""
    while not stop.is_set():
        try:
            report = runtime.puller.pull(target, stop=stop)
            click.echo(_summary(report))
        except _FAILURES as exc:
            click.echo(f"pulling {target.name!r} failed: {exc}", err=True)
        stop.wait(runtime.settings.upstream_pull_seconds)


def _summary(report: PullReport) -> str:
    text = (
        f"{report.upstream}: {report.new} new of {report.listed} listed in {report.pages} page(s)"
    )
    if report.skipped:
        text += f", {len(report.skipped)} skipped (see 'upstream status')"
    return text + (" (stopped)" if report.stopped else "")


def _stop_on_signals() -> threading.Event:
    """Set on SIGTERM/SIGINT: the pass ends after the page it is storing is committed."""
    stop = threading.Event()

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, handler)
    return stop


class _Progress:
    """A back-fill's progress: the time from ``--from`` to now, covered by the ``stored`` of
    the last page. A bar on a terminal, a line per page otherwise (logs, pipes)."""

    #: The bar's length: per mille of the time span.
    STEPS = 1000

    def __init__(self, from_us: int, now_us: int) -> None:
        self.from_us = from_us
        self.span_us = max(1, now_us - from_us)
        self.started = time.monotonic()
        self.done = 0
        self.bar = click.progressbar(length=self.STEPS, label="pulling") if _tty() else None
        if self.bar is not None:
            self.bar.__enter__()

    def page(self, report: PullReport) -> None:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        label = f"{report.new} new, {report.listed / elapsed:,.0f}/s"
        if report.last_stored_us is not None:
            covered = (report.last_stored_us - self.from_us) * self.STEPS // self.span_us
            reached = min(self.STEPS, max(self.done, covered))
            if self.bar is not None:
                self.bar.label = label
                self.bar.update(reached - self.done)
            self.done = reached
        if self.bar is None:
            up_to = format_timestamp_us(report.last_stored_us) if report.last_stored_us else "-"
            click.echo(
                f"pulled {report.listed} ({label}) up to {up_to}, "
                f"{self.done // 10}% of the time since --from"
            )

    def finish(self) -> None:
        if self.bar is not None:
            self.bar.update(self.STEPS - self.done)
        self.done = self.STEPS

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


def _tty() -> bool:
    return sys.stdout.isatty()
