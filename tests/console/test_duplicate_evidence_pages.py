"""The console says when evidence is a repeat, and of which statement, in each language: the
learner's evidence trail and the map editor's rule tester (both databases)."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from flask.testing import FlaskClient

from lrs_bridge.console.messages import all_messages
from tests.conftest import Credentials
from tests.console.map_support import admin, post
from tests.console.test_languages import LANGUAGES
from tests.factories import agent
from tests.test_duplicate_evidence import LISTENING, original, repeat


@pytest.fixture
def stored(console_client: FlaskClient, creds: Credentials) -> tuple[int, str, str]:
    """Kari's statement and its repeat 5 minutes later, and an admin signed in to the
    console: ``(learner id, original, repeat)``."""
    client = console_client
    auth = creds.make("all")
    first = original()
    second = repeat(first, timestamp="2026-01-15T10:05:00Z")
    assert client.post("/xapi/statements", json=[first, second], headers=auth).status_code == 200
    query = {"agent": json.dumps(agent("kari"))}
    learner = client.get("/api/v1/learners", query_string=query, headers=auth).get_json()
    admin(client)
    return learner["id"], first["id"], second["id"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_trail_names_the_statement_a_repeat_repeats(
    console_client: FlaskClient, stored: tuple[int, str, str], language: str
) -> None:
    learner, first, second = stored
    path = f"/console/learners/{learner}/evidence?competency={quote(LISTENING, safe='')}"
    response = console_client.get(path, headers={"Accept-Language": language})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and f'<html lang="{language}">' in page
    said = all_messages()["learners.duplicate_of"][language].format(id=first)
    assert said in page
    assert f'data-statement="{second}" class="repeat" data-duplicate-of="{first}"' in page
    assert f'<tr data-statement="{first}">' in page  # the original is no repeat
    assert page.count(said) == 1


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_tester_names_the_statement_a_stored_repeat_repeats(
    console_client: FlaskClient, stored: tuple[int, str, str], language: str
) -> None:
    _, first, second = stored
    messages = all_messages()
    for statement_id, repeats in ((second, True), (first, False)):
        response = post(
            console_client,
            "/console/map/tester",
            {"statement_id": statement_id},
            headers={"Accept-Language": language},
        )
        page = response.get_data(as_text=True)
        assert response.status_code == 200 and f'<html lang="{language}">' in page
        said = messages["map.tester.duplicate_of"][language].format(id=first)
        assert (said in page) is repeats
        assert (f"<td><code>{first}</code></td></tr>" in page) is repeats
        assert messages["map.tester.repeat_of"][language] in page
