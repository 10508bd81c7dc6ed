"""Shared fixtures: real databases (SQLite file and a throwaway PostgreSQL database), apps,
credentials, and a real server process."""

from __future__ import annotations

import base64
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from lrs_bridge import create_app
from lrs_bridge.auth import create_credential
from lrs_bridge.runtime import Runtime
from lrs_bridge.store.engine import make_engine
from lrs_bridge.store.migrate import upgrade
from lrs_bridge.store.sqlalchemy import SqlStore
from lrs_bridge.xapi.timefmt import now_us

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
PG_ADMIN_URL = os.environ.get(
    "LRS_BRIDGE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _postgres_reason() -> str | None:
    try:
        engine = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        return f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc.__class__.__name__}"
    return None


def in_ci() -> bool:
    """Whether this run is CI's (``CI=true``), where nothing may be skipped silently."""
    return os.environ.get("CI", "").lower() == "true"


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throwaway PostgreSQL database for this test run, dropped at the end.

    Unreachable, the PostgreSQL half of the suite is skipped, with the reason, on a
    developer's machine; in CI the whole run stops and fails instead, saying why.
    """
    reason = _postgres_reason()
    if reason and in_ci():
        pytest.exit(f"CI=true, so PostgreSQL tests may not be skipped: {reason}", returncode=3)
    if reason:
        pytest.skip(reason)
    name = f"lrs_bridge_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty, migrated database of each kind (the store suite runs on both)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'lrs.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_url")
        _reset_postgres(url)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture
def store(database_url: str) -> Iterator[SqlStore]:
    engine = make_engine(database_url)
    yield SqlStore(engine)
    engine.dispose()


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    app = create_app({"database_url": database_url, "access_log": False})
    yield app
    runtime: Runtime = app.extensions["lrs_bridge"]
    runtime.close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


class Credentials:
    """Creates credentials in the app's store and builds request headers for them."""

    def __init__(self, app: Flask) -> None:
        self.runtime: Runtime = app.extensions["lrs_bridge"]

    def make(self, scopes: str = "all", name: str = "tester") -> dict[str, str]:
        key = f"{name}-{uuid.uuid4().hex[:8]}"
        record, secret = create_credential(
            self.runtime.store,
            name=name,
            scopes=scopes,
            now_us=now_us(),
            key=key,
            secret="s3cret-" + key,
        )
        return headers(record.key, secret)


def headers(key: str, secret: str, version: str = "1.0.3") -> dict[str, str]:
    token = base64.b64encode(f"{key}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {token}", "X-Experience-API-Version": version}


@pytest.fixture
def creds(app: Flask) -> Credentials:
    return Credentials(app)


@pytest.fixture
def auth(creds: Credentials) -> dict[str, str]:
    """Headers of an all-powerful credential, version 1.0.3."""
    return creds.make("all")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class ServerProcess:
    """A real ``lrs-bridge serve`` process (gunicorn workers) on a free port."""

    def __init__(
        self,
        database_url: str,
        workdir: Path,
        workers: int = 2,
        *,
        scheduler: bool = False,
        env: dict[str, str] | None = None,
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.database_url = database_url
        env = dict(
            os.environ,
            LRS_BRIDGE_DATABASE_URL=database_url,
            LRS_BRIDGE_ACCESS_LOG="0",
            LRS_BRIDGE_DATA_DIR=str(workdir / "var"),
            **(env or {}),
        )
        self.env = env
        self.log = (workdir / f"server-{self.port}.log").open("w+b")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "lrs_bridge.cli",
                "serve",
                "--port",
                str(self.port),
                "--workers",
                str(workers),
                *([] if scheduler else ["--no-scheduler"]),
            ],
            cwd=workdir,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self._wait_ready()

    def _wait_ready(self) -> None:
        import urllib.request

        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.output()}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=1) as resp:
                    if resp.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"server did not start: {self.output()}")

    def cli(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "lrs_bridge.cli", *args],
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout

    def credential(self, scopes: str = "all") -> tuple[str, str]:
        key = f"k{uuid.uuid4().hex[:8]}"
        secret = f"s{uuid.uuid4().hex}"
        self.cli(
            "credentials",
            "create",
            "--name",
            key,
            "--scopes",
            scopes,
            "--key",
            key,
            "--secret",
            secret,
        )
        return key, secret

    def output(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-4000:]

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[ServerProcess]:
    proc = ServerProcess(database_url, tmp_path)
    yield proc
    proc.stop()


def load_corpus(name: str) -> list[dict[str, Any]]:
    """A corpus file, or a visible skip where ../shared/corpus is absent (a user's clone)."""
    import json

    path = CORPUS / name
    if not path.exists():
        pytest.skip(f"shared corpus not found at {path}")
    data: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return data
