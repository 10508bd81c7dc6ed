"""The statement browser over plain HTTP: admins only, filters with labels and errors that
name the field, the evidence each statement produced, paging and the JSON link (SQLite and
PostgreSQL)."""

from __future__ import annotations

import re
from typing import Any

import orjson
import pytest
from flask import Flask
from flask.testing import FlaskClient

from lrs_bridge.competency.mapping import DIRECT_RULE_ID
from tests.conftest import Credentials
from tests.console.conftest import login
from tests.factories import statement
from tests.test_activity_usage import MOODLE, VIEWED, moodle
from tests.test_refreshers import LISTENING, add_person, evidence, post

ADMIN = {"kind": "admin", "email": "ada@example.com", "name": "Ada"}


@pytest.fixture
def admin_auth(console_app: Flask) -> dict[str, str]:
    return Credentials(console_app).make("all,admin", name="admin")


@pytest.fixture
def seeded(console_client: FlaskClient, admin_auth: dict[str, str]) -> dict[str, Any]:
    aligned = evidence("kari", LISTENING, "2026-11-20T09:00:00Z")
    viewed = moodle("ola", 1)
    post(console_client, admin_auth, [aligned])
    post(console_client, admin_auth, [viewed])
    return {"aligned": aligned, "viewed": viewed}


def shown(client: FlaskClient, query: str = "") -> tuple[int, str, list[str]]:
    answer = client.get(f"/console/statements{query}")
    html = answer.get_data(as_text=True)
    return answer.status_code, html, re.findall(r'<tr data-statement="([^"]+)"', html)


def test_only_admins_may_browse_statements(
    console_client: FlaskClient, admin_auth: dict[str, str], seeded: dict[str, Any]
) -> None:
    json_path = f"/console/statements/{seeded['viewed']['id']}.json"
    for path in ("/console/statements", json_path):
        assert console_client.get(path).status_code == 302
    boss = add_person(console_client, admin_auth, "boss")
    kari = add_person(console_client, admin_auth, "kari", manager_email="boss@example.com")
    for learner, email in ((kari, "kari@example.com"), (boss, "boss@example.com")):
        login(console_client, email=email, learner_id=learner)
        for path in ("/console/statements", json_path):
            assert console_client.get(path).status_code == 403, (email, path)
    login(console_client, **ADMIN)
    assert console_client.get("/console/statements").status_code == 200


def test_each_statement_shows_the_evidence_it_produced(
    console_client: FlaskClient, seeded: dict[str, Any]
) -> None:
    login(console_client, **ADMIN)
    status, html, ids = shown(console_client)
    assert status == 200 and ids == [seeded["viewed"]["id"], seeded["aligned"]["id"]]
    for name in ("agent", "verb", "activity", "since", "until"):
        assert f'<label for="f-{name}">' in html and f'id="f-{name}" name="{name}"' in html
    aligned_row = html.split(f'data-statement="{seeded["aligned"]["id"]}"')[1].split("</tr>")[0]
    found = re.search(
        r'data-competency="([^"]+)" data-rule="([^"]+)" data-weight="([^"]+)"', aligned_row
    )
    assert found is not None
    assert found.group(1) == LISTENING and found.group(2) == DIRECT_RULE_ID
    assert float(found.group(3)) == pytest.approx(0.15)  # digital self-study
    assert f"Active listening: rule {DIRECT_RULE_ID}, weight 0.15" in aligned_row
    viewed_row = html.split(f'data-statement="{seeded["viewed"]["id"]}"')[1].split("</tr>")[0]
    assert "no evidence" in viewed_row and "Returns policy" in viewed_row

    json_answer = console_client.get(f"/console/statements/{seeded['viewed']['id']}.json")
    assert json_answer.mimetype == "application/json"
    assert orjson.loads(json_answer.get_data())["id"] == seeded["viewed"]["id"]
    assert console_client.get(f"/console/statements/{'0' * 8}.json").status_code == 404


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?agent=ola%40example.com", ["viewed"]),
        ("?agent=%7B%22mbox%22%3A%22mailto%3Akari%40example.com%22%7D", ["aligned"]),
        (f"?verb={VIEWED}", ["viewed"]),
        (f"?activity={MOODLE}1", ["viewed"]),
        ("?agent=ola%40example.com&verb=http%3A%2F%2Fadlnet.gov%2Fexpapi%2Fverbs%2Fcompleted", []),
        ("?until=2000-01-01T00%3A00", []),
        ("?since=2000-01-01T00%3A00", ["viewed", "aligned"]),
    ],
)
def test_filters_narrow_the_list(
    console_client: FlaskClient, seeded: dict[str, Any], query: str, expected: list[str]
) -> None:
    login(console_client, **ADMIN)
    status, html, ids = shown(console_client, query)
    assert status == 200
    assert ids == [seeded[name]["id"] for name in expected]
    if not expected:
        assert "No statement matches." in html


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?agent=not+an+agent", "agent"),
        ("?agent=%7Bbroken", "agent"),
        ("?verb=viewed", "verb"),
        ("?activity=no+iri", "activity"),
        ("?since=yesterday", "since"),
        ("?before=x", "before"),
    ],
)
def test_a_bad_filter_is_a_400_naming_its_field(
    console_client: FlaskClient, query: str, field: str
) -> None:
    login(console_client, **ADMIN)
    status, html, ids = shown(console_client, query)
    assert status == 400 and ids == []
    if field == "before":
        assert 'class="error-message" role="alert"' in html
    else:
        assert f'aria-describedby="e-{field}"' in html and f'id="e-{field}"' in html


def test_pages_go_back_in_time_and_keep_the_filters(
    console_client: FlaskClient, admin_auth: dict[str, str]
) -> None:
    sent = [statement(actor="kari", verb=VIEWED, activity=f"{MOODLE}9") for _ in range(30)]
    post(console_client, admin_auth, sent)
    post(console_client, admin_auth, [statement(actor="ola")])
    login(console_client, **ADMIN)
    _, html, first = shown(console_client, f"?verb={VIEWED}")
    older = re.search(r'<a rel="next" href="([^"]+)"', html)
    assert older is not None and len(first) == 25
    _, html, second = shown(console_client, older.group(1).replace("&amp;", "&"))
    assert len(second) == 5 and not set(first) & set(second)
    assert set(first) | set(second) == {s["id"] for s in sent}
    assert 'rel="next"' not in html and "Newest statements" in html
