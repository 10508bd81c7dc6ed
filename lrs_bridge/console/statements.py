"""The statement browser (admins): ``/console/statements`` with a GET filter form, and each
statement's JSON at ``/console/statements/<id>.json``."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Response, abort, render_template, request

from lrs_bridge.console.blueprint import console_blueprint
from lrs_bridge.console.i18n import local_name
from lrs_bridge.console.inbox import verb_label, when
from lrs_bridge.console.services import console_services
from lrs_bridge.console.viewer import admin_only
from lrs_bridge.errors import BadRequest
from lrs_bridge.services.statement_browser import FILTERS, parse_filters
from lrs_bridge.xapi.extract import agent_key
from lrs_bridge.xapi.person import ifi_label

blueprint = console_blueprint("console_statements", __name__)


def actor_label(actor: Any) -> str:
    """An actor as a person reads it: the name, else the identifier."""
    if not isinstance(actor, dict):
        return ""
    key = agent_key(actor)
    name = actor.get("name")
    if name and key:
        return f"{name} ({ifi_label(key)})"
    return str(name or (ifi_label(key) if key else actor.get("objectType", "Group")))


def object_label(obj: Any) -> str:
    """A statement's object: an activity's name in the viewer's language, else its id."""
    if not isinstance(obj, dict):
        return ""
    if obj.get("objectType", "Activity") == "Activity":
        name = (obj.get("definition") or {}).get("name")
        return local_name(name) if name else str(obj.get("id", ""))
    if obj.get("objectType") in ("Agent", "Group"):
        return actor_label(obj)
    return f"{obj.get('objectType')} {obj.get('id', '')}".strip()


@blueprint.get("/statements")
@admin_only
def browse() -> tuple[str, int]:
    """Recent statements, filtered; a bad filter is a 400 naming the field, on the form."""
    services = console_services()
    errors: dict[str, str] = {}
    page = None
    try:
        filters = parse_filters(request.args)
    except BadRequest as error:
        errors[str(error.details.get("field"))] = error.message
        given = {name: request.args.get(name, "") for name in FILTERS}
    else:
        given = filters.given
        page = services.statement_browser.page(filters)
    engine = services.runtime.competencies
    framework = engine.current().framework if engine is not None else None

    def competency_name(competency_id: str) -> str:
        found = framework.get(competency_id) if framework is not None else None
        return local_name(found.name) if found is not None else competency_id

    carried = {k: v for k, v in given.items() if v}
    older = newest = None
    if page is not None and page.next_before is not None:
        older = "?" + urlencode({**carried, "before": page.next_before})
    if "before" in request.args:
        newest = "?" + urlencode(carried)
    html = render_template(
        "console/statements/list.html",
        given=given,
        errors=errors,
        page=page,
        older=older,
        newest=newest,
        filtered=any(given.values()) or "before" in request.args,
        when=when,
        verb_label=verb_label,
        actor_label=actor_label,
        object_label=object_label,
        competency_name=competency_name,
    )
    return html, 400 if errors else 200


@blueprint.get("/statements/<statement_id>.json")
@admin_only
def statement_json(statement_id: str) -> Response:
    """One statement exactly as stored."""
    found = console_services().statement_browser.statement_json(statement_id)
    if found is None:
        abort(404)
    return Response(found, mimetype="application/json")
