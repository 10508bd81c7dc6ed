"""``[[upstreams]]`` in ``lrs-bridge.toml``: validated like the API's bodies, and kept in step
with the registry when ``db upgrade`` (like ``serve`` and ``scheduler``) starts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from lrs_bridge import create_app
from lrs_bridge.cli import cli
from lrs_bridge.config import load_settings
from lrs_bridge.errors import BadRequest
from lrs_bridge.runtime import build_runtime
from lrs_bridge.store.tables import upstream_outbox, upstream_state
from tests.conftest import Credentials
from tests.factories import statement
from tests.upstream.registry_support import outbox_rows, seqs_of, state

LL = """
[[upstreams]]
name = "ll"
endpoint = "https://ll.example.com/data/xAPI"
key = "bridge"
secret_env = "LL_SECRET"
direction = "forward"
verbs = ["http://adlnet.gov/expapi/verbs/completed"]
"""
RALPH = """
[[upstreams]]
name = "ralph"
endpoint = "http://ralph.example.com/xAPI/"
key = "ralph"
secret = "r4lph"
version = "2.0.0"
direction = "pull"
"""


def settings_of(tmp_path: Path, text: str, **environ: str):
    path = tmp_path / "lrs-bridge.toml"
    path.write_text(text, encoding="utf-8")
    return load_settings(environ=environ, config_file=path)


def test_upstream_tables_are_read_with_their_secrets(tmp_path):
    settings = settings_of(tmp_path, "port = 8123\n" + LL + RALPH, LL_SECRET="from-env")
    assert settings.port == 8123
    ll, ralph = settings.upstreams
    assert ll["secret"] == "from-env" and "secret_env" not in ll
    assert ll["endpoint"] == "https://ll.example.com/data/xAPI/"
    assert ll["verbs"] == ("http://adlnet.gov/expapi/verbs/completed",)
    assert (ralph["secret"], ralph["version"], ralph["direction"]) == ("r4lph", "2.0.0", "pull")


def test_upstream_tables_sit_beside_an_lrs_bridge_table(tmp_path):
    settings = settings_of(tmp_path, "[lrs_bridge]\nport = 8124\n" + RALPH)
    assert settings.port == 8124 and [u["name"] for u in settings.upstreams] == ["ralph"]


@pytest.mark.parametrize(
    ("text", "field"),
    [
        (RALPH + 'colour = "blue"\n', "upstreams[0].colour"),
        (RALPH.replace('"pull"', '"sideways"'), "upstreams[0].direction"),
        (RALPH.replace("http://ralph", "ftp://ralph"), "upstreams[0].endpoint"),
        (RALPH + 'secret_env = "X"\n', "upstreams[0].secret"),
        (RALPH.replace('secret = "r4lph"\n', ""), "upstreams[0].secret"),
        (LL, "upstreams[0].secret_env"),
        (RALPH + RALPH, "upstreams[1].name"),
        (RALPH.replace('name = "ralph"', 'name = "Ralph LRS"'), "upstreams[0].name"),
        ('upstreams = "ralph"\n', "upstreams"),
    ],
)
def test_a_bad_upstream_table_is_refused_naming_it(tmp_path, text, field):
    with pytest.raises(BadRequest) as caught:
        settings_of(tmp_path, text)
    assert caught.value.details["field"] == field
    assert str(tmp_path / "lrs-bridge.toml") in caught.value.message


def test_upstreams_cannot_come_from_the_environment(tmp_path):
    settings = load_settings(environ={"LRS_BRIDGE_UPSTREAMS": "x", "LRS_BRIDGE_DATA_DIR": "/tmp"})
    assert settings.upstreams == ()


def _upgrade(database_url: str, config: Path, monkeypatch, **environ: str) -> str:
    monkeypatch.setenv("LRS_BRIDGE_CONFIG", str(config))
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(cli, ["--database-url", database_url, "db", "upgrade"])
    assert result.exit_code == 0, result.output
    return result.output


def test_db_upgrade_adds_changes_and_removes_the_files_upstreams(
    database_url, tmp_path, monkeypatch
):
    config = tmp_path / "lrs-bridge.toml"
    config.write_text(LL + RALPH, encoding="utf-8")
    out = _upgrade(database_url, config, monkeypatch, LL_SECRET="one")
    assert "upstreams added from the configuration file: ll, ralph" in out
    runtime = build_runtime(load_settings({"database_url": database_url}))
    try:
        ll = runtime.upstreams.get("ll")
        assert (ll.source, ll.secret, ll.direction) == ("config", "one", "forward")

        # Unchanged: nothing is written.
        assert "upstreams" not in _upgrade(database_url, config, monkeypatch, LL_SECRET="one")

        # Changed in the file (and the secret in the environment): updated.
        config.write_text(LL.replace('"forward"', '"both"') + RALPH, encoding="utf-8")
        out = _upgrade(database_url, config, monkeypatch, LL_SECRET="two")
        assert "upstreams updated from the configuration file: ll" in out
        ll = runtime.upstreams.get("ll")
        assert (ll.direction, ll.secret) == ("both", "two")

        # A filter dropped from the file is cleared, not kept.
        config.write_text(LL.split("verbs")[0] + RALPH, encoding="utf-8")
        _upgrade(database_url, config, monkeypatch, LL_SECRET="two")
        assert runtime.upstreams.get("ll").verbs == ()

        # Gone from the file: removed, with its outbox rows and state.
        writer = _stored_statement(database_url)
        ralph = runtime.upstreams.get("ralph")
        outbox_rows(runtime.engine, ralph.id, [{"seq": writer, "queued_us": 1}])
        state(runtime.engine, ralph.id, pulled_count=3)
        config.write_text(LL, encoding="utf-8")
        out = _upgrade(database_url, config, monkeypatch, LL_SECRET="two")
        assert (
            "upstreams removed (with their queued statements) from the configuration file: "
            "ralph" in out
        )
        assert [u.name for u in runtime.upstreams.all()] == ["ll"]
        with runtime.engine.connect() as conn:
            for table in (upstream_outbox, upstream_state):
                count = conn.execute(
                    select(func.count()).where(table.c.upstream_id == ralph.id)
                ).scalar_one()
                assert count == 0, table.name
    finally:
        runtime.close()


def _stored_statement(database_url: str) -> int:
    """The seq of a statement stored through the real API."""
    app = create_app({"database_url": database_url, "access_log": False})
    try:
        sent = statement()
        response = app.test_client().post(
            "/xapi/statements", json=[sent], headers=Credentials(app).make("all")
        )
        assert response.status_code == 200
        return seqs_of(app.extensions["lrs_bridge"].engine, [sent["id"]])[0]
    finally:
        app.extensions["lrs_bridge"].close()


def test_the_file_takes_over_an_api_upstream_of_the_same_name(app, client, creds):
    admin = creds.make("admin")
    runtime = app.extensions["lrs_bridge"]
    made = client.post(
        "/api/v1/upstreams",
        json={
            "name": "ralph",
            "endpoint": "http://old/",
            "key": "k",
            "secret": "s",
            "direction": "forward",
        },
        headers=admin,
    )
    assert made.status_code == 201
    entry = {
        "name": "ralph",
        "endpoint": "http://ralph.example.com/xAPI/",
        "key": "ralph",
        "secret": "r4lph",
        "version": "2.0.0",
        "direction": "pull",
        "enabled": True,
    }
    result = runtime.upstreams.sync_config([entry])
    assert result.updated == ("ralph",)
    taken = runtime.upstreams.get("ralph")
    assert (taken.source, taken.endpoint, taken.secret) == ("config", entry["endpoint"], "r4lph")
    # Upstreams of the API are never removed by the file.
    client.post(
        "/api/v1/upstreams",
        json={
            "name": "other",
            "endpoint": "http://o/",
            "key": "k",
            "secret": "s",
            "direction": "forward",
        },
        headers=admin,
    )
    assert runtime.upstreams.sync_config([entry]).removed == ()
    assert [u.name for u in runtime.upstreams.all()] == ["other", "ralph"]


def test_processes_starting_together_add_each_upstream_once(database_url, tmp_path):
    """``serve`` and ``scheduler`` (or several hosts) start at the same moment: every one
    starts, and each upstream is added by exactly one of them."""
    config = tmp_path / "lrs-bridge.toml"
    config.write_text(LL + RALPH, encoding="utf-8")
    env = {**os.environ, "LRS_BRIDGE_CONFIG": str(config), "LL_SECRET": "one"}
    command = [sys.executable, "-m", "lrs_bridge.cli", "--database-url", database_url]
    starts = [
        subprocess.Popen(
            [*command, "db", "upgrade"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(4)
    ]
    outputs = [process.communicate(timeout=120) for process in starts]
    assert [process.returncode for process in starts] == [0] * 4, outputs
    added = [
        name
        for out, _ in outputs
        for line in out.decode().splitlines()
        if line.startswith("upstreams added")
        for name in line.split(": ", 1)[1].split(", ")
    ]
    assert sorted(added) == ["ll", "ralph"]
    runtime = build_runtime(load_settings({"database_url": database_url}))
    try:
        assert [(u.name, u.source) for u in runtime.upstreams.all()] == [
            ("ll", "config"),
            ("ralph", "config"),
        ]
    finally:
        runtime.close()
