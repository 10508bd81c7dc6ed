"""State, Activity/Agent Profile documents, Agents and Activities (Communication §2.2-2.7, §3.1)."""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any
from urllib.parse import urlencode

import pytest

from lrs_bridge.services.directory import parse_directory_csv
from lrs_bridge.xapi.timefmt import format_timestamp_us, now_us
from tests.factories import LISTENING, agent, statement

ACTIVITY = "https://example.com/cs-training/escalations"
KARI = agent("kari")


def with_version(base: dict[str, str], version: str) -> dict[str, str]:
    return {**base, "X-Experience-API-Version": version}


def state_params(state_id: str | None = "bookmark", **extra: Any) -> dict[str, str]:
    params = {"activityId": ACTIVITY, "agent": json.dumps(KARI)}
    if state_id is not None:
        params["stateId"] = state_id
    params.update({k: str(v) for k, v in extra.items()})
    return params


RESOURCES = {
    "state": ("/xapi/activities/state", lambda doc: state_params(doc)),
    "activity_profile": (
        "/xapi/activities/profile",
        lambda doc: {"activityId": ACTIVITY, "profileId": doc},
    ),
    "agent_profile": (
        "/xapi/agents/profile",
        lambda doc: {"agent": json.dumps(KARI), "profileId": doc},
    ),
}


def url(path: str, params: dict[str, str]) -> str:
    return f"{path}?{urlencode(params)}"


def send(client, method, path, params, auth, body: bytes | None = None, **hdrs: str):
    request_headers = dict(auth)
    if body is not None:
        request_headers.setdefault("Content-Type", "application/json")
    request_headers.update({k.replace("_", "-"): v for k, v in hdrs.items()})
    return client.open(url(path, params), method=method, data=body, headers=request_headers)


def create(client, auth, resource: str, doc: str, body: bytes = b'{"x": "foo", "y": "bar"}'):
    path, params = RESOURCES[resource]
    response = send(client, "PUT", path, params(doc), auth, body, If_None_Match="*")
    assert response.status_code == 204, response.json
    return response


# -- storing and reading -------------------------------------------------------------------


@pytest.mark.parametrize("resource", sorted(RESOURCES))
def test_any_content_is_stored_byte_exact_with_its_type_etag_and_last_modified(
    client, auth, resource
):
    path, params = RESOURCES[resource]
    content = bytes(range(256)) * 3
    before = now_us()
    response = send(
        client,
        "PUT",
        path,
        params("pic"),
        auth,
        content,
        Content_Type="image/x-raw; bits=8",
        If_None_Match="*",
    )
    assert response.status_code == 204
    got = send(client, "GET", path, params("pic"), auth)
    assert got.status_code == 200
    assert got.data == content
    assert got.headers["Content-Type"] == "image/x-raw; bits=8"
    assert got.headers["ETag"] == '"' + hashlib.sha1(content).hexdigest() + '"'
    assert got.last_modified.timestamp() >= before // 1_000_000 - 1
    head = send(client, "HEAD", path, params("pic"), auth)
    assert head.status_code == 200 and head.data == b""
    assert head.headers["ETag"] == got.headers["ETag"]
    assert head.headers["Last-Modified"] == got.headers["Last-Modified"]
    assert send(client, "GET", path, params("other"), auth).status_code == 404


@pytest.mark.parametrize("resource", sorted(RESOURCES))
def test_post_merges_top_level_properties_of_json_objects(client, auth, resource):
    path, params = RESOURCES[resource]
    create(client, auth, resource, "vars", b'{"x": "foo", "y": "bar", "o": {"a": 1, "b": 2}}')
    response = send(
        client, "POST", path, params("vars"), auth, b'{"x": "bash", "z": "faz", "o": {"c": 3}}'
    )
    assert response.status_code == 204
    got = send(client, "GET", path, params("vars"), auth)
    assert got.json == {"x": "bash", "y": "bar", "z": "faz", "o": {"c": 3}}


