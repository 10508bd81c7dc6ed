"""The competency map: which statements are evidence for which competencies, and how much.

The map is admin configuration (``config/competency-map.yaml``; JSON Schema in
``schemas/competency-map.schema.json``). :func:`evaluate` turns one statement into at most one
:class:`Evidence` per competency:

* every rule whose conditions all hold yields its ``evidence`` entries;
* **direct alignment**: an object id or contextActivities id that *is* a competency IRI of the
  framework yields evidence without a rule (``rule_id == "direct"``), the method taken from the
  object's (else a context activity's) type, else ``direct.default_method``;
* **ignored verbs**: a statement whose verb is listed in ``direct.ignore_verbs``
  (launch/terminate noise, our own TLA ``asserted``) is never evidence: no rule fires for it,
  it aligns with nothing and completes no refresher (``explain`` names the verb and setting);
* the sign is negative for a failed attempt (``result.success`` false or the ADL ``failed``
  verb), whatever the rule; ``quality`` follows :func:`quality_of` (the normalised score,
  at least 0.5 for a pass; else 1.0 for success, completion, attendance, 0.0 for a failure,
  0.5 for ``completion: false``);
* **refresher catalogue**: an object id that is an activity of the map's refresher catalogue
  (``refreshers.catalogue``) is evidence for the competencies it refreshes, with the entry's
  method (``rule_id == "refresher"``), so completing an assigned refresher freshens the
  competency without a rule of its own;
* when several sources name one competency, the largest ``|weight|`` wins; on a tie the
  earlier rule in map order wins, and rules win over direct alignment.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from lrs_bridge.competency.catalogue import (
    RefresherSettings,
    RefreshersSchema,
    settings_from_loaded,
)
from lrs_bridge.competency.framework import Framework, bad_request
from lrs_bridge.competency.rules import (
    UNSET,
    EvidenceSpec,
    ExtensionMatch,
    Match,
    Pattern,
    ResultMatch,
    Rule,
    RuleIndex,
    StatementView,
)
from lrs_bridge.errors import BadRequest

DIRECT_RULE_ID = "direct"
PASSED_VERB = "http://adlnet.gov/expapi/verbs/passed"
REFRESHER_RULE_ID = "refresher"
_DURATION = re.compile(
    r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$"
)
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$")


@dataclasses.dataclass(frozen=True, kw_only=True)
class Evidence:
    """One statement's evidence for one competency."""

    competency_id: str
    rule_id: str  # DIRECT_RULE_ID for direct alignment
    method: str
    weight: float  # signed: negative for a failed attempt
    quality: float  # in [0, 1]


@dataclasses.dataclass(frozen=True, kw_only=True)
class Policy:
    """Freshness policy: a ``fixed`` validity window or an ``adaptive`` (FSRS-like) model."""

    id: str
    kind: str  # "fixed" | "adaptive"
    due_soon: str  # ISO 8601 duration before stale_at when status becomes due_soon
    validity: str | None = None  # ISO 8601 duration, for kind "fixed"
    target_retention: float | None = None  # for kind "adaptive"
    #: How long before stale_at the refresher scan assigns a refresher (default: due_soon).
    lead_time: str | None = None

    @property
    def refresher_lead(self) -> str:
        """The lead time of the refresher scan."""
        return self.lead_time or self.due_soon


@dataclasses.dataclass(frozen=True, kw_only=True)
class DirectAlignment:
    """How statements naming a competency IRI directly are weighted."""

    enabled: bool = True
    default_method: str = "digital-self-study"
    methods_by_type: dict[str, str] = dataclasses.field(default_factory=dict)
    ignore_verbs: frozenset[str] = frozenset()


@dataclasses.dataclass(frozen=True, kw_only=True)
class CompetencyMap:
    """A validated map; its rules are compiled into an index on construction."""

    version: str
    methods: dict[str, float]
    policies: dict[str, Policy]
    rules: tuple[Rule, ...]
    direct: DirectAlignment = dataclasses.field(default_factory=DirectAlignment)
    refreshers: RefresherSettings = dataclasses.field(default_factory=RefresherSettings)
    index: RuleIndex = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "index", RuleIndex(self.rules))

    def check_against(self, framework: Framework) -> None:
        """Raise :class:`BadRequest` for a rule naming an unknown competency or a missing policy."""
        for i, rule in enumerate(self.rules):
            for j, spec in enumerate(rule.evidence):
                if framework.get(spec.competency) is None:
                    raise BadRequest(
                        f"rule {rule.id!r}: competency {spec.competency} is not in framework "
                        f"{framework.id}",
                        field=f"rules[{i}].evidence[{j}].competency",
                        rule=rule.id,
                    )
        for i, activity in enumerate(self.refreshers.catalogue):
            for j, competency_id in enumerate(activity.competencies):
                if framework.get(competency_id) is None:
                    raise BadRequest(
                        f"refresher {activity.id}: competency {competency_id} is not in "
                        f"framework {framework.id}",
                        field=f"refreshers.catalogue[{i}].competencies[{j}]",
                    )
        for competency in framework.competencies:
            if competency.policy not in self.policies:
                raise BadRequest(
                    f"competency {competency.id}: policy {competency.policy!r} is not defined "
                    "in the competency map",
                    field="policies",
                    competency=competency.id,
                )


