"""The operations pages (admins): assignments with filters, cancel and re-send; the outbox
with its dead letters and retry; the warning when no channel can reach anyone. Both
databases; the dead letters come from a real dispatcher failing against a closed port."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lrs_bridge import create_app
from lrs_bridge.runtime import Runtime
from tests.conftest import free_port
from tests.console.conftest import csrf_token, login
from tests.console.ops_data import DAY_US, EMPATHY, Seeded, dead_letters, seed

ADMIN = {"kind": "admin", "email": "ada@example.com", "name": "Ada"}


@pytest.fixture
def ops_app(database_url: str) -> Iterator[Flask]:
    """E-mail configured, to a port nobody listens on, one attempt: sends die at once."""
    app = create_app(
        {
            "database_url": database_url,
            "access_log": False,
            "smtp_url": f"smtp://127.0.0.1:{free_port()}?timeout=2",
            "notification_max_attempts": 1,
        }
    )
    yield app
    app.extensions["lrs_bridge"].close()


@pytest.fixture
def seeded(ops_app: Flask) -> Seeded:
    return seed(ops_app)


@pytest.fixture
def admin(ops_app: Flask) -> FlaskClient:
    client = ops_app.test_client()
    login(client, **ADMIN)
    return client


def runtime_of(app: Flask) -> Runtime:
    runtime: Runtime = app.extensions["lrs_bridge"]
    return runtime


def shown_assignments(client: FlaskClient, query: str = "") -> list[int]:
    response = client.get(f"/console/assignments{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return sorted(int(i) for i in re.findall(r'data-assignment="(\d+)"', response.get_data(True)))


# -- who may open them -------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/console/assignments", "/console/notifications", "/console/settings/branding"]
)
def test_only_admins_open_the_operations_pages(seeded: Seeded, ops_app: Flask, path: str) -> None:
    client = ops_app.test_client()
    anonymous = client.get(path)
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"].startswith("/console/sign-in")
    for name in ("kari", "boss"):  # a learner, and a manager
        login(client, kind="learner", email=f"{name}@example.com", learner_id=seeded.learners[name])
        assert client.get(path).status_code == 403
    login(client, **ADMIN)
    assert client.get(path).status_code == 200


# -- assignments ---------------------------------------------------------------------------


def test_the_default_view_lists_every_open_assignment_with_its_status_in_words(
    seeded: Seeded, admin: FlaskClient
) -> None:
    page = admin.get("/console/assignments").get_data(as_text=True)
    every = sorted(i for ids in seeded.assignments.values() for i in ids)
    assert shown_assignments(admin) == every
    assert page.count('data-status="escalated"') == 4
    assert page.count(">Escalated</span>") == 4  # the status is text, not only a colour
    assert page.count('data-status="assigned"') == 2
    # Escalated by a scan run 40 days ahead, but due in 14 days by the real clock:
    assert "(past due)" not in page and shown_assignments(admin, "?status=past_due") == []
    assert "Kari" in page and "Mia" in page


def _day(value_us: int) -> str:
    return datetime.datetime.fromtimestamp(value_us / 1e6, datetime.UTC).date().isoformat()


def test_each_filter_narrows_the_list(seeded: Seeded, ops_app: Flask, admin: FlaskClient) -> None:
    kari, ola, mia = (seeded.assignments[n] for n in ("kari", "ola", "mia"))
    reads = runtime_of(ops_app).assignments
    later_due = reads.get(mia[0]).due_us
    between = _day(later_due - 7 * DAY_US)  # after kari's and ola's due date, before mia's
    empathy = {a.id for a in reads.find(competency_id=EMPATHY, limit=10)}
    cases = {
        "?status=escalated": kari + ola,
        "?status=assigned": mia,
        "?team=sales": ola + mia,
        "?team=support": kari,
        f"?competency={EMPATHY}": sorted(empathy),
        f"?learner={seeded.learners['mia']}": mia,
        f"?due_before={between}": kari + ola,
        f"?team=sales&status=escalated&due_before={between}": ola,
        "?status=completed": [],
    }
    assert len(empathy) == 3
    for query, expected in cases.items():
        assert shown_assignments(admin, query) == sorted(expected), query


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?status=lost", "status"),
        ("?learner=abc", "learner"),
        ("?learner=0", "learner"),
        ("?due_before=2026-13-01", "due_before"),
        ("?page=0", "page"),
        ("?per_page=1000", "per_page"),
    ],
)
def test_a_bad_filter_is_a_400_naming_the_field(
    console_client: FlaskClient, query: str, field: str
) -> None:
    login(console_client, **ADMIN)
    response = console_client.get(f"/console/assignments{query}")
    assert response.status_code == 400
    assert f"{field}:" in response.get_data(as_text=True)


def test_pages_follow_one_another_with_the_filters_kept(seeded: Seeded, admin: FlaskClient) -> None:
    every = sorted(i for ids in seeded.assignments.values() for i in ids)
    first = admin.get("/console/assignments?status=all&per_page=4").get_data(as_text=True)
    assert 'rel="next"' in first and 'rel="prev"' not in first
    link = re.search(r'href="([^"]+)" rel="next"', first)
    assert link is not None
    second_url = link.group(1).replace("&amp;", "&")
    assert "status=all" in second_url and "per_page=4" in second_url and "page=2" in second_url
    second = admin.get(second_url).get_data(as_text=True)
    assert 'rel="prev"' in second and 'rel="next"' not in second
    seen = re.findall(r'data-assignment="(\d+)"', first) + re.findall(
        r'data-assignment="(\d+)"', second
    )
    assert sorted(int(i) for i in seen) == every


def test_cancel_closes_the_assignment_and_returns_to_the_same_view(
    seeded: Seeded, ops_app: Flask, admin: FlaskClient
) -> None:
    target = seeded.assignments["mia"][0]
    back = "/console/assignments?team=sales"
    response = admin.post(
        f"/console/assignments/{target}/cancel",
        data={"csrf_token": csrf_token(admin, back), "note": "left the company", "back": back},
    )
    assert response.status_code == 303 and response.headers["Location"] == back
    page = admin.get(back).get_data(as_text=True)
    assert f"Assignment {target} was cancelled." in page
    assert target not in shown_assignments(admin)
    assert shown_assignments(admin, "?status=cancelled") == [target]
    events = runtime_of(ops_app).assignments.events(target)
    assert events[-1]["cause"] == "cancelled by console:ada@example.com"
    assert events[-1]["detail"] == {"note": "left the company"}


def test_a_post_without_the_csrf_token_changes_nothing(
    seeded: Seeded, ops_app: Flask, admin: FlaskClient
) -> None:
    target = seeded.assignments["kari"][0]
    refused = admin.post(f"/console/assignments/{target}/cancel", data={"note": "x"})
    assert refused.status_code == 400
    assert runtime_of(ops_app).assignments.get(target).status == "escalated"
    notification = dead_letters(ops_app)[0]
    assert admin.post(f"/console/notifications/{notification}/retry").status_code == 400
    assert runtime_of(ops_app).notifications.get(notification).status == "dead"


def test_a_learner_cannot_cancel_even_with_a_token(seeded: Seeded, ops_app: Flask) -> None:
    client = ops_app.test_client()
    login(client, kind="learner", email="mia@example.com", learner_id=seeded.learners["mia"])
    token = csrf_token(client)
    target = seeded.assignments["mia"][0]
    response = client.post(f"/console/assignments/{target}/cancel", data={"csrf_token": token})
    assert response.status_code == 403
    assert runtime_of(ops_app).assignments.get(target).status == "assigned"


def test_resend_queues_the_notification_again(
    seeded: Seeded, ops_app: Flask, admin: FlaskClient
) -> None:
    target = seeded.assignments["mia"][1]
    before = len(runtime_of(ops_app).assignments.notifications(target))
    response = admin.post(
        f"/console/assignments/{target}/resend",
        data={"csrf_token": csrf_token(admin)},
        follow_redirects=True,
    )
    assert f"Assignment {target} re-sent (1 queued)." in response.get_data(True)
    assert len(runtime_of(ops_app).assignments.notifications(target)) == before + 1


def test_cancelling_a_closed_assignment_is_a_409_page(seeded: Seeded, admin: FlaskClient) -> None:
    target = seeded.assignments["ola"][0]
    token = csrf_token(admin)
    assert (
        admin.post(f"/console/assignments/{target}/cancel", data={"csrf_token": token}).status_code
        == 303
    )
    again = admin.post(f"/console/assignments/{target}/cancel", data={"csrf_token": token})
    assert again.status_code == 409
    assert "already cancelled" in again.get_data(as_text=True)


# -- notifications -------------------------------------------------------------------------


def test_a_dead_letter_shows_its_last_error_and_can_be_retried(
    seeded: Seeded, ops_app: Flask, admin: FlaskClient
) -> None:
    dead = dead_letters(ops_app)
    assert len(dead) == 3
    page = admin.get("/console/notifications?state=dead").get_data(as_text=True)
    assert sorted(int(i) for i in re.findall(r'data-notification="(\d+)"', page)) == sorted(dead)
    assert page.count(">Dead letter</span>") == 3
    assert "Connection refused" in page  # the SMTP error, as the dispatcher recorded it
    assert page.count('aria-label="Retry notification') == 3
    response = admin.post(
        f"/console/notifications/{dead[0]}/retry",
        data={"csrf_token": csrf_token(admin), "back": "/console/notifications?state=dead"},
        follow_redirects=True,
    )
    text = response.get_data(as_text=True)
    assert f"Notification {dead[0]} is queued again." in text
    assert f'data-notification="{dead[0]}"' not in text  # no longer dead
    retried = runtime_of(ops_app).notifications.get(dead[0])
    assert (retried.status, retried.attempts) == ("pending", 0)


def test_only_a_dead_letter_can_be_retried(
    seeded: Seeded, ops_app: Flask, admin: FlaskClient
) -> None:
    pending = runtime_of(ops_app).notifications.find(status="pending", limit=1)[0]
    response = admin.post(
        f"/console/notifications/{pending.id}/retry", data={"csrf_token": csrf_token(admin)}
    )
    assert response.status_code == 400
    assert "only a dead notification can be retried" in response.get_data(as_text=True)
    missing = admin.post(
        "/console/notifications/999999/retry", data={"csrf_token": csrf_token(admin)}
    )
    assert missing.status_code == 404


def test_the_outbox_filters_by_state_and_channel(
    seeded: Seeded, ops_app: Flask, admin: FlaskClient
) -> None:
    dead = dead_letters(ops_app)
    outbox = runtime_of(ops_app).notifications
    every = outbox.find(limit=100)
    by_channel = {c: sorted(n.id for n in every if n.channel == c) for c in ("email", "none")}

    def shown(query: str) -> list[int]:
        page = admin.get(f"/console/notifications{query}")
        assert page.status_code == 200
        return sorted(int(i) for i in re.findall(r'data-notification="(\d+)"', page.get_data(True)))

    assert shown("") == sorted(n.id for n in every)
    assert shown("?state=dead") == sorted(dead)
    assert shown("?state=pending") == sorted(n.id for n in every if n.status == "pending")
    assert shown("?channel=email") == by_channel["email"]
    assert shown("?channel=none&state=waiting") == by_channel["none"]
    assert shown("?state=sent") == []
    counts = admin.get("/console/notifications").get_data(as_text=True)
    assert f'data-count="dead">{len(dead)}<' in counts


@pytest.mark.parametrize(
    ("query", "field"), [("?state=lost", "state"), ("?channel=fax", "channel")]
)
def test_a_bad_outbox_filter_is_a_400_naming_the_field(
    console_client: FlaskClient, query: str, field: str
) -> None:
    login(console_client, **ADMIN)
    response = console_client.get(f"/console/notifications{query}")
    assert response.status_code == 400 and f"{field}:" in response.get_data(as_text=True)


# -- the warning -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/console/", "/console/assignments", "/console/notifications"])
def test_admins_are_warned_when_no_channel_is_configured(
    console_client: FlaskClient, path: str
) -> None:
    login(console_client, **ADMIN)
    page = console_client.get(path).get_data(as_text=True)
    assert 'data-warning="no-channel"' in page
    assert "Warning: No notification channel is configured" in page


def test_no_warning_once_a_channel_is_configured(admin: FlaskClient) -> None:
    for path in ("/console/", "/console/assignments", "/console/notifications"):
        assert 'data-warning="no-channel"' not in admin.get(path).get_data(as_text=True)


def test_learners_never_see_the_warning(console_client: FlaskClient) -> None:
    login(console_client, kind="learner", email="kari@example.com")
    page = console_client.get("/console/")
    assert page.status_code == 200
    assert 'data-warning="no-channel"' not in page.get_data(as_text=True)


def test_with_the_engine_off_assignments_can_be_read_not_changed(
    ops_app: Flask, seeded: Seeded, database_url: str
) -> None:
    app = create_app(
        {"database_url": database_url, "access_log": False, "competency_engine": False}
    )
    try:
        client = app.test_client()
        login(client, **ADMIN)
        page = client.get("/console/assignments").get_data(as_text=True)
        assert "The competency engine is off" in page
        assert "Resend" not in page
        every = sorted(i for ids in seeded.assignments.values() for i in ids)
        assert shown_assignments(client) == every
        target = seeded.assignments["kari"][0]
        response = client.post(
            f"/console/assignments/{target}/cancel", data={"csrf_token": csrf_token(client)}
        )
        assert response.status_code == 404
    finally:
        app.extensions["lrs_bridge"].close()