@pytest.mark.parametrize(
    ("stored_type", "stored", "posted_type", "posted"),
    [
        ("application/json", b'{"a": 1}', "text/plain", b"abc"),
        ("text/plain", b"abc", "application/json", b'{"a": 1}'),
        ("application/json", b'{"a": 1}', "application/json", b'{"a": '),
        ("application/json", b'{"a": 1}', "application/json", b"[1, 2]"),
        ("application/json", b"[1]", "application/json", b'{"a": 1}'),
    ],
    ids=["posted-not-json", "stored-not-json", "posted-invalid", "posted-array", "stored-array"],
)
def test_post_onto_a_document_that_cannot_merge_is_400_and_changes_nothing(
    client, auth, stored_type, stored, posted_type, posted
):
    path, params = RESOURCES["state"]
    assert (
        send(client, "PUT", path, params("d"), auth, stored, Content_Type=stored_type).status_code
        == 204
    )
    response = send(client, "POST", path, params("d"), auth, posted, Content_Type=posted_type)
    assert response.status_code == 400
    got = send(client, "GET", path, params("d"), auth)
    assert got.data == stored and got.headers["Content-Type"] == stored_type


def test_post_of_a_new_document_stores_it(client, auth):
    path, params = RESOURCES["activity_profile"]
    assert send(client, "POST", path, params("new"), auth, b'{"a": 1}').status_code == 204
    assert send(client, "GET", path, params("new"), auth).json == {"a": 1}


# -- concurrency (Communication §3.1) ----------------------------------------------------------

GOOD, BAD = "good", '"1111111111111111111111111111111111111111"'

#: (version, resource, document exists, method, If-Match, If-None-Match) -> status
CONCURRENCY = [
    # PUT without either header: profiles never; State only in 2.0.0 when the document exists.
    ("1.0.3", "state", True, "PUT", None, None, 204),
    ("2.0.0", "state", True, "PUT", None, None, 409),
    ("1.0.3", "state", False, "PUT", None, None, 204),
    ("2.0.0", "state", False, "PUT", None, None, 204),
    ("1.0.3", "activity_profile", True, "PUT", None, None, 409),
    ("2.0.0", "agent_profile", True, "PUT", None, None, 409),
    ("1.0.3", "agent_profile", False, "PUT", None, None, 400),
    ("2.0.0", "activity_profile", False, "PUT", None, None, 400),
    # If-Match: the current ETag passes, another or a missing document fails.
    ("1.0.3", "agent_profile", True, "PUT", GOOD, None, 204),
    ("1.0.3", "agent_profile", True, "PUT", BAD, None, 412),
    ("2.0.0", "activity_profile", False, "PUT", BAD, None, 412),
    ("1.0.3", "activity_profile", True, "PUT", "*", None, 204),
    ("1.0.3", "activity_profile", False, "PUT", "*", None, 412),
    ("2.0.0", "state", True, "POST", GOOD, None, 204),
    ("2.0.0", "state", True, "POST", BAD, None, 412),
    ("2.0.0", "agent_profile", True, "DELETE", BAD, None, 412),
    ("2.0.0", "agent_profile", True, "DELETE", GOOD, None, 204),
    ("1.0.3", "state", True, "DELETE", BAD, None, 412),
    # If-None-Match: * creates only.
    ("1.0.3", "activity_profile", False, "PUT", None, "*", 204),
    ("1.0.3", "activity_profile", True, "PUT", None, "*", 412),
    ("2.0.0", "state", True, "POST", None, "*", 412),
    ("2.0.0", "agent_profile", True, "PUT", None, GOOD, 412),
    ("2.0.0", "agent_profile", True, "PUT", None, BAD, 204),
    # POST and DELETE need no header.
    ("1.0.3", "activity_profile", True, "POST", None, None, 204),
    ("2.0.0", "activity_profile", True, "POST", None, None, 204),
    ("2.0.0", "agent_profile", True, "DELETE", None, None, 204),
    ("2.0.0", "agent_profile", False, "DELETE", None, None, 204),
]


