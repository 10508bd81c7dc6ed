"""The "Upstreams" operations page (admins): each upstream LRS with its status, and its dead
letters with a retry button (all, or one statement). Reads only what status reads (indexed
counts and the state row); secrets are never rendered."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request
from werkzeug.wrappers import Response

from lrs_bridge.console.blueprint import console_blueprint
from lrs_bridge.console.i18n import t
from lrs_bridge.console.services import console_services
from lrs_bridge.console.viewer import admin_only
from lrs_bridge.errors import BadRequest
from lrs_bridge.services.upstreams import public_upstream

blueprint = console_blueprint("console_upstreams", __name__)

#: Dead letters shown per upstream (the API pages through all of them).
DEAD_LETTERS_SHOWN = 50


def _seconds(value: float | None) -> str:
    return "–" if value is None else t("upstreams.seconds", n=round(value))


@blueprint.get("/upstreams")
@admin_only
def upstreams() -> str:
    """Every upstream's figures, then the dead letters of those that have any."""
    services = console_services()
    rows: list[dict[str, Any]] = []
    for upstream in services.upstreams.all():
        status = services.upstream_status.status(upstream)
        figures = status.to_dict()
        rows.append(
            {
                "upstream": public_upstream(upstream),
                "forward": figures["forward"],
                "pull": figures["pull"],
                "forward_lag": _seconds(figures["forward"]["lag_seconds"]),
                "pull_lag": _seconds(figures["pull"]["lag_seconds"]),
                "dead": services.upstream_status.dead_letters(upstream, DEAD_LETTERS_SHOWN, 0)
                if status.dead_letters
                else [],
            }
        )
    return render_template("console/ops/upstreams.html", rows=rows, shown=DEAD_LETTERS_SHOWN)


@blueprint.post("/upstreams/<name>/retry")
@admin_only
def retry(name: str) -> Response:
    """Queue one dead letter (``statement_id``) or all of the upstream's again."""
    services = console_services()
    statement_id = (request.form.get("statement_id") or "").strip() or None
    if statement_id is not None and len(statement_id) > 36:
        raise BadRequest("statement_id: a statement id", field="statement_id")
    upstream = services.upstreams.get(name)
    count = services.upstream_status.retry(
        upstream, None if statement_id is None else [statement_id]
    )
    flash(t("upstreams.retried", name=upstream.name, count=count), "success")
    return redirect("/console/upstreams", code=303)
