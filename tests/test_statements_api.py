"""The Statement resource (xAPI Communication §2.1) through the Flask app, on both databases."""

from __future__ import annotations

import base64
import uuid
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.conftest import Credentials
from tests.factories import (
    ATTENDED,
    COMPLETED,
    LISTENING,
    WEBINAR,
    agent,
    statement,
    voiding,
)

JSON = {"Content-Type": "application/json"}


def post(client: FlaskClient, auth: dict[str, str], body: Any) -> Any:
    return client.post("/xapi/statements", json=body, headers=auth)


def query(client: FlaskClient, auth: dict[str, str], **params: str) -> dict[str, Any]:
    response = client.get("/xapi/statements", query_string=params, headers=auth)
    assert response.status_code == 200, response.get_json()
    data: dict[str, Any] = response.get_json()
    return data


def ids_of(result: dict[str, Any]) -> list[str]:
    return [s["id"] for s in result["statements"]]


# -- storing ----------------------------------------------------------------------------


def test_post_single_statement_returns_its_id_and_reads_back(client, auth):
    sent = statement()
    response = post(client, auth, sent)
    assert response.status_code == 200
    assert response.get_json() == [sent["id"]]

    got = client.get("/xapi/statements", query_string={"statementId": sent["id"]}, headers=auth)
    assert got.status_code == 200
    body = got.get_json()
    for key in ("actor", "verb", "object", "result", "timestamp"):
        assert body[key] == sent[key]
    assert body["stored"].endswith("Z")
    assert body["version"] == "1.0.0"
    assert body["authority"]["objectType"] == "Agent"
    assert got.headers["Last-Modified"]
    assert got.headers["X-Experience-API-Version"] == "1.0.3"


def test_post_batch_is_all_or_nothing(client, auth):
    good = statement()
    bad = statement()
    bad["actor"] = {"mbox": "kari@example.com"}  # not a mailto IRI
    response = post(client, auth, [good, bad])
    assert response.status_code == 400
    assert response.get_json()["path"].startswith("$[1].actor")
    assert ids_of(query(client, auth)) == []


def test_post_assigns_ids_when_missing(client, auth):
    sent = statement()
    del sent["id"]
    response = post(client, auth, [sent])
    assert response.status_code == 200
    [new_id] = response.get_json()
    assert uuid.UUID(new_id)


def test_duplicate_ids_in_one_batch_are_rejected(client, auth):
    one = statement()
    response = post(client, auth, [one, dict(one)])
    assert response.status_code == 400
    assert response.get_json()["path"] == "$[1].id"


def test_put_stores_with_the_given_id(client, auth):
    sent = statement()
    sid = sent.pop("id")
    response = client.put(f"/xapi/statements?statementId={sid}", json=sent, headers=auth)
    assert response.status_code == 204
    assert query(client, auth)["statements"][0]["id"] == sid


@pytest.mark.parametrize(
    ("resend", "status"),
    [
        pytest.param(lambda s: s, 204, id="identical re-send is a no-op"),
        pytest.param(
            lambda s: {**s, "verb": {"id": s["verb"]["id"], "display": {"fr": "fini"}}},
            204,
            id="verb display is not part of the statement",
        ),
        pytest.param(
            lambda s: {**s, "timestamp": "2026-11-20T10:30:00.000+01:00"},
            204,
            id="same instant in another timezone",
        ),
        pytest.param(lambda s: {**s, "result": {"success": False}}, 409, id="different result"),
        pytest.param(lambda s: {**s, "actor": agent("ola")}, 409, id="different actor"),
    ],
)
def test_put_with_a_used_id_compares_the_statements(client, auth, resend, status):
    sent = statement()
    sid = sent["id"]
    assert (
        client.put(f"/xapi/statements?statementId={sid}", json=sent, headers=auth).status_code
        == 204
    )
    again = resend(dict(sent))
    response = client.put(f"/xapi/statements?statementId={sid}", json=again, headers=auth)
    assert response.status_code == status
    assert len(query(client, auth)["statements"]) == 1


def test_post_with_a_used_id_and_other_content_conflicts_and_stores_nothing(client, auth):
    first = statement()
    assert post(client, auth, first).status_code == 200
    changed = {**first, "result": {"success": False}}
    fresh = statement()
    response = post(client, auth, [fresh, changed])
    assert response.status_code == 409
    assert response.get_json()["statement_id"] == first["id"]
    assert ids_of(query(client, auth)) == [first["id"]]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/xapi/statements", b"{not json", "$"),
        ("/xapi/statements?statementId=nope", b"{}", "statementId"),
        ("/xapi/statements?foo=bar", b"{}", "foo"),
    ],
)
def test_malformed_requests_name_the_offending_field(client, auth, path, body, field):
    method = client.put if "statementId" in path else client.post
    response = method(path, data=body, headers={**auth, **JSON})
    assert response.status_code == 400
    payload = response.get_json()
    assert field in (payload.get("field"), payload.get("path"))


