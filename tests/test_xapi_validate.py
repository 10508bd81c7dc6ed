"""Specification of Statement validation, one table per xAPI Data section.

Each invalid case names the JSON path the error must point at and a word its rule
must contain, so producers get an actionable message. Valid cases are legal inputs
an LRS must accept (many taken from the ADL conformance suite or the spec).
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

from lrs_bridge.errors import BadRequest, InvalidStatement
from lrs_bridge.xapi.validate import (
    SUPPORTED_VERSIONS,
    decode_statements,
    validate_agent,
    validate_statement,
    version_family,
)

CORPUS = Path(__file__).parents[1].parent / "shared" / "corpus"
UUID = "fd41c918-b88b-4b20-a0a5-a4c32391aaa0"
OTHER_ID = "6690e6c9-3ef0-4ed3-8b37-7f3964730bee"
DROP = object()  # marks a property to delete

BASE: dict[str, Any] = {
    "id": UUID,
    "actor": {"objectType": "Agent", "name": "Ann", "mbox": "mailto:ann@example.com"},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/answered", "display": {"en-US": "answered"}},
    "object": {
        "objectType": "Activity",
        "id": "http://example.com/q/1",
        "definition": {
            "name": {"en-US": "Question 1"},
            "description": {"en-US": "Pick one"},
            "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
            "moreInfo": "http://example.com/q/1/info",
            "interactionType": "choice",
            "correctResponsesPattern": ["a"],
            "choices": [
                {"id": "a", "description": {"en-US": "A"}},
                {"id": "b", "description": {"en-US": "B"}},
            ],
            "extensions": {"http://example.com/ext/x": 1},
        },
    },
    "result": {
        "score": {"scaled": 0.5, "raw": 5, "min": 0, "max": 10},
        "success": True,
        "completion": True,
        "response": "a",
        "duration": "PT1M30.5S",
        "extensions": {"http://example.com/ext/r": None},
    },
    "context": {
        "registration": "ec531277-b57b-4c15-8d91-d292c5b2b8f7",
        "instructor": {"account": {"homePage": "http://example.com", "name": "teach"}},
        "team": {"objectType": "Group", "name": "Team", "member": [{"mbox": "mailto:b@ex.com"}]},
        "contextActivities": {"parent": [{"id": "http://example.com/course"}]},
        "revision": "r1",
        "platform": "web",
        "language": "en-US",
        "statement": {"objectType": "StatementRef", "id": UUID},
        "extensions": {"http://example.com/ext/c": {"any": ["thing"]}},
    },
    "timestamp": "2024-05-01T10:00:00.123Z",
}

ANON_GROUP = {"objectType": "Group", "member": [{"mbox": "mailto:a@ex.com"}]}
SUB = {
    "objectType": "SubStatement",
    "actor": {"mbox": "mailto:ann@example.com"},
    "verb": {"id": "http://example.com/verbs/plan"},
    "object": {"id": "http://example.com/a"},
}
ATTACHMENT = {
    "usageType": "http://adlnet.gov/expapi/attachments/signature",
    "display": {"en-US": "Signature"},
    "contentType": "application/octet-stream",
    "length": 4235,
    "sha2": "672fa5fa658017f1b72d65036f13379c6ab05d4ab3b6664908d8acf0b6a0c634",
    "fileUrl": "http://example.com/sig",
}

_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _tokens(path: str) -> list[str | int]:
    return [int(i) if i else key for key, i in _TOKEN.findall(path)]


def make(changes: dict[str, Any] | None = None, base: dict[str, Any] | None = None) -> Any:
    """A deep copy of BASE with ``{"a.b[0].c": value}`` set (or removed with DROP)."""
    statement = copy.deepcopy(BASE if base is None else base)
    for path, value in (changes or {}).items():
        *parents, last = _tokens(path)
        node = statement
        for token in parents:
            node = node[token]
        if value is DROP:
            del node[last]
        else:
            node[last] = copy.deepcopy(value)
    return statement


def assert_invalid(statement: Any, path: str, word: str, version: str = "1.0.3") -> None:
    with pytest.raises(InvalidStatement) as caught:
        validate_statement(statement, version=version)
    assert caught.value.path == path, caught.value.rule
    assert word.lower() in caught.value.rule.lower(), caught.value.rule


# (changes, expected path, word in the rule)
Case = tuple[dict[str, Any], str, str]

STATEMENT_INVALID: dict[str, Case] = {
    "unknown-top-level": ({"foo": 1}, "$.foo", "not allowed"),
    "null-top-level": ({"result": None}, "$.result", "null"),
    "missing-actor": ({"actor": DROP}, "$.actor", "required"),
    "missing-verb": ({"verb": DROP}, "$.verb", "required"),
    "missing-object": ({"object": DROP}, "$.object", "required"),
    "id-not-uuid": ({"id": "not-a-uuid"}, "$.id", "UUID"),
    "id-too-long": ({"id": "AA97B177-9383-4934-8543-0F91A7A028368"}, "$.id", "UUID"),
    "id-number": ({"id": 12345}, "$.id", "UUID"),
    "stored-bad": ({"stored": "yesterday"}, "$.stored", "ISO 8601"),
    "objectType-on-statement": ({"objectType": "Statement"}, "$.objectType", "not allowed"),
}

ACTOR_INVALID: dict[str, Case] = {
    "actor-number": ({"actor": 5}, "$.actor", "Agent or a Group"),
    "actor-list": ({"actor": []}, "$.actor", "Agent or a Group"),
    "two-ifis": ({"actor.openid": "http://openid.example.org/1"}, "$.actor", "exactly one"),
    "no-ifi": ({"actor.mbox": DROP}, "$.actor", "inverse functional identifier"),
    "mbox-not-mailto": ({"actor.mbox": "http://should.fail.com"}, "$.actor.mbox", "mailto"),
    "mbox-no-address": ({"actor.mbox": "mailto:should.fail.com"}, "$.actor.mbox", "mailto"),
    "sha1-short": (
        {"actor": {"mbox_sha1sum": "cd9b00a5611f94eaa7b1661edab97606"}},
        "$.actor.mbox_sha1sum",
        "SHA-1",
    ),
    "openid-no-scheme": ({"actor": {"openid": "openid.example.org"}}, "$.actor.openid", "IRI"),
    "account-missing-name": (
        {"actor": {"account": {"homePage": "http://example.com"}}},
        "$.actor.account.name",
        "required",
    ),
    "account-extra": (
        {"actor": {"account": {"homePage": "http://a.com", "name": "x", "id": 1}}},
        "$.actor.account.id",
        "not allowed",
    ),
    "account-homepage-not-iri": (
        {"actor": {"account": {"homePage": "ab=c://should.fail.com", "name": "x"}}},
        "$.actor.account.homePage",
        "IRI",
    ),
    "account-name-object": (
        {"actor": {"account": {"homePage": "http://a.com", "name": {"k": "v"}}}},
        "$.actor.account.name",
        "string",
    ),
    "objectType-lowercase": ({"actor.objectType": "agent"}, "$.actor.objectType", "Agent"),
    "objectType-number": ({"actor.objectType": 123}, "$.actor.objectType", "Agent"),
    "name-number": ({"actor.name": 123}, "$.actor.name", "string"),
    "agent-with-member": ({"actor.member": []}, "$.actor.member", "not allowed"),
    "anonymous-group-no-member": (
        {"actor": {"objectType": "Group", "name": "g"}},
        "$.actor.member",
        "anonymous Group",
    ),
    "group-member-not-array": (
        {"actor": {"objectType": "Group", "member": {"mbox": "mailto:a@ex.com"}}},
        "$.actor.member",
        "array",
    ),
    "group-in-group": (
        {"actor": {"objectType": "Group", "member": [ANON_GROUP]}},
        "$.actor.member[0].objectType",
        "not Groups",
    ),
    "group-member-two-ifis": (
        {
            "actor": {
                "objectType": "Group",
                "member": [{"mbox": "mailto:a@ex.com", "openid": "http://o.example/1"}],
            }
        },
        "$.actor.member[0]",
        "exactly one",
    ),
    "group-two-ifis": (
        {
            "actor": {
                "objectType": "Group",
                "mbox": "mailto:g@ex.com",
                "openid": "http://o.example/1",
            }
        },
        "$.actor",
        "at most one",
    ),
    "authority-group-of-one": (
        {"authority": {"objectType": "Group", "member": [{"mbox": "mailto:a@ex.com"}]}},
        "$.authority.member",
        "exactly two",
    ),
    "authority-identified-group": (
        {
            "authority": {
                "objectType": "Group",
                "mbox": "mailto:g@ex.com",
                "member": [{"mbox": "mailto:a@ex.com"}, {"mbox": "mailto:b@ex.com"}],
            }
        },
        "$.authority",
        "anonymous",
    ),
}

VERB_INVALID: dict[str, Case] = {
    "verb-missing-id": ({"verb.id": DROP}, "$.verb.id", "required"),
    "verb-id-no-scheme": (
        {"verb.id": "adlnet.gov/expapi/verbs/answered"},
        "$.verb.id",
        "IRI",
    ),
    "verb-display-string": ({"verb.display": "answered"}, "$.verb.display", "language map"),
    "verb-display-bad-tag": (
        {"verb.display": {"a12345": "answered"}},
        "$.verb.display.a12345",
        "RFC 5646",
    ),
    "verb-display-number-value": ({"verb.display": {"en": 1}}, "$.verb.display.en", "string"),
    "verb-extra": ({"verb.name": "x"}, "$.verb.name", "not allowed"),
}

OBJECT_INVALID: dict[str, Case] = {
    "object-list": ({"object": []}, "$.object", "JSON object"),
    "object-bad-objectType": ({"object.objectType": "Thing"}, "$.object.objectType", "one of"),
    "activity-missing-id": ({"object.id": DROP}, "$.object.id", "required"),
    "activity-id-no-scheme": ({"object.id": "**HOMEPAGE**/x"}, "$.object.id", "IRI"),
    "activity-extensions-misplaced": (
        {"object.extensions": {}},
        "$.object.extensions",
        "not allowed",
    ),
    "definition-name-string": (
        {"object.definition.name": "Q1"},
        "$.object.definition.name",
        "language map",
    ),
    "definition-type-no-scheme": (
        {"object.definition.type": "example.com/type"},
        "$.object.definition.type",
        "IRI",
    ),
    "definition-moreInfo-no-scheme": (
        {"object.definition.moreInfo": "info"},
        "$.object.definition.moreInfo",
        "IRI",
    ),
    "extension-key-not-iri": (
        {"object.definition.extensions": {"should fail": True}},
        "$.object.definition.extensions.should fail",
        "IRI",
    ),
    "agent-object-without-objectType": (
        {"object": {"mbox": "mailto:a@ex.com"}},
        "$.object.objectType",
        "objectType",
    ),
    "statementref-bad-id": (
        {"object": {"objectType": "StatementRef", "id": "x"}},
        "$.object.id",
        "UUID",
    ),
    "statementref-missing-id": (
        {"object": {"objectType": "StatementRef"}},
        "$.object.id",
        "required",
    ),
    "revision-with-agent-object": (
        {"object": {"objectType": "Agent", "mbox": "mailto:x@ex.com"}},
        "$.context.revision",
        "Activity",
    ),
}

INTERACTION_INVALID: dict[str, Case] = {
    "interactionType-wrong-case": (
        {"object.definition.interactionType": "Choice"},
        "$.object.definition.interactionType",
        "interactionType",
    ),
    "interactionType-number": (
        {"object.definition.interactionType": 1},
        "$.object.definition.interactionType",
        "string",
    ),
    "components-without-interactionType": (
        {"object.definition.interactionType": DROP},
        "$.object.definition.correctResponsesPattern",
        "interactionType",
    ),
    "scale-on-choice": (
        {"object.definition.scale": [{"id": "1"}]},
        "$.object.definition.scale",
        "not allowed for interactionType",
    ),
    "choices-on-true-false": (
        {"object.definition.interactionType": "true-false"},
        "$.object.definition.choices",
        "not allowed for interactionType",
    ),
    "crp-not-array": (
        {"object.definition.correctResponsesPattern": "a"},
        "$.object.definition.correctResponsesPattern",
        "array",
    ),
    "crp-item-number": (
        {"object.definition.correctResponsesPattern": [1]},
        "$.object.definition.correctResponsesPattern[0]",
        "string",
    ),
    "component-duplicate-id": (
        {"object.definition.choices[1].id": "a"},
        "$.object.definition.choices[1].id",
        "unique",
    ),
    "component-missing-id": (
        {"object.definition.choices[0].id": DROP},
        "$.object.definition.choices[0].id",
        "required",
    ),
    "component-id-number": (
        {"object.definition.choices[0].id": 1},
        "$.object.definition.choices[0].id",
        "string",
    ),
    "component-description-string": (
        {"object.definition.choices[0].description": "A"},
        "$.object.definition.choices[0].description",
        "language map",
    ),
    "component-extra": (
        {"object.definition.choices[0].name": {"en": "A"}},
        "$.object.definition.choices[0].name",
        "not allowed",
    ),
}

RESULT_INVALID: dict[str, Case] = {
    "scaled-above-1": ({"result.score.scaled": 1.01}, "$.result.score.scaled", "between -1 and 1"),
    "scaled-below-minus-1": ({"result.score.scaled": -2}, "$.result.score.scaled", "-1"),
    "raw-above-max": ({"result.score.raw": 11}, "$.result.score.raw", "max"),
    "raw-below-min": ({"result.score.raw": -1}, "$.result.score.raw", "min"),
    "min-equals-max": ({"result.score.min": 10}, "$.result.score.max", "greater than min"),
    "raw-string": ({"result.score.raw": "5"}, "$.result.score.raw", "number"),
    "scaled-boolean": ({"result.score.scaled": True}, "$.result.score.scaled", "number"),
    "success-string": ({"result.success": "true"}, "$.result.success", "boolean"),
    "completion-number": ({"result.completion": 1}, "$.result.completion", "boolean"),
    "response-number": ({"result.response": 1}, "$.result.response", "string"),
    "duration-bad": ({"result.duration": "PA1H0M0S"}, "$.result.duration", "ISO 8601"),
    "duration-time-format": ({"result.duration": "01:30:00"}, "$.result.duration", "duration"),
    "duration-empty-T": ({"result.duration": "P1DT"}, "$.result.duration", "duration"),
    "duration-fraction-not-last": ({"result.duration": "PT1.5H2M"}, "$.result.duration", "ISO"),
    "score-extra": ({"result.score.percent": 50}, "$.result.score.percent", "not allowed"),
    "result-extra": ({"result.passed": True}, "$.result.passed", "not allowed"),
}

CONTEXT_INVALID: dict[str, Case] = {
    "registration-not-uuid": (
        {"context.registration": "MA97B177-9383-4934-8543-0F91A7A02836"},
        "$.context.registration",
        "UUID",
    ),
    "team-agent": (
        {"context.team": {"mbox": "mailto:a@ex.com"}},
        "$.context.team",
        "Group",
    ),
    "instructor-bad": ({"context.instructor": {"key": "x"}}, "$.context.instructor.key", "allowed"),
    "contextActivities-unknown-key": (
        {"context.contextActivities.sibling": []},
        "$.context.contextActivities.sibling",
        "not allowed",
    ),
    "contextActivities-activity-no-id": (
        {"context.contextActivities.parent": [{"objectType": "Activity"}]},
        "$.context.contextActivities.parent[0].id",
        "required",
    ),
    "contextActivities-string": (
        {"context.contextActivities.parent": "http://example.com/course"},
        "$.context.contextActivities.parent",
        "JSON object",
    ),
    "language-bad": ({"context.language": "a12345678"}, "$.context.language", "RFC 5646"),
    "revision-number": ({"context.revision": 1}, "$.context.revision", "string"),
    "statement-not-ref": (
        {"context.statement": {"id": UUID}},
        "$.context.statement.objectType",
        "required",
    ),
    "context-extension-key-in-context": (
        {"context": {**BASE["context"], "http://xapi.jisc.ac.uk/recipeCat": "x"}},
        "$.context.http://xapi.jisc.ac.uk/recipeCat",
        "not allowed",
    ),
    "contextAgents-in-1.0.3": ({"context.contextAgents": []}, "$.context.contextAgents", "allowed"),
    "platform-with-statementref-object": (
        {"object": {"objectType": "StatementRef", "id": UUID}, "context.revision": DROP},
        "$.context.platform",
        "only allowed when the object is an Activity",
    ),
}

TIMESTAMP_INVALID: dict[str, Case] = {
    "placeholder": ({"timestamp": "**TIMESTAMP**"}, "$.timestamp", "ISO 8601"),
    "date-only": ({"timestamp": "2024-05-01"}, "$.timestamp", "timestamp"),
    "us-date": ({"timestamp": "01/011/2015"}, "$.timestamp", "timestamp"),
    "negative-zero-hours": ({"timestamp": "2008-09-15T15:53:00.601-00"}, "$.timestamp", "-00"),
    "negative-zero-basic": ({"timestamp": "2008-09-15T15:53:00.601-0000"}, "$.timestamp", "-00"),
    "negative-zero-extended": (
        {"timestamp": "2008-09-15T15:53:00.601-00:00"},
        "$.timestamp",
        "-00",
    ),
    "month-13": ({"timestamp": "2024-13-01T00:00:00Z"}, "$.timestamp", "timestamp"),
    "feb-30": ({"timestamp": "2024-02-30T00:00:00Z"}, "$.timestamp", "timestamp"),
    "feb-29-non-leap": ({"timestamp": "2023-02-29T00:00:00Z"}, "$.timestamp", "timestamp"),
    "hour-25": ({"timestamp": "2024-05-01T25:00:00Z"}, "$.timestamp", "timestamp"),
    "space-separator": ({"timestamp": "2024-05-01 10:00:00Z"}, "$.timestamp", "timestamp"),
    "number": ({"timestamp": 1714557600}, "$.timestamp", "timestamp"),
    "trailing-newline": ({"timestamp": "2024-05-01T10:00:00Z\n"}, "$.timestamp", "timestamp"),
}

ATTACHMENT_INVALID: dict[str, Case] = {
    "attachments-object": ({"attachments": ATTACHMENT}, "$.attachments", "array"),
    "usageType-not-iri": (
        {"attachments": [{**ATTACHMENT, "usageType": "signature"}]},
        "$.attachments[0].usageType",
        "IRI",
    ),
    "display-missing": (
        {"attachments": [{k: v for k, v in ATTACHMENT.items() if k != "display"}]},
        "$.attachments[0].display",
        "required",
    ),
    "contentType-number": (
        {"attachments": [{**ATTACHMENT, "contentType": 12345}]},
        "$.attachments[0].contentType",
        "media type",
    ),
    "length-string": (
        {"attachments": [{**ATTACHMENT, "length": "27"}]},
        "$.attachments[0].length",
        "integer",
    ),
    "length-float": (
        {"attachments": [{**ATTACHMENT, "length": 27.0}]},
        "$.attachments[0].length",
        "integer",
    ),
    "sha2-number": (
        {"attachments": [{**ATTACHMENT, "sha2": 12345}]},
        "$.attachments[0].sha2",
        "SHA-2",
    ),
    "fileUrl-not-iri": (
        {"attachments": [{**ATTACHMENT, "fileUrl": "sig"}]},
        "$.attachments[0].fileUrl",
        "IRI",
    ),
    "description-bad-tag": (
        {"attachments": [{**ATTACHMENT, "description": {"a12345": "x"}}]},
        "$.attachments[0].description.a12345",
        "RFC 5646",
    ),
}

SUBSTATEMENT_INVALID: dict[str, Case] = {
    **{
        f"substatement-with-{key}": (
            {"object": {**SUB, key: value}},
            f"$.object.{key}",
            "must not have",
        )
        for key, value in {
            "id": UUID,
            "stored": "2024-05-01T10:00:00Z",
            "version": "1.0.0",
            "authority": {"mbox": "mailto:a@ex.com"},
        }.items()
    },
    "nested-substatement": (
        {"object": {**SUB, "object": SUB}},
        "$.object.object.objectType",
        "another SubStatement",
    ),
    "substatement-missing-verb": (
        {"object": {k: v for k, v in SUB.items() if k != "verb"}},
        "$.object.verb",
        "required",
    ),
    "substatement-actor-bad": (
        {"object": {**SUB, "actor": {"mbox": "ann@example.com"}}},
        "$.object.actor.mbox",
        "mailto",
    ),
    "substatement-timestamp-bad": (
        {"object": {**SUB, "timestamp": "should fail"}},
        "$.object.timestamp",
        "timestamp",
    ),
}

VOIDING_INVALID: dict[str, Case] = {
    "voiding-an-activity": (
        {"verb.id": "http://adlnet.gov/expapi/verbs/voided"},
        "$.object",
        "StatementRef",
    ),
}

VERSION_INVALID: dict[str, Case] = {
    "version-string": ({"version": "should fail"}, "$.version", "1.0.x"),
    "version-0.9.9": ({"version": "0.9.9"}, "$.version", "version"),
    "version-1.1.0": ({"version": "1.1.0"}, "$.version", "version"),
    "version-2.0.0-under-1.0.3": ({"version": "2.0.0"}, "$.version", "1.0.x"),
    "version-trailing-dot": ({"version": "1.0."}, "$.version", "version"),
    "version-number": ({"version": 1.0}, "$.version", "version"),
}


def _cases(*tables: dict[str, Case]) -> list[Any]:
    return [
        pytest.param(changes, path, word, id=name)
        for table in tables
        for name, (changes, path, word) in table.items()
    ]


@pytest.mark.parametrize(
    ("changes", "path", "word"),
    _cases(
        STATEMENT_INVALID,
        ACTOR_INVALID,
        VERB_INVALID,
        OBJECT_INVALID,
        INTERACTION_INVALID,
        RESULT_INVALID,
        CONTEXT_INVALID,
        TIMESTAMP_INVALID,
        ATTACHMENT_INVALID,
        SUBSTATEMENT_INVALID,
        VOIDING_INVALID,
        VERSION_INVALID,
    ),
)
def test_invalid_statement_is_rejected_at_its_path(
    changes: dict[str, Any], path: str, word: str
) -> None:
    assert_invalid(make(changes), path, word)


VALID: dict[str, dict[str, Any]] = {
    "base": {},
    "minimal-spec-example": {
        key: DROP for key in ("result", "context", "timestamp", "object.definition")
    },
    "non-rfc4122-uuid": {"id": "12345678-1234-5678-1234-567812345678"},
    "uppercase-uuid": {"id": "AA97B177-9383-4934-8543-0F91A7A02836"},
    "actor-without-objectType": {"actor.objectType": DROP},
    "actor-sha1": {"actor": {"mbox_sha1sum": "cd9b00a5611f94eaa7b1661edab976068e364975"}},
    "actor-openid": {"actor": {"openid": "http://openid.example.org/12345"}},
    "identified-group-without-members": {
        "actor": {"objectType": "Group", "mbox": "mailto:g@ex.com"}
    },
    "anonymous-group-empty-members": {"actor": {"objectType": "Group", "member": []}},
    "agent-as-object": {
        "object": {"objectType": "Agent", "mbox": "mailto:x@ex.com"},
        "context.revision": DROP,
        "context.platform": DROP,
    },
    "group-as-object": {"object": ANON_GROUP, "context.revision": DROP, "context.platform": DROP},
    "statementref-object": {
        "object": {"objectType": "StatementRef", "id": UUID},
        "context.revision": DROP,
        "context.platform": DROP,
    },
    "substatement-object": {
        "object": {**SUB, "context": {"revision": "1"}, "attachments": [ATTACHMENT]},
        "context.revision": DROP,
        "context.platform": DROP,
    },
    "voiding": {
        "verb.id": "http://adlnet.gov/expapi/verbs/voided",
        "object": {"objectType": "StatementRef", "id": UUID},
        "context": DROP,
    },
    "activity-without-objectType": {"object.objectType": DROP},
    "scheme-only-ids": {"object.id": "course-v1:FUN-MOOC+00001+session01"},
    "tag-iri": {"object.id": "tag:adlnet.gov,2013:expapi:0.9:activities"},
    "unicode-iri": {"object.id": "http://example.com/é/日本"},
    "single-context-activity": {"context.contextActivities.parent": {"id": "http://ex.com/c"}},
    "all-context-activity-keys": {
        "context.contextActivities": {
            key: [{"id": "http://ex.com/c"}] for key in ("parent", "grouping", "category", "other")
        }
    },
    "extension-values-anything": {
        "context.extensions": {"http://ex.com/a": None, "http://ex.com/b": "", "http://x.y/c": {}}
    },
    "empty-extensions": {"result.extensions": {}},
    "likert-scale": {
        "object.definition.interactionType": "likert",
        "object.definition.choices": DROP,
        "object.definition.scale": [{"id": "1"}, {"id": "2"}],
    },
    "matching": {
        "object.definition.interactionType": "matching",
        "object.definition.choices": DROP,
        "object.definition.source": [{"id": "1"}],
        "object.definition.target": [{"id": "1"}],
    },
    "performance-steps": {
        "object.definition.interactionType": "performance",
        "object.definition.choices": DROP,
        "object.definition.steps": [{"id": "1"}],
    },
    "score-negative-range": {"result.score": {"min": -10, "max": -1, "raw": -5, "scaled": -1}},
    "score-decimals": {"result.score": {"raw": 100.6767676, "scaled": 0.6767676}},
    "duration-weeks": {"result.duration": "P2W"},
    "duration-full": {"result.duration": "P1Y2M3DT4H5M6.789S"},
    "duration-high-precision": {"result.duration": "PT0.0001S"},
    "timestamp-offset": {"timestamp": "2008-09-15T15:53:00.601+00:00"},
    "timestamp-negative-offset": {"timestamp": "2023-05-04T12:00:00-05:00"},
    "timestamp-microseconds": {"timestamp": "2021-11-26T16:13:55.615582+00:00"},
    "timestamp-no-zone": {"timestamp": "2024-05-01T10:00:00"},
    "timestamp-basic-format": {"timestamp": "20240501T100000Z"},
    "timestamp-minutes-only": {"timestamp": "2024-05-01T10:00Z"},
    "timestamp-leap-day": {"timestamp": "2024-02-29T10:00:00Z"},
    "language-grandfathered": {"context.language": "i-klingon"},
    "language-script-region": {"context.language": "zh-Hant-TW"},
    "language-klingon": {"context.language": "tlh"},
    "version-1.0": {"version": "1.0"},
    "version-1.0.9": {"version": "1.0.9"},
    "stored-and-authority": {
        "stored": "2024-05-01T10:00:01Z",
        "authority": {
            "objectType": "Group",
            "member": [
                {"account": {"homePage": "http://ex.com/OAuth", "name": "consumer"}},
                {"mbox": "mailto:user@ex.com"},
            ],
        },
    },
    "attachment-no-fileUrl": {"attachments": [{**ATTACHMENT, "fileUrl": "x:y"}]},
    "attachment-without-fileUrl": {"attachments": [ATTACHMENT], "attachments[0].fileUrl": DROP},
    "attachment-with-params": {
        "attachments": [{**ATTACHMENT, "contentType": "text/plain; charset=ascii"}]
    },
}


@pytest.mark.parametrize("version", SUPPORTED_VERSIONS)
@pytest.mark.parametrize("changes", [pytest.param(c, id=n) for n, c in VALID.items()])
def test_valid_statement_is_accepted(changes: dict[str, Any], version: str) -> None:
    validate_statement(make(changes), version=version)


# --- 2.0.0 differences ----------------------------------------------------------------

CONTEXT_AGENT = {
    "objectType": "contextAgent",
    "agent": {"mbox": "mailto:p1@example.com"},
    "relevantTypes": ["https://example.com/types/player"],
}
CONTEXT_GROUP = {
    "objectType": "contextGroup",
    "group": {"objectType": "Group", "mbox": "mailto:t@example.com"},
    "relevantTypes": ["https://example.com/types/team"],
}

V2_VALID: dict[str, dict[str, Any]] = {
    "contextAgents": {"context.contextAgents": [CONTEXT_AGENT]},
    "contextAgents-without-relevantTypes": {
        "context.contextAgents": [{"objectType": "contextAgent", "agent": {"mbox": "mailto:a@b"}}]
    },
    "contextGroups": {"context.contextGroups": [CONTEXT_GROUP]},
    "version-2.0.0": {"version": "2.0.0"},
    "version-1.0.3-still-accepted": {"version": "1.0.3"},
}

V2_INVALID: dict[str, Case] = {
    "contextAgent-objectType": (
        {"context.contextAgents": [{**CONTEXT_AGENT, "objectType": "Should fail"}]},
        "$.context.contextAgents[0].objectType",
        "contextAgent",
    ),
    "contextAgent-agent-invalid": (
        {"context.contextAgents": [{**CONTEXT_AGENT, "agent": {"key": "Should fail"}}]},
        "$.context.contextAgents[0].agent.key",
        "not allowed",
    ),
    "contextAgent-group": (
        {"context.contextAgents": [{**CONTEXT_AGENT, "agent": ANON_GROUP}]},
        "$.context.contextAgents[0].agent.objectType",
        "not a Group",
    ),
    "contextAgent-empty-relevantTypes": (
        {"context.contextAgents": [{**CONTEXT_AGENT, "relevantTypes": []}]},
        "$.context.contextAgents[0].relevantTypes",
        "empty",
    ),
    "contextAgent-relevantTypes-not-iri": (
        {"context.contextAgents": [{**CONTEXT_AGENT, "relevantTypes": ["abc"]}]},
        "$.context.contextAgents[0].relevantTypes[0]",
        "IRI",
    ),
    "contextAgents-not-array": (
        {"context.contextAgents": CONTEXT_AGENT},
        "$.context.contextAgents",
        "array",
    ),
    "contextGroup-agent": (
        {"context.contextGroups": [{**CONTEXT_GROUP, "group": {"mbox": "mailto:a@b.c"}}]},
        "$.context.contextGroups[0].group",
        "Group",
    ),
    "contextGroup-missing-group": (
        {"context.contextGroups": [{"objectType": "contextGroup"}]},
        "$.context.contextGroups[0].group",
        "required",
    ),
    "version-3.0.0": ({"version": "3.0.0"}, "$.version", "2.0.x"),
}


@pytest.mark.parametrize("changes", [pytest.param(c, id=n) for n, c in V2_VALID.items()])
def test_2_0_0_accepts(changes: dict[str, Any]) -> None:
    validate_statement(make(changes), version="2.0.0")


@pytest.mark.parametrize(("changes", "path", "word"), _cases(V2_INVALID))
def test_2_0_0_rejects(changes: dict[str, Any], path: str, word: str) -> None:
    assert_invalid(make(changes), path, word, version="2.0.0")


def test_2_0_0_properties_are_unknown_in_1_0_3() -> None:
    assert_invalid(
        make({"context.contextGroups": [CONTEXT_GROUP]}),
        "$.context.contextGroups",
        "not allowed",
    )


# --- robustness: nothing but InvalidStatement escapes -----------------------------------

WEIRD: list[Any] = [None, 5, -1.5, True, "", "x", [], [None], {}, {"objectType": None}]


def _paths(node: Any, prefix: str = "") -> list[str]:
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            path = f"{prefix}.{key}" if prefix else key
            found += [path, *_paths(value, path)]
    elif isinstance(node, list):
        for index, value in enumerate(node):
            path = f"{prefix}[{index}]"
            found += [path, *_paths(value, path)]
    return found


@pytest.mark.parametrize("version", SUPPORTED_VERSIONS)
@pytest.mark.parametrize(
    "base",
    [
        pytest.param(BASE, id="base"),
        pytest.param(make({"object": {**SUB, "context": BASE["context"]}}), id="substatement"),
    ],
)
def test_weird_json_anywhere_raises_only_invalid_statement(
    base: dict[str, Any], version: str
) -> None:
    for path in _paths(base):
        if ".extensions." in path:
            continue  # anything goes inside extensions
        for weird in WEIRD:
            statement = make({path: weird}, base=base)
            try:
                validate_statement(statement, version=version)
            except InvalidStatement as error:
                assert error.path.startswith("$"), error.path
    for weird in WEIRD:
        with pytest.raises(InvalidStatement):
            validate_statement(weird, version=version)


# --- corpus ---------------------------------------------------------------------------


def _corpus(name: str) -> list[Any]:
    path = CORPUS / name
    if not path.exists():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    data: list[Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@pytest.mark.parametrize("version", SUPPORTED_VERSIONS)
@pytest.mark.parametrize(
    "name", ["cmi5.json", "jisc.json", "ralph.json", "xapi-spec.json", "xapi-spec.attachments.json"]
)
def test_corpus_statements_are_valid(name: str, version: str) -> None:
    for index, statement in enumerate(_corpus(name)):
        try:
            validate_statement(statement, version=version, path=f"$[{index}]")
        except InvalidStatement as error:  # pragma: no cover - failure report
            pytest.fail(f"{name}: {error}")


# jisc.invalid.json, in order: the paths SOURCES.md names (any one of them).
JISC_INVALID_PATHS = [
    {"$.timestamp"},
    {"$.object.id"},
    {"$.object.id"},
    {"$.object.definition.name"},
    {"$.object.extensions"},
    {"$.timestamp"},
    {"$.object.extensions", "$.context.http://xapi.jisc.ac.uk/recipeCat"},
    {"$.object.definition.interactionType"},
]


@pytest.mark.parametrize("version", SUPPORTED_VERSIONS)
def test_corpus_invalid_statements_fail_at_the_documented_path(version: str) -> None:
    statements = _corpus("jisc.invalid.json")
    assert len(statements) == len(JISC_INVALID_PATHS)
    for statement, paths in zip(statements, JISC_INVALID_PATHS, strict=True):
        with pytest.raises(InvalidStatement) as caught:
            validate_statement(statement, version=version)
        assert caught.value.path in paths, caught.value


# --- decoding and versions ------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "family"),
    [
        ("1.0", "1.0.3"),
        ("1.0.0", "1.0.3"),
        ("1.0.1", "1.0.3"),
        ("1.0.2", "1.0.3"),
        ("1.0.3", "1.0.3"),
        ("2.0", "2.0.0"),
        ("2.0.0", "2.0.0"),
    ],
)
def test_version_family(header: str, family: str) -> None:
    assert version_family(header) == family


@pytest.mark.parametrize("header", ["", "0.95", "1.1.0", "1.0.4", "2.1.0", "3.0.0", "latest"])
def test_unsupported_version_header_is_a_bad_request(header: str) -> None:
    with pytest.raises(BadRequest) as caught:
        version_family(header)
    assert caught.value.details["field"] == "X-Experience-API-Version"
    assert not isinstance(caught.value, InvalidStatement)


def test_decode_keeps_statements_exactly_as_sent() -> None:
    body = json.dumps(BASE).encode()
    statements, is_array = decode_statements(body, version="1.0.3")
    assert (statements, is_array) == ([BASE], False)
    statements, is_array = decode_statements(
        json.dumps([BASE, BASE | {"id": OTHER_ID}]), version="2.0.0"
    )
    assert is_array and statements[1]["id"] == OTHER_ID


@pytest.mark.parametrize(
    ("body", "path", "word"),
    [
        pytest.param(b"{", "$", "JSON", id="truncated"),
        pytest.param(b"", "$", "JSON", id="empty"),
        pytest.param(b"{'a': 1}", "$", "JSON", id="single-quotes"),
        pytest.param(b"\xff\xfe", "$", "JSON", id="not-utf8"),
        pytest.param(b"NaN", "$", "JSON", id="nan"),
        pytest.param(b"5", "$", "Statement object or an array", id="number"),
        pytest.param(b"null", "$", "Statement object or an array", id="null"),
        pytest.param(b'[{"id": 1}, 5]', "$[1]", "JSON object", id="array-of-non-objects"),
        pytest.param(
            json.dumps([{"id": OTHER_ID}, {"id": OTHER_ID.upper()}]).encode(),
            "$[1].id",
            "unique",
            id="duplicate-ids-in-batch",
        ),
    ],
)
def test_decode_rejects(body: bytes, path: str, word: str) -> None:
    with pytest.raises(InvalidStatement) as caught:
        decode_statements(body, version="1.0.3")
    assert caught.value.path == path
    assert word.lower() in caught.value.rule.lower()


@pytest.mark.parametrize("body", [b"\xef\xbb\xbf[]", "\ufeff[]"], ids=["bytes", "str"])
def test_decode_ignores_a_byte_order_mark(body: bytes | str) -> None:
    assert decode_statements(body, version="1.0.3") == ([], True)


def test_decode_accepts_an_empty_batch() -> None:
    assert decode_statements("[]", version="1.0.3") == ([], True)


def test_batch_paths_are_prefixed() -> None:
    with pytest.raises(InvalidStatement) as caught:
        validate_statement(make({"actor.mbox": "x"}), version="1.0.3", path="$[3]")
    assert caught.value.path == "$[3].actor.mbox"


AGENT_PARAM_CASES: list[Any] = [
    pytest.param({"mbox": "mailto:a@ex.com"}, None, id="agent"),
    pytest.param(ANON_GROUP, None, id="anonymous-group"),
    pytest.param("wrong", "agent", id="string"),
    pytest.param({"mbox": "a@ex.com"}, "agent.mbox", id="bad-mbox"),
    pytest.param({"objectType": "Activity", "id": "http://x"}, "agent.objectType", id="activity"),
]


@pytest.mark.parametrize(("obj", "path"), AGENT_PARAM_CASES)
def test_validate_agent_query_parameter(obj: Any, path: str | None) -> None:
    if path is None:
        validate_agent(obj, version="1.0.3", path="agent")
        return
    with pytest.raises(InvalidStatement) as caught:
        validate_agent(obj, version="1.0.3", path="agent")
    assert caught.value.path == path
