"""The ``lrs-bridge`` command line, in-process with click's runner against a real database."""

from __future__ import annotations

from click.testing import CliRunner

from lrs_bridge import create_app
from lrs_bridge.cli import cli
from tests.conftest import headers


def run(database_url: str, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--database-url", database_url, *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_upgrade_is_idempotent(database_url):
    assert "newest revision" in run(database_url, "db", "upgrade")
    assert "newest revision" in run(database_url, "db", "upgrade")


def test_credentials_create_list_disable(database_url):
    out = run(
        database_url,
        "credentials",
        "create",
        "--name",
        "moodle",
        "--scopes",
        "statements/write,statements/read/mine",
        "--key",
        "moodle",
        "--secret",
        "pw",
    )
    assert "key:    moodle" in out and "secret: pw" in out
    listed = run(database_url, "credentials", "list")
    assert "moodle\tmoodle\tactive\tstatements/read/mine statements/write" in listed
    assert "pw" not in listed

    app = create_app({"database_url": database_url, "auth_cache_seconds": 0})
    client = app.test_client()
    assert client.get("/xapi/statements", headers=headers("moodle", "pw")).status_code == 200
    run(database_url, "credentials", "disable", "moodle")
    assert client.get("/xapi/statements", headers=headers("moodle", "pw")).status_code == 401
    app.extensions["lrs_bridge"].close()


def test_unknown_scopes_are_refused_with_their_names(database_url):
    result = CliRunner().invoke(
        cli,
        [
            "--database-url",
            database_url,
            "credentials",
            "create",
            "--name",
            "x",
            "--scopes",
            "statements/write,superuser",
        ],
    )
    assert result.exit_code != 0
    assert "superuser" in str(result.exception) or "superuser" in result.output


def test_demo_credential_is_printed_once(database_url):
    first = run(database_url, "credentials", "demo")
    assert "secret:" in first
    second = run(database_url, "credentials", "demo")
    assert "exists" in second and "secret:" not in second
