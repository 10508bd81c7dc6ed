"""The rule tester (admins): paste a statement or give a stored statement's id, and see
which rules fire, the evidence, and why the near misses did not fire."""

from __future__ import annotations

from typing import Any

from flask import Response, render_template, request

from lrs_bridge.console.blueprint import console_blueprint
from lrs_bridge.console.i18n import t
from lrs_bridge.console.mapeditor_flow import editor
from lrs_bridge.console.viewer import admin_only
from lrs_bridge.errors import BadRequest, NotFound

blueprint = console_blueprint("console_map_tester", __name__)


def reason_text(reason: dict[str, Any]) -> str:
    """A near miss's reason in the viewer's language ("score below 0.8")."""
    listed = str(reason["condition"]).rpartition(".")[2]
    return t(f"map.miss.{reason['code']}", expected=reason["expected"], list=listed)


@blueprint.route("/map/tester", methods=["GET", "POST"])
@admin_only
def tester() -> Response:
    """The form; on POST the explanation (or the form with the error naming the field)."""
    form = {"statement": "", "statement_id": ""}
    result = None
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = {k: request.form.get(k, "") for k in form}
        try:
            result = editor().test_statement(form["statement"], form["statement_id"].strip())
        except NotFound as error:
            errors["statement_id"] = error.message
        except BadRequest as error:
            field = error.details.get("field")
            errors["statement_id" if field == "statement_id" else "statement"] = error.message
    page = render_template(
        "console/map/tester.html", form=form, result=result, errors=errors, reason_text=reason_text
    )
    return Response(page, status=400 if errors else 200, mimetype="text/html")
