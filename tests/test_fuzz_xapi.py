"""Property: no query string or header on GET /xapi/statements (and the document resources)
gives a 5xx, and every 400 names the parameter or header at fault.

Hypothesis draws the parameters the spec defines with values that are nearly right
(Unicode digits, signs, huge numbers, broken JSON agents, odd timestamps and UUIDs) and
plain noise; headers likewise. The store holds a few statements, so queries do real work.
"""

from __future__ import annotations

import json
import uuid
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lrs_bridge.services.statements import QUERY_PARAMETERS
from tests.factories import agent, statement

#: Headers a client may send to the Statement resource.
HEADER_NAMES = (
    "X-Experience-API-Version",
    "Accept-Language",
    "If-Match",
    "If-None-Match",
    "Content-Type",
)
#: Parameters a 400 may name although the request lacked them (they are required).
KNOWN_NAMES = {
    *QUERY_PARAMETERS,
    *HEADER_NAMES,
    "activityId",
    "agent",
    "stateId",
    "profileId",
}
FUZZ = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

numbers = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(["²", "٣", "1²", "+1", " 7", "7 ", "1_000", "0x10", "1e3", "-0", "", "½"]),
)
timestamps = st.one_of(
    st.sampled_from(
        [
            "2026-01-15T10:00:00Z",
            "2026-13-45T25:61:61Z",
            "0000-01-01T00:00:00Z",
            "9999-12-31T23:59:59.999999+14:00",
            "2026-01-15T10:00:00",
            "T",
            "2026-01-15T10:00:00+99:99",
        ]
    ),
    st.datetimes().map(lambda d: d.isoformat() + "Z"),
    st.text(max_size=30),
)
agents = st.one_of(
    st.just(json.dumps(agent("kari"))),
    st.builds(
        lambda key, value: json.dumps({"objectType": "Agent", key: value}),
        st.sampled_from(["mbox", "mbox_sha1sum", "openid", "account", "name", "member"]),
        st.one_of(st.text(max_size=20), st.integers(), st.none(), st.lists(st.integers())),
    ),
    st.recursive(
        st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=10)),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
        max_leaves=8,
    ).map(json.dumps),
    st.text(max_size=30),
)
values = {
    "limit": numbers,
    "since": timestamps,
    "until": timestamps,
    "agent": agents,
    "registration": st.one_of(st.uuids().map(str), st.text(max_size=40)),
    "statementId": st.one_of(st.uuids().map(str), st.text(max_size=40)),
    "voidedStatementId": st.one_of(st.uuids().map(str), st.text(max_size=40)),
    "verb": st.one_of(st.just("http://adlnet.gov/expapi/verbs/completed"), st.text(max_size=30)),
    "activity": st.one_of(st.just("https://lms.example.com/modules/a"), st.text(max_size=30)),
    "format": st.one_of(st.sampled_from(["exact", "ids", "canonical"]), st.text(max_size=10)),
    "more": st.text(max_size=60),
}
for flag in ("attachments", "ascending", "related_agents", "related_activities"):
    values[flag] = st.one_of(st.sampled_from(["true", "false", "TRUE", "1"]), st.text(max_size=6))

parameters = st.dictionaries(
    st.one_of(st.sampled_from(sorted(QUERY_PARAMETERS)), st.text(min_size=1, max_size=12)),
    st.text(max_size=20),
    max_size=4,
).flatmap(
    lambda noise: st.fixed_dictionaries(
        {},
        optional={name: strategy for name, strategy in values.items()},
    ).map(lambda spec: {**noise, **spec})
)
latin1 = st.text(
    alphabet=st.characters(min_codepoint=32, max_codepoint=255, exclude_characters="\x7f"),
    max_size=40,
)
header_sets = st.fixed_dictionaries(
    {},
    optional={
        "X-Experience-API-Version": st.one_of(
            st.sampled_from(["1.0.3", "1.0.0", "1.0", "2.0.0", "2.0", "1.0.9", "3.0.0", ""]),
            latin1,
        ),
        **{name: latin1 for name in HEADER_NAMES[1:]},
    },
)
raw_query = st.binary(max_size=60).map(lambda b: quote(b, safe="=&%+;"))


