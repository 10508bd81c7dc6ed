"""The learner pages over plain HTTP, on SQLite and PostgreSQL: who may see what, what the
page shows (the API's levels and statuses), the evidence trail, and acknowledging and
snoozing an assignment with their validation errors and CSRF check."""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lrs_bridge.console.learners import _safe_url
from lrs_bridge.notify.i18n import format_date
from lrs_bridge.xapi.timefmt import parse_timestamp_us
from tests.console.conftest import csrf_token, login
from tests.console.learner_world import DAY_US, EMPATHY, LISTENING, World, build_world


@pytest.fixture
def world(console_app: Flask) -> World:
    return build_world(console_app)


def _as(client: FlaskClient, world: World, who: str) -> FlaskClient:
    login(client, world.viewer(who))
    return client


def _text(response: Any) -> str:
    return str(response.get_data(as_text=True))


def _api_assignment(client: FlaskClient, world: World) -> dict[str, Any]:
    response = client.get(f"/api/v1/assignments/{world.assignment}", headers=world.admin)
    assert response.status_code == 200
    found: dict[str, Any] = response.get_json()
    return found


# -- who may see what ------------------------------------------------------------------------

PAGES = {
    "learner": "/console/learners/{kari}",
    "evidence": "/console/learners/{kari}/evidence?competency=" + quote(LISTENING, safe=""),
    "assignment": "/console/assignments/{assignment}",
}
ROLES = [
    ("kari", 200),  # her own
    ("mid", 200),  # her manager
    ("boss", 200),  # her manager's manager
    ("olga", 403),  # a stranger
    ("admin", 200),
]


@pytest.mark.parametrize("page", sorted(PAGES))
@pytest.mark.parametrize(("who", "status"), ROLES)
def test_each_role_on_each_page(console_client, world, page, who, status):
    path = PAGES[page].format(kari=world.kari, assignment=world.assignment)
    response = _as(console_client, world, who).get(path)
    assert response.status_code == status
    if status == 403:
        assert "Kari" not in _text(response)


def test_a_learner_cannot_see_her_manager(console_client, world):
    response = _as(console_client, world, "kari").get(f"/console/learners/{world.mid}")
    assert response.status_code == 403


def test_without_a_session_the_pages_ask_to_sign_in(console_client, world):
    for path in ("/console/me", f"/console/learners/{world.kari}"):
        response = console_client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/console/sign-in?next=")


def test_me_goes_to_the_learners_own_page(console_client, world):
    response = _as(console_client, world, "kari").get("/console/me")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/console/learners/{world.kari}"


def test_me_tells_an_admin_without_a_learner_record_why_there_is_no_page(console_client, world):
    response = _as(console_client, world, "admin").get("/console/me")
    assert response.status_code == 200
    assert "ada@example.com is not in the learner directory" in _text(response)


def test_an_admin_asking_for_a_learner_who_does_not_exist_gets_404(console_client, world):
    response = _as(console_client, world, "admin").get("/console/learners/999999")
    assert response.status_code == 404


# -- what the learner page shows ---------------------------------------------------------------


def _rows(page: str) -> dict[str, tuple[str, str]]:
    """competency IRI → (data-status, data-level) of the competency table."""
    return {
        m["iri"]: (m["status"], m["level"])
        for m in re.finditer(
            r'<tr data-competency="(?P<iri>[^"]+)" data-status="(?P<status>[a-z_]+)">'
            r'.*?data-level="(?P<level>[0-9.]+)"',
            page,
            re.S,
        )
    }


def test_the_page_shows_every_competency_as_the_api_reports_it(console_client, world):
    page = _text(_as(console_client, world, "kari").get(f"/console/learners/{world.kari}"))
    api = console_client.get(
        f"/api/v1/learners/{world.kari}/competencies", headers=world.admin
    ).get_json()
    rows = _rows(page)
    framework = console_client.get("/api/v1/competencies", headers=world.admin).get_json()
    assert set(rows) == {c["id"] for c in framework["competencies"]}
    reported = {c["competency"]: c for c in api["competencies"]}
    assert set(reported) == {LISTENING, EMPATHY}
    for iri, (status, level) in rows.items():
        if iri in reported:
            assert status == reported[iri]["status"]
            assert float(level) == pytest.approx(reported[iri]["level"], abs=1e-4)
        else:
            assert (status, float(level)) == ("none", 0.0)
    assert rows[LISTENING][0] == "stale" and rows[EMPATHY][0] == "fresh"
    stale_at = parse_timestamp_us(reported[EMPATHY]["stale_at"])
    assert stale_at is not None
    assert format_date(stale_at, "en") in page  # stale_at as a date in the reader's language
    assert "Stale</span>" in page and "Fresh</span>" in page  # status in words, not colour only


