"""The map editor's forms over plain HTTP: each part of the map edited in a form, previewed
(dry run) and confirmed; invalid input answered with the API's schema message, naming the
rule (or other item) and the field."""

from __future__ import annotations

import html
import re

import pytest
from flask.testing import FlaskClient

from lrs_bridge.services.competencies import file_documents
from tests.console.conftest import login
from tests.console.map_support import active, admin, confirm, hidden, post, versions

FRAMEWORK, MAP = file_documents("", "")
RULE = MAP["rules"][1]
COMPETENCY = FRAMEWORK["competencies"][0]
REFRESHER = MAP["refreshers"]["catalogue"][0]


def test_the_map_editor_is_for_admins_only(console_client: FlaskClient) -> None:
    assert console_client.get("/console/map").status_code == 302
    login(console_client, kind="learner", email="kari@example.com")
    assert console_client.get("/console/map").status_code == 403
    assert console_client.get("/console/map/history").status_code == 403
    assert console_client.get("/console/map/tester").status_code == 403


@pytest.mark.parametrize(
    "path",
    [
        "/console/map",
        "/console/map/rules",
        "/console/map/policies",
        "/console/map/methods",
        "/console/map/framework-competencies",
        "/console/map/refreshers",
    ],
)
def test_each_part_lists_its_items(console_client: FlaskClient, path: str) -> None:
    admin(console_client)
    page = console_client.get(path).get_data(as_text=True)
    assert "<h1>" in page and 'aria-label="Competency map sections"' in page
    if path.endswith("/rules"):
        assert f'data-item="{RULE["id"]}"' in page
    if path.endswith("/framework-competencies"):
        assert COMPETENCY["name"]["en"] in page


# (collection, item id, form fields, what the saved item then holds)
VALID = [
    (
        "rules",
        RULE["id"],
        {"description": "Changed in the console"},
        lambda docs: (
            next(r for r in docs["map"]["rules"] if r["id"] == RULE["id"])["description"]
            == "Changed in the console"
        ),
    ),
    (
        "policies",
        "yearly",
        {"new": "1", "kind": "fixed", "validity": "P1Y", "due_soon": "P30D"},
        lambda docs: (
            docs["map"]["policies"]["yearly"]
            == {"kind": "fixed", "validity": "P1Y", "due_soon": "P30D"}
        ),
    ),
    (
        "methods",
        "coaching",
        {"weight": "0.45"},
        lambda docs: docs["map"]["methods"]["coaching"] == 0.45,
    ),
    (
        "framework-competencies",
        COMPETENCY["id"],
        {"name_nb": "Kommunikasjon (ny)"},
        lambda docs: docs["framework"]["competencies"][0]["name"]["nb"] == "Kommunikasjon (ny)",
    ),
    (
        "refreshers",
        REFRESHER["id"],
        {
            "body": "competencies: [https://lrs-bridge.dev/competency/empathy]\nmethod: coaching\n"
            "name: {en: Coaching}\n"
        },
        lambda docs: docs["map"]["refreshers"]["catalogue"][0]["method"] == "coaching",
    ),
]


def _form(client: FlaskClient, name: str, item_id: str, changes: dict[str, str]) -> dict[str, str]:
    """The item's form as the page fills it in, with ``changes`` typed over it."""
    query = {"new": "1"} if changes.get("new") else {"id": item_id}
    page = client.get(f"/console/map/{name}/item", query_string=query).get_data(as_text=True)
    values = dict(re.findall(r'<input id="f-(\w+)" name="\w+" type="text" value="([^"]*)"', page))
    for area, text in re.findall(r'<textarea id="f-(\w+)"[^>]*>([^<]*)</textarea>', page):
        values[area] = html.unescape(text)
    for select, options in re.findall(r'<select id="f-(\w+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', options)
        values[select] = chosen.group(1) if chosen else ""
    return {**values, "id": item_id, **changes}


@pytest.mark.parametrize(("name", "item_id", "changes", "saved"), VALID, ids=[v[0] for v in VALID])
def test_a_valid_form_is_previewed_then_saved_as_a_new_version(
    console_client: FlaskClient, name, item_id, changes, saved
) -> None:
    admin(console_client)
    preview = post(
        console_client, f"/console/map/{name}/item", _form(console_client, name, item_id, changes)
    )
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200, page[:3000]
    assert "data-dry-run" in page and "Statements evaluated" in page
    assert f"<code>{item_id}</code>" in page  # the change table names the item
    assert versions(console_client) == []  # a preview saves nothing
    done = confirm(console_client, preview)
    assert done.status_code == 303 and done.headers["Location"].endswith("/console/map/history")
    [version] = versions(console_client)
    assert version["created_by"] == "console:ada@example.com"
    assert saved(active(console_client))
    history = console_client.get("/console/map/history").get_data(as_text=True)
    assert f"Saved as version v{version['id']}" in history


