"""The console's front door: ``/console/`` (signed in) and the static files."""

from __future__ import annotations

from typing import NoReturn

from flask import abort, render_template

from lrs_bridge.console.access import is_manager
from lrs_bridge.console.blueprint import console_blueprint
from lrs_bridge.console.viewer import current_viewer, signed_in

blueprint = console_blueprint(
    "console", __name__, static_folder="static", static_url_path="/static"
)


@blueprint.get("/")
@signed_in
def home() -> str:
    """What the viewer can open from here, by role."""
    viewer = current_viewer()
    assert viewer is not None
    return render_template("console/home.html", viewer=viewer, manager=is_manager(viewer))


@blueprint.route("/<path:rest>", methods=["GET", "POST"])
def unknown(rest: str) -> NoReturn:
    """Any other console path: the console's own 404 page (not the API's JSON)."""
    abort(404)