@pytest.mark.parametrize(
    ("version", "resource", "exists", "method", "if_match", "if_none_match", "status"),
    CONCURRENCY,
)
def test_concurrency_headers(
    client, auth, version, resource, exists, method, if_match, if_none_match, status
):
    path, params = RESOURCES[resource]
    original = b'{"v": "original"}'
    if exists:
        create(client, auth, resource, "doc", original)
    current = send(client, "GET", path, params("doc"), auth).headers.get("ETag")
    conditional: dict[str, str] = {}
    if if_match is not None:
        conditional["If-Match"] = current if if_match == GOOD else if_match
    if if_none_match is not None:
        conditional["If-None-Match"] = current if if_none_match == GOOD else if_none_match
    body = None if method == "DELETE" else b'{"v": "changed"}'
    response = send(
        client,
        method,
        path,
        params("doc"),
        with_version(auth, version),
        body,
        **{k.replace("-", "_"): v for k, v in conditional.items()},
    )
    assert response.status_code == status, response.json
    after = send(client, "GET", path, params("doc"), auth)
    if status in (409, 412, 400):
        assert response.json["message"]
        if exists:
            assert after.data == original
        else:
            assert after.status_code == 404


# -- id lists, since, registration ------------------------------------------------------------


def test_id_lists_honour_since_exclusive_and_give_the_newest_last_modified(client, auth):
    path, params = RESOURCES["agent_profile"]
    create(client, auth, "agent_profile", "first")
    listing = send(client, "GET", path, {"agent": json.dumps(KARI)}, auth)
    since = format_timestamp_us(now_us())
    create(client, auth, "agent_profile", "second")
    everything = send(client, "GET", path, {"agent": json.dumps(KARI)}, auth)
    assert sorted(everything.json) == ["first", "second"]
    assert everything.headers["ETag"] and everything.last_modified >= listing.last_modified
    later = send(client, "GET", path, {"agent": json.dumps(KARI), "since": since}, auth)
    assert later.json == ["second"]
    future = format_timestamp_us(now_us() + 60_000_000)
    assert send(client, "GET", path, {"agent": json.dumps(KARI), "since": future}, auth).json == []
    other = {"agent": json.dumps(agent("ola"))}
    assert send(client, "GET", path, other, auth).json == []


def test_state_registration_separates_documents_and_scopes_delete_all(client, auth):
    path = "/xapi/activities/state"
    registration = str(uuid.uuid4())
    for reg in (None, registration):
        extra = {"registration": reg} if reg else {}
        for state_id in ("a", "b"):
            body = json.dumps({"reg": reg, "id": state_id}).encode()
            assert (
                send(client, "PUT", path, state_params(state_id, **extra), auth, body).status_code
                == 204
            )
    assert send(client, "GET", path, state_params("a"), auth).json == {"reg": None, "id": "a"}
    with_reg = send(client, "GET", path, state_params("a", registration=registration.upper()), auth)
    assert with_reg.json == {"reg": registration, "id": "a"}
    assert sorted(
        send(client, "GET", path, state_params(None, registration=registration), auth).json
    ) == ["a", "b"]
    assert (
        send(
            client, "DELETE", path, state_params(None, registration=registration), auth
        ).status_code
        == 204
    )
    assert send(client, "GET", path, state_params(None, registration=registration), auth).json == []
    assert sorted(send(client, "GET", path, state_params(None), auth).json) == ["a", "b"]
    assert send(client, "DELETE", path, state_params(None), auth).status_code == 204
    assert send(client, "GET", path, state_params(None), auth).json == []


# -- bad input: 400 naming the parameter --------------------------------------------------------

