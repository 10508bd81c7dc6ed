"""``lrs-bridge users``: console users (admins), and sign-in links an operator can hand over."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

import click

from lrs_bridge.config import load_settings
from lrs_bridge.runtime import Runtime, build_runtime
from lrs_bridge.services.signin import ROLES, SignInService, from_runtime


@contextlib.contextmanager
def _runtime(ctx: click.Context) -> Iterator[Runtime]:
    runtime = build_runtime(load_settings(dict(ctx.find_root().obj or {})))
    try:
        yield runtime
    finally:
        runtime.close()


@contextlib.contextmanager
def _service(ctx: click.Context) -> Iterator[SignInService]:
    with _runtime(ctx) as runtime:
        yield from_runtime(runtime)


def _password(password_stdin: bool) -> str | None:
    """From stdin (``--password-stdin``, scripts), a prompt on a terminal, else none."""
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n") or None
    if sys.stdin.isatty():
        entered: str = click.prompt(
            "Password (empty: e-mail link only)",
            default="",
            hide_input=True,
            confirmation_prompt=True,
            show_default=False,
        )
        return entered or None
    return None


@click.group()
def users() -> None:
    """Console users: admins sign in with a password or an e-mail link."""


@users.command("create")
@click.option("--email", required=True, help="Their e-mail address (the sign-in name).")
@click.option("--role", type=click.Choice(ROLES), required=True, help="What they may do.")
@click.option("--name", default=None, help="Display name.")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of stdin (else a prompt on a terminal; "
    "no password: e-mail link only).",
)
@click.pass_context
def users_create(
    ctx: click.Context, email: str, role: str, name: str | None, password_stdin: bool
) -> None:
    """Create a console user."""
    password = _password(password_stdin)
    with _service(ctx) as service:
        user = service.create_user(email=email, role=role, name=name, password=password)
    how = "password or e-mail link" if user.password_hash else "e-mail link only"
    click.echo(f"created {user.role} {user.email} (id {user.id}); signs in by {how}")


@users.command("list")
@click.pass_context
def users_list(ctx: click.Context) -> None:
    """Every console user."""
    with _service(ctx) as service:
        found = service.list_users()
    for user in found:
        state = "disabled" if user.disabled else "active"
        password = "password" if user.password_hash else "link only"
        click.echo(f"{user.id}\t{user.email}\t{user.role}\t{state}\t{password}\t{user.name or ''}")


@users.command("disable")
@click.option("--email", required=True, help="The user's e-mail address.")
@click.pass_context
def users_disable(ctx: click.Context, email: str) -> None:
    """Stop a user signing in; their unused sign-in links stop working too."""
    with _service(ctx) as service:
        service.disable_user(email)
    click.echo(f"disabled {email.strip().lower()}")


@users.command("sign-in-link")
@click.option("--email", required=True, help="A console user's or a directory learner's address.")
@click.option("--next", "next_path", default=None, help="A /console/… page to land on.")
@click.pass_context
def users_sign_in_link(ctx: click.Context, email: str, next_path: str | None) -> None:
    """Print a one-time sign-in link (15 minutes), e.g. when no SMTP server is configured."""
    with _runtime(ctx) as runtime:
        link = from_runtime(runtime).sign_in_link(email, next_path)
        if not runtime.settings.public_url:
            click.echo(
                f"note: no public_url is configured; the link uses {runtime.settings.base_url}",
                err=True,
            )
    click.echo(link)


DEMO_ADMIN_EMAIL = "admin@lrs-bridge.invalid"


@users.command("demo")
@click.pass_context
def users_demo(ctx: click.Context) -> None:
    """Create the demo console admin once and print a fresh one-time sign-in link (``make run``)."""
    with _runtime(ctx) as runtime:
        service = from_runtime(runtime)
        if service.users.user_by_email(DEMO_ADMIN_EMAIL) is None:
            service.create_user(email=DEMO_ADMIN_EMAIL, role="admin", name="Demo admin")
        link = service.sign_in_link(DEMO_ADMIN_EMAIL, "/console/")
    click.echo("=" * 64)
    click.echo(f"Console: {link.split('/console/')[0]}/console/")
    click.echo(f"  demo admin {DEMO_ADMIN_EMAIL}, one-time sign-in link (15 minutes):")
    click.echo(f"  {link}")
    click.echo(f"  a new link: lrs-bridge users sign-in-link --email {DEMO_ADMIN_EMAIL}")
    click.echo("=" * 64)
