"""Refresher assignments: scan, choice, caps, digests, delivery, lifecycle, API — with a real
SMTP server and a real webhook receiver, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lrs_bridge import create_app
from lrs_bridge.config import load_settings
from lrs_bridge.errors import BadRequest
from lrs_bridge.notify.model import digest_from_dict
from lrs_bridge.runtime import Runtime
from lrs_bridge.store.assignment_records import NewNotification
from lrs_bridge.xapi.timefmt import parse_timestamp_us
from tests.conftest import Credentials
from tests.factories import COMPLETED, aligned
from tests.receivers import SmtpReceiver, WebhookReceiver, running_smtp

BASE = "https://lrs-bridge.dev/competency/"
LISTENING = BASE + "active-listening"
EMPATHY = BASE + "empathy"
PRODUCT = BASE + "product-knowledge"
PASSED = "http://adlnet.gov/expapi/verbs/passed"
FAILED = "http://adlnet.gov/expapi/verbs/failed"
SECRET = "webhook-key"


def at(text: str) -> int:
    value = parse_timestamp_us(text)
    assert value is not None
    return value


def person(name: str) -> dict[str, Any]:
    return {"objectType": "Agent", "name": name.title(), "mbox": f"mailto:{name}@example.com"}


def evidence(
    who: str,
    competency: str,
    when: str,
    *,
    verb: str = COMPLETED,
    activity_type: str = "http://adlnet.gov/expapi/activities/module",
) -> dict[str, Any]:
    """A statement aligned directly to a competency (digital self-study unless typed)."""
    return aligned(person(who), competency, verb=verb, when=when, activity_type=activity_type)


@pytest.fixture
def smtp() -> Iterator[SmtpReceiver]:
    yield from running_smtp()


@pytest.fixture
def hook() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver(SECRET)
    yield receiver
    receiver.close()


@pytest.fixture
def notifying_app(database_url: str, smtp: SmtpReceiver, hook: WebhookReceiver) -> Iterator[Flask]:
    app = create_app(
        {
            "database_url": database_url,
            "access_log": False,
            "smtp_url": smtp.url,
            "smtp_from": "Training <training@example.com>",
            "webhook_urls": hook.url,
            "webhook_secret": SECRET,
            "notification_backoff_seconds": 1,
        }
    )
    yield app
    app.extensions["lrs_bridge"].close()


@pytest.fixture
def rt(notifying_app: Flask) -> Runtime:
    runtime: Runtime = notifying_app.extensions["lrs_bridge"]
    return runtime


@pytest.fixture
def web(notifying_app: Flask) -> FlaskClient:
    return notifying_app.test_client()


@pytest.fixture
def admin(notifying_app: Flask) -> dict[str, str]:
    return Credentials(notifying_app).make("all,admin", name="admin")


def post(web: FlaskClient, auth: dict[str, str], statements: list[dict[str, Any]]) -> None:
    response = web.post("/xapi/statements", json=statements, headers=auth)
    assert response.status_code == 200, response.get_json()


def add_person(
    web: FlaskClient, auth: dict[str, str], name: str, *, language: str = "en", **extra: Any
) -> int:
    body = {"name": name.title(), "email": f"{name}@example.com", "language": language, **extra}
    response = web.post("/api/v1/learners", json=body, headers=auth)
    assert response.status_code == 200, response.get_json()
    learner_id: int = response.get_json()["learners"][0]["id"]
    return learner_id


def assignments_of(web: FlaskClient, auth: dict[str, str], learner_id: int) -> list[dict[str, Any]]:
    response = web.get(f"/api/v1/learners/{learner_id}/assignments", headers=auth)
    assert response.status_code == 200, response.get_json()
    rows: list[dict[str, Any]] = response.get_json()["assignments"]
    return rows


# -- the scan ----------------------------------------------------------------------------------


def test_scan_assigns_what_is_stale_or_due_soon_and_nothing_fresh(web, admin, rt):
    kari = add_person(web, admin, "kari", language="nb")
    post(
        web,
        admin,
        [
            evidence("kari", LISTENING, "2026-01-15T10:00:00Z"),  # quarterly: stale 2026-04-15
            evidence("kari", EMPATHY, "2026-03-20T10:00:00Z"),  # stale 2026-06-20: still fresh
            evidence("kari", PRODUCT, "2026-03-10T10:00:00Z"),  # monthly: stale 2026-04-10
        ],
    )
    report = rt.refreshers.scan(at("2026-04-05T08:00:00Z"))  # within the 14-day / 7-day leads
    created = {item["competency_id"]: item for item in report.created}
    assert set(created) == {LISTENING, PRODUCT}
    # Not yet stale: due when it goes stale, not earlier.
    assert created[LISTENING]["due"] == "2026-04-15T10:00:00.000000Z"
    assert created[PRODUCT]["due"] == "2026-04-10T10:00:00.000000Z"
    rows = assignments_of(web, admin, kari)
    assert {r["status"] for r in rows} == {"assigned"}
    reason = next(r for r in rows if r["competency"] == LISTENING)["reason"]
    assert reason["status_at_scan"] == "due_soon"
    assert reason["last_evidence"] == "2026-01-15T10:00:00.000000Z"
    assert reason["stale_at"] == "2026-04-15T10:00:00.000000Z"
    assert reason["last_evidence_statement"]
    assert "Goes stale on 2026-04-15" in reason["summary"]


def test_an_already_stale_competency_is_due_after_the_grace_period(web, admin, rt):
    add_person(web, admin, "kari")
    post(web, admin, [evidence("kari", LISTENING, "2026-01-15T10:00:00Z")])
    report = rt.refreshers.scan(at("2026-05-01T00:00:00Z"))
    [item] = report.created
    assert item["due"] == "2026-05-15T00:00:00.000000Z"  # grace P14D
    assert "Stale since 2026-04-15" in item["reason"]


def test_a_second_scan_creates_nothing_new(web, admin, rt):
    add_person(web, admin, "kari")
    post(web, admin, [evidence("kari", LISTENING, "2026-01-15T10:00:00Z")])
    assert len(rt.refreshers.scan(at("2026-05-01T00:00:00Z")).created) == 1
    again = rt.refreshers.scan(at("2026-05-01T00:05:00Z"))
    assert again.created == [] and again.candidates == 0 and again.notifications == 0


def test_dry_run_reports_and_changes_nothing(web, admin, rt):
    kari = add_person(web, admin, "kari")
    post(web, admin, [evidence("kari", LISTENING, "2026-01-15T10:00:00Z")])
    dry = rt.refreshers.scan(at("2026-05-01T00:00:00Z"), dry_run=True)
    assert [item["competency_id"] for item in dry.created] == [LISTENING]
    assert dry.created[0]["id"] is None
    assert assignments_of(web, admin, kari) == []
    assert rt.store.outbox_counts() == {}


def test_the_choice_prefers_the_best_method_the_learner_has_not_just_done(web, admin, rt):
    add_person(web, admin, "kari")
    add_person(web, admin, "ola")
    role_play = "http://id.tincanapi.com/activitytype/simulation"  # role-play in the map
    post(
        web,
        admin,
        [
            evidence("kari", LISTENING, "2026-01-15T10:00:00Z"),  # e-learning
            evidence("ola", LISTENING, "2026-01-15T10:00:00Z", activity_type=role_play),
        ],
    )
    report = rt.refreshers.scan(at("2026-05-01T00:00:00Z"))
    engine = rt.competencies.current()
    options = engine.map.refreshers.for_competency(LISTENING)
    effects = engine.map.methods
    best = max(options, key=lambda o: effects[o.method])
    chosen = {rt.store.learner_by_id(i["learner_id"])["name"]: i for i in report.created}
    assert chosen["Kari"]["method"] == best.method  # her e-learning is not the best method
    if best.method == "role-play":
        assert chosen["Ola"]["method"] != "role-play"  # he has just done role-play
        assert "not just done" in chosen["Ola"]["reason"]


def test_the_per_learner_cap_defers_the_rest_to_a_later_scan(web, admin, rt):
    kari = add_person(web, admin, "kari")
    competencies = [c.id for c in rt.competencies.current().framework.competencies][:5]
    post(web, admin, [evidence("kari", c, "2026-01-15T10:00:00Z") for c in competencies])
    cap = rt.competencies.current().map.refreshers.max_per_learner
    first = rt.refreshers.scan(at("2026-06-01T00:00:00Z"))
    assert len(first.created) == cap and first.deferred == len(competencies) - cap
    # Within the cap's period nothing more; a period later the rest.
    assert rt.refreshers.scan(at("2026-06-03T00:00:00Z")).created == []
    later = rt.refreshers.scan(at("2026-06-09T00:00:00Z"))
    assert len(later.created) == len(competencies) - cap
    assert len(assignments_of(web, admin, kari)) == len(competencies)


# -- notifications ------------------------------------------------------------------------------


def test_one_digest_per_learner_by_email_and_signed_webhook(web, admin, rt, smtp, hook):
    kari = add_person(web, admin, "kari", language="nb")
    post(
        web,
        admin,
        [
            evidence("kari", LISTENING, "2026-01-15T10:00:00Z"),
            evidence("kari", EMPATHY, "2026-01-16T10:00:00Z"),
        ],
    )
    report = rt.refreshers.scan(at("2026-05-01T00:00:00Z"))
    assert len(report.created) == 2
    assert report.notifications == 2  # one e-mail + one webhook, both covering both items
    sent = rt.dispatcher.dispatch()
    assert (sent.sent, sent.retried, sent.dead) == (2, 0, 0)

    [mail] = smtp.mailbox.messages
    assert mail["To"] == "Kari <kari@example.com>"
    assert mail["Content-Language"] == "nb"
    parts = {part.get_content_type(): part for part in mail.walk()}
    assert {"text/plain", "text/html", "text/calendar"} <= set(parts)
    text = parts["text/plain"].get_content()
    assert "https://lms.example.com/launch/" in text
    assert parts["text/calendar"].get_content().count("BEGIN:VEVENT") == 2

    [request] = hook.requests
    assert hook.rejected == []  # the receiver verified t=…,v1=… over "<t>.<key>.<body>"
    t, v1 = request["headers"]["x-lrs-bridge-signature"].split(",")
    signed = f"{t[2:]}.{request['headers']['idempotency-key']}.".encode() + request["body"]
    assert v1 == "v1=" + hmac.new(SECRET.encode(), signed, hashlib.sha256).hexdigest()
    body = json.loads(request["body"])
    assert body["event"] == "refresher.assigned"
    assert {item["competency"]["id"] for item in body["items"]} == {LISTENING, EMPATHY}
    assert request["headers"]["idempotency-key"] == body["idempotency_key"]

    rows = assignments_of(web, admin, kari)
    assert {r["status"] for r in rows} == {"notified"}
    detail = web.get(f"/api/v1/assignments/{rows[0]['id']}", headers=admin).get_json()
    assert [e["to"] for e in detail["events"]] == ["assigned", "notified", "notified"]
    assert {n["status"] for n in detail["notifications"]} == {"sent"}


def test_an_smtp_outage_is_retried_with_backoff_and_nothing_is_lost(web, admin, rt, smtp, hook):
    add_person(web, admin, "kari")
    post(web, admin, [evidence("kari", LISTENING, "2026-01-15T10:00:00Z")])
    rt.refreshers.scan(at("2026-05-01T00:00:00Z"))
    smtp.stop()
    first = rt.dispatcher.dispatch()
    assert (first.sent, first.retried) == (1, 1)  # the webhook went, the e-mail waits
    [pending] = rt.store.list_notifications(status="pending")
    assert pending.channel == "email" and pending.attempts == 1
    assert "refused" in (pending.last_error or "").lower() or pending.last_error
    # Not due again before the backoff has passed.
    assert rt.dispatcher.dispatch().sent == 0
    smtp.start()

    time.sleep(1.1)  # notification_backoff_seconds=1
    assert rt.dispatcher.dispatch().sent == 1
    assert len(smtp.mailbox.messages) == 1
    log = rt.store.notification_deliveries(pending.id)
    assert [entry["outcome"] for entry in log] == ["retry", "sent"]


def test_permanent_failures_are_dead_lettered_and_an_admin_can_retry(web, admin, rt, hook):
    add_person(web, admin, "kari")
    post(web, admin, [evidence("kari", LISTENING, "2026-01-15T10:00:00Z")])
    rt.refreshers.scan(at("2026-05-01T00:00:00Z"))
    hook.status = 410  # the LMS rejects it: retrying the same request cannot help
    rt.dispatcher.dispatch()
    listing = web.get("/api/v1/notifications?status=dead", headers=admin).get_json()
    [dead] = [n for n in listing["notifications"] if n["channel"] == "webhook"]
    assert "410" in dead["last_error"]
    hook.status = 200
    retry = web.post(f"/api/v1/notifications/{dead['id']}/retry", headers=admin)
    assert retry.status_code == 202
    assert rt.dispatcher.dispatch().sent >= 1
    detail = web.get(f"/api/v1/notifications/{dead['id']}", headers=admin).get_json()
    assert detail["status"] == "sent"
    assert [d["outcome"] for d in detail["deliveries"]] == ["dead", "sent"]
    again = web.post(f"/api/v1/notifications/{dead['id']}/retry", headers=admin)
    assert again.status_code == 400 and again.get_json()["field"] == "status"


def test_metrics_show_the_outbox_and_assignments_by_status(web, admin, rt, hook):
    add_person(web, admin, "kari")
    post(web, admin, [evidence("kari", LISTENING, "2026-01-15T10:00:00Z")])
    rt.refreshers.scan(at("2026-05-01T00:00:00Z"))
    hook.status = 410
    rt.dispatcher.dispatch()
    text = web.get("/metrics", headers=admin).get_data(as_text=True)
    assert 'lrs_bridge_notifications{status="dead"} 1.0' in text
    assert 'lrs_bridge_notifications{status="sent"} 1.0' in text  # the e-mail
    assert 'lrs_bridge_refresher_assignments{status="notified"} 1.0' in text


# -- lifecycle -------------------------------------------------------------------------------


def test_reminder_then_escalation_to_the_manager(web, admin, rt, smtp):
    add_person(web, admin, "berit", language="fi")
    kari = add_person(web, admin, "kari", language="nl", manager_email="berit@example.com")
    post(web, admin, [evidence("kari", LISTENING, "2026-01-15T10:00:00Z")])
    rt.refreshers.scan(at("2026-05-01T00:00:00Z"))  # due 2026-05-15
    rt.dispatcher.dispatch()
    assert rt.refreshers.scan(at("2026-05-10T00:00:00Z")).reminded == []
    reminded = rt.refreshers.scan(at("2026-05-16T00:00:00Z"))
    assert len(reminded.reminded) == 1 and reminded.escalated == []
    escalated = rt.refreshers.scan(at("2026-05-23T00:00:00Z"))  # escalate_after P7D
    assert len(escalated.escalated) == 1
    rt.dispatcher.dispatch()
    recipients = [m["To"] for m in smtp.mailbox.messages]
    assert recipients == [
        "Kari <kari@example.com>",  # assigned
        "Kari <kari@example.com>",  # reminder
        "Berit <berit@example.com>",  # escalation, to the manager
    ]
    assert smtp.mailbox.messages[2]["Content-Language"] == "fi"
    [row] = assignments_of(web, admin, kari)
    assert row["status"] == "escalated" and row["reminders"] == 1 and row["overdue"]
    # Nothing more happens to an escalated assignment on later scans.
    later = rt.refreshers.scan(at("2026-06-30T00:00:00Z"))
    assert later.reminded == [] and later.escalated == []


def test_completing_the_refresher_activity_closes_the_assignment(web, admin, rt):
    kari = add_person(web, admin, "kari")
    post(web, admin, [evidence("kari", LISTENING, "2026-01-15T10:00:00Z")])
    rt.refreshers.scan(at("2026-05-01T00:00:00Z"))
    [row] = assignments_of(web, admin, kari)
    done = {
        "id": str(uuid.uuid4()),
        "actor": person("kari"),
        "verb": {"id": PASSED},
        "object": {"id": row["activity"]["id"]},
        "result": {"success": True, "score": {"scaled": 0.9}},
        "timestamp": "2026-05-03T09:00:00Z",
    }
    post(web, admin, [done])
    [row] = assignments_of(web, admin, kari)
    assert row["status"] == "completed"
    assert row["closed_by"] == f"statement:{done['id']}"
    detail = web.get(f"/api/v1/assignments/{row['id']}", headers=admin).get_json()
    assert detail["events"][-1]["detail"]["by"] == "refresher activity"
    # The refresher activity is evidence too: the competency is fresh from that date.
    competencies = web.get(f"/api/v1/learners/{kari}/competencies", headers=admin).get_json()
    listening = next(c for c in competencies["competencies"] if c["competency"] == LISTENING)
    assert listening["last_evidence"] == "2026-05-03T09:00:00.000000Z"


def test_a_failed_attempt_at_the_refresher_does_not_close_it(web, admin, rt):
    kari = add_person(web, admin, "kari")
    post(web, admin, [evidence("kari", LISTENING, "2026-01-15T10:00:00Z")])
    rt.refreshers.scan(at("2026-05-01T00:00:00Z"))
    [row] = assignments_of(web, admin, kari)
    failed = {
        "actor": person("kari"),
        "verb": {"id": FAILED},
        "object": {"id": row["activity"]["id"]},
        "result": {"success": False},
        "timestamp": "2026-05-03T09:00:00Z",
    }
    post(web, admin, [failed])
    assert assignments_of(web, admin, kari)[0]["status"] == "assigned"


def test_any_evidence_that_makes_the_competency_fresh_completes_it(web, admin, rt):
    kari = add_person(web, admin, "kari")
    post(web, admin, [evidence("kari", LISTENING, "2026-01-15T10:00:00Z")])
    rt.refreshers.scan(at("2026-05-01T00:00:00Z"))
    fresh = evidence("kari", LISTENING, "2026-11-24T10:00:00Z")  # fresh as of now
    post(web, admin, [fresh])
    [row] = assignments_of(web, admin, kari)
    assert row["status"] == "completed" and row["closed_by"] == f"statement:{fresh['id']}"


def test_a_cancelled_assignment_is_not_recreated_for_the_same_staleness(web, admin, rt):
    kari = add_person(web, admin, "kari")
    post(web, admin, [evidence("kari", LISTENING, "2026-01-15T10:00:00Z")])
    rt.refreshers.scan(at("2026-05-01T00:00:00Z"))
    [row] = assignments_of(web, admin, kari)
    cancelled = web.post(
        f"/api/v1/assignments/{row['id']}/cancel", json={"note": "on leave"}, headers=admin
    )
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    assert rt.refreshers.scan(at("2026-06-01T00:00:00Z")).created == []
    # New evidence that goes stale again is a new staleness: a new assignment.
    post(web, admin, [evidence("kari", LISTENING, "2026-06-10T10:00:00Z")])
    assert len(rt.refreshers.scan(at("2026-10-01T00:00:00Z")).created) == 1
    again = web.post(f"/api/v1/assignments/{row['id']}/cancel", headers=admin)
    assert again.status_code == 409


# -- learner and manager API ---------------------------------------------------------------


def _learner_credential(rt: Runtime, learner_id: int) -> dict[str, str]:
    from lrs_bridge.auth import create_credential
    from tests.conftest import headers

    record, secret = create_credential(
        rt.store, name="own", scopes="statements/read/mine", now_us=1, learner_id=learner_id
    )
    return headers(record.key, secret)


def test_learners_see_only_their_own_and_may_snooze_within_the_limit(web, admin, rt):
    kari = add_person(web, admin, "kari")
    ola = add_person(web, admin, "ola")
    post(
        web,
        admin,
        [
            evidence("kari", LISTENING, "2026-01-15T10:00:00Z"),
            evidence("ola", LISTENING, "2026-01-15T10:00:00Z"),
        ],
    )
    rt.refreshers.scan(at("2026-05-01T00:00:00Z"))
    mine = _learner_credential(rt, kari)
    [row] = assignments_of(web, mine, kari)
    assert web.get(f"/api/v1/learners/{ola}/assignments", headers=mine).status_code == 403
    assert web.get("/api/v1/assignments", headers=mine).status_code == 403
    assert web.post(f"/api/v1/assignments/{row['id']}/cancel", headers=mine).status_code == 403
    ack = web.post(f"/api/v1/assignments/{row['id']}/acknowledge", headers=mine)
    assert ack.status_code == 200 and ack.get_json()["acknowledged"]
    too_far = web.post(f"/api/v1/assignments/{row['id']}/snooze", json={"by": "P30D"}, headers=mine)
    assert too_far.status_code == 400 and too_far.get_json()["field"] == "until"
    ok = web.post(f"/api/v1/assignments/{row['id']}/snooze", json={"by": "P10D"}, headers=mine)
    assert ok.status_code == 200 and ok.get_json()["due"] == "2026-05-25T00:00:00.000000Z"
    rest = web.post(f"/api/v1/assignments/{row['id']}/snooze", json={"by": "P5D"}, headers=mine)
    assert rest.status_code == 400  # 10 + 5 days exceeds snooze_max P14D
    bad = web.post(f"/api/v1/assignments/{row['id']}/snooze", json={"later": 1}, headers=mine)
    assert bad.status_code == 400 and bad.get_json()["field"] == "later"


def test_a_manager_sees_the_open_and_overdue_assignments_of_their_reports(web, admin, rt):
    berit = add_person(web, admin, "berit")
    add_person(web, admin, "kari", manager_email="berit@example.com", team="oslo")
    add_person(web, admin, "ola", team="oslo")
    post(
        web,
        admin,
        [
            evidence("kari", LISTENING, "2026-01-15T10:00:00Z"),
            evidence("ola", EMPATHY, "2026-01-15T10:00:00Z"),
        ],
    )
    rt.refreshers.scan(at("2026-05-01T00:00:00Z"))
    manager = _learner_credential(rt, berit)
    overview = web.get(f"/api/v1/learners/{berit}/reports/assignments", headers=manager)
    assert overview.status_code == 200
    body = overview.get_json()
    assert body["open"] == 1 and body["overdue"] == 1  # due 2026-05-15, long past by now
    assert body["assignments"][0]["competency"] == LISTENING
    team = web.get("/api/v1/teams/oslo/assignments", headers=admin).get_json()
    assert team["open"] == 2
    assert web.get("/api/v1/teams/oslo/assignments", headers=manager).status_code == 403


def test_admin_resend_queues_a_new_notification(web, admin, rt, smtp):
    kari = add_person(web, admin, "kari")
    post(web, admin, [evidence("kari", LISTENING, "2026-01-15T10:00:00Z")])
    rt.refreshers.scan(at("2026-05-01T00:00:00Z"))
    rt.dispatcher.dispatch()
    [row] = assignments_of(web, admin, kari)
    resent = web.post(f"/api/v1/assignments/{row['id']}/resend", headers=admin)
    assert resent.status_code == 202 and resent.get_json()["queued"] == 2
    rt.dispatcher.dispatch()
    assert len(smtp.mailbox.messages) == 2
    ids = smtp.mailbox.message_ids()
    assert ids[0] != ids[1]  # a deliberate re-send is a new message, not a duplicate


def test_assignments_can_be_announced_as_xapi_statements_once(database_url):
    app = create_app(
        {
            "database_url": database_url,
            "access_log": False,
            "emit_assignment_statements": True,
        }
    )
    try:
        web = app.test_client()
        runtime: Runtime = app.extensions["lrs_bridge"]
        auth = Credentials(app).make("all,admin", name="admin")
        kari = add_person(web, auth, "kari")
        post(web, auth, [evidence("kari", LISTENING, "2026-01-15T10:00:00Z")])
        runtime.refreshers.scan(at("2026-05-01T00:00:00Z"))
        [pending] = runtime.store.list_notifications(status="pending")
        assert pending.channel == "xapi"
        assert runtime.dispatcher.dispatch().sent == 1
        assigned = "https://w3id.org/xapi/tla/verbs/assigned"
        found = web.get("/xapi/statements", query_string={"verb": assigned}, headers=auth)
        [statement] = found.get_json()["statements"]
        [row] = assignments_of(web, auth, kari)
        assert statement["actor"]["mbox"] == "mailto:kari@example.com"
        assert statement["object"]["id"] == row["activity"]["id"]
        extensions = statement["context"]["extensions"]
        assert extensions["https://lrs-bridge.dev/xapi/extensions/due"] == row["due"]
        assert extensions["https://lrs-bridge.dev/xapi/extensions/assignment"] == row["id"]
        # Only the LRS heard of it: the assignment is not "notified"; and the statement is no
        # evidence, so the refresher is still open.
        assert row["status"] == "assigned"
        # A delivery repeated after a crash (same key) stores nothing twice.
        digest = digest_from_dict(pending.payload)
        runtime.dispatcher.store_statements(digest)
        again = web.get("/xapi/statements", query_string={"verb": assigned}, headers=auth)
        assert len(again.get_json()["statements"]) == 1
    finally:
        runtime.close()


# -- hardening: digests across batch boundaries, managers' digests, waiting, targets ---------


def import_people(web: FlaskClient, auth: dict[str, str], rows: list[str]) -> None:
    """Directory rows ``name,email,accounts,team,manager_email,language``."""
    body = "name,email,accounts,team,manager_email,language\n" + "\n".join(rows) + "\n"
    response = web.post(
        "/api/v1/learners/import", data=body, headers={**auth, "Content-Type": "text/csv"}
    )
    assert response.status_code == 200, response.get_json()


def by_kind_and_channel(rt: Runtime, kind: str, channel: str) -> list[Any]:
    return [
        n
        for n in rt.store.list_notifications(limit=100_000)
        if n.kind == kind and n.channel == channel
    ]


def test_follow_ups_across_a_batch_boundary_give_each_recipient_one_digest(web, admin, rt):
    # 340 learners × 3 competencies = 1,020 follow-ups: more than one batch (1,000). The
    # first 170 report to one manager, the rest to nobody, so the 1,000th row falls inside
    # one learner's three (learner 333), whichever way the batch is ordered.
    reports = 340
    import_people(web, admin, ["Maria,maria@example.com,,,,en"])
    import_people(
        web,
        admin,
        [
            f"Learner {n},learner{n}@example.com,,,{'maria@example.com' if n < 170 else ''},en"
            for n in range(reports)
        ],
    )
    import_people(web, admin, ["Newcomer,newcomer@example.com,,,,en"])
    statements = [
        aligned({"mbox": f"mailto:learner{n}@example.com"}, competency, when="2026-01-15T10:00:00Z")
        for n in range(reports)
        for competency in (LISTENING, EMPATHY, PRODUCT)
    ]
    for start in range(0, len(statements), 250):
        post(web, admin, statements[start : start + 250])
    # Stale on 2026-06-01: not due on 2026-05-01, due (14-day lead) on 2026-05-20.
    post(web, admin, [evidence("newcomer", LISTENING, "2026-03-01T10:00:00Z")])
    assert len(rt.refreshers.scan(at("2026-05-01T00:00:00Z")).created) == 3 * reports

    reminders = rt.refreshers.scan(at("2026-05-20T00:00:00Z"))  # due 2026-05-15: overdue

    assert len(reminders.reminded) == 3 * reports
    assert [item["competency_id"] for item in reminders.created] == [LISTENING]  # the newcomer
    for channel in ("email", "webhook"):
        per_learner = Counter(n.learner_id for n in by_kind_and_channel(rt, "reminder", channel))
        assert len(per_learner) == reports and set(per_learner.values()) == {1}
    [straddling] = [
        n
        for n in by_kind_and_channel(rt, "reminder", "email")
        if n.target == "learner333@example.com"
    ]
    assert len(straddling.payload["items"]) == 3

    escalations = rt.refreshers.scan(at("2026-05-23T00:00:00Z"))  # escalate_after P7D

    assert len(escalations.escalated) == 3 * reports
    [to_maria] = by_kind_and_channel(rt, "escalation", "email")
    assert to_maria.target == "maria@example.com" and to_maria.learner_id is None
    assert len(to_maria.payload["items"]) == 3 * 170  # all her reports, in one digest
    hooks = by_kind_and_channel(rt, "escalation", "webhook")
    assert len(hooks) == 1 + (reports - 170)  # Maria's digest, and one per unmanaged learner


def test_a_manager_gets_one_digest_listing_every_escalated_report(web, admin, rt, smtp, hook):
    add_person(web, admin, "berit", language="en")
    add_person(web, admin, "kari", manager_email="berit@example.com")
    add_person(web, admin, "ola", manager_email="berit@example.com")
    post(
        web,
        admin,
        [
            evidence("kari", LISTENING, "2026-01-15T10:00:00Z"),
            evidence("ola", LISTENING, "2026-01-15T10:00:00Z"),
            evidence("ola", EMPATHY, "2026-01-15T10:00:00Z"),
        ],
    )
    rt.refreshers.scan(at("2026-05-01T00:00:00Z"))
    rt.refreshers.scan(at("2026-05-16T00:00:00Z"))  # reminders
    rt.dispatcher.dispatch()
    before = len(smtp.mailbox.messages)

    assert len(rt.refreshers.scan(at("2026-05-23T00:00:00Z")).escalated) == 3
    rt.dispatcher.dispatch()

    [mail] = smtp.mailbox.messages[before:]
    assert mail["To"] == "Berit <berit@example.com>"
    assert mail["Subject"] == "2 of your reports have overdue refreshers"
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert text.count("Learner: Kari") == 1 and text.count("Learner: Ola") == 2
    body = json.loads(hook.requests[-1]["body"])
    assert body["event"] == "refresher.escalation"
    assert sorted(item["learner"]["name"] for item in body["items"]) == ["Kari", "Ola", "Ola"]


def test_without_a_channel_notifications_wait_and_go_out_once_one_is_configured(database_url, smtp):
    quiet = create_app({"database_url": database_url, "access_log": False})
    runtime: Runtime = quiet.extensions["lrs_bridge"]
    try:
        web = quiet.test_client()
        auth = Credentials(quiet).make("all,admin", name="admin")
        kari = add_person(web, auth, "kari")
        post(web, auth, [evidence("kari", LISTENING, "2026-01-15T10:00:00Z")])

        report = runtime.refreshers.scan(at("2026-05-01T00:00:00Z"))

        assert (len(report.created), report.notifications, report.waiting) == (1, 0, 1)
        assert runtime.dispatcher.dispatch().sent == 0  # nothing to send it with yet
        metrics = web.get("/metrics", headers=auth).get_data(as_text=True)
        assert 'lrs_bridge_notifications{status="waiting"} 1.0' in metrics
    finally:
        runtime.close()

    configured = create_app(
        {"database_url": database_url, "access_log": False, "smtp_url": smtp.url}
    )
    runtime = configured.extensions["lrs_bridge"]
    try:
        web = configured.test_client()
        auth = Credentials(configured).make("all,admin", name="admin")

        sent = runtime.dispatcher.dispatch()

        assert (sent.routed, sent.sent) == (1, 1)
        [mail] = smtp.mailbox.messages
        assert mail["To"] == "Kari <kari@example.com>"
        assert runtime.dispatcher.dispatch().sent == 0  # routed once, sent once
        [row] = assignments_of(web, auth, kari)
        assert row["status"] == "notified"
        metrics = web.get("/metrics", headers=auth).get_data(as_text=True)
        assert 'lrs_bridge_notifications{status="waiting"} 0.0' in metrics
    finally:
        runtime.close()


@pytest.mark.parametrize(
    ("settings", "refused"),
    [
        ({"webhook_urls": "https://hooks.example.com/t/abc"}, True),
        ({"webhook_urls": "https://hooks.example.com/t/abc", "webhook_secret": "k"}, False),
        (
            {"webhook_urls": "https://hooks.example.com/t/abc", "webhook_allow_unsigned": "true"},
            False,
        ),
        ({}, False),
    ],
)
def test_a_webhook_without_a_secret_is_refused_unless_unsigned_is_allowed(settings, refused):
    if refused:
        with pytest.raises(BadRequest, match="LRS_BRIDGE_WEBHOOK_SECRET") as error:
            load_settings(settings, environ={})
        assert "LRS_BRIDGE_WEBHOOK_ALLOW_UNSIGNED=true" in error.value.message
    else:
        assert load_settings(settings, environ={}).webhook_urls == settings.get("webhook_urls", "")


TOKEN = "tok-Zq81xVb3"


def test_no_learner_or_manager_can_read_a_webhook_target_or_a_delivery_error(database_url, smtp):
    delivered = WebhookReceiver(SECRET, path=f"/hooks/lms?token={TOKEN}")
    failing = WebhookReceiver(SECRET, path=f"/hooks/{TOKEN}/chat")
    failing.status = 500  # and its error page names the path, token and all
    app = create_app(
        {
            "database_url": database_url,
            "access_log": False,
            "smtp_url": smtp.url,
            "webhook_urls": f"{delivered.url},{failing.url}",
            "webhook_secret": SECRET,
            "emit_assignment_statements": True,
            "notification_max_attempts": 2,
            "notification_backoff_seconds": 1,
        }
    )
    rt: Runtime = app.extensions["lrs_bridge"]
    try:
        web = app.test_client()
        admin = Credentials(app).make("all,admin", name="admin")
        berit = add_person(web, admin, "berit", team="oslo")
        kari = add_person(web, admin, "kari", team="oslo", manager_email="berit@example.com")
        post(web, admin, [evidence("kari", LISTENING, "2026-01-15T10:00:00Z")])
        for when in ("2026-05-01", "2026-05-16", "2026-05-23"):  # assigned, reminded, escalated
            rt.refreshers.scan(at(f"{when}T00:00:00Z"))
            rt.dispatcher.dispatch()
        time.sleep(1.1)  # the failing webhook's backoff: its second attempt dead-letters
        rt.dispatcher.dispatch()
        outbox = web.get("/api/v1/notifications?limit=1000", headers=admin).get_json()
        statuses = Counter((n["channel"], n["status"]) for n in outbox["notifications"])
        assert statuses[("webhook", "sent")] == 3 and statuses[("webhook", "dead")] == 3
        assert TOKEN in json.dumps(outbox)  # admins see targets and errors
        [assignment] = rt.store.list_assignments(learner_ids=[kari])
        [notification, *_] = rt.store.assignment_notifications(assignment.id)
        values = {
            "assignment_id": [assignment.id],
            "learner_id": [kari, berit],
            "manager_id": [berit],
            "notification_id": [notification.id],
            "team": ["oslo"],
            "collection": ["rules", "policies"],
            "item_id": ["quarterly"],
            # The console's routes (HTML pages; learners' credentials open no session there).
            "token": ["no-such-token"],
            "filename": ["console.css"],
            "rest": ["nowhere"],
            "document": ["framework"],
            "name": ["rules"],
            "version_id": [1],
            "statement_id": ["6690e6c9-3ef0-4ed3-8b37-7f3964730bee"],
        }
        people = {
            "learner": _learner_credential(rt, kari),
            "manager": _learner_credential(rt, berit),
        }
        rules = [r for r in app.url_map.iter_rules() if r.endpoint != "static"]
        unknown = {arg for r in rules for arg in r.arguments} - set(values)
        assert not unknown, f"give the route parameters {unknown} a value in this test"
        calls = []
        for rule in rules:
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                for combo in itertools.product(*(values[arg] for arg in sorted(rule.arguments))):
                    path = rule.build(dict(zip(sorted(rule.arguments), combo, strict=True)))[1]
                    calls.append((method, path))
        # Reads, then every write (acknowledge, snooze …), then the reads again.
        reads = [c for c in calls if c[0] == "GET"]
        ordered = reads + [c for c in calls if c[0] != "GET"] + reads
        leaks = []
        for who, credential in people.items():
            for method, path in ordered:
                body = {"by": "P1D"} if path.endswith("/snooze") else {}
                response = web.open(path, method=method, headers=credential, json=body)
                seen = response.get_data(as_text=True) + str(response.headers)
                response.close()  # a static file's stream, too
                if TOKEN in seen or "/hooks/" in seen:
                    leaks.append((who, method, path, response.status_code))
        assert leaks == []
        # The walk did reach what these people may read.
        mine = web.get(f"/api/v1/assignments/{assignment.id}", headers=people["learner"])
        assert mine.status_code == 200 and mine.get_json()["notifications"]
        assert any(e["cause"].startswith("notification:") for e in mine.get_json()["events"])
        reports = web.get(
            f"/api/v1/learners/{berit}/reports/assignments", headers=people["manager"]
        )
        assert reports.status_code == 200 and reports.get_json()["open"] == 1
    finally:
        rt.close()
        delivered.close()
        failing.close()


def test_only_the_dispatcher_still_holding_a_lease_settles_or_extends_its_row(store):
    with store.refresher_transaction(1_000_000) as tx:
        tx.enqueue(
            [
                NewNotification(
                    idempotency_key="assigned:1:run:webhook:0123",
                    channel="webhook",
                    target="https://hooks.example.com/x",
                    kind="assigned",
                    learner_id=None,
                    payload={},
                    assignment_ids=(),
                )
            ]
        )
    lease = 1_000_000
    first = store.claim_notification(1_000_000, lease)
    assert first is not None and first.attempts == 1
    assert store.claim_notification(1_900_000, lease) is None  # still leased
    assert store.extend_notification_lease(first, 3_000_000)  # a slow send goes on
    assert store.claim_notification(2_500_000, lease) is None
    second = store.claim_notification(3_000_001, lease)  # the first went quiet: taken over
    assert second is not None and second.attempts == 2
    assert second.lease_token != first.lease_token

    assert not store.extend_notification_lease(first, 9_000_000)
    late = store.settle_notification(
        first, now_us=3_100_000, outcome="sent", detail="late", duration_ms=1.0
    )
    assert late is False
    assert store.settle_notification(
        second, now_us=3_200_000, outcome="sent", detail="HTTP 200", duration_ms=1.0
    )
    assert [(d["attempt"], d["detail"]) for d in store.notification_deliveries(second.id)] == [
        (2, "HTTP 200")
    ]
