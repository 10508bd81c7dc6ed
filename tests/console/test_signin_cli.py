"""``lrs-bridge users``: create (password from stdin, a prompt, or none), list, disable, and
sign-in links printed for an operator; against a real database of each kind."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select

from lrs_bridge import create_app
from lrs_bridge.auth import verify_secret
from lrs_bridge.cli import cli
from lrs_bridge.errors import BadRequest, Conflict, NotFound
from lrs_bridge.store.engine import make_engine
from lrs_bridge.store.tables import console_users


def invoke(database_url: str, *args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(cli, ["--database-url", database_url, *args], input=stdin)


def run(database_url: str, *args: str, stdin: str | None = None) -> str:
    result = invoke(database_url, *args, stdin=stdin)
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def stored_hash(database_url: str, email: str) -> str | None:
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            value: str | None = conn.execute(
                select(console_users.c.password_hash).where(console_users.c.email == email)
            ).scalar_one()
    finally:
        engine.dispose()
    return value


def test_create_with_password_from_stdin_list_and_disable(database_url):
    out = run(
        database_url,
        "users",
        "create",
        "--email",
        "Root@Example.com",
        "--role",
        "admin",
        "--name",
        "Root Admin",
        "--password-stdin",
        stdin="correct horse battery\n",
    )
    assert "created admin root@example.com" in out and "password or e-mail link" in out
    encoded = stored_hash(database_url, "root@example.com")
    assert encoded is not None and verify_secret("correct horse battery", encoded)
    listed = run(database_url, "users", "list")
    assert "root@example.com\tadmin\tactive\tpassword\tRoot Admin" in listed
    assert "correct horse" not in listed
    assert "disabled root@example.com" in run(
        database_url, "users", "disable", "--email", "root@example.com"
    )
    assert "root@example.com\tadmin\tdisabled" in run(database_url, "users", "list")


def test_without_a_terminal_or_stdin_flag_the_user_signs_in_by_link_only(database_url):
    out = run(database_url, "users", "create", "--email", "link@example.com", "--role", "admin")
    assert "e-mail link only" in out
    assert stored_hash(database_url, "link@example.com") is None


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--email", "x@example.com", "--role", "superuser"], "Invalid value for '--role'"),
        (["--role", "admin"], "Missing option '--email'"),
    ],
)
def test_create_refuses_bad_options_naming_them(database_url, args, error):
    result = invoke(database_url, "users", "create", *args)
    assert result.exit_code == 2 and error in result.output


@pytest.mark.parametrize(
    ("args", "stdin", "exception", "field"),
    [
        (["--email", "nope", "--role", "admin"], None, BadRequest, "email"),
        (
            ["--email", "a@example.com", "--role", "admin", "--password-stdin"],
            "short\n",
            BadRequest,
            "password",
        ),
    ],
)
def test_create_refuses_bad_values_naming_the_field(database_url, args, stdin, exception, field):
    result = invoke(database_url, "users", "create", *args, stdin=stdin)
    assert isinstance(result.exception, exception)
    assert result.exception.details["field"] == field
    assert run(database_url, "users", "list") == ""


def test_a_second_user_with_the_same_address_is_a_conflict(database_url):
    run(database_url, "users", "create", "--email", "a@example.com", "--role", "admin")
    result = invoke(database_url, "users", "create", "--email", "A@example.com", "--role", "admin")
    assert isinstance(result.exception, Conflict)


def test_sign_in_link_for_a_user_and_not_for_strangers(database_url):
    run(database_url, "users", "create", "--email", "a@example.com", "--role", "admin")
    result = invoke(database_url, "users", "sign-in-link", "--email", "a@example.com")
    assert result.exit_code == 0
    [link] = [line for line in result.stdout.splitlines() if "/console/sign-in/" in line]
    assert link.split("/console/sign-in/")[1].strip()
    missing = invoke(database_url, "users", "sign-in-link", "--email", "b@example.com")
    assert isinstance(missing.exception, NotFound)
    unknown = invoke(database_url, "users", "disable", "--email", "b@example.com")
    assert isinstance(unknown.exception, NotFound)


def test_on_a_terminal_the_password_is_prompted_twice_and_not_echoed(database_url, tmp_path):
    """A real pseudo-terminal and the installed ``lrs-bridge`` command."""
    command = Path(sys.executable).with_name("lrs-bridge")
    controller, terminal = pty.openpty()
    env = {**os.environ, "LRS_BRIDGE_DATA_DIR": str(tmp_path)}
    process = subprocess.Popen(
        [str(command), "--database-url", database_url, "users", "create"]
        + ["--email", "tty@example.com", "--role", "admin"],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        env=env,
    )
    os.close(terminal)
    seen = b""

    def read_until(marker: bytes) -> None:
        nonlocal seen
        deadline = time.monotonic() + 30
        while marker not in seen and time.monotonic() < deadline:
            try:
                seen += os.read(controller, 1024)
            except OSError:
                break

    read_until(b"Password")
    os.write(controller, b"tty-password-1\n")
    read_until(b"Repeat")
    os.write(controller, b"tty-password-1\n")
    read_until(b"created")
    assert process.wait(timeout=30) == 0, seen
    read_until(b"\n\n")  # drain
    os.close(controller)
    assert b"tty-password-1" not in seen
    encoded = stored_hash(database_url, "tty@example.com")
    assert encoded is not None and verify_secret("tty-password-1", encoded)


def test_demo_creates_one_admin_and_prints_a_fresh_working_link_each_time(
    database_url: str,
) -> None:
    first = run(database_url, "users", "demo")
    second = run(database_url, "users", "demo")
    links = [
        line.strip() for out in (first, second) for line in out.splitlines() if "/sign-in/" in line
    ]
    assert len(links) == 2 and links[0] != links[1]
    assert "admin@lrs-bridge.invalid" in run(database_url, "users", "list")
    assert run(database_url, "users", "list").count("admin@lrs-bridge.invalid") == 1
    app = create_app({"database_url": database_url, "access_log": False})
    try:
        client = app.test_client()
        path = "/console/sign-in/" + links[1].rsplit("/sign-in/", 1)[1]
        page = client.get(path).get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token is not None
        confirmed = client.post(path, data={"csrf_token": token.group(1)})
        assert confirmed.status_code == 303 and confirmed.headers["Location"] == "/console/"
        assert "Demo admin" in client.get("/console/").get_data(as_text=True)
    finally:
        app.extensions["lrs_bridge"].close()
