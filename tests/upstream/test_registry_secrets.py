"""Upstream secrets: needed in clear to send, so encrypted at rest rather than hashed, and
never shown back on any surface (API, CLI, logs, console, metrics, OpenAPI)."""

from __future__ import annotations

import logging

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from lrs_bridge import create_app
from lrs_bridge.cli import cli
from lrs_bridge.config import load_settings
from lrs_bridge.errors import StoreError
from lrs_bridge.observability import JsonFormatter
from lrs_bridge.runtime import build_runtime
from lrs_bridge.store.tables import upstreams
from tests.conftest import Credentials
from tests.console.conftest import login
from tests.upstream.registry_support import SECRET, body

CHANGED = "changed-secret-also-never-shown"
FROM_FILE = "file-secret-never-shown-either"


class Lines(logging.Handler):
    """Every log line as the service writes it (JSON with the ``extra`` fields)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(JsonFormatter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def log_lines():
    handler = Lines()
    root = logging.getLogger()
    yield handler
    root.removeHandler(handler)


def test_the_secret_is_on_no_surface(database_url, log_lines):
    app = create_app({"database_url": database_url, "access_log": True, "log_level": "DEBUG"})
    logging.getLogger().addHandler(log_lines)  # after the app set up its own handler
    runtime = app.extensions["lrs_bridge"]
    client = app.test_client()
    admin = Credentials(app).make("admin")
    seen: list[str] = []

    def api(method: str, path: str, **kwargs) -> None:
        response = getattr(client, method)(path, headers=admin, **kwargs)
        assert response.status_code < 300, (path, response.get_data(as_text=True))
        seen.append(response.get_data(as_text=True))

    api("post", "/api/v1/upstreams", json=body())
    api("patch", "/api/v1/upstreams/ll", json={"secret": CHANGED})
    for path in (
        "/api/v1/upstreams",
        "/api/v1/upstreams/ll",
        "/api/v1/upstreams/ll/status",
        "/api/v1/upstreams/ll/dead-letters",
        "/api/v1/openapi.json",
        "/metrics",
    ):
        api("get", path)
    console = app.test_client()
    login(console, kind="admin", email="ada@example.com", name="Ada")
    seen.append(console.get("/console/upstreams").get_data(as_text=True))
    for args in (("list",), ("list", "--json"), ("status",), ("status", "--json")):
        result = CliRunner().invoke(cli, ["--database-url", database_url, "upstream", *args])
        assert result.exit_code == 0, result.output
        seen.append(result.output)
    runtime.upstreams.sync_config([body("from-file", secret=FROM_FILE, verbs=())])
    runtime.upstreams.sync_config([])
    api("delete", "/api/v1/upstreams/ll")
    app.extensions["lrs_bridge"].close()

    assert "ll" in seen[0] and '"secret_set":true' in seen[0].replace(" ", "")
    logged = log_lines.lines
    assert any("upstreams synchronised" in line for line in logged)
    assert any('"path": "/api/v1/upstreams/ll"' in line.replace('":"', '": "') for line in logged)
    for secret in (SECRET, CHANGED, FROM_FILE):
        for text in seen + logged:
            assert secret not in text


def test_an_upstreams_repr_leaves_the_secret_out(app, client, creds):
    client.post("/api/v1/upstreams", json=body(), headers=creds.make("admin"))
    upstream = app.extensions["lrs_bridge"].upstreams.get("ll")
    assert upstream.secret == SECRET  # in clear for the clients that send it
    assert SECRET not in repr(upstream) and SECRET not in str(upstream)


def _stored_secret(runtime) -> str:
    with runtime.engine.connect() as conn:
        return conn.execute(select(upstreams.c.secret)).scalar_one()


def test_secrets_are_encrypted_at_rest_with_the_instance_key(app, client, creds):
    client.post("/api/v1/upstreams", json=body(), headers=creds.make("admin"))
    runtime = app.extensions["lrs_bridge"]
    stored = _stored_secret(runtime)
    assert stored.startswith("fernet:") and SECRET not in stored
    # Another process on the same database reads the same instance key.
    other = build_runtime(load_settings({"database_url": runtime.settings.database_url}))
    try:
        assert other.upstreams.get("ll").secret == SECRET
    finally:
        other.close()


def test_with_a_configured_key_the_database_alone_does_not_open_the_secrets(database_url):
    keyed = {"database_url": database_url, "upstream_secret_key": "kept-in-a-vault-x9"}
    app = create_app({**keyed, "access_log": False})
    response = app.test_client().post(
        "/api/v1/upstreams", json=body(), headers=Credentials(app).make("admin")
    )
    assert response.status_code == 201
    app.extensions["lrs_bridge"].close()
    for settings, opens in (
        (keyed, True),
        ({"database_url": database_url}, False),
        ({**keyed, "upstream_secret_key": "another-key"}, False),
    ):
        runtime = build_runtime(load_settings(settings))
        try:
            if opens:
                assert runtime.upstreams.get("ll").secret == SECRET
            else:
                with pytest.raises(StoreError, match="cannot be decrypted"):
                    runtime.upstreams.get("ll")
        finally:
            runtime.close()


def test_the_key_comes_from_the_environment(tmp_path):
    settings = load_settings(
        environ={"LRS_BRIDGE_UPSTREAM_SECRET_KEY": "from-env", "LRS_BRIDGE_DATA_DIR": str(tmp_path)}
    )
    assert settings.upstream_secret_key == "from-env"
