"""What every map editor page shares: the service, who saves, and the preview page."""

from __future__ import annotations

from flask import Response, render_template

from lrs_bridge.console.services import console_services
from lrs_bridge.console.viewer import current_viewer
from lrs_bridge.services.map_editor import MapEditor, Preview


def editor() -> MapEditor:
    """The map editor service of this request."""
    return console_services().map_editor


def by() -> str:
    """Who saves: the signed-in admin's e-mail, as the history shows it."""
    viewer = current_viewer()
    assert viewer is not None
    return f"console:{viewer.email}"


def preview_page(preview: Preview, *, status: int = 200, notice: str | None = None) -> Response:
    """The dry run of a candidate with its changes, and the confirm form carrying it."""
    return Response(
        render_template("console/map/preview.html", preview=preview, notice=notice),
        status=status,
        mimetype="text/html",
    )
