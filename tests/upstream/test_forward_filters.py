"""Which accepted statements are queued for which upstream, decided at ingest in the
statement's transaction (both databases). Every non-empty filter must match; a list is any-of."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import ATTENDED, COMPLETED, agent, aligned, statement
from tests.upstream.forwarding import Local

COURSES = "https://lms.example.com/courses/"
WEBINARS = "https://example.com/cs-training/webinars/"
ASSERTED = "https://w3id.org/xapi/tla/verbs/asserted"
#: A competency of the default framework (its evidence changes Kari's state).
EVIDENCED = "https://lrs-bridge.dev/competency/active-listening"


@pytest.fixture
def local(app, client) -> Local:
    return Local(app, client)


def _with_platform(platform: str) -> dict[str, Any]:
    return {"context": {"platform": platform}}


# (upstream filter, the statement, sent by the filtered credential?, queued?)
CASES = [
    ("no filter: everything", {}, {}, True, True),
    ("verb listed", {"verbs": (COMPLETED,)}, {"verb": COMPLETED}, True, True),
    ("verb not listed", {"verbs": (COMPLETED,)}, {"verb": ATTENDED}, True, False),
    ("any of the verbs", {"verbs": (ATTENDED, COMPLETED)}, {"verb": ATTENDED}, True, True),
    (
        "activity prefix of the object",
        {"activity_prefixes": (COURSES,)},
        {"activity": COURSES + "listening"},
        True,
        True,
    ),
    (
        "activity prefix of a context activity",
        {"activity_prefixes": (COURSES,)},
        {"activity": "https://other.example.com/a", "parent": COURSES + "programme"},
        True,
        True,
    ),
    (
        "no activity with the prefix",
        {"activity_prefixes": (COURSES,)},
        {"activity": WEBINARS + "one"},
        True,
        False,
    ),
    ("platform listed", {"platforms": ("Moodle",)}, _with_platform("Moodle"), True, True),
    ("other platform", {"platforms": ("Moodle",)}, _with_platform("Zoom"), True, False),
    ("no platform at all", {"platforms": ("Moodle",)}, {}, True, False),
    ("credential listed", {"credentials": ("<filtered>",)}, {}, True, True),
    ("credential not listed", {"credentials": ("<filtered>",)}, {}, False, False),
    (
        "all filters match",
        {"verbs": (COMPLETED,), "activity_prefixes": (WEBINARS,), "platforms": ("Zoom",)},
        {"verb": COMPLETED, "activity": WEBINARS + "x", **_with_platform("Zoom")},
        True,
        True,
    ),
    (
        "one filter of several fails",
        {"verbs": (COMPLETED,), "activity_prefixes": (WEBINARS,), "platforms": ("Zoom",)},
        {"verb": COMPLETED, "activity": WEBINARS + "x", **_with_platform("Moodle")},
        True,
        False,
    ),
    ("direction pull: never", {"direction": "pull"}, {}, True, False),
    ("direction both", {"direction": "both"}, {}, True, True),
    ("disabled: never", {"enabled": False}, {}, True, False),
]


@pytest.mark.parametrize(
    ("filters", "fields", "by_filtered", "queued"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_an_upstreams_filter_decides_what_is_queued_for_it(
    local: Local, filters: dict[str, Any], fields: dict[str, Any], by_filtered: bool, queued: bool
):
    _, filtered_key, filtered_auth = local.credential("lms")
    if filters.get("credentials"):
        filters = {**filters, "credentials": (filtered_key,)}
    upstream = local.add_upstream("http://127.0.0.1:9/xapi/", "k", "s", **filters)
    sent = statement(**fields)

    local.post([sent], auth=filtered_auth if by_filtered else local.auth)

    assert local.queued_ids(upstream) == ([sent["id"]] if queued else [])


def test_a_statement_pulled_from_an_upstream_is_not_forwarded_back_to_it(local: Local):
    pull_credential, _, pulled_auth = local.credential("pulled-from-lms-lrs")
    origin = local.add_upstream(
        "http://127.0.0.1:9/xapi/", "k", "s", direction="both", pull_credential_id=pull_credential
    )
    other = local.add_upstream("http://127.0.0.1:9/other/", "k", "s")
    pulled, received = statement(), statement()

    local.post([pulled], auth=pulled_auth)
    local.post([received])

    assert local.queued_ids(origin) == [received["id"]]
    assert local.queued_ids(other) == [pulled["id"], received["id"]]


def test_each_statement_of_a_batch_is_queued_for_each_upstream_that_wants_it(local: Local):
    completions = local.add_upstream("http://127.0.0.1:9/a/", "k", "s", verbs=(COMPLETED,))
    everything = local.add_upstream("http://127.0.0.1:9/b/", "k", "s")
    batch = [statement(verb=COMPLETED if n % 3 else ATTENDED) for n in range(500)]

    local.post(batch)

    assert local.queued_ids(everything) == [s["id"] for s in batch]
    assert local.queued_ids(completions) == [s["id"] for s in batch if s["verb"]["id"] == COMPLETED]
    rows = local.outbox(everything)
    assert {(row.status, row.attempts, row.first_failure_us) for row in rows} == {
        ("pending", 0, None)
    }
    assert all(row.next_attempt_us == row.queued_us for row in rows)


def test_a_rejected_batch_queues_nothing(local: Local):
    upstream = local.add_upstream("http://127.0.0.1:9/xapi/", "k", "s")
    bad = statement()
    del bad["verb"]

    response = local.client.post("/xapi/statements", json=[statement(), bad], headers=local.auth)

    assert response.status_code == 400
    assert local.queued_ids(upstream) == []


def test_competency_assertions_lrs_bridge_writes_are_queued_like_received_statements(
    database_url: str,
):
    """The TLA ``asserted`` statements commit in the same transaction as the evidence that
    caused them, with their own outbox rows; a credential-filtered upstream does not get them
    (no credential sent them)."""
    from lrs_bridge import create_app

    app = create_app({"database_url": database_url, "emit_competency_statements": True})
    try:
        local = Local(app, app.test_client())
        everything = local.add_upstream("http://127.0.0.1:9/a/", "k", "s")
        assertions = local.add_upstream("http://127.0.0.1:9/b/", "k", "s", verbs=(ASSERTED,))
        only_lms = local.add_upstream("http://127.0.0.1:9/c/", "k", "s", credentials=(local.key,))
        kari = agent("kari")
        [sent] = local.post([aligned(kari, EVIDENCED, when="2026-01-15T10:00:00Z")])

        [assertion] = local.queued_ids(assertions)
        assert local.queued_ids(everything) == [sent, assertion]
        assert local.queued_ids(only_lms) == [sent]
    finally:
        app.extensions["lrs_bridge"].close()
