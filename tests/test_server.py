"""A real ``lrs-bridge serve`` process (gunicorn workers) over real HTTP."""

from __future__ import annotations

import base64
import http.client
import json
import signal
import threading
import urllib.error
import urllib.request
import uuid
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import PG_ADMIN_URL, ServerProcess
from tests.factories import COMPLETED, LISTENING, statement

pytestmark = pytest.mark.server


def call(
    server: ServerProcess,
    path: str,
    *,
    key: str | None = None,
    secret: str | None = None,
    body: Any = None,
    method: str | None = None,
) -> tuple[int, dict[str, str], bytes]:
    headers = {"X-Experience-API-Version": "1.0.3"}
    if key:
        headers["Authorization"] = "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(server.url + path, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def all_statement_ids(server: ServerProcess, key: str, secret: str) -> list[str]:
    """Every statement id the server returns, following ``more`` links to the end."""
    seen: list[str] = []
    path = "/xapi/statements?limit=500&ascending=true"
    while path:
        status, _, body = call(server, path, key=key, secret=secret)
        assert status == 200
        page = json.loads(body)
        seen.extend(s["id"] for s in page["statements"])
        path = page["more"]
    return seen


def test_health_and_readiness_need_no_credentials(server):
    assert call(server, "/healthz")[0] == 200
    assert call(server, "/readyz")[0] == 200
    assert call(server, "/xapi/statements")[0] == 401


def test_metrics_need_admin_and_count_stored_statements(server):
    key, secret = server.credential("all,admin")
    writer = server.credential("statements/write")
    assert call(server, "/metrics")[0] == 401
    assert call(server, "/metrics", key=writer[0], secret=writer[1])[0] == 403
    status, _, _ = call(
        server,
        "/xapi/statements",
        key=key,
        secret=secret,
        body=[statement(), statement()],
        method="POST",
    )
    assert status == 200
    status, _, body = call(server, "/metrics", key=key, secret=secret)
    assert status == 200
    text_body = body.decode()
    assert "lrs_bridge_statements_stored_total 2.0" in text_body
    assert 'lrs_bridge_http_requests_total{endpoint="/xapi/statements"' in text_body


def test_tincan_client_saves_retrieves_and_queries(server):
    """The `tincan` library's RemoteLRS, as real producers use it, against our endpoint."""
    from tincan import Activity, Agent, RemoteLRS, Result, Score, Statement, Verb

    key, secret = server.credential("all")
    lrs = RemoteLRS(version="1.0.3", endpoint=server.url + "/xapi/", username=key, password=secret)
    about = lrs.about()
    assert about.success, about.response.data
    saved = []
    for score in (0.55, 0.86, 0.93):
        st = Statement(
            actor=Agent(name="Kari Nordmann", mbox="mailto:kari@example.com"),
            verb=Verb(id=COMPLETED),
            object=Activity(id=LISTENING),
            result=Result(score=Score(scaled=score), success=score > 0.6),
        )
        response = lrs.save_statement(st)
        assert response.success, response.data
        saved.append(str(response.content.id))
    batch = lrs.save_statements(
        [
            Statement(
                actor=Agent(mbox="mailto:ola@example.com"),
                verb=Verb(id=COMPLETED),
                object=Activity(id=LISTENING),
            )
            for _ in range(2)
        ]
    )
    assert batch.success, batch.data

    got = lrs.retrieve_statement(saved[1])
    assert got.success
    assert got.content.result.score.scaled == 0.86

    query = lrs.query_statements(
        {
            "agent": Agent(mbox="mailto:kari@example.com"),
            "verb": Verb(id=COMPLETED),
            "limit": 2,
        }
    )
    assert query.success, query.data
    first_page = [str(s.id) for s in query.content.statements]
    assert first_page == [saved[2], saved[1]]
    more = lrs.more_statements(query.content)
    assert more.success, more.data
    assert [str(s.id) for s in more.content.statements] == [saved[0]]


def test_sigterm_stops_gracefully(server):
    assert call(server, "/healthz")[0] == 200
    server.proc.send_signal(signal.SIGTERM)
    assert server.proc.wait(timeout=30) == 0


def test_concurrent_writers_over_http_lose_nothing(server):
    key, secret = server.credential("all")
    sent: list[str] = []
    lock = threading.Lock()
    errors: list[int] = []

    def writer() -> None:
        for _ in range(10):
            batch = [statement() for _ in range(20)]
            status, _, _ = call(
                server, "/xapi/statements", key=key, secret=secret, body=batch, method="POST"
            )
            if status != 200:
                errors.append(status)
            with lock:
                sent.extend(s["id"] for s in batch)

    threads = [threading.Thread(target=writer) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(all_statement_ids(server, key, secret)) == sorted(sent)


@pytest.mark.postgres
def test_database_outage_gives_503_and_recovers(postgres_url, tmp_path):
    """Cut the server's database off, then bring it back: 503 meanwhile, never a 500."""
    from lrs_bridge.store.engine import make_engine
    from lrs_bridge.store.migrate import upgrade

    name = f"lrs_bridge_outage_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    server = ServerProcess(url, tmp_path)
    try:
        key, secret = server.credential("all")
        assert call(server, "/xapi/statements", key=key, secret=secret)[0] == 200
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                {"n": name},
            )
        status, headers, body = call(server, "/readyz")
        assert status == 503
        assert json.loads(body)["error"] == "store_unavailable"
        status, _, body = call(
            server, "/xapi/statements", key=key, secret=secret, body=statement(), method="POST"
        )
        assert status == 503, body
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        assert call(server, "/readyz")[0] == 200
        status, _, body = call(
            server, "/xapi/statements", key=key, secret=secret, body=statement(), method="POST"
        )
        assert status == 200, body
    finally:
        server.stop()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_kill_9_mid_ingest_loses_nothing_acknowledged(database_url, tmp_path):
    """SIGKILL the whole server while clients post; every acknowledged id must survive."""
    import os
    import subprocess
    import time

    server = ServerProcess(database_url, tmp_path)
    key, secret = server.credential("all")
    acknowledged: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def client() -> None:
        while not stop.is_set():
            batch = [statement() for _ in range(10)]
            try:
                status, _, body = call(
                    server, "/xapi/statements", key=key, secret=secret, body=batch, method="POST"
                )
            except (OSError, http.client.HTTPException):
                return  # the server died mid-request: not acknowledged
            if status == 200:
                with lock:
                    acknowledged.extend(json.loads(body))

    threads = [threading.Thread(target=client) for _ in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(1.5)
    pids = subprocess.run(
        ["pgrep", "-f", f"127.0.0.1:{server.port}"], capture_output=True, text=True
    ).stdout.split()
    for pid in [str(server.proc.pid), *pids]:
        try:
            os.kill(int(pid), signal.SIGKILL)
        except ProcessLookupError:
            pass
    stop.set()
    for thread in threads:
        thread.join()
    server.proc.wait(timeout=10)
    server.stop()
    assert len(acknowledged) > 20

    restarted = ServerProcess(database_url, tmp_path)
    try:
        missing = set(acknowledged) - set(all_statement_ids(restarted, key, secret))
        assert not missing, f"{len(missing)} acknowledged statements lost"
    finally:
        restarted.stop()
