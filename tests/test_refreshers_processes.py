"""Refreshers across real processes: the CLI, a dispatcher killed mid-send, and two scheduler
processes sharing one PostgreSQL database."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from lrs_bridge import create_app
from lrs_bridge.runtime import Runtime
from lrs_bridge.store.engine import make_engine
from lrs_bridge.store.migrate import upgrade
from tests.conftest import Credentials, _reset_postgres
from tests.factories import aligned
from tests.receivers import SmtpReceiver, WebhookReceiver, running_smtp

pytestmark = pytest.mark.server

LISTENING = "https://lrs-bridge.dev/competency/active-listening"
EMPATHY = "https://lrs-bridge.dev/competency/empathy"
SECRET = "webhook-key"


def learner_evidence(n: int, competency: str) -> dict[str, Any]:
    """Old evidence of learner ``n`` (stale by now)."""
    who = {"name": f"Learner {n}", "mbox": f"mailto:learner{n}@example.com"}
    return aligned(who, competency, when="2026-01-15T10:00:00Z")


def seed(database_url: str, learners: int, competencies: list[str]) -> None:
    """Learners with e-mail addresses and old evidence (stale by now)."""
    app = create_app({"database_url": database_url, "access_log": False})
    client = app.test_client()
    auth = Credentials(app).make("all,admin", name="seeder")
    rows = "\n".join(
        f"Learner {n},learner{n}@example.com,,team-{n % 3},,nb" for n in range(learners)
    )
    imported = client.post(
        "/api/v1/learners/import",
        data="name,email,accounts,team,manager_email,language\n" + rows + "\n",
        headers={**auth, "Content-Type": "text/csv"},
    )
    assert imported.status_code == 200, imported.get_json()
    statements = [learner_evidence(n, c) for n in range(learners) for c in competencies]
    for start in range(0, len(statements), 200):
        response = client.post(
            "/xapi/statements", json=statements[start : start + 200], headers=auth
        )
        assert response.status_code == 200, response.get_json()
    runtime: Runtime = app.extensions["lrs_bridge"]
    runtime.close()


def cli_env(database_url: str, **settings: str) -> dict[str, str]:
    env = dict(os.environ, LRS_BRIDGE_DATABASE_URL=database_url, LRS_BRIDGE_LOG_LEVEL="WARNING")
    env.update({f"LRS_BRIDGE_{k.upper()}": v for k, v in settings.items()})
    return env


def run_cli(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "lrs_bridge.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def rows(database_url: str, query: str) -> list[Any]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(text(query)))
    finally:
        engine.dispose()


@pytest.fixture
def smtp() -> Iterator[SmtpReceiver]:
    yield from running_smtp()


@pytest.fixture
def slow_smtp() -> Iterator[SmtpReceiver]:
    yield from running_smtp(delay=0.2)


@pytest.fixture
def slower_than_the_lease() -> Iterator[SmtpReceiver]:
    yield from running_smtp(delay=1.5)  # each DATA; the lease below is 1 s


def test_two_dispatchers_and_an_smtp_server_slower_than_the_lease_send_each_message_once(
    database_url: str, slower_than_the_lease: SmtpReceiver, tmp_path: Path
) -> None:
    smtp = slower_than_the_lease
    learners = 8
    seed(database_url, learners, [LISTENING])
    env = cli_env(database_url, smtp_url=smtp.url, notification_lease_seconds="1")
    run_cli(env, "refreshers", "scan", "--at", "2026-05-01T00:00:00Z")

    def dispatcher(name: str) -> subprocess.Popen[bytes]:
        with (tmp_path / f"{name}.log").open("wb") as log:
            return subprocess.Popen(
                [sys.executable, "-m", "lrs_bridge.cli", "notifications", "dispatch", "--json"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=log,
            )

    first = dispatcher("first")
    deadline = time.monotonic() + 30
    while smtp.mailbox.started < 1 and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(1.1)  # every lease the first took at its start has run out by now
    second = dispatcher("second")
    outputs = [proc.communicate(timeout=120)[0] for proc in (first, second)]
    time.sleep(0.2)

    reports = [json.loads(out.decode().strip().splitlines()[-1]) for out in outputs]
    received = Counter(smtp.mailbox.message_ids())
    assert len(received) == learners and set(received.values()) == {1}, received
    assert [r["sent"] > 0 for r in reports] == [True, True]  # both took part
    assert sum(r["sent"] for r in reports) == learners
    assert rows(database_url, "SELECT status, count(*) FROM notifications GROUP BY status") == [
        ("sent", learners)
    ]
    attempts = rows(database_url, "SELECT count(*) FROM delivery_attempts")
    assert attempts[0][0] == learners  # and no settle by a dispatcher that lost its lease


def test_a_real_scan_in_the_future_needs_force_and_dispatch_at_simulates_later(
    database_url: str, smtp: SmtpReceiver
) -> None:
    seed(database_url, 2, [LISTENING])
    env = cli_env(database_url)
    future = "2030-01-01T00:00:00Z"

    refused = subprocess.run(
        [sys.executable, "-m", "lrs_bridge.cli", "refreshers", "scan", "--at", future],
        env=env,
        capture_output=True,
        text=True,
    )

    assert refused.returncode == 2
    assert "in the future" in refused.stderr and "--dry-run" in refused.stderr
    assert "--force" in refused.stderr
    assert rows(database_url, "SELECT count(*) FROM refresher_assignments")[0][0] == 0
    preview = json.loads(run_cli(env, "refreshers", "scan", "--at", future, "--dry-run", "--json"))
    assert len(preview["created"]) == 2
    # No channel is configured: the notifications wait for one, and the scan says so.
    forced = json.loads(run_cli(env, "refreshers", "scan", "--at", future, "--force", "--json"))
    assert len(forced["created"]) == 2 and forced["waiting"] == 2

    mail = cli_env(database_url, smtp_url=smtp.url)
    now = json.loads(run_cli(mail, "notifications", "dispatch", "--json"))
    assert (now["routed"], now["sent"]) == (2, 2)  # as soon as there is a channel
    text = run_cli(mail, "refreshers", "scan", "--at", "2030-01-20T00:00:00Z", "--force")
    assert "2 reminded" in text and "2 notifications queued, 0 waiting for a channel" in text
    # The reminders are due at their simulated time, not now.
    assert json.loads(run_cli(mail, "notifications", "dispatch", "--json"))["sent"] == 0
    later = json.loads(
        run_cli(mail, "notifications", "dispatch", "--at", "2030-01-20T00:00:01Z", "--json")
    )
    assert later["sent"] == 2 and later["outbox"] == {"routed": 2, "sent": 4}
    assert len(smtp.mailbox.messages) == 4


def test_scan_cli_at_a_given_time_with_dry_run_and_json(database_url: str) -> None:
    seed(database_url, 3, [LISTENING])
    env = cli_env(database_url)
    dry = json.loads(
        run_cli(env, "refreshers", "scan", "--at", "2026-05-01T00:00:00Z", "--dry-run", "--json")
    )
    assert dry["dry_run"] is True and len(dry["created"]) == 3
    assert dry["at"] == "2026-05-01T00:00:00.000000Z"
    assert rows(database_url, "SELECT count(*) FROM refresher_assignments")[0][0] == 0
    text_report = run_cli(env, "refreshers", "scan", "--at", "2026-05-01T00:00:00Z")
    assert "created 3" in text_report and LISTENING in text_report
    assert "due 2026-05-15T00:00:00.000000Z" in text_report
    again = json.loads(run_cli(env, "refreshers", "scan", "--at", "2026-05-01T00:01:00Z", "--json"))
    assert again["created"] == []
    bad = subprocess.run(
        [sys.executable, "-m", "lrs_bridge.cli", "refreshers", "scan", "--at", "yesterday"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2 and "--at" in bad.stderr


def test_a_dispatcher_killed_mid_send_delivers_everything_once_per_key_on_restart(
    database_url: str, slow_smtp: SmtpReceiver, tmp_path: Path
) -> None:
    learners = 12
    seed(database_url, learners, [LISTENING])
    env = cli_env(database_url, smtp_url=slow_smtp.url, notification_lease_seconds="1")
    run_cli(env, "refreshers", "scan", "--at", "2026-05-01T00:00:00Z")
    log = (tmp_path / "dispatch.log").open("wb")
    dispatcher = subprocess.Popen(
        [sys.executable, "-m", "lrs_bridge.cli", "notifications", "dispatch"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while len(slow_smtp.mailbox.messages) < 4 and time.monotonic() < deadline:
        time.sleep(0.02)
    dispatcher.send_signal(signal.SIGKILL)
    dispatcher.wait()
    log.close()
    assert dispatcher.returncode == -signal.SIGKILL
    pending = rows(database_url, "SELECT count(*) FROM notifications WHERE status = 'pending'")
    assert pending[0][0] > 0, "the kill came too late to interrupt anything"

    time.sleep(1.2)  # the killed dispatcher's lease runs out
    out = json.loads(run_cli(env, "notifications", "dispatch", "--json"))
    assert out["outbox"] == {"sent": learners}
    time.sleep(0.3)  # the last DATA may still be in the receiver's handler

    received = Counter(slow_smtp.mailbox.message_ids())
    keys = rows(database_url, "SELECT idempotency_key FROM notifications")
    assert len(received) == learners == len(keys)  # every notification arrived
    # At most the one message in flight at the kill arrives twice, under the same
    # Message-ID, so the receiving side collapses it; nothing else repeats.
    assert sum(received.values()) - learners <= 1
    attempts = rows(database_url, "SELECT count(*) FROM delivery_attempts WHERE outcome = 'sent'")
    assert attempts[0][0] == learners


@pytest.mark.postgres
def test_two_schedulers_on_one_postgresql_create_and_send_each_thing_once(
    postgres_url: str, tmp_path: Path
) -> None:
    _reset_postgres(postgres_url)
    engine = make_engine(postgres_url)
    upgrade(engine)
    engine.dispose()
    learners = 150
    seed(postgres_url, learners, [LISTENING, EMPATHY])
    hook = WebhookReceiver(SECRET)
    env = cli_env(
        postgres_url,
        webhook_urls=hook.url,
        webhook_secret=SECRET,
        refresher_scan_seconds="1",
        dispatch_seconds="1",
    )
    logs = [(tmp_path / f"scheduler-{i}.log").open("wb") for i in range(2)]
    schedulers = [
        subprocess.Popen(
            [sys.executable, "-m", "lrs_bridge.cli", "scheduler"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        for log in logs
    ]
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            sent = rows(postgres_url, "SELECT count(*) FROM notifications WHERE status = 'sent'")
            if sent[0][0] >= learners and len(hook.requests) >= learners:
                break
            time.sleep(0.5)
        time.sleep(3)  # a few more rounds of both schedulers: they must change nothing
    finally:
        for proc in schedulers:
            proc.send_signal(signal.SIGTERM)
        for proc, log in zip(schedulers, logs, strict=True):
            proc.wait(timeout=30)
            log.close()
        hook.close()
    output = [(tmp_path / f"scheduler-{i}.log").read_text() for i in range(2)]
    assert all(proc.returncode == 0 for proc in schedulers), output

    pairs = rows(
        postgres_url,
        "SELECT learner_id, competency_id, count(*) FROM refresher_assignments "
        "GROUP BY learner_id, competency_id",
    )
    assert len(pairs) == 2 * learners and {row[2] for row in pairs} == {1}
    notifications = rows(postgres_url, "SELECT learner_id, status FROM notifications")
    assert len(notifications) == learners  # one digest per learner, not per competency
    assert {row[1] for row in notifications} == {"sent"}
    keys = Counter(r["headers"]["idempotency-key"] for r in hook.requests)
    assert len(keys) == learners and set(keys.values()) == {1}
    runs = rows(postgres_url, "SELECT count(DISTINCT scan_run) FROM refresher_assignments")
    assert runs[0][0] >= 1


def test_the_scheduler_started_by_serve_runs_the_refresher_jobs(
    database_url: str, tmp_path: Path
) -> None:
    """The same jobs run in ``lrs-bridge scheduler``: one process, real clock."""
    seed(database_url, 2, [LISTENING])
    hook = WebhookReceiver(SECRET)
    env = cli_env(
        database_url,
        webhook_urls=hook.url,
        webhook_secret=SECRET,
        refresher_scan_seconds="1",
        dispatch_seconds="1",
    )
    log = (tmp_path / "scheduler.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "lrs_bridge.cli", "scheduler"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while len(hook.requests) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        log.close()
        hook.close()
    assert len(hook.requests) == 2, (tmp_path / "scheduler.log").read_text()
    statuses = rows(database_url, "SELECT status FROM refresher_assignments")
    assert [row[0] for row in statuses] == ["notified", "notified"]
