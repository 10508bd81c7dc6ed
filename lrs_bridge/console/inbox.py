"""The activity inbox (admins): ``/console/activities/unmapped`` and its "map this" form.

The page reads the precomputed usage summary (``services/inbox.py``), never raw statements.
Mapping proposes one new rule, previews it with the map's dry run, and saves it as a new
configuration version; the activity leaves the inbox at once.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import flash, redirect, render_template, request
from werkzeug.wrappers import Response

from lrs_bridge.console.blueprint import console_blueprint
from lrs_bridge.console.i18n import local_name, t
from lrs_bridge.console.services import console_services
from lrs_bridge.console.viewer import admin_only, current_viewer
from lrs_bridge.errors import BadRequest
from lrs_bridge.services.inbox import MapChoice
from lrs_bridge.xapi.person import ifi_label
from lrs_bridge.xapi.timefmt import format_timestamp_us

blueprint = console_blueprint("console_inbox", __name__)

#: Errors of these form fields are shown beside them, in the viewer's language.
_FORM_FIELDS = ("competency", "method", "verbs")


def page_number(name: str) -> int:
    """A 1-based page number from the query string (400 naming it when it is not one)."""
    text = request.args.get(name, "1")
    if not (text.isascii() and text.isdigit()) or int(text) < 1 or len(text) > 9:
        raise BadRequest(f"{name} must be a page number from 1", field=name)
    return int(text)


def when(us: int | None) -> str:
    """A time as the console shows it (UTC, to the minute)."""
    if us is None:
        return ""
    return format_timestamp_us(us)[:16].replace("T", " ") + " UTC"


def verb_label(verb_id: str) -> str:
    """The last part of a verb IRI (``…/verb/viewed`` → ``viewed``)."""
    return verb_id.rstrip("/").rsplit("/", 1)[-1] or verb_id


@blueprint.get("/activities/unmapped")
@admin_only
def unmapped() -> str:
    """Unmapped activities, busiest first, and the agents the directory lacks."""
    inbox = console_services().inbox
    activities = inbox.unmapped(page_number("page"))
    agents = inbox.unknown_agents(page_number("agents_page"))
    return render_template(
        "console/inbox/unmapped.html",
        activities=activities,
        agents=agents,
        counting=inbox.counting(),
        when=when,
        verb_label=verb_label,
        ifi_label=ifi_label,
        page_url=lambda param, number: (
            "?"
            + urlencode({"page": activities.number, "agents_page": agents.number, param: number})
        ),
    )


def _choice(form: Any) -> MapChoice:
    return MapChoice(
        activity_id=(form.get("activity") or "").strip(),
        competency=form.get("competency") or "",
        method=form.get("method") or "",
        verbs=tuple(form.getlist("verbs")),
    )


def _render_form(choice: MapChoice, status: int = 200, **extra: Any) -> tuple[str, int]:
    services = console_services()
    usage = services.activity_mapper.require_activity(services.inbox, choice.activity_id)
    engine, methods = services.activity_mapper.options()
    competencies = sorted(
        ((c.id, local_name(c.name)) for c in engine.framework.competencies),
        key=lambda pair: pair[1].lower(),
    )
    weights = engine.map.methods
    page = render_template(
        "console/inbox/map.html",
        usage=usage,
        choice=choice,
        competencies=competencies,
        methods=[
            (m, t("inbox.method_weight", method=m, weight=f"{weights.get(m, 0):.2f}"))
            for m in methods
        ],
        verb_label=verb_label,
        when=when,
        errors=extra.pop("errors", {}),
        **extra,
    )
    return page, status


@blueprint.get("/activities/map")
@admin_only
def map_form() -> tuple[str, int]:
    """The "map this" form for one activity (``?activity=<IRI>``)."""
    choice = _choice(request.args)
    if not choice.verbs:
        usage = console_services().inbox.activity(choice.activity_id)
        choice = MapChoice(
            activity_id=choice.activity_id,
            competency=choice.competency,
            method=choice.method,
            verbs=tuple(usage.verbs) if usage else (),
        )
    return _render_form(choice)


@blueprint.post("/activities/map")
@admin_only
def map_post() -> Response | tuple[str, int]:
    """Preview (dry run) or save the new rule; errors are shown beside their fields."""
    choice = _choice(request.form)
    mapper = console_services().activity_mapper
    try:
        proposal = mapper.propose(choice)
    except BadRequest as error:
        field = str(error.details.get("field") or "")
        if field in _FORM_FIELDS:
            return _render_form(choice, 400, errors={field: t(f"inbox.error.{field}")})
        if field.endswith(".match.verbs"):
            return _render_form(choice, 400, errors={"verbs": error.message})
        return _render_form(choice, 400, problem=t("inbox.invalid", detail=error.message))
    if request.form.get("action") != "save":
        return _render_form(choice, preview=mapper.preview(proposal), rule=proposal.rule)
    viewer = current_viewer()
    assert viewer is not None
    version = mapper.save(proposal, created_by=f"console:{viewer.email}")
    usage = console_services().inbox.activity(choice.activity_id)
    name = local_name(usage.name) if usage and usage.name else choice.activity_id
    flash(t("inbox.saved", version=version, name=name), "success")
    return redirect("/console/activities/unmapped", code=303)