def test_put_id_must_match_the_statement_id(client, auth):
    sent = statement()
    response = client.put(f"/xapi/statements?statementId={uuid.uuid4()}", json=sent, headers=auth)
    assert response.status_code == 400
    assert response.get_json()["path"] == "$.id"


def test_content_type_must_be_json(client, auth):
    response = client.post(
        "/xapi/statements", data="x", headers={**auth, "Content-Type": "text/plain"}
    )
    assert response.status_code == 400
    assert response.get_json()["field"] == "Content-Type"


# -- versions, auth, CORS ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "status", "answered"),
    [
        (None, 400, "2.0.0"),
        ("0.95", 400, "2.0.0"),
        ("1.0.9", 400, "1.0.3"),
        ("1.0", 200, "1.0.3"),
        ("1.0.1", 200, "1.0.3"),
        ("1.0.3", 200, "1.0.3"),
        ("2.0.0", 200, "2.0.0"),
    ],
)
def test_version_header_is_required_and_echoed(client, auth, version, status, answered):
    headers = {k: v for k, v in auth.items() if k != "X-Experience-API-Version"}
    if version:
        headers["X-Experience-API-Version"] = version
    response = client.get("/xapi/statements", headers=headers)
    assert response.status_code == status
    assert response.headers["X-Experience-API-Version"] == answered


def test_about_is_public_and_lists_versions(client):
    response = client.get("/xapi/about")
    assert response.status_code == 200
    assert "1.0.3" in response.get_json()["version"]
    assert "2.0.0" in response.get_json()["version"]


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer abc", "Basic !!!", "Basic " + base64.b64encode(b"nokey").decode()],
)
def test_missing_or_malformed_credentials_get_401(client, authorization):
    headers = {"X-Experience-API-Version": "1.0.3"}
    if authorization:
        headers["Authorization"] = authorization
    response = client.get("/xapi/statements", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Basic")


def test_wrong_secret_gets_401(client, auth):
    good = base64.b64decode(auth["Authorization"].split()[1]).decode()
    key = good.split(":")[0]
    bad = base64.b64encode(f"{key}:wrong".encode()).decode()
    response = client.get("/xapi/statements", headers={**auth, "Authorization": f"Basic {bad}"})
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("scopes", "method", "status"),
    [
        ("statements/read", "post", 403),
        ("statements/write", "get", 403),
        ("statements/write", "post", 200),
        ("statements/read", "get", 200),
        ("all/read", "get", 200),
        ("all/read", "post", 403),
        ("define", "get", 403),
        ("admin", "get", 403),
    ],
)
def test_scopes_are_enforced(client, creds: Credentials, scopes, method, status):
    headers = creds.make(scopes)
    if method == "post":
        response = post(client, headers, statement())
    else:
        response = client.get("/xapi/statements", headers=headers)
    assert response.status_code == status


def test_read_mine_sees_only_statements_of_its_own_credential(client, creds: Credentials):
    lms = creds.make("statements/write,statements/read/mine", name="lms")
    webinar_tool = creds.make("statements/write,statements/read/mine", name="webinar")
    mine = statement()
    theirs = statement(verb=ATTENDED, activity=WEBINAR)
    post(client, lms, mine)
    post(client, webinar_tool, theirs)
    assert ids_of(query(client, lms)) == [mine["id"]]
    assert ids_of(query(client, webinar_tool)) == [theirs["id"]]
    hidden = client.get("/xapi/statements", query_string={"statementId": theirs["id"]}, headers=lms)
    assert hidden.status_code == 404


def test_secrets_are_stored_hashed(app, creds: Credentials):
    creds.make("all", name="hash-check")
    runtime = app.extensions["lrs_bridge"]
    [record] = [r for r in runtime.store.list_credentials() if r.name == "hash-check"]
    assert record.secret_hash.startswith("scrypt$")
    assert "s3cret" not in record.secret_hash


def test_cors_preflight_needs_no_credentials(client):
    response = client.options(
        "/xapi/statements",
        headers={"Origin": "https://content.example", "Access-Control-Request-Method": "PUT"},
    )
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "X-Experience-API-Version" in response.headers["Access-Control-Allow-Headers"]


# -- alternate request syntax (1.0.3 Communication §1.3) --------------------------------


def _form(auth: dict[str, str], **fields: str) -> dict[str, str]:
    return {
        "Authorization": auth["Authorization"],
        "X-Experience-API-Version": "1.0.3",
        **fields,
    }