BAD_INPUT = [
    ("PUT", "/xapi/activities/state", {"agent": json.dumps(KARI), "stateId": "s"}, "activityId"),
    (
        "GET",
        "/xapi/activities/state",
        {"activityId": "no-iri", "agent": json.dumps(KARI)},
        "activityId",
    ),
    ("GET", "/xapi/activities/state", {"activityId": ACTIVITY}, "agent"),
    (
        "POST",
        "/xapi/activities/state",
        {"activityId": ACTIVITY, "agent": "{not json", "stateId": "s"},
        "agent",
    ),
    (
        "GET",
        "/xapi/activities/state",
        {"activityId": ACTIVITY, "agent": json.dumps({"name": "no ifi"})},
        "agent",
    ),
    (
        "DELETE",
        "/xapi/activities/state",
        state_params("s", registration="not-a-uuid"),
        "registration",
    ),
    ("GET", "/xapi/activities/state", state_params(None, since="yesterday"), "since"),
    ("PUT", "/xapi/activities/state", state_params(None), "stateId"),
    ("GET", "/xapi/activities/state", state_params("s", colour="red"), "colour"),
    ("POST", "/xapi/activities/profile", {"activityId": ACTIVITY}, "profileId"),
    ("DELETE", "/xapi/activities/profile", {"activityId": ACTIVITY}, "profileId"),
    (
        "GET",
        "/xapi/activities/profile",
        {"activityId": ACTIVITY, "agent": json.dumps(KARI)},
        "agent",
    ),
    ("DELETE", "/xapi/agents/profile", {"profileId": "p"}, "agent"),
    ("GET", "/xapi/agents", {}, "agent"),
    (
        "GET",
        "/xapi/agents",
        {"agent": json.dumps({"objectType": "Group", "mbox": "mailto:team@example.com"})},
        "agent",
    ),
    ("GET", "/xapi/activities", {}, "activityId"),
    ("GET", "/xapi/activities", {"activityId": "true"}, "activityId"),
]


@pytest.mark.parametrize(("method", "path", "params", "field"), BAD_INPUT)
def test_bad_input_is_400_naming_the_parameter(client, auth, method, path, params, field):
    body = b"{}" if method in ("PUT", "POST") else None
    response = send(client, method, path, params, auth, body, If_None_Match="*")
    assert response.status_code == 400, response.json
    assert response.json["field"] == field
    assert field in response.json["message"]


def test_the_version_header_is_required(client, auth):
    no_version = {"Authorization": auth["Authorization"]}
    response = client.get(url("/xapi/activities/state", state_params()), headers=no_version)
    assert response.status_code == 400
    assert response.headers["X-Experience-API-Version"]


# -- scopes (Communication §4.2) ------------------------------------------------------------

SCOPES = [
    ("state", "PUT", "/xapi/activities/state", 204),
    ("state", "GET", "/xapi/activities/state", 200),
    ("state", "PUT", "/xapi/activities/profile", 403),
    ("profile", "PUT", "/xapi/activities/profile", 204),
    ("profile", "GET", "/xapi/agents/profile", 200),
    ("profile", "GET", "/xapi/agents", 200),
    ("profile", "GET", "/xapi/activities", 200),
    ("profile", "DELETE", "/xapi/activities/state", 403),
    ("all/read", "GET", "/xapi/activities/state", 200),
    ("all/read", "GET", "/xapi/activities", 200),
    ("all/read", "PUT", "/xapi/activities/state", 403),
    ("all/read", "DELETE", "/xapi/agents/profile", 403),
    ("statements/write,statements/read", "GET", "/xapi/activities/state", 403),
    ("statements/read", "GET", "/xapi/agents", 403),
    ("define", "GET", "/xapi/activities", 403),
    ("all", "DELETE", "/xapi/agents/profile", 204),
]


@pytest.mark.parametrize(("scopes", "method", "path", "status"), SCOPES)
def test_scopes(client, creds, auth, scopes, method, path, status):
    params = {
        "/xapi/activities/state": state_params("s"),
        "/xapi/activities/profile": {"activityId": ACTIVITY, "profileId": "p"},
        "/xapi/agents/profile": {"agent": json.dumps(KARI), "profileId": "p"},
        "/xapi/agents": {"agent": json.dumps(KARI)},
        "/xapi/activities": {"activityId": ACTIVITY},
    }[path]
    if path not in ("/xapi/agents", "/xapi/activities"):
        assert send(client, "PUT", path, params, auth, b"{}", If_None_Match="*").status_code == 204
    body = b"{}" if method == "PUT" else None
    response = send(client, method, path, params, creds.make(scopes), body, If_Match="*")
    assert response.status_code == status, response.json


