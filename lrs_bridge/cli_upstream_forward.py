"""``lrs-bridge upstream forward [NAME] [--once]``: deliver the forward outbox from a shell.

Operators script against it: one line per upstream, and a non-zero exit code when
something is left failing (a batch waiting for a retry, or new dead letters).
"""

from __future__ import annotations

import signal
import threading
from types import FrameType

import click

from lrs_bridge.cli_upstreams import upstream_runtime


@click.command("forward")
@click.argument("name", required=False)
@click.option(
    "--once",
    is_flag=True,
    help="Deliver what is queued now, then exit (default: keep forwarding until stopped).",
)
@click.pass_context
def forward(ctx: click.Context, name: str | None, once: bool) -> None:
    """Forward queued statements to NAME (every forwarding upstream without it)."""
    stop = threading.Event()
    if not once:

        def stopping(signum: int, frame: FrameType | None) -> None:
            stop.set()

        signal.signal(signal.SIGTERM, stopping)
        signal.signal(signal.SIGINT, stopping)
    with upstream_runtime(ctx) as runtime:
        report = runtime.forwarder.forward(name, once=once, stop=stop)
    if not report.upstreams:
        click.echo("no upstream forwards: nothing to do")
    for item in report.upstreams:
        click.echo(item.summary())
    ctx.exit(1 if report.failing else 0)