def test_alternate_syntax_put_and_get(client, auth):
    import json

    sent = statement()
    response = client.post(
        "/xapi/statements?method=PUT",
        data=_form(
            auth,
            statementId=sent["id"],
            content=json.dumps(sent),
            **{"Content-Type": "application/json"},
        ),
    )
    assert response.status_code == 204, response.get_json()
    got = client.post("/xapi/statements?method=GET", data=_form(auth, statementId=sent["id"]))
    assert got.status_code == 200
    assert got.get_json()["id"] == sent["id"]


def test_alternate_syntax_rejects_other_query_parameters(client, auth):
    response = client.post(
        f"/xapi/statements?method=GET&statementId={uuid.uuid4()}", data=_form(auth)
    )
    assert response.status_code == 400
    assert response.get_json()["field"] == "statementId"


# -- voiding ----------------------------------------------------------------------------


def test_voided_statements_leave_queries_but_stay_reachable(client, auth):
    target = statement()
    post(client, auth, target)
    void = voiding(target["id"])
    assert post(client, auth, void).status_code == 200

    assert (
        client.get(
            "/xapi/statements", query_string={"statementId": target["id"]}, headers=auth
        ).status_code
        == 404
    )
    by_voided = client.get(
        "/xapi/statements", query_string={"voidedStatementId": target["id"]}, headers=auth
    )
    assert by_voided.status_code == 200
    assert by_voided.get_json()["id"] == target["id"]
    assert ids_of(query(client, auth)) == [void["id"]]
    assert (
        client.get(
            "/xapi/statements", query_string={"voidedStatementId": void["id"]}, headers=auth
        ).status_code
        == 404
    )


def test_voiding_a_voiding_statement_is_rejected(client, auth):
    target = statement()
    first = voiding(target["id"])
    post(client, auth, [target, first])
    response = post(client, auth, voiding(first["id"]))
    assert response.status_code == 400


def test_statement_arriving_after_its_voiding_statement_is_voided(client, auth):
    target = statement()
    post(client, auth, voiding(target["id"]))
    post(client, auth, target)
    assert ids_of(query(client, auth, verb=COMPLETED)) != [target["id"]]
    assert (
        client.get(
            "/xapi/statements", query_string={"voidedStatementId": target["id"]}, headers=auth
        ).status_code
        == 200
    )


# -- queries ----------------------------------------------------------------------------


def test_query_filters(client, auth):
    registration = str(uuid.uuid4())
    kari_listening = statement(actor="kari", registration=registration, parent=WEBINAR)
    ola_webinar = statement(actor="ola", verb=ATTENDED, activity=WEBINAR)
    team = statement(
        actor="lead",
        context={"instructor": agent("kari")},
    )
    post(client, auth, [kari_listening, ola_webinar, team])
    kari = '{"mbox": "mailto:kari@example.com"}'
    table = [
        ({"agent": kari}, [kari_listening]),
        ({"agent": kari, "related_agents": "true"}, [team, kari_listening]),
        ({"verb": ATTENDED}, [ola_webinar]),
        ({"activity": WEBINAR}, [ola_webinar]),
        ({"activity": WEBINAR, "related_activities": "true"}, [ola_webinar, kari_listening]),
        ({"registration": registration}, [kari_listening]),
        ({"verb": COMPLETED, "activity": LISTENING}, [team, kari_listening]),
        ({"ascending": "true"}, [kari_listening, ola_webinar, team]),
    ]
    for params, expected in table:
        assert ids_of(query(client, auth, **params)) == [s["id"] for s in expected], params


def test_statement_refs_match_the_filters_of_their_target(client, auth):
    """Communication §2.1.3 'Filter Conditions for StatementRefs', the ADL suite's case."""
    s1 = statement()
    s3 = statement(
        actor="ola", verb=ATTENDED, object={"objectType": "StatementRef", "id": s1["id"]}
    )
    s3["verb"] = {"id": "http://example.com/verbs/confirmed"}
    post(client, auth, [s1])
    post(client, auth, [s3])
    s2 = voiding(s1["id"])
    post(client, auth, [s2])
    assert ids_of(query(client, auth, verb=COMPLETED)) == [s2["id"], s3["id"]]
    ben = '{"mbox": "mailto:kari@example.com"}'
    assert ids_of(query(client, auth, agent=ben)) == [s2["id"], s3["id"]]


def test_statement_refs_inherit_from_targets_that_arrive_later_and_chains(client, auth):
    c = statement()
    b = statement(actor="ola", object={"objectType": "StatementRef", "id": c["id"]})
    b["verb"] = {"id": "http://example.com/verbs/confirmed"}
    a = statement(actor="per", object={"objectType": "StatementRef", "id": b["id"]})
    a["verb"] = {"id": "http://example.com/verbs/endorsed"}
    post(client, auth, [a])
    post(client, auth, [b])
    post(client, auth, [c])
    assert ids_of(query(client, auth, activity=LISTENING)) == [c["id"], b["id"], a["id"]]


