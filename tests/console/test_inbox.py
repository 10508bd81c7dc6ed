"""The activity inbox over plain HTTP: who may open it, what a row shows, and mapping an
activity with a dry run then a save (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lrs_bridge.runtime import Runtime
from lrs_bridge.services.inbox import UsageTracker
from lrs_bridge.store.activity_usage import ActivityUsageStore
from tests.conftest import Credentials
from tests.console.conftest import csrf_token, login
from tests.test_activity_usage import LAUNCHED, MOODLE, VIEWED, moodle
from tests.test_refreshers import EMPATHY, LISTENING, add_person, evidence, post

PAGE = f"{MOODLE}1"
ADMIN = {"kind": "admin", "email": "ada@example.com", "name": "Ada"}


def count_usage(app: Flask) -> None:
    """What the scheduler's ``activity-usage`` job does."""
    rt: Runtime = app.extensions["lrs_bridge"]
    UsageTracker(ActivityUsageStore(rt.engine), rt.store, rt.clock).run()


@pytest.fixture
def admin_auth(console_app: Flask) -> dict[str, str]:
    return Credentials(console_app).make("all,admin", name="admin")


@pytest.fixture
def seeded(console_app: Flask, console_client: FlaskClient, admin_auth: dict[str, str]) -> None:
    """The hand-computed seed of the dry-run test in tests/test_activity_usage.py: page 1
    viewed by kari (twice), ola and ingrid, launched once; page 2 viewed once; kari has
    listening evidence."""
    post(
        console_client,
        admin_auth,
        [
            moodle("kari", 1),
            moodle("kari", 1),
            moodle("ola", 1),
            moodle("ingrid", 1),
            moodle("kari", 1, LAUNCHED),
            moodle("ola", 2, name="Opening hours"),
            evidence("kari", LISTENING, "2026-11-20T09:00:00Z"),
        ],
    )
    count_usage(console_app)


def rows(html: str) -> list[str]:
    return re.findall(r'<tr data-activity="([^"]+)"', html)


PAGES = [
    ("get", "/console/activities/unmapped"),
    ("get", f"/console/activities/map?activity={quote(PAGE)}"),
    ("post", "/console/activities/map"),
]


@pytest.mark.parametrize(("method", "path"), PAGES)
def test_only_admins_may_open_the_inbox(
    console_client: FlaskClient, admin_auth: dict[str, str], seeded: None, method: str, path: str
) -> None:
    anonymous = getattr(console_client, method)(path)
    assert anonymous.status_code in (302, 400)  # a POST without a session has no token either
    boss = add_person(console_client, admin_auth, "boss")
    kari = add_person(console_client, admin_auth, "kari", manager_email="boss@example.com")
    for viewer in (
        {"email": "kari@example.com", "learner_id": kari},
        {"email": "boss@example.com", "learner_id": boss},
    ):
        login(console_client, **viewer)
        token = csrf_token(console_client)
        answer = getattr(console_client, method)(path, data={"csrf_token": token})
        assert answer.status_code == 403, viewer
    login(console_client, **ADMIN)
    if method == "get":
        assert console_client.get(path).status_code == 200


def test_a_row_shows_how_an_unmapped_activity_is_used(
    console_client: FlaskClient, seeded: None
) -> None:
    login(console_client, **ADMIN)
    html = console_client.get("/console/activities/unmapped").get_data(as_text=True)
    assert rows(html) == [PAGE, f"{MOODLE}2"]  # busiest first; the aligned module is mapped
    row = html.split(f'data-activity="{PAGE}"')[1].split("</tr>")[0]
    cells = [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip()
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)
    ]
    assert "Returns policy" in row and "page" in cells[0]
    assert "viewed" in cells[1] and "launched" in cells[1]
    assert cells[2] == "Moodle"
    assert (cells[3], cells[4]) == ("5", "3")  # statements, learners
    assert re.search(r'href="/console/statements/[0-9a-f-]{36}\.json"', row)
    assert f"/console/activities/map?activity={quote(PAGE)}" in row
    # Agents not in the directory: kari is a learner (she has evidence); ola and ingrid not.
    agents = re.findall(r'<tr data-agent="([^"]+)"', html)
    assert agents == ["mbox:mailto:ola@example.com", "mbox:mailto:ingrid@example.com"]
    assert "Activities without evidence (2), page 1 of 1" in html
    assert "Unknown agents (2), page 1 of 1" in html