# -- alternate request syntax (1.0.3 §1.3) ------------------------------------------------------


def test_alternate_syntax_put_get_and_delete_a_state(client, auth):
    form = {
        **state_params("alt"),
        "Authorization": auth["Authorization"],
        "X-Experience-API-Version": "1.0.3",
        "Content-Type": "application/json",
        "content": '{"page": 7}',
    }
    put = client.post("/xapi/activities/state?method=PUT", data=form)
    assert put.status_code == 204, put.json
    etag = send(client, "GET", "/xapi/activities/state", state_params("alt"), auth).headers["ETag"]
    get = client.post(
        "/xapi/activities/state?method=GET",
        data={k: v for k, v in form.items() if k not in ("content", "Content-Type")},
    )
    assert get.status_code == 200 and get.json == {"page": 7}
    stale = client.post(
        "/xapi/activities/state?method=DELETE",
        data={**{k: v for k, v in form.items() if k != "content"}, "If-Match": '"0"'},
    )
    assert stale.status_code == 412
    deleted = client.post(
        "/xapi/activities/state?method=DELETE",
        data={**{k: v for k, v in form.items() if k != "content"}, "If-Match": etag},
    )
    assert deleted.status_code == 204
    assert (
        send(client, "GET", "/xapi/activities/state", state_params("alt"), auth).status_code == 404
    )


# -- Activities (§2.5) and Agents (§2.4) --------------------------------------------------------


def post_statements(client, auth, *items):
    response = client.post("/xapi/statements", json=list(items), headers=auth)
    assert response.status_code == 200, response.json


def test_activities_merges_definitions_of_every_statement_newest_last(client, auth):
    first = statement(activity=ACTIVITY)
    first["object"]["definition"] = {
        "name": {"en-US": "Escalations"},
        "type": "http://adlnet.gov/expapi/activities/course",
    }
    second = statement(activity=ACTIVITY)
    second["object"]["definition"] = {
        "name": {"nb": "Eskaleringer"},
        "description": {"en-US": "When to escalate"},
        "type": "http://adlnet.gov/expapi/activities/module",
    }
    post_statements(client, auth, first)
    assert client.get(url("/xapi/activities", {"activityId": ACTIVITY}), headers=auth).json == {
        "objectType": "Activity",
        "id": ACTIVITY,
        "definition": first["object"]["definition"],
    }
    in_context = statement(activity=LISTENING, parent=ACTIVITY)
    in_context["context"]["contextActivities"]["parent"][0]["definition"] = {
        "moreInfo": "https://example.com/escalations"
    }
    post_statements(client, auth, second, in_context)
    response = client.get(url("/xapi/activities", {"activityId": ACTIVITY}), headers=auth)
    assert response.status_code == 200 and response.headers["ETag"]
    assert response.json["definition"] == {
        "name": {"en-US": "Escalations", "nb": "Eskaleringer"},
        "description": {"en-US": "When to escalate"},
        "type": "http://adlnet.gov/expapi/activities/module",
        "moreInfo": "https://example.com/escalations",
    }
    head = client.head(url("/xapi/activities", {"activityId": ACTIVITY}), headers=auth)
    assert head.status_code == 200 and head.data == b""


def test_activities_without_a_definition_is_still_an_activity(client, auth):
    unknown = "https://example.com/never-seen"
    response = client.get(url("/xapi/activities", {"activityId": unknown}), headers=auth)
    assert response.status_code == 200
    assert response.json == {"objectType": "Activity", "id": unknown}