# (collection, item id, form fields, the form field marked, what the message names)
INVALID = [
    (
        "rules",
        RULE["id"],
        {"match": "verbs: [not an iri]"},
        "match",
        ["rules[1].match.verbs", RULE["id"]],
    ),
    (
        "rules",
        RULE["id"],
        {"evidence": f"- competency: {COMPETENCY['id']}\n  method: juggling\n"},
        "evidence",
        ["rules[1].evidence[0].method", RULE["id"], "juggling"],
    ),
    ("rules", RULE["id"], {"match": "verbs: [unclosed"}, "match", ["not valid YAML"]),
    (
        "policies",
        "yearly",
        {"new": "1", "kind": "fixed", "validity": "", "due_soon": "P30D"},
        "validity",
        ["policies.yearly.validity", "Required for kind"],
    ),
    ("methods", "coaching", {"weight": "1.5"}, "weight", ["methods.coaching", "at most 1"]),
    ("methods", "coaching", {"weight": "heavy"}, "weight", ["methods.coaching", "number"]),
    (
        "framework-competencies",
        COMPETENCY["id"],
        {"name_en": ""},
        "name_en",
        ["competencies[0].name", COMPETENCY["id"]],
    ),
    (
        "refreshers",
        REFRESHER["id"],
        {
            "body": "competencies: [https://lrs-bridge.dev/competency/empathy]\nmethod: juggling\n"
            "name: {en: Coaching}\n"
        },
        "body",
        ["refreshers.catalogue[0].method", REFRESHER["id"]],
    ),
]


@pytest.mark.parametrize(
    ("name", "item_id", "changes", "marked", "named"),
    INVALID,
    ids=[f"{v[0]}-{v[3]}-{i}" for i, v in enumerate(INVALID)],
)
def test_an_invalid_form_names_the_item_and_the_field(
    console_client: FlaskClient, name, item_id, changes, marked, named
) -> None:
    admin(console_client)
    response = post(
        console_client, f"/console/map/{name}/item", _form(console_client, name, item_id, changes)
    )
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert 'role="alert"' in page and f'id="e-{marked}"' in page
    for text in named:
        assert text in page
    assert versions(console_client) == []


def test_a_new_item_needs_a_free_id(console_client: FlaskClient) -> None:
    admin(console_client)
    taken = post(
        console_client, "/console/map/methods/item", {"new": "1", "id": "coaching", "weight": "0.3"}
    )
    assert taken.status_code == 400 and 'id="e-id"' in taken.get_data(as_text=True)


def test_deleting_is_previewed_and_refused_when_still_used(console_client: FlaskClient) -> None:
    admin(console_client)
    used = post(console_client, "/console/map/policies/delete", {"id": "quarterly"})
    assert used.status_code == 400 and "quarterly" in used.get_data(as_text=True)
    unused = post(console_client, "/console/map/rules/delete", {"id": RULE["id"]})
    assert 'data-change="removed"' in unused.get_data(as_text=True)
    confirm(console_client, unused)
    assert RULE["id"] not in {r["id"] for r in active(console_client)["map"]["rules"]}


def test_a_candidate_changed_after_its_preview_is_previewed_again(
    console_client: FlaskClient,
) -> None:
    admin(console_client)
    preview = post(
        console_client, "/console/map/methods/item", {"id": "coaching", "weight": "0.45"}
    )
    page = preview.get_data(as_text=True)
    tampered = hidden(page, "candidate").replace('"coaching":0.45', '"coaching":0.5')
    again = post(
        console_client,
        "/console/map/confirm",
        {"candidate": tampered, "fingerprint": hidden(page, "fingerprint"), "note": "x"},
    )
    assert again.status_code == 409
    assert "Check this new dry run" in again.get_data(as_text=True)
    assert versions(console_client) == []
    confirm(console_client, again)
    assert active(console_client)["map"]["methods"]["coaching"] == 0.5


def test_a_post_without_csrf_token_is_refused(console_client: FlaskClient) -> None:
    admin(console_client)
    response = console_client.post(
        "/console/map/methods/item", data={"id": "coaching", "weight": "0.2"}
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("language", "title"),
    [("nb", "Kompetansekart"), ("fi", "Osaamiskartta"), ("nl", "Competentiekaart")],
)
def test_the_editor_speaks_the_browsers_language(
    console_client: FlaskClient, language: str, title: str
) -> None:
    admin(console_client)
    page = console_client.get("/console/map", headers={"Accept-Language": language})
    assert f"<h1>{title}</h1>" in page.get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    [
        "/console/map/shoes",
        "/console/map/rules/item?id=no-such-rule",
        "/console/map/download/shoes.yaml",
        "/console/map/history/99",
    ],
)
def test_unknown_parts_items_and_versions_are_not_found(
    console_client: FlaskClient, path: str
) -> None:
    admin(console_client)
    assert console_client.get(path).status_code == 404
