"""``lrs-bridge upstream``: the upstream LRSs this one forwards to and pulls from.

The command names and options are contracts operators script against (issue 11). Secrets
are never printed; ``--secret-stdin`` keeps one off the command line (and shell history).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import Any

import click
import orjson
from marshmallow import ValidationError

from lrs_bridge.config import load_settings
from lrs_bridge.runtime import Runtime, build_runtime
from lrs_bridge.services.upstreams import SyncResult, public_upstream
from lrs_bridge.upstream.model import DIRECTIONS, VERSIONS


@contextlib.contextmanager
def upstream_runtime(ctx: click.Context) -> Iterator[Runtime]:
    """The runtime for one command, closed after it."""
    runtime = build_runtime(load_settings(dict(ctx.find_root().obj or {})))
    try:
        yield runtime
    finally:
        runtime.close()


def sync_configured_upstreams(runtime: Runtime) -> SyncResult:
    """Bring the registry in step with the file's ``[[upstreams]]`` (``serve``,
    ``scheduler`` and ``db upgrade`` call this as they start) and say what changed."""
    result = runtime.upstreams.sync_config(runtime.settings.upstreams)
    for verb, names in (
        ("added", result.added),
        ("updated", result.updated),
        ("removed (with their queued statements)", result.removed),
    ):
        if names:
            click.echo(f"upstreams {verb} from the configuration file: {', '.join(names)}")
    return result


@click.group()
def upstream() -> None:
    """Upstream LRSs: forward what is received, pull what they hold."""


@upstream.command("add")
@click.argument("name")
@click.option("--endpoint", required=True, help="The upstream's xAPI endpoint (http or https).")
@click.option("--key", required=True, help="The key (Basic auth user) to send.")
@click.option("--secret", default=None, help="The secret to send (or --secret-stdin).")
@click.option("--secret-stdin", is_flag=True, help="Read the secret from the first stdin line.")
@click.option("--direction", required=True, type=click.Choice(DIRECTIONS))
@click.option("--version", default="1.0.3", show_default=True, type=click.Choice(VERSIONS))
@click.option("--verbs", "verbs", multiple=True, help="Forward only this verb IRI (repeatable).")
@click.option("--activity-prefix", "activity_prefixes", multiple=True, help="Repeatable.")
@click.option("--platform", "platforms", multiple=True, help="context.platform (repeatable).")
@click.option("--credential", "credentials", multiple=True, help="Credential key (repeatable).")
@click.pass_context
def upstream_add(
    ctx: click.Context, /, name: str, secret: str | None, secret_stdin: bool, **options: Any
) -> None:
    """Register an upstream (filters: every given one must match; each is any-of)."""
    if secret_stdin == (secret is not None):
        raise click.UsageError("give exactly one of --secret and --secret-stdin")
    if secret_stdin:
        secret = sys.stdin.readline().rstrip("\r\n")
    body = {"name": name, "secret": secret} | {
        k: list(v) if isinstance(v, tuple) else v for k, v in options.items()
    }
    with upstream_runtime(ctx) as runtime:
        try:
            added = runtime.upstreams.create(body)
        except ValidationError as error:
            field, messages = next(iter(error.messages_dict.items()))
            option = "NAME" if field == "name" else "--" + str(field).replace("_", "-")
            raise click.BadParameter(str(messages), param_hint=option) from None
    click.echo(f"added upstream {added.name} ({added.direction}, {added.endpoint})")


@upstream.command("list")
@click.option("--json", "as_json", is_flag=True, help="JSON lines, one upstream each.")
@click.pass_context
def upstream_list(ctx: click.Context, as_json: bool) -> None:
    """Every upstream (never its secret)."""
    with upstream_runtime(ctx) as runtime:
        found = runtime.upstreams.all()
    for item in found:
        if as_json:
            click.echo(orjson.dumps(public_upstream(item)).decode())
            continue
        state = "enabled" if item.enabled else "disabled"
        click.echo(
            f"{item.name}\t{item.direction}\t{item.version}\t{item.endpoint}\t{state}"
            f"\tsource={item.source}"
        )


@upstream.command("remove")
@click.argument("name")
@click.pass_context
def upstream_remove(ctx: click.Context, name: str) -> None:
    """Remove an upstream; statements still queued for it are dropped with it."""
    with upstream_runtime(ctx) as runtime:
        dropped = runtime.upstreams.records.queued(name)
        runtime.upstreams.remove(name)
    click.echo(f"removed upstream {name}" + (f" ({dropped} queued dropped)" if dropped else ""))


_COLUMNS = ("NAME", "DIRECTION", "QUEUED", "DEAD", "FWD LAG", "PULL LAG", "LAST ERROR")


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}s"


@upstream.command("status")
@click.option("--json", "as_json", is_flag=True, help="One JSON document (stable keys).")
@click.pass_context
def upstream_status(ctx: click.Context, as_json: bool) -> None:
    """Queue depth, dead letters, lag, last outcomes and the pull cursor, per upstream."""
    with upstream_runtime(ctx) as runtime:
        figures = [runtime.upstream_status.status(u).to_dict() for u in runtime.upstreams.all()]
    if as_json:
        click.echo(orjson.dumps({"upstreams": figures}).decode())
        return
    rows = [_COLUMNS] + [
        (
            item["name"] + ("" if item["enabled"] else " (disabled)"),
            item["direction"],
            str(item["forward"]["queue_depth"]),
            str(item["forward"]["dead_letters"]),
            _seconds(item["forward"]["lag_seconds"]),
            _seconds(item["pull"]["lag_seconds"]),
            (item["forward"]["last_error"] or item["pull"]["last_error"] or "-")[:60],
        )
        for item in figures
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(_COLUMNS))]
    for row in rows:
        cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        click.echo("  ".join(cells).rstrip())
