"""The ``lrs-bridge`` command: serve, scheduler, db upgrade, credentials, competencies, …"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import orjson

from lrs_bridge.auth import EVIDENCE_POLICIES, create_credential
from lrs_bridge.cli_upstream_pull import pull as upstream_pull
from lrs_bridge.cli_upstreams import sync_configured_upstreams, upstream
from lrs_bridge.cli_users import users
from lrs_bridge.config import ENV_PREFIX, Settings, load_settings
from lrs_bridge.errors import BadRequest, LrsBridgeError
from lrs_bridge.observability import configure_logging
from lrs_bridge.runtime import Runtime, build_runtime
from lrs_bridge.services.admin import replay_active
from lrs_bridge.services.competencies import CompetencyEngine, EngineSource
from lrs_bridge.services.config_check import check_files, is_framework_document
from lrs_bridge.services.directory import email_keys, import_directory
from lrs_bridge.store.migrate import upgrade
from lrs_bridge.supervisor import spawn, supervise
from lrs_bridge.xapi.timefmt import now_us, parse_timestamp_us

DEMO_NAME = "demo"


@contextlib.contextmanager
def _runtime(ctx: click.Context) -> Iterator[Runtime]:
    """The runtime for one command, its connections released afterwards."""
    runtime = build_runtime(_settings(ctx))
    try:
        yield runtime
    finally:
        runtime.close()


def _settings(ctx: click.Context, **overrides: Any) -> Settings:
    base: dict[str, Any] = ctx.obj or {}
    return load_settings({**base, **{k: v for k, v in overrides.items() if v is not None}})


@click.group()
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False),
    default=None,
    help="TOML settings file (else $LRS_BRIDGE_CONFIG).",
)
@click.option("--database-url", default=None, help="Overrides LRS_BRIDGE_DATABASE_URL.")
@click.pass_context
def cli(ctx: click.Context, config_file: str | None, database_url: str | None) -> None:
    """lrs-bridge: an xAPI LRS that keeps competencies fresh."""
    if config_file:
        os.environ[f"{ENV_PREFIX}CONFIG"] = str(Path(config_file).resolve())
    ctx.obj = {"database_url": database_url} if database_url else {}


@cli.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@click.pass_context
def db_upgrade(ctx: click.Context) -> None:
    """Apply migrations up to the newest revision."""
    with _runtime(ctx) as runtime:
        upgrade(runtime.engine)
        sync_configured_upstreams(runtime)
    click.echo(f"database at newest revision: {runtime.engine.url.render_as_string()}")


@cli.group()
def credentials() -> None:
    """API credentials (HTTP Basic key/secret with scopes)."""


@credentials.command("create")
@click.option("--name", required=True, help="Who or what uses the credential.")
@click.option(
    "--scopes",
    default="statements/write,statements/read/mine",
    show_default=True,
    help="Comma-separated: statements/write, statements/read, statements/read/mine, "
    "all/read, all, state, define, profile, admin.",
)
@click.option("--key", default=None, help="Public key (default: random).")
@click.option("--secret", default=None, help="Secret (default: random; shown once).")
@click.option(
    "--learner-email",
    default=None,
    help="Make it a learner's own credential: it may read that learner's competencies.",
)
@click.option(
    "--evidence",
    type=click.Choice(EVIDENCE_POLICIES),
    default=None,
    help="Whose evidence its statements are: trusted (anyone they name; the default), "
    "self (only its learner; the default with --learner-email) or none.",
)
@click.pass_context
def credentials_create(
    ctx: click.Context,
    name: str,
    scopes: str,
    key: str | None,
    secret: str | None,
    learner_email: str | None,
    evidence: str | None,
) -> None:
    """Create a credential and print its key and secret (the secret only now)."""
    with _runtime(ctx) as runtime:
        learner_id = None
        if learner_email:
            learner = runtime.store.learner_by_agent_key(email_keys(learner_email)[0])
            if learner is None:
                raise BadRequest(f"no learner with e-mail {learner_email}", field="learner_email")
            learner_id = learner["id"]
        record, plain = create_credential(
            runtime.store,
            name=name,
            scopes=scopes,
            now_us=now_us(),
            key=key,
            secret=secret,
            learner_id=learner_id,
            evidence=evidence,
        )
    click.echo(
        f"key:    {record.key}\nsecret: {plain}\nscopes: {' '.join(sorted(record.scopes))}\n"
        f"evidence: {record.evidence}"
    )


@credentials.command("list")
@click.pass_context
def credentials_list(ctx: click.Context) -> None:
    """List credentials (never their secrets)."""
    with _runtime(ctx) as runtime:
        for record in runtime.store.list_credentials():
            state = "disabled" if record.disabled else "active"
            scopes = " ".join(sorted(record.scopes))
            click.echo(
                f"{record.key}\t{record.name}\t{state}\t{scopes}\tevidence={record.evidence}"
            )


@credentials.command("disable")
@click.argument("key")
@click.pass_context
def credentials_disable(ctx: click.Context, key: str) -> None:
    """Disable a credential (effective in every process within a second)."""
    with _runtime(ctx) as runtime:
        runtime.store.set_credential_disabled(key, True)
    click.echo(f"disabled {key}")


@credentials.command("demo")
@click.pass_context
def credentials_demo(ctx: click.Context) -> None:
    """Create the demo credential once and print it; later runs only say it exists."""
    with _runtime(ctx) as runtime:
        if runtime.store.credential_by_key(DEMO_NAME) is not None:
            click.echo(
                f"demo credential exists (key {DEMO_NAME!r}; its secret was printed when it was "
                "created). Make another with:\n"
                "  lrs-bridge credentials create --name NAME --scopes all"
            )
            return
        record, plain = create_credential(
            runtime.store, name=DEMO_NAME, scopes="all,admin", now_us=now_us(), key=DEMO_NAME
        )
    click.echo("=" * 64)
    click.echo("Demo credential (HTTP Basic), shown once:")
    click.echo(f"  key:    {record.key}\n  secret: {plain}")
    click.echo(
        f"  try:    curl -u {record.key}:{plain} -H 'X-Experience-API-Version: 1.0.3' "
        "http://127.0.0.1:8080/xapi/statements"
    )
    click.echo("=" * 64)


@cli.group()
def competencies() -> None:
    """The competency engine: evidence and state."""


def _source(runtime: Runtime) -> EngineSource:
    if runtime.competencies is None:
        raise BadRequest(
            "the competency engine is off (LRS_BRIDGE_COMPETENCY_ENGINE)", field="competency_engine"
        )
    return runtime.competencies


def _engine(runtime: Runtime) -> CompetencyEngine:
    return _source(runtime).current()


@competencies.command("replay")
@click.option("--since", default=None, help="Only statements stored after this ISO 8601 time.")
@click.pass_context
def competencies_replay(ctx: click.Context, since: str | None) -> None:
    """Rebuild evidence and every competency state from the statement store."""
    since_us = _time_option("since", since)
    with _runtime(ctx) as runtime:
        source = _source(runtime)
        total = runtime.store.count_statements(since_us)
        with click.progressbar(length=total, label="replaying statements", file=sys.stderr) as bar:
            started = time.monotonic()
            _, done = replay_active(
                runtime.store, source, now_us, since_us=since_us, progress=bar.update
            )
        elapsed = max(time.monotonic() - started, 1e-9)
    click.echo(f"replayed {done} statements in {elapsed:.1f}s ({done / elapsed:,.0f}/s)")


@competencies.command("validate")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--framework",
    "framework_file",
    type=click.Path(dir_okay=False),
    default=None,
    help="Framework to check a map against (default: the configured one).",
)
@click.pass_context
def competencies_validate(ctx: click.Context, file: str, framework_file: str | None) -> None:
    """Check a competency map (or framework) file; one line names what is wrong (exit 2)."""
    settings = _settings(ctx)
    if is_framework_document(Path(file)):
        checked = check_files(file, settings.competency_map_file)
    else:
        checked = check_files(framework_file or settings.framework_file, file)
    click.echo(checked.summary())


@cli.group()
def learners() -> None:
    """The learner directory."""


@learners.command("import")
@click.argument("csv_file", type=click.File("r", encoding="utf-8"))
@click.pass_context
def learners_import(ctx: click.Context, csv_file: Any) -> None:
    """Import learners from CSV: name, email, accounts (homePage|name;…), team, manager_email,
    language. IFIs already seen in statements are linked, and their learners merged."""
    text = csv_file.read()
    with _runtime(ctx) as runtime:
        engine = _engine(runtime)
        result = import_directory(runtime.store, text, engine.reduce, now_us)
    click.echo(", ".join(f"{name} {number}" for name, number in result.counts.items()))
    for warning in result.warnings:
        click.echo(f"warning: {warning['message']}", err=True)


@cli.command()
@click.pass_context
def scheduler(ctx: click.Context) -> None:
    """Run the scheduler process (periodic jobs) until stopped."""
    from lrs_bridge.scheduling.runner import run_scheduler

    configure_logging(_settings(ctx).log_level)
    with _runtime(ctx) as runtime:
        sync_configured_upstreams(runtime)
        run_scheduler(runtime)


@cli.command()
@click.option("--host", default=None, help="Bind address (default 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default 8080).")
@click.option(
    "--workers",
    type=int,
    default=None,
    help="Web worker processes (default: one per core, at least 2).",
)
@click.option("--no-scheduler", is_flag=True, help="Do not start the scheduler process.")
@click.pass_context
def serve(
    ctx: click.Context, host: str | None, port: int | None, workers: int | None, no_scheduler: bool
) -> None:
    """Serve the API with gunicorn and run the scheduler beside it; Ctrl-C stops both."""
    settings = _settings(ctx, host=host, port=port, workers=workers)
    if settings.competency_engine:
        # Once here, not in every worker: a typo is one line (main() exits 2), no tracebacks.
        check_files(settings.framework_file, settings.competency_map_file)
    with _runtime(ctx) as runtime:
        sync_configured_upstreams(runtime)
    metrics_dir = settings.metrics_dir or str(Path(settings.data_dir) / f"metrics-{os.getpid()}")
    shutil.rmtree(metrics_dir, ignore_errors=True)
    Path(metrics_dir).mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.update(
        {
            # Absolute values: the children read exactly what this process read.
            f"{ENV_PREFIX}DATA_DIR": settings.data_dir,
            f"{ENV_PREFIX}DATABASE_URL": settings.database_url,
            # The address served, so links in e-mails (settings.base_url) point at it.
            f"{ENV_PREFIX}HOST": settings.host,
            f"{ENV_PREFIX}PORT": str(settings.port),
            f"{ENV_PREFIX}METRICS_DIR": metrics_dir,
            "PROMETHEUS_MULTIPROC_DIR": metrics_dir,
        }
    )
    web = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"{settings.host}:{settings.port}",
        "--workers",
        str(settings.workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(settings.threads),
        "--keep-alive",
        "30",
        "--graceful-timeout",
        "20",
        "--log-level",
        "warning",
        "lrs_bridge:create_app()",
    ]
    # Own sessions, tied to this process's life (lrs_bridge/supervisor.py).
    children = [spawn(web, env, death_signal=signal.SIGQUIT)]
    if settings.scheduler and not no_scheduler:
        children.append(spawn([sys.executable, "-m", "lrs_bridge.cli", "scheduler"], env))
    click.echo(
        f"lrs-bridge serving on http://{settings.host}:{settings.port} "
        f"({settings.workers} workers, scheduler {'on' if len(children) > 1 else 'off'})"
    )
    status = supervise(children)
    if not settings.metrics_dir:
        shutil.rmtree(metrics_dir, ignore_errors=True)
    sys.exit(status)


@learners.command("erase")
@click.argument("learner_id", type=int)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--dry-run", is_flag=True, help="Only count what would be erased.")
@click.pass_context
def learners_erase(ctx: click.Context, learner_id: int, yes: bool, dry_run: bool) -> None:
    """Erase a learner: statements, documents, evidence, assignments, identifiers."""
    with _runtime(ctx) as runtime:
        learner = runtime.store.learner_by_id(learner_id)
        if learner is None:
            raise BadRequest(f"no learner {learner_id}", field="learner_id")
        if dry_run:
            counts = runtime.privacy.erase(learner_id, "cli", dry_run=True)
            click.echo(orjson.dumps(counts, option=orjson.OPT_INDENT_2).decode())
            return
        if not yes:
            click.confirm(
                f"Erase learner {learner_id} ({learner['name'] or 'no name'}, "
                f"{len(learner['ifis'])} identifiers) and every statement about them?",
                abort=True,
            )
        record = runtime.privacy.erase(learner_id, f"cli:{os.environ.get('USER', 'unknown')}")
    click.echo(orjson.dumps(record, option=orjson.OPT_INDENT_2).decode())


@cli.group()
def statements() -> None:
    """Statement exports."""


@statements.command("export")
@click.option(
    "--pseudonymise/--no-pseudonymise",
    default=True,
    help="Replace every Agent and Group by a stable pseudonym (default).",
)
@click.option("--output", "-o", type=click.File("wb"), default="-", help="File (default stdout).")
@click.pass_context
def statements_export(ctx: click.Context, pseudonymise: bool, output: Any) -> None:
    """Every non-voided statement as JSON lines, in stored order."""
    with _runtime(ctx) as runtime:
        for line in runtime.privacy.export_lines(pseudonymised=pseudonymise):
            output.write(line)


@cli.group()
def refreshers() -> None:
    """Refresher assignments for competencies that are going stale."""


@refreshers.command("scan")
@click.option("--at", "at", default=None, help="Scan as of this ISO 8601 time (default: now).")
@click.option("--dry-run", is_flag=True, help="Report what would be done; change nothing.")
@click.option("--force", is_flag=True, help="Allow a real scan at a future --at (simulations).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_context
def refreshers_scan(
    ctx: click.Context, at: str | None, dry_run: bool, force: bool, as_json: bool
) -> None:
    """Follow up open assignments and assign refreshers for what is due."""
    at_us = _time_option("at", at)
    if at_us is not None and at_us > now_us() and not (dry_run or force):
        # A scan "in the future" creates real assignments due early, sends real reminders
        # and escalations now, and its decisions are not undone when the date comes.
        raise BadRequest(
            f"--at {at} is in the future: a scan then would create real assignments and "
            "send real reminders and escalations early; add --dry-run to preview it, or "
            "--force for a simulation on a database you can throw away",
            field="at",
        )
    with _runtime(ctx) as runtime:
        if runtime.refreshers is None:
            raise BadRequest("the competency engine is off (LRS_BRIDGE_COMPETENCY_ENGINE)")
        report = runtime.refreshers.scan(at_us, dry_run=dry_run)
    if as_json:
        click.echo(orjson.dumps(report.as_dict(), option=orjson.OPT_INDENT_2).decode())
        return
    verb = "would create" if dry_run else "created"
    click.echo(
        f"refresher scan at {report.as_dict()['at']}{' (dry run)' if dry_run else ''}: "
        f"{report.candidates} due, {verb} {len(report.created)}, "
        f"{report.deferred} deferred by the per-learner cap, "
        f"{report.no_refresher} without a refresher in the catalogue, "
        f"{len(report.reminded)} reminded, {len(report.escalated)} escalated, "
        f"{len(report.completed)} completed, {report.notifications} notifications queued, "
        f"{report.waiting} waiting for a channel"
    )
    if report.waiting:
        click.echo(
            f"  {report.waiting} notifications wait for a channel (no LRS_BRIDGE_SMTP_URL or "
            "LRS_BRIDGE_WEBHOOK_URLS, or a recipient without an e-mail address); they are "
            "delivered once one is configured"
        )
    for item in report.created:
        click.echo(
            f"  learner {item['learner_id']}  {item['competency_id']}  -> {item['activity_id']} "
            f"({item['method']}), due {item['due']}"
        )
        click.echo(f"      {item['reason']}")


@cli.group()
def notifications() -> None:
    """The notification outbox."""


@notifications.command("dispatch")
@click.option("--at", "at", default=None, help="Dispatch as of this ISO 8601 time (simulations).")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@click.pass_context
def notifications_dispatch(ctx: click.Context, at: str | None, as_json: bool) -> None:
    """Deliver what the outbox holds once (due now, or by --at), then exit."""
    at_us = _time_option("at", at)
    with _runtime(ctx) as runtime:
        report = runtime.dispatcher.dispatch(at_us)
        counts = runtime.store.outbox_counts()
    if as_json:
        click.echo(orjson.dumps({**report.as_dict(), "outbox": counts}).decode())
        return
    click.echo(
        f"sent {report.sent}, retry later {report.retried}, dead-lettered {report.dead}, "
        f"routed from waiting {report.routed}; "
        f"outbox: {', '.join(f'{k} {v}' for k, v in sorted(counts.items())) or 'empty'}"
    )


def _time_option(name: str, value: str | None) -> int | None:
    """A time option (``--at``, ``--since``) in µs; None when not given."""
    if value is None:
        return None
    parsed = parse_timestamp_us(value)
    if parsed is None:
        raise BadRequest(f"--{name}: {value!r} is not an ISO 8601 timestamp", field=name)
    return parsed


cli.add_command(users)
cli.add_command(upstream)
upstream.add_command(upstream_pull)


def main() -> None:
    """Console-script entry point: domain errors become a one-line message and exit code 2."""
    try:
        cli(standalone_mode=True)
    except LrsBridgeError as exc:
        click.echo(f"error: {exc.message}", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
