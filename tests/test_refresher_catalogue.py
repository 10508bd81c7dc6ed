"""The refresher catalogue of the default competency map, and its JSON Schema.

Content checks on ``config/competency-map.yaml`` (``refreshers``): every framework competency
has refreshers of at least two methods, every entry is complete in en/nb/fi/nl, and the whole
map validates against ``schemas/competency-map.schema.json`` (a small 2020-12 checker below: no
``jsonschema`` package is installed).
"""

from __future__ import annotations

import copy
import json
import re
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pytest
import yaml

from lrs_bridge.competency.mapping import map_from_dict
from lrs_bridge.competency.policy import HOUR_US, MINUTE_US, parse_duration
from lrs_bridge.errors import BadRequest
from tests.factories import validate_schema

ROOT = Path(__file__).resolve().parent.parent
FRAMEWORK = ROOT / "config" / "framework.json"
MAP = ROOT / "config" / "competency-map.yaml"
SCHEMA = ROOT / "schemas" / "competency-map.schema.json"

LANGUAGES = ("en", "nb", "fi", "nl")
REFRESHER_PREFIX = "https://lrs-bridge.dev/refresher/"
DEFAULTS: dict[str, Any] = {
    "grace": "P14D",
    "max_per_learner": 3,
    "period": "P7D",
    "remind_after": "P0D",
    "escalate_after": "P7D",
    "snooze_max": "P14D",
    "completion_verbs": [
        "http://adlnet.gov/expapi/verbs/completed",
        "http://adlnet.gov/expapi/verbs/passed",
        "http://adlnet.gov/expapi/verbs/attended",
    ],
}
ENTRY_REQUIRED = {"id", "competencies", "name", "method"}
ENTRY_OPTIONAL = {"description", "launch_url", "type", "duration"}
IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$")


@cache
def _document() -> dict[str, Any]:
    return yaml.safe_load(MAP.read_text(encoding="utf-8"))


@cache
def _schema() -> dict[str, Any]:
    return json.loads(SCHEMA.read_text(encoding="utf-8"))


@cache
def _competencies() -> tuple[str, ...]:
    framework = json.loads(FRAMEWORK.read_text(encoding="utf-8"))
    return tuple(c["id"] for c in framework["competencies"])


def _catalogue() -> list[dict[str, Any]]:
    return _document()["refreshers"]["catalogue"]


def _entry_ids() -> list[str]:
    return [entry["id"].removeprefix(REFRESHER_PREFIX) for entry in _catalogue()]


# -- coverage ---------------------------------------------------------------------------


@pytest.mark.parametrize("competency", _competencies(), ids=lambda iri: iri.rsplit("/", 1)[-1])
def test_every_competency_has_two_refreshers_of_different_methods(competency: str) -> None:
    entries = [e for e in _catalogue() if competency in e["competencies"]]
    assert len(entries) >= 2, [e["id"] for e in entries]
    assert len({e["method"] for e in entries}) >= 2, [e["method"] for e in entries]


def test_framework_has_the_seventeen_competencies() -> None:
    assert len(_competencies()) == 17


def test_catalogue_uses_many_methods() -> None:
    used = {e["method"] for e in _catalogue()}
    # self-study, webinar, role-play, coaching, mentoring, communication technique, stress,
    # technology, data analysis and peer feedback all appear (see the brief and the seeds)
    assert used >= {
        "digital-self-study",
        "webinar",
        "role-play",
        "coaching",
        "mentoring",
        "communication-technique",
        "stress-training",
        "technology-training",
        "data-analysis",
        "peer-feedback",
    }


def test_ids_are_unique() -> None:
    ids = [e["id"] for e in _catalogue()]
    assert len(ids) == len(set(ids))
    launch = [e["launch_url"] for e in _catalogue() if "launch_url" in e]
    assert len(launch) == len(set(launch))


# -- each entry -------------------------------------------------------------------------


@pytest.fixture(params=range(len(_catalogue())), ids=_entry_ids())
def entry(request: pytest.FixtureRequest) -> dict[str, Any]:
    return _catalogue()[request.param]


def test_entry_keys(entry: dict[str, Any]) -> None:
    assert ENTRY_REQUIRED <= set(entry), ENTRY_REQUIRED - set(entry)
    assert set(entry) <= ENTRY_REQUIRED | ENTRY_OPTIONAL