# -- schema ------------------------------------------------------------------------------------


class _StrList(fields.Field[list[str]]):
    """A non-empty string or a list of them, loaded as a list."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[str]:
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(i, str) and i for i in items):
            raise ValidationError("Must be a non-empty string or a list of them.")
        return items


def _iris(value: list[str]) -> None:
    bad = [v for v in value if not _IRI.match(v)]
    if bad:
        raise ValidationError(f"{bad[0]!r} is not an absolute IRI.")


def _duration(value: str) -> None:
    if not _DURATION.match(value):
        raise ValidationError(f"{value!r} is not an ISO 8601 duration (e.g. P3M, P14D).")


def _exclusive_unit(value: float) -> None:
    if not 0.0 < value <= 1.0:
        raise ValidationError("Must be greater than 0 and at most 1.")


class _PatternSchema(Schema):
    exact = _StrList()
    prefix = _StrList()
    glob = _StrList()

    @validates_schema
    def _not_empty(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not data:
            raise ValidationError("Give at least one of exact, prefix, glob.")


class _ContextActivitiesSchema(Schema):
    parent = fields.Nested(_PatternSchema)
    grouping = fields.Nested(_PatternSchema)
    category = fields.Nested(_PatternSchema)
    other = fields.Nested(_PatternSchema)
    any = fields.Nested(_PatternSchema)


class _ResultSchema(Schema):
    success = fields.Boolean(truthy={True}, falsy={False})
    completion = fields.Boolean(truthy={True}, falsy={False})
    scaled_min = fields.Float(validate=validate.Range(-1.0, 1.0))
    scaled_max = fields.Float(validate=validate.Range(-1.0, 1.0))

    @validates_schema
    def _ordered(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("scaled_min", -1.0) > data.get("scaled_max", 1.0):
            raise ValidationError("Must not be below scaled_min.", "scaled_max")


class _ExtensionSchema(Schema):
    key = fields.String(required=True, validate=lambda v: _iris([v]))
    scope = fields.String(
        load_default="context", validate=validate.OneOf(["context", "result", "activity"])
    )
    equals = fields.Raw(allow_none=True)
    exists = fields.Boolean(truthy={True}, falsy={False})

    @validates_schema
    def _one_test(self, data: dict[str, Any], **kwargs: Any) -> None:
        if "equals" in data and "exists" in data:
            raise ValidationError("Give equals or exists, not both.", "equals")


class _MatchSchema(Schema):
    verbs = _StrList(validate=_iris)
    activity = fields.Nested(_PatternSchema)
    activity_type = _StrList(validate=_iris)
    platform = _StrList()
    context_activities = fields.Nested(_ContextActivitiesSchema)
    result = fields.Nested(_ResultSchema)
    extensions = fields.List(fields.Nested(_ExtensionSchema))

    @validates_schema
    def _not_empty(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not data:
            raise ValidationError("A rule must have at least one condition.")


class _EvidenceSchema(Schema):
    competency = fields.String(required=True, validate=lambda v: _iris([v]))
    weight = fields.Float(validate=_exclusive_unit)
    method = fields.String(validate=validate.Length(min=1))


class _RuleSchema(Schema):
    id = fields.String(required=True, validate=validate.Length(min=1))
    description = fields.String(load_default="")
    method = fields.String(validate=validate.Length(min=1))
    match = fields.Nested(_MatchSchema, required=True)
    evidence = fields.List(
        fields.Nested(_EvidenceSchema), required=True, validate=validate.Length(min=1)
    )


class _PolicySchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(["fixed", "adaptive"]))
    validity = fields.String(validate=_duration)
    due_soon = fields.String(load_default="P14D", validate=_duration)
    target_retention = fields.Float(validate=validate.Range(0.0, 1.0, min_inclusive=False))
    lead_time = fields.String(validate=_duration)

    @validates_schema
    def _by_kind(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("kind") == "fixed" and "validity" not in data:
            raise ValidationError("Required for kind 'fixed'.", "validity")
        if data.get("kind") == "adaptive" and "target_retention" not in data:
            raise ValidationError("Required for kind 'adaptive'.", "target_retention")


class _DirectSchema(Schema):
    enabled = fields.Boolean(load_default=True, truthy={True}, falsy={False})
    default_method = fields.String(load_default="digital-self-study")
    methods_by_type = fields.Dict(
        keys=fields.String(validate=lambda v: _iris([v])), values=fields.String(), load_default=dict
    )
    ignore_verbs = _StrList(load_default=list, validate=_iris)


class CompetencyMapSchema(Schema):
    """The map document (YAML or JSON); mirrors ``schemas/competency-map.schema.json``."""

    version = fields.Raw(required=True, validate=lambda v: _version(v))
    methods = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1)),
        values=fields.Float(validate=_exclusive_unit),
        required=True,
    )
    policies = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1)),
        values=fields.Nested(_PolicySchema),
        required=True,
    )
    direct = fields.Nested(_DirectSchema, load_default=lambda: _DirectSchema().load({}))
    rules = fields.List(fields.Nested(_RuleSchema), required=True)
    refreshers = fields.Nested(RefreshersSchema, load_default=lambda: RefreshersSchema().load({}))


def _version(value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int | str) or value == "":
        raise ValidationError("Must be an integer or a non-empty string.")


# -- building --------------------------------------------------------------------------------


def _pattern(data: Mapping[str, Any]) -> Pattern:
    return Pattern(
        exact=tuple(data.get("exact", ())),
        prefix=tuple(data.get("prefix", ())),
        glob=tuple(data.get("glob", ())),
    )


def _rule(data: Mapping[str, Any], i: int, methods: Mapping[str, float]) -> Rule:
    m = data["match"]
    evidence = []
    for j, e in enumerate(data["evidence"]):
        method = e.get("method") or data.get("method")
        if method is None or method not in methods:
            raise BadRequest(
                f"rules[{i}].evidence[{j}].method: unknown method {method!r} "
                f"(known: {', '.join(sorted(methods))})",
                field=f"rules[{i}].evidence[{j}].method",
            )
        evidence.append(
            EvidenceSpec(competency=e["competency"], method=method, weight=e.get("weight"))
        )
    result = m.get("result")
    return Rule(
        id=data["id"],
        description=data["description"],
        evidence=tuple(evidence),
        match=Match(
            verbs=tuple(m.get("verbs", ())),
            activity=_pattern(m["activity"]) if "activity" in m else None,
            activity_type=tuple(m.get("activity_type", ())),
            platform=tuple(m.get("platform", ())),
            context_activities=tuple(
                (name, _pattern(p)) for name, p in m.get("context_activities", {}).items()
            ),
            result=ResultMatch(**result) if result is not None else None,
            extensions=tuple(
                ExtensionMatch(
                    key=x["key"],
                    scope=x["scope"],
                    equals=x.get("equals", UNSET),
                    exists=x.get("exists"),
                )
                for x in m.get("extensions", ())
            ),
        ),
    )


def map_from_dict(data: Any, source: str = "competency map") -> CompetencyMap:
    """Validate a map document and compile it; :class:`BadRequest` names the field."""
    try:
        loaded = CompetencyMapSchema().load(data)
    except ValidationError as error:
        raise bad_request(error, source) from None
    methods = {k: float(v) for k, v in loaded["methods"].items()}
    direct = loaded["direct"]
    for field, method in [("direct.default_method", direct["default_method"])] + [
        (f"direct.methods_by_type.{t}", m) for t, m in direct["methods_by_type"].items()
    ]:
        if method not in methods:
            raise BadRequest(f"{source}: {field}: unknown method {method!r}", field=field)
    seen: dict[str, int] = {}
    rules = []
    for i, r in enumerate(loaded["rules"]):
        if r["id"] in seen:
            raise BadRequest(
                f"{source}: rules[{i}].id: {r['id']!r} already used by rules[{seen[r['id']]}]",
                field=f"rules[{i}].id",
            )
        seen[r["id"]] = i
        rules.append(_rule(r, i, methods))
    return CompetencyMap(
        version=str(loaded["version"]),
        methods=methods,
        policies={
            pid: Policy(
                id=pid,
                kind=p["kind"],
                due_soon=p["due_soon"],
                validity=p.get("validity"),
                target_retention=p.get("target_retention"),
                lead_time=p.get("lead_time"),
            )
            for pid, p in loaded["policies"].items()
        },
        rules=tuple(rules),
        direct=DirectAlignment(
            enabled=direct["enabled"],
            default_method=direct["default_method"],
            methods_by_type=dict(direct["methods_by_type"]),
            ignore_verbs=frozenset(direct["ignore_verbs"]),
        ),
        refreshers=settings_from_loaded(loaded["refreshers"], methods),
    )


def read_map_document(path: str | Path) -> Any:
    """The raw document of a ``.yaml``/``.yml``/``.json`` map file (not yet validated)."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    try:
        if path.suffix in (".yaml", ".yml"):
            return yaml.safe_load(text)
        if path.suffix == ".json":
            return json.loads(text)
    except (yaml.YAMLError, json.JSONDecodeError) as error:
        raise BadRequest(f"{path}: cannot parse: {error}") from None
    raise BadRequest(f"{path}: expected .yaml, .yml or .json", field="path")


