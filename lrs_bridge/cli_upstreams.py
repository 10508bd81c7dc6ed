"""``lrs-bridge upstream``: the upstream LRSs this one forwards to and pulls from.

The command names and options are contracts operators script against (issue 11).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import click

from lrs_bridge.config import load_settings
from lrs_bridge.runtime import Runtime, build_runtime


@contextlib.contextmanager
def upstream_runtime(ctx: click.Context) -> Iterator[Runtime]:
    """The runtime for one command, closed after it."""
    runtime = build_runtime(load_settings(dict(ctx.find_root().obj or {})))
    try:
        yield runtime
    finally:
        runtime.close()


@click.group()
def upstream() -> None:
    """Upstream LRSs: forward what is received, pull what they hold."""