def test_entry_id_is_an_absolute_refresher_iri(entry: dict[str, Any]) -> None:
    assert IRI.match(entry["id"])
    assert entry["id"].startswith(REFRESHER_PREFIX)
    slug = entry["id"].removeprefix(REFRESHER_PREFIX)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*(/[a-z0-9]+(-[a-z0-9]+)*)*", slug), slug


def test_entry_competencies_are_in_the_framework(entry: dict[str, Any]) -> None:
    competencies = entry["competencies"]
    assert isinstance(competencies, list) and competencies
    assert len(competencies) == len(set(competencies))
    assert set(competencies) <= set(_competencies()), set(competencies) - set(_competencies())


def test_entry_method_is_a_known_method(entry: dict[str, Any]) -> None:
    assert entry["method"] in _document()["methods"]


@pytest.mark.parametrize("field", ["name", "description"])
def test_entry_texts_in_all_languages(entry: dict[str, Any], field: str) -> None:
    texts = entry.get(field)
    if field == "description" and texts is None:
        return
    assert isinstance(texts, dict)
    assert set(texts) == set(LANGUAGES)
    for language, text in texts.items():
        assert isinstance(text, str) and text.strip(), (field, language)
        assert text == text.strip(), (field, language)
    if field == "name":
        # names are translated, not copied (brand words such as "CSAT" may repeat)
        assert len(set(texts.values())) >= 3, texts


def test_entry_duration_parses_and_is_realistic(entry: dict[str, Any]) -> None:
    duration = parse_duration(entry["duration"], field="duration")  # the default map has them all
    assert duration.months == 0
    assert 10 * MINUTE_US <= duration.micros <= 4 * HOUR_US, entry["duration"]


def test_entry_launch_url_is_absolute_https(entry: dict[str, Any]) -> None:
    url = entry.get("launch_url")
    if url is None:
        return
    parts = urlsplit(url)
    assert parts.scheme == "https" and parts.netloc and parts.path.startswith("/"), url
    assert " " not in url


def test_entry_type_is_an_iri(entry: dict[str, Any]) -> None:
    if "type" in entry:
        assert IRI.match(entry["type"])


# -- settings ---------------------------------------------------------------------------


def test_settings_are_the_documented_defaults() -> None:
    settings = {k: v for k, v in _document()["refreshers"].items() if k != "catalogue"}
    assert settings == DEFAULTS


@pytest.mark.parametrize("key", ["grace", "period", "remind_after", "escalate_after", "snooze_max"])
def test_settings_durations_parse(key: str) -> None:
    parse_duration(_document()["refreshers"][key], field=key)


def test_settings_order_of_reminder_and_escalation() -> None:
    refreshers = _document()["refreshers"]
    remind = parse_duration(refreshers["remind_after"]).nominal_us
    escalate = parse_duration(refreshers["escalate_after"]).nominal_us
    assert remind <= escalate
    assert isinstance(refreshers["max_per_learner"], int) and refreshers["max_per_learner"] >= 1


def test_policy_lead_times_parse() -> None:
    policies = _document()["policies"]
    for name, policy in policies.items():
        if "lead_time" in policy:
            parse_duration(policy["lead_time"], field=f"policies.{name}.lead_time")


# -- JSON Schema ------------------------------------------------------------------------


def test_schema_is_json_with_the_refreshers_section() -> None:
    schema = _schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert "refreshers" in schema["properties"]
    assert "refreshers" not in schema["required"]  # a map without refreshers stays valid
    refreshers = schema["$defs"]["refreshers"]
    assert set(refreshers["properties"]) == {*DEFAULTS, "catalogue"}
    assert "required" not in refreshers  # every key has a default
    assert refreshers["additionalProperties"] is False
    for key, default in DEFAULTS.items():
        assert refreshers["properties"][key]["default"] == default, key
    entry = schema["$defs"]["refresher"]
    assert set(entry["properties"]) == ENTRY_REQUIRED | ENTRY_OPTIONAL
    assert set(entry["required"]) == ENTRY_REQUIRED
    assert entry["additionalProperties"] is False