def test_the_timeline_is_an_accessible_svg_with_a_table_beside_it(console_client, world):
    page = _text(_as(console_client, world, "kari").get(f"/console/learners/{world.kari}"))
    charts = re.findall(r"<svg class=\"timeline\".*?</svg>", page, re.S)
    assert len(charts) == 2  # listening and empathy have evidence
    for chart in charts:
        assert 'role="img"' in chart and "<title id=" in chart and "<desc id=" in chart
    assert page.count('class="timeline-point negative"') == 1  # the failed attempt
    assert page.count("<summary>Show as a table</summary>") == 2


def test_the_learner_sees_her_open_assignment_with_launch_acknowledge_and_snooze(
    console_client, world
):
    page = _text(_as(console_client, world, "kari").get(f"/console/learners/{world.kari}"))
    assert f'data-assignment="{world.assignment}"' in page
    assert f'action="/console/assignments/{world.assignment}/acknowledge"' in page
    assert f'action="/console/assignments/{world.assignment}/snooze"' in page
    assert re.search(r'<a class="button" href="https?://[^"]+"', page)  # the launch link
    assert 'name="csrf_token"' in page


def test_a_manager_reads_the_assignment_but_gets_no_forms(console_client, world):
    page = _text(_as(console_client, world, "mid").get(f"/console/assignments/{world.assignment}"))
    assert f'data-assignment="{world.assignment}"' in page
    assert "/acknowledge" not in page and "/snooze" not in page


def test_the_history_lists_assignment_events_and_notifications(console_client, world):
    page = _text(_as(console_client, world, "kari").get(f"/console/learners/{world.kari}"))
    history = page[page.index('id="h-history"') :]
    assert f'href="/console/assignments/{world.assignment}">#{world.assignment}</a>' in history
    assert "data-notification=" in history  # the scan queued Kari's notification
    assert "New assignment" in history


# -- the evidence trail ----------------------------------------------------------------------


def test_the_evidence_trail_lists_each_row_with_its_statement(console_client, world):
    path = f"/console/learners/{world.kari}/evidence?competency={quote(EMPATHY, safe='')}"
    page = _text(_as(console_client, world, "mid").get(path))
    api = console_client.get(
        f"/api/v1/learners/{world.kari}/competencies", headers=world.admin
    ).get_json()
    (empathy,) = [c for c in api["competencies"] if c["competency"] == EMPATHY]
    rows = re.findall(r'<tr data-statement="([^"]+)">(.*?)</tr>', page, re.S)
    assert [statement for statement, _ in rows] == [e["statement_id"] for e in empathy["evidence"]]
    failed, completed = (html.unescape(cells) for _, cells in rows)
    assert "failed" in failed and "-" in re.findall(r'class="num">([^<]+)<', failed)[0]
    assert "completed" in completed
    for cells, evidence in zip((failed, completed), empathy["evidence"], strict=True):
        assert evidence["rule"] in cells and evidence["method"] in cells
        assert f"{evidence['quality']:.2f}" in cells


def test_the_trail_shows_the_activity_name_in_the_readers_language(console_client, world):
    path = f"/console/learners/{world.kari}/evidence?competency={quote(LISTENING, safe='')}"
    page = _text(_as(console_client, world, "kari").get(path))
    assert "Listening basics" in page


@pytest.mark.parametrize(
    ("query", "message"),
    [("", "competency"), ("?competency=https%3A%2F%2Fexample.com%2Fnope", "competency")],
)
def test_the_trail_needs_a_framework_competency(console_client, world, query, message):
    response = _as(console_client, world, "kari").get(
        f"/console/learners/{world.kari}/evidence{query}"
    )
    assert response.status_code == 400
    assert message in _text(response)


