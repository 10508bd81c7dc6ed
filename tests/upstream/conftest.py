"""Peers for the bridge tests: real upstream LRS processes started per test.

``peer``: a second lrs-bridge (its own SQLite database, its own port) with a credential, the
upstream that forwarding delivers to and pulling reads from. The local side follows the
``database_url`` fixture (SQLite and PostgreSQL).
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from lrs_bridge.store.engine import make_engine
from lrs_bridge.store.migrate import upgrade
from tests.conftest import ServerProcess


class PeerLrs:
    """A running upstream LRS and a credential for it."""

    def __init__(self, server: ServerProcess, key: str, secret: str) -> None:
        self.server = server
        self.key = key
        self.secret = secret
        self.endpoint = f"{server.url}/xapi/"

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
    upgrade(engine)  # ``serve`` does not migrate
    engine.dispose()
    server = ServerProcess(url, workdir)
    key, secret = server.credential()
    yield PeerLrs(server, key, secret)
    server.stop()