def test_a_page_number_that_is_not_one_is_refused(console_client: FlaskClient) -> None:
    login(console_client, **ADMIN)
    for bad in ("0", "x", "-1", "²"):
        answer = console_client.get(f"/console/activities/unmapped?page={bad}")
        assert answer.status_code == 400, bad
        assert "page" in answer.get_data(as_text=True)


def form(token: str, **fields: Any) -> dict[str, Any]:
    chosen = {"csrf_token": token, "activity": PAGE, "competency": EMPATHY, "method": "theory"}
    chosen.update(verbs=[VIEWED])
    chosen.update(fields)
    return chosen


def test_map_this_previews_then_saves_a_new_version(
    console_app: Flask, console_client: FlaskClient, seeded: None, admin_auth: dict[str, str]
) -> None:
    login(console_client, **ADMIN)
    shown = console_client.get(f"/console/activities/map?activity={quote(PAGE)}")
    html = shown.get_data(as_text=True)
    assert '<label for="f-competency">' in html and '<label for="f-method">' in html
    assert html.count('name="verbs"') == 2  # the verbs seen: viewed and launched
    token = csrf_token(console_client, f"/console/activities/map?activity={quote(PAGE)}")

    preview = console_client.post("/console/activities/map", data=form(token, action="preview"))
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert (
        "4 statements from 3 learners would become evidence; 3 learners would change status."
        in text
    )
    assert console_client.get("/api/v1/config", headers=admin_auth).get_json()["version"] is None

    saved = console_client.post("/console/activities/map", data=form(token, action="save"))
    assert saved.status_code == 303 and saved.headers["Location"].endswith("/unmapped")
    config = console_client.get("/api/v1/config", headers=admin_auth).get_json()
    assert config["version"] == 1
    rule = config["map"]["rules"][-1]
    assert rule["match"] == {"verbs": [VIEWED], "activity": {"exact": PAGE}}
    assert rule["evidence"] == [{"competency": EMPATHY}] and rule["method"] == "theory"
    inbox = console_client.get("/console/activities/unmapped").get_data(as_text=True)
    assert "Saved as configuration version 1: Returns policy now counts as evidence." in inbox
    assert rows(inbox) == [f"{MOODLE}2"]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"competency": ""}, "competency", "Choose a competency of the framework."),
        ({"method": "telepathy"}, "method", "Choose one of the map&#39;s learning methods."),
        ({"verbs": []}, "verbs", "Choose at least one verb."),
    ],
)
def test_a_bad_choice_is_shown_beside_its_field(
    console_client: FlaskClient, seeded: None, fields: dict[str, Any], field: str, message: str
) -> None:
    login(console_client, **ADMIN)
    token = csrf_token(console_client, f"/console/activities/map?activity={quote(PAGE)}")
    answer = console_client.post("/console/activities/map", data=form(token, **fields))
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert f'<p class="error" id="e-{field}">{message}</p>' in html


def test_mapping_needs_a_csrf_token_and_a_known_activity(
    console_client: FlaskClient, seeded: None
) -> None:
    login(console_client, **ADMIN)
    assert console_client.post("/console/activities/map", data=form("forged")).status_code == 400
    token = csrf_token(console_client)
    unknown = console_client.post(
        "/console/activities/map", data=form(token, activity="http://moodle.example/none")
    )
    assert unknown.status_code == 404


@pytest.mark.parametrize(
    ("language", "title", "button"),
    [
        ("nb", "Ukoblede aktiviteter", "Koble denne"),
        ("fi", "Kohdistamattomat aktiviteetit", "Kohdista tämä"),
        ("nl", "Niet-gekoppelde activiteiten", "Koppel deze"),
    ],
)
def test_the_inbox_speaks_the_browsers_language(
    console_client: FlaskClient, seeded: None, language: str, title: str, button: str
) -> None:
    login(console_client, **ADMIN)
    html = console_client.get(
        "/console/activities/unmapped", headers={"Accept-Language": f"{language},en;q=0.5"}
    ).get_data(as_text=True)
    assert f"<h1>{title}</h1>" in html and f">{button}</a>" in html
    assert f'<html lang="{language}">' in html