def named(body: dict, sent: set[str]) -> bool:
    """A 400 says which parameter or header (or, for an agent, which path in it) is wrong:
    one that was sent, or one that is required and was not."""
    where = body.get("field") or body.get("path") or ""
    known = sent | KNOWN_NAMES
    return bool(where) and any(where == name or where.startswith(name) for name in known)


@pytest.fixture
def seeded(client, auth):
    response = client.post("/xapi/statements", json=[statement() for _ in range(3)], headers=auth)
    assert response.status_code == 200, response.get_json()
    return client, auth


@FUZZ
@given(args=parameters, extra=header_sets)
def test_statement_queries_never_fail_on_the_server(seeded, args, extra):
    client, auth = seeded
    response = client.get("/xapi/statements", query_string=args, headers={**auth, **extra})
    assert response.status_code < 500, (args, extra, response.get_data(as_text=True))
    if response.status_code == 400:
        body = response.get_json()
        assert named(body, set(args) | set(extra) | {"$"}), (args, extra, body)


@FUZZ
@given(query=raw_query)
def test_raw_query_strings_never_fail_on_the_server(seeded, query):
    """Broken percent-encoding, stray separators, bytes that are not UTF-8."""
    client, auth = seeded
    response = client.get(f"/xapi/statements?{query}", headers=auth)
    assert response.status_code < 500, (query, response.get_data(as_text=True))


document_parameters = st.fixed_dictionaries(
    {},
    optional={
        "activityId": st.one_of(st.just("https://lms.example.com/modules/a"), st.text(max_size=20)),
        "agent": agents,
        "registration": values["registration"],
        "stateId": st.text(max_size=20),
        "profileId": st.text(max_size=20),
        "since": timestamps,
    },
)


@FUZZ
@given(
    resource=st.sampled_from(["activities/state", "activities/profile", "agents/profile"]),
    args=document_parameters,
    method=st.sampled_from(["GET", "DELETE"]),
)
def test_document_queries_never_fail_on_the_server(seeded, resource, args, method):
    client, auth = seeded
    response = client.open(f"/xapi/{resource}", method=method, query_string=args, headers=auth)
    assert response.status_code < 500, (resource, args, response.get_data(as_text=True))
    if response.status_code == 400:
        assert named(response.get_json(), set(args) | {"$"}), (args, response.get_json())


@pytest.mark.parametrize(
    ("limit", "field"),
    [("²", "limit"), ("٣", "limit"), ("-1", "limit"), ("+1", "limit"), (" 1", "limit")],
)
def test_a_limit_that_is_not_ascii_digits_is_a_400_naming_it(client, auth, limit, field):
    response = client.get("/xapi/statements", query_string={"limit": limit}, headers=auth)
    assert response.status_code == 400
    assert response.get_json()["field"] == field


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/learners?offset=-1", "offset"),
        ("/api/v1/learners?limit=%C2%B2", "limit"),
        ("/api/v1/learners?offset=99999999999999999999", "offset"),
        ("/api/v1/assignments?offset=-1", "offset"),
        ("/api/v1/assignments?learner=%C2%B2", "learner"),
        ("/api/v1/assignments?learner=99999999999", "learner"),
    ],
)
def test_listing_pages_refuse_bad_numbers_with_a_400_naming_them(client, auth, path, field):
    response = client.get(path, headers=auth)
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.get_json()["field"] == field


def test_a_row_id_beyond_the_database_range_is_not_found(client, creds):
    auth = creds.make("admin")
    for path in (
        "/api/v1/learners/99999999999",
        "/api/v1/learners/²",
        "/api/v1/assignments/3000000000",
    ):
        assert client.get(path, headers=auth).status_code == 404, path
    response = client.patch("/api/v1/learners/1", json={"manager_id": 99999999999}, headers=auth)
    assert response.status_code == 400
    assert response.get_json()["field"] == "manager_id"


def test_fuzz_sees_a_valid_query_work(seeded):
    """The strategies are not all noise: the shapes they build do reach real results."""
    client, auth = seeded
    response = client.get(
        "/xapi/statements",
        query_string={"agent": json.dumps(agent("kari")), "limit": "2", "ascending": "true"},
        headers=auth,
    )
    assert response.status_code == 200
    assert len(response.get_json()["statements"]) == 2
    assert uuid.UUID(response.get_json()["statements"][0]["id"])
