"""Authentication under attack: unknown keys cost a scrypt, failures are throttled per key
and per client address in the database (so across workers), disabled credentials stop
working within a second everywhere, and one admin check guards /metrics and /api/v1."""

from __future__ import annotations

import base64
import statistics
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lrs_bridge import create_app
from lrs_bridge.auth import Authenticator, create_credential, hash_secret, verify_secret
from lrs_bridge.errors import Unauthorized
from lrs_bridge.runtime import Runtime
from lrs_bridge.store.sqlalchemy import SqlStore
from lrs_bridge.xapi.timefmt import now_us
from tests.conftest import Credentials, ServerProcess, headers

WINDOW_SECONDS = 2


def median_seconds(action: Callable[[], object], times: int = 5) -> float:
    durations = []
    for _ in range(times):
        started = time.perf_counter()
        action()
        durations.append(time.perf_counter() - started)
    return statistics.median(durations)


def refused(authenticator: Authenticator, key: str, secret: str) -> None:
    with pytest.raises(Unauthorized):
        authenticator.authenticate(key, secret)


def test_an_unknown_key_costs_a_scrypt_like_a_wrong_secret(store: SqlStore):
    create_credential(store, name="lms", scopes="all", now_us=now_us(), key="lms", secret="right")
    authenticator = Authenticator(store, cache_seconds=60)
    encoded = hash_secret("x")
    scrypt = median_seconds(lambda: verify_secret("y", encoded))

    wrong_secret = median_seconds(lambda: refused(authenticator, "lms", "wrong"))
    unknown_key = median_seconds(lambda: refused(authenticator, "nobody", "wrong"))

    # Both pay for a full scrypt, so timing does not tell which keys exist.
    assert wrong_secret >= 0.6 * scrypt
    assert unknown_key >= 0.6 * scrypt
    assert 0.33 < unknown_key / wrong_secret < 3


@pytest.fixture
def throttled_app(database_url: str) -> Iterator[Flask]:
    app = create_app(
        {
            "database_url": database_url,
            "access_log": False,
            "auth_max_failures_per_key": 3,
            "auth_max_failures_per_address": 5,
            "auth_failure_window_seconds": WINDOW_SECONDS,
        }
    )
    yield app
    runtime: Runtime = app.extensions["lrs_bridge"]
    runtime.close()


def get(app: Flask, auth: dict[str, str], address: str, path: str = "/xapi/statements"):
    client: FlaskClient = app.test_client()
    return client.get(
        path, query_string={"limit": 1}, headers=auth, environ_base={"REMOTE_ADDR": address}
    )


def wrong(auth: dict[str, str]) -> dict[str, str]:
    key = base64.b64decode(auth["Authorization"].split()[1]).decode().split(":")[0]
    return headers(key, "not-the-secret")


def test_failures_of_one_key_throttle_that_key_until_the_window_ends(throttled_app):
    auth = Credentials(throttled_app).make("all", name="lms")
    for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):  # spread over addresses
        assert get(throttled_app, wrong(auth), address).status_code == 401

    # The key's rule holds for every address, and before any scrypt runs.
    blocked = get(throttled_app, wrong(auth), "10.0.0.4")
    assert blocked.status_code == 429
    assert 1 <= int(blocked.headers["Retry-After"]) <= WINDOW_SECONDS
    assert blocked.get_json()["error"] == "too_many_requests"
    assert get(throttled_app, auth, "10.0.0.5").status_code == 429  # not verified yet here

    time.sleep(WINDOW_SECONDS + 0.2)
    assert get(throttled_app, auth, "10.0.0.5").status_code == 200


def test_failures_from_one_address_throttle_that_address_only(throttled_app):
    creds = Credentials(throttled_app)
    lms = creds.make("all", name="lms")
    for _ in range(5):  # a different unknown key each time: no key reaches its limit
        stranger = headers(f"guess-{uuid.uuid4().hex[:8]}", "guess")
        assert get(throttled_app, stranger, "10.6.6.6").status_code == 401

    assert get(throttled_app, lms, "10.6.6.6").status_code == 429
    assert get(throttled_app, lms, "10.0.0.7").status_code == 200  # another address
    assert get(throttled_app, lms, "10.0.0.7", "/api/v1/openapi.json").status_code == 200


def test_a_credential_verified_in_this_process_is_not_locked_out_by_attackers(throttled_app):
    auth = Credentials(throttled_app).make("all", name="lms")
    assert get(throttled_app, auth, "10.0.0.1").status_code == 200
    for _ in range(4):
        get(throttled_app, wrong(auth), "10.9.9.9")
    assert get(throttled_app, wrong(auth), "10.9.9.8").status_code == 429
    # The LMS's own requests need no scrypt (cached), so they are not throttled.
    assert get(throttled_app, auth, "10.0.0.1").status_code == 200


@pytest.mark.parametrize("path", ["/metrics", "/api/v1/config"])
def test_one_admin_check_for_metrics_and_the_api(client, creds, path):
    assert client.get(path, headers=creds.make("all")).status_code == 403
    assert client.get(path, headers=creds.make("all,admin")).status_code == 200


def status_of(server: ServerProcess, key: str, secret: str) -> int:
    token = base64.b64encode(f"{key}:{secret}".encode()).decode()
    request = urllib.request.Request(
        server.url + "/xapi/statements?limit=1",
        headers={"Authorization": f"Basic {token}", "X-Experience-API-Version": "1.0.3"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.server
def test_a_disabled_credential_stops_working_within_a_second_in_every_worker(server):
    key, secret = server.credential("all")
    # Enough requests that both workers have verified and cached the credential.
    assert {status_of(server, key, secret) for _ in range(16)} == {200}

    server.cli("credentials", "disable", key)
    time.sleep(1.0)
    # Fewer than the per-key failure limit (10), so each answer is the credential's own.
    assert {status_of(server, key, secret) for _ in range(8)} == {401}


@pytest.mark.server
def test_throttling_holds_across_worker_processes(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("LRS_BRIDGE_AUTH_MAX_FAILURES_PER_KEY", "4")
    server = ServerProcess(database_url, tmp_path, workers=2)
    try:
        key, secret = server.credential("all")
        statuses = [status_of(server, key, "wrong") for _ in range(8)]
        assert statuses == [401] * 4 + [429] * 4  # one counter, whichever worker answers
    finally:
        server.stop()
