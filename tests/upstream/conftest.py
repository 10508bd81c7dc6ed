"""Peers for the bridge tests: real upstream LRS processes started per test.

``peer``: a second lrs-bridge (its own SQLite database, its own port) with a credential, the
upstream that forwarding delivers to and pulling reads from. The local side follows the
``database_url`` fixture (SQLite and PostgreSQL).

``ralph``: Ralph, the open-source LRS from PyPI (``ralph-malph[lrs]``), with its fs backend
under uvicorn, exposed like ``peer`` (``endpoint``, ``key``, ``secret``, ``post``, ``all_ids``).
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from lrs_bridge.store.engine import make_engine
from lrs_bridge.store.migrate import upgrade
from tests.conftest import ServerProcess, free_port

REPO = Path(__file__).resolve().parents[2]


class UpstreamLrs:
    """What the tests need of any running upstream LRS: where it is and a credential."""

    endpoint: str
    key: str
    secret: str

    def all_ids(self) -> list[str]:
        raise NotImplementedError

    def headers(self, version: str = "1.0.3") -> dict[str, str]:
        token = base64.b64encode(f"{self.key}:{self.secret}".encode()).decode()
        return {"Authorization": f"Basic {token}", "X-Experience-API-Version": version}

    def post(self, statements: list[dict[str, Any]], version: str = "1.0.3") -> list[str]:
        """Store statements on the peer directly (as a tool posting to it would)."""
        response = httpx.post(
            f"{self.endpoint}statements",
            content=orjson.dumps(statements),
            headers={**self.headers(version), "Content-Type": "application/json"},
            timeout=60,
        )
        assert response.status_code == 200, response.text
        ids: list[str] = response.json()
        return ids


class PeerLrs(UpstreamLrs):
    """A running lrs-bridge as the upstream, and a credential for it."""

    def __init__(self, server: ServerProcess, key: str, secret: str) -> None:
        self.server = server
        self.key = key
        self.secret = secret
        self.endpoint = f"{server.url}/xapi/"

    def all_ids(self) -> list[str]:
        """The ids a listing returns, in ``stored`` order (a listing leaves out voided ones)."""
        ids: list[str] = []
        url = f"{self.endpoint}statements?ascending=true&limit=500&format=ids"
        while url:
            response = httpx.get(url, headers=self.headers(), timeout=60)
            assert response.status_code == 200, response.text
            page = response.json()
            ids.extend(statement["id"] for statement in page["statements"])
            more = page.get("more") or ""
            url = f"{self.server.url}{more}" if more else ""
        return ids


@pytest.fixture
def peer(tmp_path: Path) -> Iterator[PeerLrs]:
    """A second lrs-bridge on its own SQLite database and port."""
    workdir = tmp_path / "peer"
    workdir.mkdir()
    url = f"sqlite:///{workdir}/peer.sqlite3"
    engine = make_engine(url)
    upgrade(engine)  # `serve` does not migrate: a fresh database needs its tables first
    engine.dispose()
    server = ServerProcess(url, workdir)
    key, secret = server.credential()
    yield PeerLrs(server, key, secret)
    server.stop()


class RalphLrs(UpstreamLrs):
    """Ralph's LRS (fs backend) under uvicorn as a subprocess, and its one credential."""

    def __init__(self, workdir: Path) -> None:
        import bcrypt

        self.key = f"k{uuid.uuid4().hex[:8]}"
        self.secret = f"s{uuid.uuid4().hex}"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.endpoint = f"{self.url}/xAPI/"
        self.data = workdir / "data"
        self.data.mkdir()
        auth = workdir / "auth.json"
        hashed = bcrypt.hashpw(self.secret.encode(), bcrypt.gensalt(rounds=4)).decode()
        auth.write_text(
            json.dumps(
                [
                    {
                        "agent": {"mbox": f"mailto:{self.key}@bridge.example.org"},
                        "scopes": ["all"],
                        "hash": hashed,
                        "username": self.key,
                    }
                ]
            )
        )
        env = dict(
            os.environ,
            RALPH_APP_DIR=str(workdir / "app"),
            RALPH_AUTH_FILE=str(auth),
            RALPH_RUNSERVER_BACKEND="fs",
            RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH=str(self.data),
            RALPH_RUNSERVER_MAX_SEARCH_HITS_COUNT="500",
            RALPH_SENTRY_DSN="",
        )
        self.log = (workdir / "ralph.log").open("w+b")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "tests.upstream.ralph_app:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--no-access-log",
            ],
            cwd=REPO,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"ralph exited: {self.output()}")
            try:
                if httpx.get(f"{self.url}/__heartbeat__", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError(f"ralph did not start: {self.output()}")

    def all_ids(self) -> list[str]:
        """Every id in Ralph's statement file, one per write, in write order: a statement
        stored twice shows twice (the listing would not say so)."""
        path = self.data / "fs_lrs.jsonl"
        if not path.exists():
            return []
        lines = path.read_text().splitlines()
        return [orjson.loads(line)["id"] for line in lines if line.strip()]

    def output(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


@pytest.fixture
def ralph(tmp_path: Path) -> Iterator[RalphLrs]:
    """Ralph (``ralph-malph[lrs]``) as a real upstream on a free port.

    Settings, and why:

    * fs backend (``RALPH_RUNSERVER_BACKEND=fs``), its files in the test's temporary directory
      (``RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH``): no Elasticsearch or MongoDB here.
    * ``default_operation_type = APPEND`` on ``FSLRSBackend`` (``tests/upstream/ralph_app.py``):
      the default, CREATE, refuses to write to the statement file once it exists, so a second
      write fails with a 500. It is a class attribute, not a setting.
    * ``RALPH_AUTH_FILE``: one Basic credential (bcrypt hash, few rounds to start fast), agent
      ``mailto:KEY@bridge.example.org``, scope ``all``.
    * ``RALPH_RUNSERVER_MAX_SEARCH_HITS_COUNT=500``: Ralph caps ``limit`` at 100 otherwise.
    * ``RALPH_APP_DIR`` in the temporary directory, ``RALPH_SENTRY_DSN`` empty.

    What Ralph's fs backend does differently from lrs-bridge (the tests say so where it
    matters): ``since`` filters on ``timestamp``, not ``stored``; with ``ascending=true`` each
    page is the next ``limit`` statements in write order but reversed within the page;
    ``more`` follows the last id of a page, and a listing whose size is a multiple of ``limit``
    ends with an empty page; no ``X-Experience-API-Consistent-Through`` header; no attachments.
    """
    workdir = tmp_path / "ralph"
    workdir.mkdir()
    server = RalphLrs(workdir)
    yield server
    server.stop()