# -- acknowledge and snooze -------------------------------------------------------------------


def _post(client: FlaskClient, world: World, action: str, **form: str) -> Any:
    token = csrf_token(client, f"/console/assignments/{world.assignment}")
    return client.post(
        f"/console/assignments/{world.assignment}/{action}", data={"csrf_token": token, **form}
    )


def test_the_learner_acknowledges_and_the_api_sees_it(console_client, world):
    client = _as(console_client, world, "kari")
    response = _post(client, world, "acknowledge")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/console/assignments/{world.assignment}"
    page = _text(client.get(response.headers["Location"]))
    assert "Acknowledged: the assignment is marked as seen." in page
    assert 'data-acknowledged="true"' in page
    found = _api_assignment(console_client, world)
    assert found["acknowledged"] is not None
    assert any(
        "acknowledged by console:learner:kari@example.com" in e["cause"] for e in found["events"]
    )


@pytest.mark.parametrize(
    ("action", "form"),
    [("acknowledge", {}), ("snooze", {"by": "P3D"}), ("snooze", {"until": "not a date"})],
)
def test_a_manager_may_not_act_even_with_bad_input(console_client, world, action, form):
    before = _api_assignment(console_client, world)
    response = _post(_as(console_client, world, "mid"), world, action, **form)
    assert response.status_code == 403
    after = _api_assignment(console_client, world)
    assert (after["acknowledged"], after["due"]) == (None, before["due"])


def test_a_post_without_a_csrf_token_is_refused_and_changes_nothing(console_client, world):
    client = _as(console_client, world, "kari")
    for action, form in (("acknowledge", {}), ("snooze", {"by": "P3D"})):
        response = client.post(f"/console/assignments/{world.assignment}/{action}", data=form)
        assert response.status_code == 400
    found = _api_assignment(console_client, world)
    assert found["acknowledged"] is None and found["status"] != "cancelled"


def test_snoozing_by_a_duration_moves_the_due_date(console_client, world):
    before = parse_timestamp_us(_api_assignment(console_client, world)["due"])
    response = _post(_as(console_client, world, "kari"), world, "snooze", by="P3D")
    assert response.status_code == 303
    after = parse_timestamp_us(_api_assignment(console_client, world)["due"])
    assert before is not None and after == before + 3 * DAY_US


def test_snoozing_to_a_date_within_the_limit(console_client, world):
    due = parse_timestamp_us(_api_assignment(console_client, world)["due"])
    assert due is not None
    target = due + 10 * DAY_US
    day = _iso_date(target)
    response = _post(_as(console_client, world, "kari"), world, "snooze", until=day)
    assert response.status_code == 303
    after = _api_assignment(console_client, world)["due"]
    assert after.startswith(day)


def _iso_date(value_us: int) -> str:
    from lrs_bridge.xapi.timefmt import format_timestamp_us

    return format_timestamp_us(value_us)[:10]


@pytest.mark.parametrize(
    ("form", "field", "status"),
    [
        ({"until": "30 days"}, "until", 400),  # not a date
        ({"until": "+40d"}, "until", 400),  # filled in below: beyond snooze_max (P14D)
        ({"until": "-1d"}, "until", 400),  # before the current due date
        ({"by": "3 days"}, "by", 400),  # not an ISO 8601 duration
        ({}, "until", 400),  # neither
    ],
)
def test_snooze_validation_names_the_field_and_changes_nothing(
    console_client, world, form, field, status
):
    before = _api_assignment(console_client, world)["due"]
    due = parse_timestamp_us(before)
    assert due is not None
    if form.get("until") in ("+40d", "-1d"):
        form = {"until": _iso_date(due + (40 if form["until"] == "+40d" else -1) * DAY_US)}
    response = _post(_as(console_client, world, "kari"), world, "snooze", **form)
    assert response.status_code == status
    page = _text(response)
    assert f'id="e-{field}-{world.assignment}"' in page
    assert 'aria-invalid="true"' in page
    assert _api_assignment(console_client, world)["due"] == before


