"""The map editor over plain HTTP: YAML download and upload (round trip), version history,
diff between any two versions, rollback, and the rule tester."""

from __future__ import annotations

import io
import uuid

import orjson
import pytest
import yaml
from flask.testing import FlaskClient

from lrs_bridge.competency.near_miss import REASONS
from lrs_bridge.console.messages import all_messages
from lrs_bridge.services.competencies import file_documents
from tests.console.map_support import active, admin, confirm, post, versions
from tests.factories import statement

FRAMEWORK, MAP = file_documents("", "")


def _upload(client: FlaskClient, document: str, text: str, filename: str = "map.yaml"):
    return post(
        client,
        "/console/map/upload",
        {"document": document, "file": (io.BytesIO(text.encode()), filename)},
        content_type="multipart/form-data",
    )


@pytest.mark.parametrize("document", ["map", "framework"])
def test_download_then_upload_round_trips_the_documents(
    console_client: FlaskClient, document: str
) -> None:
    admin(console_client)
    downloaded = console_client.get(f"/console/map/download/{document}.yaml")
    assert downloaded.status_code == 200
    assert "attachment" in downloaded.headers["Content-Disposition"]
    text = downloaded.get_data(as_text=True)
    assert yaml.safe_load(text) == (MAP if document == "map" else FRAMEWORK)
    preview = _upload(console_client, document, text)
    assert "data-no-changes" in preview.get_data(as_text=True)  # the same documents
    confirm(console_client, preview)
    saved = active(console_client)
    assert saved[document] == (MAP if document == "map" else FRAMEWORK)
    assert saved["note"] == f"upload {document}: map.yaml"
    assert (
        console_client.get(f"/console/map/download/{document}.yaml").get_data(as_text=True) == text
    )


@pytest.mark.parametrize(
    ("document", "text", "named"),
    [
        ("map", "rules: [unclosed", "file: not valid YAML at line 1"),
        ("map", "- just a list", "the document must be a mapping"),
        ("map", yaml.safe_dump({**MAP, "methods": {"coaching": 2}}), "methods.coaching"),
        (
            "map",
            yaml.safe_dump({**MAP, "rules": [{**MAP["rules"][0], "match": {"verbs": "nope"}}]}),
            f"rule &#39;{MAP['rules'][0]['id']}&#39;",
        ),
        ("framework", yaml.safe_dump({**FRAMEWORK, "name": {}}), "framework: name"),
    ],
)
def test_an_invalid_upload_names_the_field_and_saves_nothing(
    console_client: FlaskClient, document: str, text: str, named: str
) -> None:
    admin(console_client)
    response = _upload(console_client, document, text)
    assert response.status_code == 400
    assert named in response.get_data(as_text=True)
    assert versions(console_client) == []


def _save_methods(client: FlaskClient, weight: str) -> int:
    preview = post(client, "/console/map/methods/item", {"id": "coaching", "weight": weight})
    confirm(client, preview)
    return versions(client)[0]["id"]


def test_history_diff_and_rollback(console_client: FlaskClient) -> None:
    admin(console_client)
    first = _save_methods(console_client, "0.41")
    second = _save_methods(console_client, "0.42")
    page = console_client.get("/console/map/history").get_data(as_text=True)
    assert f'data-version="{second}"' in page and f'data-version="{first}"' in page
    assert f"Roll back to v{first}" in page

    diff = console_client.get(f"/console/map/history/diff?old={first}&new={second}")
    text = diff.get_data(as_text=True)
    assert diff.status_code == 200
    assert "0 added, 0 removed, 1 changed" in text and "<code>coaching</code>" in text
    assert '<span class="del">-  coaching: 0.41</span>' in text
    assert '<span class="add">+  coaching: 0.42</span>' in text

    shown = console_client.get(f"/console/map/history/{first}").get_data(as_text=True)
    assert "coaching: 0.41" in shown

    preview = post(console_client, f"/console/map/history/{first}/rollback", {})
    assert preview.status_code == 200 and "data-dry-run" in preview.get_data(as_text=True)
    confirm(console_client, preview)
    newest = versions(console_client)[0]
    assert newest["note"] == f"rollback to v{first}"
    same = console_client.get(f"/console/map/history/diff?old={first}&new={newest['id']}")
    assert "data-no-changes" in same.get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "status"), [("old=1&new=x", 400), ("old=7&new=8", 404), ("", 400)]
)
def test_a_diff_of_bad_or_unknown_versions(console_client: FlaskClient, query, status) -> None:
    admin(console_client)
    assert console_client.get(f"/console/map/history/diff?{query}").status_code == status


# -- the rule tester ------------------------------------------------------------------------

PASSED = "http://adlnet.gov/expapi/verbs/passed"


def test_the_tester_shows_fired_rules_and_near_misses_for_a_pasted_statement(
    console_client: FlaskClient,
) -> None:
    admin(console_client)
    rule = MAP["rules"][0]  # e-learning tagged active listening

    def module(verb: str) -> dict:
        stmt = statement(verb=verb, activity="https://lms.example.com/module/7")
        stmt["object"]["definition"]["type"] = "http://adlnet.gov/expapi/activities/module"
        other = [{"id": "https://lms.example.com/competencies/active-listening"}]
        stmt["context"] = {"contextActivities": {"other": other}}
        return stmt

    fires = module(PASSED)
    page = post(console_client, "/console/map/tester", {"statement": orjson.dumps(fires).decode()})
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f"<li><code>{rule['id']}</code></li>" in text

    near = module("http://adlnet.gov/expapi/verbs/experienced")
    text = post(
        console_client, "/console/map/tester", {"statement": orjson.dumps(near).decode()}
    ).get_data(as_text=True)
    assert f'<tr data-rule="{rule["id"]}">' in text
    assert "verb differs" in text and "No rule fires." in text


def test_the_tester_reads_a_stored_statement_by_id(console_client: FlaskClient, creds) -> None:
    admin(console_client)
    unknown = str(uuid.uuid4())
    missing = post(console_client, "/console/map/tester", {"statement_id": unknown})
    assert missing.status_code == 400 and 'id="e-statement_id"' in missing.get_data(as_text=True)
    bad = post(console_client, "/console/map/tester", {"statement": "{not json"})
    assert bad.status_code == 400 and 'id="e-statement"' in bad.get_data(as_text=True)
    stmt = statement(verb=PASSED, activity="https://moodle.example.com/mod/quiz/view.php?id=3")
    stored = console_client.post("/xapi/statements", json=stmt, headers=creds.make("all"))
    assert stored.status_code == 200
    found = post(console_client, "/console/map/tester", {"statement_id": stmt["id"]})
    text = found.get_data(as_text=True)
    assert found.status_code == 200 and f"Stored statement {stmt['id']}" in text


def test_every_near_miss_reason_is_translated() -> None:
    messages = all_messages()
    assert {f"map.miss.{code}" for code in REASONS} <= set(messages)
