"""Several hosts on one PostgreSQL database, with skewed clocks, share one ``stored`` clock.

A poller that sends the last ``X-Experience-API-Consistent-Through`` as ``since`` (xAPI
Communication §2.1.3) must see every statement, whichever host stored it and whichever host
it asks. Each server here stands for a host whose clock is 2 s off, through the test-only
``LRS_BRIDGE_CLOCK_OFFSET_MS`` setting.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse

import pytest

from lrs_bridge import create_app
from lrs_bridge.store.engine import make_engine
from lrs_bridge.store.migrate import upgrade
from lrs_bridge.xapi.timefmt import now_us, parse_timestamp_us
from tests.conftest import Credentials, ServerProcess, _reset_postgres
from tests.factories import statement
from tests.test_server import call

POST_SECONDS = 6.0


def _poll(server: ServerProcess, key: str, secret: str, since: str | None) -> tuple[list, str]:
    """One poll: every page after ``since`` (following ``more``), and the first page's
    Consistent-Through, which is the next poll's ``since``."""
    path = "/xapi/statements?limit=25"
    if since is not None:
        path += "&since=" + urllib.parse.quote(since)
    status, headers, body = call(server, path, key=key, secret=secret)
    assert status == 200, body
    through = headers["X-Experience-API-Consistent-Through"]
    page = json.loads(body)
    seen = [s["id"] for s in page["statements"]]
    while page["more"]:
        status, _, body = call(server, page["more"], key=key, secret=secret)
        assert status == 200, body
        page = json.loads(body)
        seen.extend(s["id"] for s in page["statements"])
    return seen, through


@pytest.mark.server
@pytest.mark.postgres
def test_a_since_poller_misses_nothing_across_hosts_with_skewed_clocks(postgres_url, tmp_path):
    _reset_postgres(postgres_url)
    engine = make_engine(postgres_url)
    upgrade(engine)
    engine.dispose()
    hosts = [
        ServerProcess(postgres_url, tmp_path, workers=1, env={"LRS_BRIDGE_CLOCK_OFFSET_MS": ms})
        for ms in ("2000", "-2000")
    ]
    try:
        key, secret = hosts[0].credential("all")
        acknowledged: list[str] = []
        lock = threading.Lock()
        stop = threading.Event()
        failures: list[int] = []

        def poster(offset: int) -> None:
            turn = offset
            while not stop.is_set():
                batch = [statement() for _ in range(3)]
                host = hosts[turn % 2]
                turn += 1
                status, _, _ = call(
                    host, "/xapi/statements", key=key, secret=secret, body=batch, method="POST"
                )
                if status != 200:
                    failures.append(status)
                    continue
                with lock:
                    acknowledged.extend(s["id"] for s in batch)

        seen: set[str] = set()
        since: str | None = None
        posters = [threading.Thread(target=poster, args=(n,)) for n in range(3)]
        for thread in posters:
            thread.start()
        started = time.monotonic()
        # The poller's requests land on the host whose clock is ahead: the worst case (a
        # poll answered by the slow host would re-read what the fast one skipped).
        while time.monotonic() - started < POST_SECONDS:
            ids, since = _poll(hosts[0], key, secret, since)
            seen.update(ids)
            time.sleep(0.02)
        stop.set()
        for thread in posters:
            thread.join()
        ids, since = _poll(hosts[0], key, secret, since)  # once nothing is in flight
        seen.update(ids)
        assert failures == []
        assert len(acknowledged) > 100
        missed = set(acknowledged) - seen
        assert not missed, f"the poller missed {len(missed)} of {len(acknowledged)} statements"
    finally:
        for host in hosts:
            host.stop()


HOUR_MS = 3_600_000


def test_stored_follows_the_database_clock_on_postgresql_and_the_host_clock_on_sqlite(
    database_url,
):
    """The offset skews this process's clock; only SQLite (one host) stamps from it."""
    app = create_app(
        {"database_url": database_url, "access_log": False, "clock_offset_ms": HOUR_MS}
    )
    try:
        client = app.test_client()
        auth = Credentials(app).make("all")
        before = now_us()
        body = statement()
        assert client.post("/xapi/statements", json=body, headers=auth).status_code == 200
        single = client.get(f"/xapi/statements?statementId={body['id']}", headers=auth)
        stored = parse_timestamp_us(single.get_json()["stored"])
        listed = client.get("/xapi/statements", headers=auth)
        after = now_us()
        skew = 0 if database_url.startswith("postgresql") else HOUR_MS * 1000
        assert before + skew <= stored <= after + skew
        for response in (single, listed):  # a single statement and a page alike
            through = parse_timestamp_us(response.headers["X-Experience-API-Consistent-Through"])
            assert stored <= through <= after + skew
    finally:
        app.extensions["lrs_bridge"].close()