def test_schema_policy_has_optional_lead_time() -> None:
    policy = _schema()["$defs"]["policy"]
    assert policy["properties"]["lead_time"]["$ref"] == "#/$defs/duration"
    assert "lead_time" not in policy["required"]


def test_default_map_validates_against_the_json_schema() -> None:
    validate_schema(_schema(), _document())


def _mutated(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    document = copy.deepcopy(_document())
    target: Any = document
    for step in path[:-1]:
        target = target[step]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return document


_DELETE = object()
_ENTRY = ("refreshers", "catalogue", 0)

VALID = [
    ("no-refreshers", ("refreshers",), _DELETE),
    ("only-catalogue", ("refreshers",), {"catalogue": []}),
    ("no-catalogue", ("refreshers", "catalogue"), _DELETE),
    ("no-duration", (*_ENTRY, "duration"), _DELETE),
    ("no-description", (*_ENTRY, "description"), _DELETE),
    ("no-launch-url", (*_ENTRY, "launch_url"), _DELETE),
    ("no-type", (*_ENTRY, "type"), _DELETE),
    ("http-launch-url", (*_ENTRY, "launch_url"), "http://lms.example.com/a"),
    ("region-language-tag", (*_ENTRY, "name"), {"en": "x", "nb-NO": "y"}),
    ("policy-lead-time", ("policies", "quarterly", "lead_time"), "P21D"),
]

INVALID = [
    ("unknown-setting", ("refreshers", "cap"), 3),
    ("bad-grace", ("refreshers", "grace"), "14 days"),
    ("zero-cap", ("refreshers", "max_per_learner"), 0),
    ("string-cap", ("refreshers", "max_per_learner"), "3"),
    ("empty-verbs", ("refreshers", "completion_verbs"), []),
    ("relative-verb", ("refreshers", "completion_verbs"), ["completed"]),
    ("no-id", (*_ENTRY, "id"), _DELETE),
    ("relative-id", (*_ENTRY, "id"), "active-listening"),
    ("no-competencies", (*_ENTRY, "competencies"), []),
    ("competency-string", (*_ENTRY, "competencies"), "https://lrs-bridge.dev/competency/x"),
    ("no-name", (*_ENTRY, "name"), _DELETE),
    ("empty-name", (*_ENTRY, "name"), {}),
    ("blank-name", (*_ENTRY, "name"), {"en": " "}),
    ("bad-language-tag", (*_ENTRY, "name"), {"english language": "x"}),
    ("no-method", (*_ENTRY, "method"), _DELETE),
    ("bad-duration", (*_ENTRY, "duration"), "20 minutes"),
    ("relative-launch-url", (*_ENTRY, "launch_url"), "/launch/x"),
    ("ftp-launch-url", (*_ENTRY, "launch_url"), "ftp://lms.example.com/x"),
    ("unknown-entry-key", (*_ENTRY, "weight"), 0.3),
    ("bad-policy-lead-time", ("policies", "quarterly", "lead_time"), "two weeks"),
]


@pytest.mark.parametrize(("path", "value"), [c[1:] for c in VALID], ids=[c[0] for c in VALID])
def test_schema_accepts(path: tuple[Any, ...], value: Any) -> None:
    validate_schema(_schema(), _mutated(path, value))


@pytest.mark.parametrize(("path", "value"), [c[1:] for c in INVALID], ids=[c[0] for c in INVALID])
def test_schema_rejects(path: tuple[Any, ...], value: Any) -> None:
    with pytest.raises(jsonschema.ValidationError):
        validate_schema(_schema(), _mutated(path, value))


@pytest.mark.parametrize(("path", "value"), [c[1:] for c in VALID], ids=[c[0] for c in VALID])
def test_loader_accepts_what_the_schema_accepts(path: tuple[Any, ...], value: Any) -> None:
    map_from_dict(_mutated(path, value))


@pytest.mark.parametrize(("path", "value"), [c[1:] for c in INVALID], ids=[c[0] for c in INVALID])
def test_loader_rejects_what_the_schema_rejects(path: tuple[Any, ...], value: Any) -> None:
    with pytest.raises(BadRequest) as error:
        map_from_dict(_mutated(path, value))
    assert str(error.value.details["field"]).startswith(path[0])