def test_acting_on_a_closed_assignment_is_a_conflict(console_client, world):
    cancel = console_client.post(
        f"/api/v1/assignments/{world.assignment}/cancel", json={}, headers=world.admin
    )
    assert cancel.status_code == 200
    client = _as(console_client, world, "kari")
    page = _text(client.get(f"/console/assignments/{world.assignment}"))
    assert "/acknowledge" not in page  # no forms on a closed assignment
    token = csrf_token(client, f"/console/learners/{world.kari}")
    response = client.post(
        f"/console/assignments/{world.assignment}/acknowledge", data={"csrf_token": token}
    )
    assert response.status_code == 409
    assert "already closed" in _text(response)


def test_an_admin_may_act_for_the_learner(console_client, world):
    response = _post(_as(console_client, world, "admin"), world, "acknowledge")
    assert response.status_code == 303
    assert _api_assignment(console_client, world)["acknowledged"] is not None


def test_the_page_speaks_the_learners_directory_language(console_client, world):
    changed = console_client.patch(
        f"/api/v1/learners/{world.kari}", json={"language": "nb"}, headers=world.admin
    )
    assert changed.status_code == 200
    client = _as(console_client, world, "kari")
    page = _text(client.get(f"/console/learners/{world.kari}", headers={"Accept-Language": "fi"}))
    assert '<html lang="nb">' in page
    assert "Kompetanser" in page and "Åpne oppgaver" in page
    trail = f"/console/learners/{world.kari}/evidence?competency={quote(LISTENING, safe='')}"
    assert "Lytting" in _text(client.get(trail))  # the activity's name in Norwegian


def test_a_closed_assignment_moves_to_the_history_with_its_events(console_client, world):
    client = _as(console_client, world, "kari")
    assert _post(client, world, "acknowledge").status_code == 303
    cancel = console_client.post(
        f"/api/v1/assignments/{world.assignment}/cancel", json={}, headers=world.admin
    )
    assert cancel.status_code == 200
    page = _text(client.get(f"/console/learners/{world.kari}"))
    assert "No open assignments." in page
    history = page[page.index('id="h-history"') :]
    closed = re.search(rf'<tr data-assignment="{world.assignment}">(.*?)</tr>', history, re.S)
    assert closed is not None and "Cancelled" in closed.group(1)
    causes = re.findall(r"<td>((?:acknowledged|cancelled|scan)[^<]*)</td>", history)
    assert [c.split(" ")[0].split(":")[0] for c in causes] == ["cancelled", "acknowledged", "scan"]


def test_an_escalated_assignment_can_be_acknowledged_but_not_snoozed(console_app, world):
    rt = console_app.extensions["lrs_bridge"]
    rt.refreshers.scan(world.now_us + 15 * DAY_US)  # past due: a reminder
    rt.refreshers.scan(world.now_us + 23 * DAY_US)  # a week later: escalated to Mid
    client = _as(console_app.test_client(), world, "kari")
    assert _api_assignment(client, world)["status"] == "escalated"
    page = _text(client.get(f"/console/assignments/{world.assignment}"))
    assert "can no longer be snoozed" in page and "/snooze" not in page
    response = _post(client, world, "snooze", by="P1D")
    assert response.status_code == 409
    assert _post(client, world, "acknowledge").status_code == 303


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://lms.example.com/launch/42", True),
        ("HTTP://lms.example.com/x", True),
        ("javascript:alert(1)", False),
        ("data:text/html,<script>", False),
        ("//elsewhere.example.com", False),
        (None, False),
    ],
)
def test_only_http_launch_links_become_buttons(url, shown):
    assert _safe_url(url) == (url if shown else None)


def test_the_assignment_page_lists_its_events_newest_first(console_client, world):
    client = _as(console_client, world, "kari")
    assert _post(client, world, "acknowledge").status_code == 303
    assert _post(client, world, "snooze", by="P1D").status_code == 303
    page = _text(client.get(f"/console/assignments/{world.assignment}"))
    causes = re.findall(r"<td>((?:snoozed|acknowledged|scan)[^<]*)</td>", page)
    assert [c.split(" ")[0].split(":")[0] for c in causes] == ["snoozed", "acknowledged", "scan"]