def test_statements_without_define_scope_do_not_change_the_definition(client, auth, creds):
    defined = statement(activity=ACTIVITY)
    defined["object"]["definition"] = {"name": {"en-US": "Escalations"}}
    post_statements(client, auth, defined)
    assert client.get(url("/xapi/activities", {"activityId": ACTIVITY}), headers=auth).json[
        "definition"
    ] == {"name": {"en-US": "Escalations"}}
    writer = creds.make("statements/write")
    renamed = statement(activity=ACTIVITY)
    renamed["object"]["definition"] = {"name": {"en-US": "Hijacked"}}
    post_statements(client, writer, renamed)
    assert client.get(url("/xapi/activities", {"activityId": ACTIVITY}), headers=auth).json[
        "definition"
    ] == {"name": {"en-US": "Escalations"}}
    definer = creds.make("statements/write,define")
    post_statements(client, definer, {**renamed, "id": str(uuid.uuid4())})
    assert client.get(url("/xapi/activities", {"activityId": ACTIVITY}), headers=auth).json[
        "definition"
    ] == {"name": {"en-US": "Hijacked"}}


def test_agents_returns_every_identifier_the_directory_links_to_the_person(app, client, auth):
    by_account = {
        "objectType": "Agent",
        "account": {"homePage": "https://bbb.example.com", "name": "kari.n"},
    }
    runtime = app.extensions["lrs_bridge"]
    entries = parse_directory_csv(
        "name,email,accounts,team,manager_email,language\n"
        "Kari Nordmann,kari@example.com,https://bbb.example.com|kari.n,Oslo desk,,nb\n"
    )
    runtime.store.import_directory(entries, runtime.competencies.current().reduce, now_us)
    response = client.get(url("/xapi/agents", {"agent": json.dumps(by_account)}), headers=auth)
    assert response.status_code == 200 and response.headers["ETag"]
    assert response.json == {
        "objectType": "Person",
        "name": ["Kari Nordmann"],
        "mbox": ["mailto:kari@example.com"],
        # The directory also links the hashed address, an IFI statements may use instead.
        "mbox_sha1sum": [hashlib.sha1(b"mailto:kari@example.com").hexdigest()],
        "account": [{"homePage": "https://bbb.example.com", "name": "kari.n"}],
    }


def test_agents_for_an_unknown_agent_is_a_person_made_of_that_agent(client, auth):
    stranger = {"objectType": "Agent", "name": "Ola", "openid": "https://id.example.com/ola"}
    response = client.get(url("/xapi/agents", {"agent": json.dumps(stranger)}), headers=auth)
    assert response.json == {
        "objectType": "Person",
        "name": ["Ola"],
        "openid": ["https://id.example.com/ola"],
    }


def test_a_2_0_0_client_gets_documents_too(client, creds):
    auth2 = with_version(creds.make("all"), "2.0.0")
    path, params = RESOURCES["agent_profile"]
    assert (
        send(client, "PUT", path, params("p2"), auth2, b'{"a": 1}', If_None_Match="*").status_code
        == 204
    )
    got = send(client, "GET", path, params("p2"), auth2)
    assert got.json == {"a": 1} and got.headers["X-Experience-API-Version"] == "2.0.0"


def test_racing_creates_with_if_none_match_give_one_winner(app, auth):
    """The check and the write are one serialised step: exactly one of the racers creates."""
    import threading

    path, params = RESOURCES["activity_profile"]
    statuses: list[int] = []
    start = threading.Barrier(8)

    def racer(n: int) -> None:
        client = app.test_client()
        start.wait()
        body = json.dumps({"racer": n}).encode()
        response = send(client, "PUT", path, params("race"), auth, body, If_None_Match="*")
        statuses.append(response.status_code)

    threads = [threading.Thread(target=racer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [204] + [412] * 7


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"activityId": "https://example.com/" + "a" * 1100, "profileId": "p"}, "activityId"),
        ({"activityId": ACTIVITY, "profileId": "p" * 600}, "profileId"),
    ],
)
def test_overlong_ids_are_400_not_a_database_error(client, auth, params, field):
    response = send(
        client, "PUT", "/xapi/activities/profile", params, auth, b"{}", If_None_Match="*"
    )
    assert response.status_code == 400 and response.json["field"] == field