def load_map(path: str | Path) -> CompetencyMap:
    """Load a ``.yaml``/``.yml``/``.json`` map file."""
    return map_from_dict(read_map_document(path), str(path))


# -- evaluation ------------------------------------------------------------------------------


#: The lowest quality of a passed attempt: a pass demonstrates at least a bare pass.
PASSED_MIN_QUALITY = 0.5


def quality_of(view: StatementView, failed: bool) -> float:
    """How well the learner did, in [0, 1]; the rules, in order:

    =====================================================  ==============================
    the statement                                          quality
    =====================================================  ==============================
    a score (see :func:`~lrs_bridge.competency.rules.      that score, but at least
    normalised_score`), passed (``success: true`` or the   ``PASSED_MIN_QUALITY`` (0.5):
    ADL ``passed`` verb) and not failed                    a score of 0 contradicts the
                                                           pass, and a pass is never 0
    a score, otherwise                                     that score
    no score, failed                                       0.0
    no score, ``completion: false`` and not passed         0.5 (attended part of it)
    no score, otherwise (success, completion, attended)    1.0
    =====================================================  ==============================
    """
    passed = not failed and (view.result.get("success") is True or view.verb == PASSED_VERB)
    if view.score is not None:
        return max(view.score, PASSED_MIN_QUALITY) if passed else view.score
    if failed:
        return 0.0
    if view.result.get("completion") is False and not passed:
        return 0.5  # attended only part of it
    return 1.0


