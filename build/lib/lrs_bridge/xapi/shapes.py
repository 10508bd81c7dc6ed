"""The xAPI object types as :class:`~lrs_bridge.xapi.grammar.Shape` tables, per version.

One :class:`Grammar` is built per supported version at import. The tables are the
single definition of which properties each object type allows; the methods only add
the cross-property rules a table cannot express (one IFI, objectType dispatch, score
bounds, interaction components, voiding, revision/platform).
"""

from __future__ import annotations

from typing import Any

from lrs_bridge.xapi import grammar as g
from lrs_bridge.xapi.grammar import Fail, Shape, each


class Grammar:
    """Statement rules of one xAPI version (``v2``: IEEE 9274.1.1 / 2.0.0)."""

    def __init__(self, *, v2: bool) -> None:
        self.v2 = v2
        account = Shape(
            "an account",
            {"homePage": g.iri("account homePage"), "name": g.string("account name")},
            ("homePage", "name"),
        )
        agent_props: dict[str, g.Check] = {
            "objectType": g.const("Agent"),
            "name": g.string("an Agent name"),
            "mbox": g.mbox,
            "mbox_sha1sum": g.mbox_sha1sum,
            "openid": g.iri("openid"),
            "account": account.check,
        }
        # Data §2.4.2.1-2: Agent and Group share the IFIs; a Group adds member.
        self.agent_shape = Shape("an Agent", agent_props)
        self.group_shape = Shape(
            "a Group",
            {
                **agent_props,
                "objectType": g.const("Group"),
                "name": g.string("a Group name"),
                "member": self.members,
            },
            ("objectType",),
        )
        self.verb_shape = Shape(
            "a Verb", {"id": g.iri("a Verb id"), "display": g.language_map}, ("id",)
        )
        component = Shape(
            "an interaction component",
            {"id": g.string("an interaction component id"), "description": g.language_map},
            ("id",),
        )

        def components(value: Any) -> None:
            each(value, component.check, "interaction components")
            seen: set[str] = set()
            for index, item in enumerate(value):
                if item["id"] in seen:
                    raise Fail("interaction component ids must be unique in a list", index, "id")
                seen.add(item["id"])

        self.definition_shape = Shape(
            "an Activity definition",
            {
                "name": g.language_map,
                "description": g.language_map,
                "type": g.iri("an Activity type"),
                "moreInfo": g.iri("moreInfo (an IRL)"),
                "extensions": g.extensions,
                "interactionType": g.string("interactionType"),
                "correctResponsesPattern": lambda v: each(
                    v, g.string("a correct response pattern"), "correctResponsesPattern"
                ),
                "choices": components,
                "scale": components,
                "source": components,
                "target": components,
                "steps": components,
            },
        )
        self.activity_shape = Shape(
            "an Activity",
            {
                "objectType": g.const("Activity"),
                "id": g.iri("an Activity id"),
                "definition": self.definition,
            },
            ("id",),
        )
        self.statement_ref_shape = Shape(
            "a StatementRef",
            {"objectType": g.const("StatementRef"), "id": g.uuid},
            ("objectType", "id"),
        )
        score = Shape(
            "a score",
            {
                "scaled": g.number("score scaled"),
                "raw": g.number("score raw"),
                "min": g.number("score min"),
                "max": g.number("score max"),
            },
        )
        self.score_shape = score
        self.result_shape = Shape(
            "a Result",
            {
                "score": self.score,
                "success": g.boolean("result success"),
                "completion": g.boolean("result completion"),
                "response": g.string("result response"),
                "duration": g.duration,
                "extensions": g.extensions,
            },
        )
        activities = self.context_activities
        self.context_activities_shape = Shape(
            "contextActivities",
            {
                "parent": activities,
                "grouping": activities,
                "category": activities,
                "other": activities,
            },
        )
        context_props: dict[str, g.Check] = {
            "registration": g.uuid,
            "instructor": self.actor,
            "team": self.group_only,
            "contextActivities": self.context_activities_shape.check,
            "revision": g.string("context revision"),
            "platform": g.string("context platform"),
            "language": g.language_tag,
            "statement": self.statement_ref,
            "extensions": g.extensions,
        }
        if v2:
            relevant_types = self.relevant_types
            context_agent = Shape(
                "a contextAgent",
                {
                    "objectType": g.const("contextAgent"),
                    "agent": self.agent_only,
                    "relevantTypes": relevant_types,
                },
                ("objectType", "agent"),
            )
            context_group = Shape(
                "a contextGroup",
                {
                    "objectType": g.const("contextGroup"),
                    "group": self.group_only,
                    "relevantTypes": relevant_types,
                },
                ("objectType", "group"),
            )
            context_props["contextAgents"] = lambda v: each(v, context_agent.check, "contextAgents")
            context_props["contextGroups"] = lambda v: each(v, context_group.check, "contextGroups")
        self.context_shape = Shape("a Context", context_props)
        attachment = Shape(
            "an Attachment",
            {
                "usageType": g.iri("an attachment usageType"),
                "display": g.language_map,
                "description": g.language_map,
                "contentType": g.content_type,
                "length": g.length,
                "sha2": g.sha2,
                "fileUrl": g.iri("fileUrl (an IRL)"),
            },
            ("usageType", "display", "contentType", "length", "sha2"),
        )
        self.attachment_shape = attachment
        common: dict[str, g.Check] = {
            "actor": self.actor,
            "verb": self.verb_shape.check,
            "result": self.result_shape.check,
            "context": self.context_shape.check,
            "timestamp": g.timestamp,
            "attachments": lambda v: each(v, attachment.check, "attachments"),
        }
        self.statement_shape = Shape(
            "a Statement",
            {
                **common,
                "id": g.uuid,
                "object": self.statement_object,
                "stored": g.timestamp,
                "authority": self.authority,
                "version": self.version,
            },
            ("actor", "verb", "object"),
        )
        no = g.forbidden(g.SUBSTATEMENT_FORBIDDEN)
        self.substatement_shape = Shape(
            "a SubStatement",
            {
                **common,
                "objectType": g.const("SubStatement"),
                "object": self.substatement_object,
                "id": no,
                "stored": no,
                "version": no,
                "authority": no,
            },
            ("actor", "verb", "object"),
        )

    # --- Statement (Data §2.4) --------------------------------------------------------

    def statement(self, value: Any) -> None:
        """A whole Statement, including voiding and revision/platform rules."""
        self.statement_shape.check(value)
        obj = value["object"]
        if value["verb"]["id"] == g.VOIDED and obj.get("objectType") != "StatementRef":
            raise Fail("a voiding Statement's object must be a StatementRef", "object")
        self._context_fits_object(value, obj)

    def substatement(self, value: Any) -> None:
        """Data §2.4.4.3: a Statement nested as an object, without id/stored/authority."""
        self.substatement_shape.check(value)
        self._context_fits_object(value, value["object"])

    @staticmethod
    def _context_fits_object(value: dict[str, Any], obj: dict[str, Any]) -> None:
        context = value.get("context")
        if context is None or obj.get("objectType", "Activity") == "Activity":
            return
        for key in ("revision", "platform"):
            if key in context:
                raise Fail(
                    f"context {key} is only allowed when the object is an Activity", "context", key
                )

    def version(self, value: Any) -> None:
        """Data §2.4.10: 1.0.x; a 2.0.0 LRS also takes 2.0.x (and still 1.0.x)."""
        pattern = g.VERSION_2 if self.v2 else g.VERSION_1
        if not isinstance(value, str) or pattern.fullmatch(value) is None:
            allowed = "1.0.x or 2.0.x" if self.v2 else "1.0.x"
            raise Fail(f"version must be {allowed}, got {value!r:.40}")

    # --- Actor (Data §2.4.2) ------------------------------------------------------------

    def actor(self, value: Any) -> None:
        """An Agent or a Group (objectType defaults to Agent)."""
        if not isinstance(value, dict):
            raise Fail("must be an Agent or a Group (a JSON object)")
        object_type = value.get("objectType")
        if object_type is None or object_type == "Agent":
            self.agent_shape.check(value)  # self.agent(), inlined: every statement has one
            if ("mbox" in value) + ("mbox_sha1sum" in value) + ("openid" in value) + (
                "account" in value
            ) != 1:
                raise Fail(g.IFI_RULE)
        elif object_type == "Group":
            self.group(value)
        else:
            raise Fail("objectType must be 'Agent' or 'Group'", "objectType")

    def agent(self, value: Any) -> None:
        """Data §2.4.2.1: exactly one IFI."""
        self.agent_shape.check(value)
        if ("mbox" in value) + ("mbox_sha1sum" in value) + ("openid" in value) + (
            "account" in value
        ) != 1:
            raise Fail(g.IFI_RULE)

    def group(self, value: Any) -> None:
        """Data §2.4.2.2: at most one IFI; an anonymous Group must list its members."""
        self.group_shape.check(value)
        count = sum(key in value for key in g.IFIS)
        if count > 1:
            raise Fail(
                "a Group must have at most one inverse functional identifier "
                "(mbox, mbox_sha1sum, openid, account)"
            )
        if count == 0 and "member" not in value:
            raise Fail(
                "an anonymous Group (no inverse functional identifier) must have a member array",
                "member",
            )

    def members(self, value: Any) -> None:
        """Group members are Agents only: a Group may not contain Groups."""
        each(value, self.member, "a Group member list")

    def member(self, value: Any) -> None:
        """One Group member."""
        if isinstance(value, dict) and value.get("objectType") == "Group":
            raise Fail("Group members must be Agents, not Groups", "objectType")
        self.agent(value)

    def agent_only(self, value: Any) -> None:
        """Where the spec wants an Agent and never a Group (contextAgents)."""
        if isinstance(value, dict) and value.get("objectType") == "Group":
            raise Fail("must be an Agent, not a Group", "objectType")
        self.agent(value)

    def group_only(self, value: Any) -> None:
        """Where the spec wants a Group (context team, contextGroups)."""
        if not isinstance(value, dict) or value.get("objectType") != "Group":
            raise Fail("must be a Group (with objectType 'Group')")
        self.group(value)

    def authority(self, value: Any) -> None:
        """Data §2.4.9: an Agent, or an anonymous Group of exactly two Agents (OAuth)."""
        self.actor(value)
        if value.get("objectType") == "Group":
            if any(key in value for key in g.IFIS):
                raise Fail("an authority Group must be anonymous (OAuth consumer and user)")
            if len(value["member"]) != 2:
                raise Fail(
                    "an authority Group must have exactly two Agents (OAuth consumer and user)",
                    "member",
                )

    # --- Object (Data §2.4.4) -----------------------------------------------------------

    def statement_object(self, value: Any) -> None:
        """The object of a Statement."""
        self._object(value, nested=False)

    def substatement_object(self, value: Any) -> None:
        """The object of a SubStatement: anything but another SubStatement."""
        self._object(value, nested=True)

    def _object(self, value: Any, *, nested: bool) -> None:
        if not isinstance(value, dict):
            raise Fail(
                "an object must be a JSON object (Activity, Agent, Group, "
                "StatementRef or SubStatement)"
            )
        object_type = value.get("objectType")
        if object_type is None or object_type == "Activity":
            try:
                self.activity(value)
            except Fail as fail:
                if object_type is None and any(key in value for key in g.IFIS):
                    raise Fail(
                        "an Agent or Group used as an object must have an objectType", "objectType"
                    ) from fail
                raise
        elif object_type == "Agent":
            self.agent(value)
        elif object_type == "Group":
            self.group(value)
        elif object_type == "StatementRef":
            self.statement_ref_shape.check(value)
        elif object_type == "SubStatement":
            if nested:
                raise Fail("a SubStatement must not contain another SubStatement", "objectType")
            self.substatement(value)
        else:
            raise Fail(
                "objectType must be one of Activity, Agent, Group, StatementRef, SubStatement",
                "objectType",
            )

    def statement_ref(self, value: Any) -> None:
        """Data §2.4.4.3 Statement Reference."""
        self.statement_ref_shape.check(value)

    def activity(self, value: Any) -> None:
        """Data §2.4.4.1 Activity."""
        self.activity_shape.check(value)

    def definition(self, value: Any) -> None:
        """Activity definition, with the interaction rules of Data §2.4.4.1."""
        self.definition_shape.check(value)
        g.interaction_rules(value)

    def context_activities(self, value: Any) -> None:
        """An Activity or an array of Activities (single objects are legal 1.0.x input)."""
        check = self.activity_shape.check
        if value.__class__ is not list:
            check(value)
            return
        for index, item in enumerate(value):  # each(), inlined: this is the hot path
            try:
                check(item)
            except Fail as fail:
                fail.parts.append(index)
                raise

    def relevant_types(self, value: Any) -> None:
        """2.0.0 contextAgents/contextGroups relevantTypes: a non-empty array of IRIs."""
        each(value, g.iri("a relevantType"), "relevantTypes", non_empty=True)

    # --- Result (Data §2.4.5) -----------------------------------------------------------

    def score(self, value: Any) -> None:
        """Data §2.4.5.1: -1 <= scaled <= 1, min < max, min <= raw <= max."""
        self.score_shape.check(value)
        g.score_bounds(value)


GRAMMARS: dict[str, Grammar] = {"1.0.3": Grammar(v2=False), "2.0.0": Grammar(v2=True)}
