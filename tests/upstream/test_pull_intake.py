"""A pulled page through the real intake (both databases): what is stored, what is skipped.

The attachment parts are handed over as a client's ``fetch(attachments=True)`` gives them.
"""

from __future__ import annotations

import hashlib

import pytest

from lrs_bridge.auth import create_credential, principal_of
from lrs_bridge.runtime import Runtime
from lrs_bridge.services.pull_intake import PageIntake
from lrs_bridge.upstream.client import AttachmentPart
from lrs_bridge.xapi.timefmt import now_us
from tests.factories import statement, voiding

CONTENT = b"a certificate, as the upstream holds it"
SHA2 = hashlib.sha256(CONTENT).hexdigest()


@pytest.fixture
def runtime(app) -> Runtime:
    return app.extensions["lrs_bridge"]


@pytest.fixture
def intake(runtime) -> PageIntake:
    return PageIntake(runtime.statements, runtime.attachments.spool_directory)


@pytest.fixture
def principal(runtime):
    record, _ = create_credential(
        runtime.store, name="upstream:test", scopes="statements/write", now_us=now_us()
    )
    return principal_of(record)


def with_attachment() -> dict:
    return {
        **statement(),
        "attachments": [
            {
                "usageType": "http://id.tincanapi.com/attachment/certificate",
                "display": {"en-US": "Certificate"},
                "contentType": "text/plain",
                "length": len(CONTENT),
                "sha2": SHA2,
            }
        ],
    }


def test_attachment_parts_are_stored_with_their_statement(runtime, intake, principal):
    carrying = with_attachment()
    part = AttachmentPart(sha2=SHA2, content_type="text/plain", content=CONTENT)

    outcome = intake.store(
        [carrying, statement()], principal=principal, version="1.0.3", parts={SHA2: part}
    )

    assert outcome.new == 2 and outcome.skipped == []
    stored = runtime.store.find_statements([carrying["id"]])[carrying["id"]]
    [held] = runtime.attachments.for_statements([stored.seq])
    assert held.sha2 == SHA2
    assert b"".join(runtime.attachments.open(held)) == CONTENT


@pytest.mark.parametrize(
    ("parts", "why"),
    [
        pytest.param({}, "needs its content", id="content missing"),
        pytest.param(
            {SHA2: AttachmentPart(sha2=SHA2, content_type="text/plain", content=b"tampered")},
            "needs its content",
            id="content that does not match its hash",
        ),
    ],
)
def test_a_statement_whose_attachment_content_is_missing_is_skipped(
    runtime, intake, principal, parts, why
):
    carrying = with_attachment()
    others = [statement() for _ in range(5)]

    outcome = intake.store(
        [*others[:2], carrying, *others[2:]], principal=principal, version="1.0.3", parts=parts
    )

    assert outcome.new == 5
    assert [item.id for item in outcome.skipped] == [carrying["id"]]
    assert why in outcome.skipped[0].reason
    assert set(runtime.store.find_statements([s["id"] for s in others])) == {
        s["id"] for s in others
    }


def test_an_invalid_statement_is_skipped_naming_the_rule(runtime, intake, principal):
    bad = {**statement(), "verb": {"id": "not an IRI"}}
    good = statement()

    outcome = intake.store([bad, good], principal=principal, version="1.0.3", parts={})

    assert outcome.new == 1
    assert [item.id for item in outcome.skipped] == [bad["id"]]
    assert "verb" in outcome.skipped[0].reason
    assert list(runtime.store.find_statements([bad["id"], good["id"]])) == [good["id"]]


def test_a_statement_without_id_is_skipped_rather_than_given_a_new_one_each_pull(intake, principal):
    nameless = statement()
    del nameless["id"]

    outcome = intake.store([nameless], principal=principal, version="1.0.3", parts={})

    assert outcome.new == 0
    assert "without id" in outcome.skipped[0].reason


def test_a_voiding_statement_split_from_its_target_still_follows_it(runtime, intake, principal):
    """Split around a bad statement, the halves keep the upstream's order."""
    target = statement()
    bad = {**statement(), "verb": {"id": "http://adlnet.gov/expapi/verbs/voided"}}  # no ref
    page = [target, bad, voiding(target["id"]), statement()]

    outcome = intake.store(page, principal=principal, version="1.0.3", parts={})

    assert outcome.new == 3
    assert [item.id for item in outcome.skipped] == [bad["id"]]
    assert runtime.store.find_statements([target["id"]])[target["id"]].voided


def test_a_page_stored_again_is_new_for_nothing(intake, principal):
    page = [statement() for _ in range(4)]
    assert intake.store(page, principal=principal, version="1.0.3", parts={}).new == 4
    assert intake.store(page, principal=principal, version="1.0.3", parts={}).new == 0