def _direct_method(view: StatementView, direct: DirectAlignment) -> str:
    by_type = direct.methods_by_type
    if view.object_type in by_type:
        return by_type[view.object_type]
    for kind in view.context_types:
        if kind in by_type:
            return by_type[kind]
    return direct.default_method


def evaluate(
    statement: dict[str, Any], cmap: CompetencyMap, framework: Framework
) -> list[Evidence]:
    """The evidence one statement gives, at most one per competency (see the module doc)."""
    view = StatementView(statement)
    direct = cmap.direct
    if view.verb in direct.ignore_verbs:
        return []  # for rules, direct alignment and the refresher catalogue alike
    fired = cmap.index.firing(view)
    known = framework.ids
    aligned: list[str] = []
    if direct.enabled:
        if view.object_id is not None and view.object_id in known:
            aligned.append(view.object_id)
        aligned.extend(i for i in view.all_context_ids if i in known)
    refresher = cmap.refreshers.activity(view.object_id) if view.object_id is not None else None
    if not fired and not aligned and refresher is None:
        return []
    failed = view.failed
    sign = -1.0 if failed else 1.0
    quality = quality_of(view, failed)
    methods = cmap.methods
    best: dict[str, Evidence] = {}
    for rule in fired:
        for spec in rule.evidence:
            if spec.competency not in known:
                continue  # check_against reports these; never store evidence for them
            weight = spec.weight if spec.weight is not None else methods[spec.method]
            current = best.get(spec.competency)
            if current is None or weight > abs(current.weight):
                best[spec.competency] = Evidence(
                    competency_id=spec.competency,
                    rule_id=rule.id,
                    method=spec.method,
                    weight=sign * weight,
                    quality=quality,
                )
    if aligned:
        method = _direct_method(view, direct)
        weight = methods[method]
        for competency_id in aligned:
            current = best.get(competency_id)
            if current is None or weight > abs(current.weight):
                best[competency_id] = Evidence(
                    competency_id=competency_id,
                    rule_id=DIRECT_RULE_ID,
                    method=method,
                    weight=sign * weight,
                    quality=quality,
                )
    if refresher is not None:
        weight = methods[refresher.method]
        for competency_id in refresher.competencies:
            current = best.get(competency_id)
            if competency_id in known and (current is None or weight > abs(current.weight)):
                best[competency_id] = Evidence(
                    competency_id=competency_id,
                    rule_id=REFRESHER_RULE_ID,
                    method=refresher.method,
                    weight=sign * weight,
                    quality=quality,
                )
    return list(best.values())


__all__ = [
    "DIRECT_RULE_ID",
    "REFRESHER_RULE_ID",
    "CompetencyMap",
    "CompetencyMapSchema",
    "DirectAlignment",
    "Evidence",
    "EvidenceSpec",
    "ExtensionMatch",
    "Match",
    "Pattern",
    "Policy",
    "ResultMatch",
    "Rule",
    "evaluate",
    "load_map",
    "read_map_document",
    "map_from_dict",
]