def test_paging_with_more_links(client, auth):
    sent = [statement() for _ in range(7)]
    for item in sent:
        post(client, auth, item)
    seen: list[str] = []
    page = query(client, auth, limit="3")
    while True:
        seen.extend(ids_of(page))
        if not page["more"]:
            break
        assert page["more"].startswith("/xapi/statements?more=")
        response = client.get(page["more"], headers=auth)
        assert response.status_code == 200
        page = response.get_json()
    assert seen == [s["id"] for s in reversed(sent)]


def test_since_and_until_use_stored_time(client, auth):
    first = statement()
    post(client, auth, first)
    got = client.get("/xapi/statements", query_string={"statementId": first["id"]}, headers=auth)
    stored = got.get_json()["stored"]
    second = statement()
    post(client, auth, second)
    assert ids_of(query(client, auth, since=stored)) == [second["id"]]
    assert ids_of(query(client, auth, until=stored)) == [first["id"]]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": "-1"}, "limit"),
        ({"ascending": "yes"}, "ascending"),
        ({"format": "full"}, "format"),
        ({"agent": "{bad"}, "agent"),
        ({"since": "yesterday"}, "since"),
        ({"registration": "123"}, "registration"),
        ({"StatementId": str(uuid.uuid4())}, "StatementId"),
        ({"statementId": str(uuid.uuid4()), "verb": COMPLETED}, "verb"),
        ({"more": "garbage"}, "more"),
    ],
)
def test_bad_query_parameters_get_400_naming_them(client, auth, params, field):
    response = client.get("/xapi/statements", query_string=params, headers=auth)
    assert response.status_code == 400
    assert response.get_json().get("field") == field
    assert response.headers["X-Experience-API-Consistent-Through"]


def test_formats(client, auth):
    sent = statement()
    post(client, auth, sent)
    ids = query(client, auth, format="ids")["statements"][0]
    assert ids["verb"] == {"id": COMPLETED}
    assert "definition" not in ids["object"]
    canonical = client.get(
        "/xapi/statements",
        query_string={"format": "canonical"},
        headers={**auth, "Accept-Language": "nb"},
    ).get_json()["statements"][0]
    assert canonical["object"]["definition"]["name"] == {"nb": "Aktiv lytting"}


def test_query_headers_and_head(client, auth):
    post(client, auth, statement())
    response = client.get("/xapi/statements", headers=auth)
    assert response.headers["X-Experience-API-Consistent-Through"].endswith("Z")
    assert response.headers["Last-Modified"].endswith("GMT")
    head = client.head("/xapi/statements", headers=auth)
    assert head.status_code == 200
    assert head.data == b""


def test_attachments_true_answers_multipart(client, auth):
    post(client, auth, statement())
    response = client.get("/xapi/statements", query_string={"attachments": "true"}, headers=auth)
    assert response.status_code == 200
    assert response.mimetype == "multipart/mixed"
    assert b'"statements"' in response.data


def test_context_activities_come_back_as_arrays(client, auth):
    sent = statement()
    sent["context"] = {"contextActivities": {"parent": {"id": WEBINAR}}}
    post(client, auth, sent)
    stored = query(client, auth)["statements"][0]
    assert stored["context"]["contextActivities"]["parent"] == [{"id": WEBINAR}]


def test_alternate_syntax_accepts_real_headers_with_form_parameters(client, auth):
    """The ADL suite authenticates with a real header and sends only parameters in the form."""
    post(client, auth, statement())
    response = client.post("/xapi/statements?method=GET", data={"limit": "1"}, headers=auth)
    assert response.status_code == 200
    assert len(response.get_json()["statements"]) == 1


def test_alternate_syntax_is_refused_in_2_0(client, auth):
    response = client.post(
        "/xapi/statements?method=GET",
        data={"limit": "1"},
        headers={**auth, "X-Experience-API-Version": "2.0.0"},
    )
    assert response.status_code == 400


def test_the_version_answered_without_a_header_is_configurable(database_url):
    from lrs_bridge import create_app

    app = create_app({"database_url": database_url, "default_version": "1.0.3"})
    headers = Credentials(app).make()
    del headers["X-Experience-API-Version"]
    response = app.test_client().get("/xapi/statements", headers=headers)
    assert response.status_code == 400
    assert response.headers["X-Experience-API-Version"] == "1.0.3"
    app.extensions["lrs_bridge"].close()


def test_resending_a_statement_without_timestamp_in_a_new_batch_is_a_no_op(client, auth):
    first = statement()
    del first["timestamp"]
    assert post(client, auth, first).status_code == 200
    fresh = statement()
    response = post(client, auth, [fresh, dict(first)])
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == [fresh["id"], first["id"]]
    assert sorted(ids_of(query(client, auth))) == sorted([first["id"], fresh["id"]])
