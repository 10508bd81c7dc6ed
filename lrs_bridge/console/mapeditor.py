"""The map editor (admins): the framework, rules, policies, methods and refresher catalogue
in forms; YAML upload and download; every save previewed (dry run) and then confirmed.

Version history, diff and rollback are in :mod:`lrs_bridge.console.mapeditor_history`, the
rule tester in :mod:`lrs_bridge.console.mapeditor_tester`; all three register through
:data:`BLUEPRINTS`.
"""

from __future__ import annotations

from typing import Any, cast

from flask import Response, flash, redirect, render_template, request, url_for

from lrs_bridge.console import mapeditor_history, mapeditor_tester
from lrs_bridge.console.blueprint import console_blueprint
from lrs_bridge.console.i18n import t
from lrs_bridge.console.mapeditor_flow import by, editor, preview_page
from lrs_bridge.console.mapeditor_forms import (
    FIELDS,
    body_from_form,
    form_field_of,
    form_values,
    summary,
)
from lrs_bridge.console.viewer import admin_only
from lrs_bridge.errors import BadRequest, NotFound
from lrs_bridge.services.config_items import COLLECTIONS, collection, item, items
from lrs_bridge.services.map_editor import Candidate, Document, Preview

blueprint = console_blueprint("console_map", __name__)
#: The editor's blueprints, for ``console/pages.py``.
BLUEPRINTS = [blueprint, mapeditor_history.blueprint, mapeditor_tester.blueprint]

DOCUMENTS: dict[str, Document] = {"map": "map", "framework": "framework"}


def _items_listing(documents: dict[str, Any], name: str) -> list[tuple[str, list[str]]]:
    found = items(documents, collection(name))
    if isinstance(found, dict):
        return [(str(k), summary(name, str(k), v)) for k, v in found.items()]
    return [(str(i.get("id")), summary(name, str(i.get("id")), i)) for i in found]


@blueprint.get("/map")
@admin_only
def overview() -> str:
    """Every part of the map with its size, the active version, upload and download."""
    documents = editor().documents()
    counts = {name: len(items(documents, collection(name))) for name in COLLECTIONS}
    return render_template(
        "console/map/overview.html", documents=documents, counts=counts, errors={}
    )


@blueprint.get("/map/<name>")
@admin_only
def listing(name: str) -> str:
    """One collection's items, each with its edit form and a delete button."""
    collection(name)
    rows = _items_listing(editor().documents(), name)
    return render_template("console/map/list.html", name=name, rows=rows)


def _form_page(
    name: str, item_id: str, values: dict[str, str], errors: dict[str, str], *, new: bool
) -> Response:
    documents = editor().documents()
    options = {
        "kind": [("fixed", "fixed"), ("adaptive", "adaptive")],
        "policy": [(p, p) for p in documents["map"].get("policies", {})],
        "method": [(m, m) for m in documents["map"].get("methods", {})],
        "parent": [
            (c["id"], c["id"]) for c in documents["framework"]["competencies"] if c["id"] != item_id
        ],
    }
    page = render_template(
        "console/map/item.html",
        name=name,
        item_id=item_id,
        fields=FIELDS[name],
        values=values,
        errors=errors,
        options=options,
        new=new,
    )
    return Response(page, status=400 if errors else 200, mimetype="text/html")


@blueprint.route("/map/<name>/item", methods=["GET", "POST"])
@admin_only
def item_form(name: str) -> Response:
    """Add or edit one item: the form, and on POST its preview (or the form with errors
    naming the rule and the field)."""
    collection(name)
    service = editor()
    source = request.form if request.method == "POST" else request.args
    item_id = (source.get("id") or "").strip()
    new = source.get("new") == "1" or not item_id
    current = item(service.documents(), collection(name), item_id) if item_id else None
    if request.method == "GET":
        if item_id and current is None and not new:
            raise NotFound(f"no {name} item {item_id!r}")
        return _form_page(name, item_id, form_values(name, current), {}, new=new)
    form = {key: str(value) for key, value in request.form.items()}
    if not item_id:
        return _form_page(name, item_id, form, {"id": t("map.error.id_required")}, new=True)
    if new and current is not None:
        return _form_page(name, item_id, form, {"id": t("map.error.id_taken")}, new=True)
    body, errors = body_from_form(name, form, current)
    if errors:
        return _form_page(name, item_id, form, errors, new=new)
    candidate = service.edit_item(name, item_id, body)
    try:
        return preview_page(service.preview(candidate))
    except BadRequest as error:
        field = form_field_of(name, item_id, cast(str | None, error.details.get("field")))
        return _form_page(name, item_id, form, {field or "_": error.message}, new=new)


@blueprint.post("/map/<name>/delete")
@admin_only
def delete(name: str) -> Response:
    """Preview deleting one item (a rule still naming a deleted method is an error)."""
    service = editor()
    item_id = request.form.get("id", "")
    candidate = service.edit_item(name, item_id, None)
    try:
        return preview_page(service.preview(candidate))
    except BadRequest as error:
        return _overview_error(error.message)


def _overview_error(message: str) -> Response:
    documents = editor().documents()
    counts = {name: len(items(documents, collection(name))) for name in COLLECTIONS}
    page = render_template(
        "console/map/overview.html", documents=documents, counts=counts, errors={"_": message}
    )
    return Response(page, status=400, mimetype="text/html")


@blueprint.post("/map/upload")
@admin_only
def upload() -> Response:
    """Preview a whole map or framework from an uploaded YAML or JSON file."""
    document = DOCUMENTS.get(request.form.get("document", ""))
    if document is None:
        return _overview_error(t("map.error.document"))
    sent = request.files.get("file")
    if sent is None or not sent.filename:
        return _overview_error(t("map.error.file"))
    try:
        text = sent.read().decode("utf-8")
    except UnicodeDecodeError:
        return _overview_error(t("map.error.encoding"))
    service = editor()
    try:
        return preview_page(service.preview(service.upload(document, text, sent.filename)))
    except BadRequest as error:
        return _overview_error(error.message)


@blueprint.get("/map/download/<document>.yaml")
@admin_only
def download(document: str) -> Response:
    """The active map or framework as canonical YAML, to edit and upload again."""
    chosen = DOCUMENTS.get(document)
    if chosen is None:
        raise NotFound(f"no document {document!r}")
    filename = "competency-map.yaml" if chosen == "map" else "framework.yaml"
    return Response(
        editor().download(chosen),
        mimetype="application/yaml",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@blueprint.post("/map/confirm")
@admin_only
def confirm() -> Response:
    """Save a previewed candidate; a candidate (or active version) changed since its
    preview is previewed again instead."""
    service = editor()
    note = request.form.get("note", "").strip()
    candidate = Candidate.from_json(request.form.get("candidate", ""), note)
    try:
        outcome = service.save(candidate, request.form.get("fingerprint", ""), by())
    except BadRequest as error:
        return _overview_error(error.message)
    if isinstance(outcome, Preview):
        return preview_page(outcome, status=409, notice=t("map.preview.changed"))
    flash(t("map.saved", version=outcome), "success")
    return cast(Response, redirect(url_for("console_map_history.history"), code=303))
