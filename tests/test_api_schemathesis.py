"""Schemathesis against the published ``/api/v1/openapi.json``: every operation, with an
admin credential, through the WSGI app on both databases; no input may give a 5xx.

Run with ``-s`` to see the operation and example counts.
"""

from __future__ import annotations

import os

import hypothesis
import pytest
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.experimental import OPEN_API_3_1
from schemathesis.runner import events, from_schema

from tests.factories import agent, aligned

#: Examples per operation: about 30 operations, so well under two minutes per database
#: (a deeper run: ``LRS_BRIDGE_TEST_SCHEMATHESIS_EXAMPLES=500``).
EXAMPLES = int(os.environ.get("LRS_BRIDGE_TEST_SCHEMATHESIS_EXAMPLES", "40"))


@schemathesis.serializer("text/csv")
class _Csv:
    """The directory import's body: generated strings are sent as they are."""

    def as_requests(self, context, value):
        return {"data": str(value)}

    def as_werkzeug(self, context, value):
        return {"data": str(value)}


@pytest.fixture
def admin_headers(client, creds):
    """An admin credential, and a learner with evidence so some ids and teams exist."""
    auth = creds.make("all")
    response = client.post(
        "/xapi/statements",
        json=[aligned(agent("kari"), "https://lrs-bridge.dev/competency/empathy")],
        headers=auth,
    )
    assert response.status_code == 200, response.get_json()
    admin = creds.make("admin")
    return {"Authorization": admin["Authorization"]}


def test_no_generated_request_gives_a_server_error(app, admin_headers):
    OPEN_API_3_1.enable()
    schema = schemathesis.from_wsgi("/api/v1/openapi.json", app, headers=admin_headers)
    runner = from_schema(
        schema,
        checks=(not_a_server_error,),
        headers=admin_headers,
        hypothesis_settings=hypothesis.settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(hypothesis.HealthCheck),
            database=None,
        ),
    )
    operations = 0
    examples = 0
    failures: list[str] = []
    errors: list[str] = []
    for event in runner.execute():
        if isinstance(event, events.AfterExecution):
            operations += 1
            result = event.result
            examples += sum(1 for check in result.checks if check.name == "not_a_server_error")
            for check in result.checks:
                if check.value.name == "failure":
                    code = check.response.status_code if check.response else "?"
                    failures.append(
                        f"{result.verbose_name}: {code} {check.message} "
                        f"query={check.example.query!r} body={check.example.body!r}"
                    )
            errors.extend(f"{result.verbose_name}: {error.exception}" for error in result.errors)
    print(
        f"\nschemathesis: {operations} operations, {examples} examples, "
        f"{len(failures)} server errors, {len(errors)} errors"
    )
    assert not errors, errors
    assert operations >= 30
    assert examples >= operations * 5  # the document gives enough to generate real inputs
    assert not errors, errors
    assert not failures, sorted(set(failures))
