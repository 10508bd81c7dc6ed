"""The map's version history (admins): every saved version, a diff between any two, and a
rollback, which previews an old version and saves it again as the newest."""

from __future__ import annotations

from flask import Response, render_template, request

from lrs_bridge.console.blueprint import console_blueprint
from lrs_bridge.console.mapeditor_flow import editor, preview_page
from lrs_bridge.console.viewer import admin_only
from lrs_bridge.errors import BadRequest
from lrs_bridge.services.config_history import canonical_yaml
from lrs_bridge.xapi.timefmt import format_timestamp_us

blueprint = console_blueprint("console_map_history", __name__)


def _when(value_us: int | None) -> str:
    return "" if value_us is None else format_timestamp_us(value_us)[:19].replace("T", " ")


@blueprint.get("/map/history")
@admin_only
def history() -> str:
    """The versions, newest first, with diff and rollback controls."""
    versions = editor().history.versions()
    return render_template("console/map/history.html", versions=versions, when=_when)


@blueprint.get("/map/history/<int:version_id>")
@admin_only
def version(version_id: int) -> str:
    """One version's documents as canonical YAML."""
    found = editor().history.version(version_id)
    return render_template(
        "console/map/version.html",
        version=found,
        when=_when,
        framework_yaml=canonical_yaml(found["framework"]),
        map_yaml=canonical_yaml(found["map"]),
    )


def _version_arg(name: str) -> int:
    text = request.args.get(name, "")
    if not text.isdigit():
        raise BadRequest(f"{name}: pick a version", field=name)
    return int(text)


@blueprint.get("/map/history/diff")
@admin_only
def diff() -> str:
    """What changed from one version to another: per item, then line by line."""
    old, new = _version_arg("old"), _version_arg("new")
    found = editor().history.diff(old, new)
    versions = editor().history.versions()
    return render_template("console/map/diff.html", diff=found, versions=versions)


@blueprint.post("/map/history/<int:version_id>/rollback")
@admin_only
def rollback(version_id: int) -> Response:
    """Preview saving an old version again (note: "rollback to vN")."""
    service = editor()
    return preview_page(service.preview(service.rollback(version_id)))
