"""The team matrix pages: ``/console/teams`` (the teams a viewer may open) and
``/console/teams/<team>`` (learners × competencies, also as CSV).

Admins open any team; a manager opens a team that contains one of their reports and sees
their reports and themselves in it. The view parses the filters, asks
:class:`~lrs_bridge.services.team_matrix.TeamMatrixService` and renders; the page is large
(500 × 17 cells), so each cell's text and link are prepared here once per column and status,
not computed per cell in the template.
"""

from __future__ import annotations

import csv
import io
import time
import urllib.parse
from typing import Any

from flask import Response, abort, g, redirect, render_template, request
from markupsafe import Markup, escape

from lrs_bridge.console.blueprint import console_blueprint
from lrs_bridge.console.i18n import current_language, t
from lrs_bridge.console.services import console_services
from lrs_bridge.console.viewer import Viewer, current_viewer, signed_in
from lrs_bridge.errors import BadRequest
from lrs_bridge.services.team_matrix import STATUSES, Matrix, Row, ViewerScope
from lrs_bridge.xapi.timefmt import format_timestamp_us

blueprint = console_blueprint("console_teams", __name__)


@blueprint.before_request
def _start_clock() -> None:
    g.teams_started = (time.perf_counter(), time.process_time())


@blueprint.after_request
def _server_timing(response: Response) -> Response:
    """``Server-Timing: app;dur=<ms>, cpu;dur=<ms>``: the page's own wall time and the
    worker's CPU time for it, which ``make bench`` reports (the matrix has a 300 ms budget;
    CPU time shows the cost apart from other processes' load on a shared machine)."""
    started = g.get("teams_started")
    if started is not None:
        wall = (time.perf_counter() - started[0]) * 1000
        cpu = (time.process_time() - started[1]) * 1000
        response.headers["Server-Timing"] = f"app;dur={wall:.1f}, cpu;dur={cpu:.1f}"
    return response


#: The learner area's evidence trail of one competency (the cell links' contract).
EVIDENCE_PATH = "/console/learners/{learner}/evidence?competency={competency}"


def _viewer() -> Viewer:
    viewer = current_viewer()
    if viewer is None:  # @signed_in has redirected already
        abort(401)
    return viewer


def _scope(viewer: Viewer) -> ViewerScope:
    service = console_services().team_matrix()
    return service.scope_of(admin=viewer.is_admin, learner_id=viewer.learner_id)


@blueprint.get("/teams")
@signed_in
def teams() -> str:
    """Admins: every team with its size; managers: the teams of their reports."""
    viewer = _viewer()
    scope = _scope(viewer)
    found = console_services().team_matrix().teams(scope)
    if not scope.everyone and not found:
        abort(403)
    return render_template("console/teams/index.html", teams=found)


@blueprint.get("/teams/<team>")
@signed_in
def team_matrix(team: str) -> Any:
    """The matrix of one team, filtered by manager and competency group; ``?format=csv``."""
    viewer = _viewer()
    service = console_services().team_matrix()
    scope = _scope(viewer)
    wanted = request.args.get("team", "").strip()
    if wanted and wanted != team:  # the filter form's team choice
        rest = {k: v for k, v in request.args.items() if k != "team" and v}
        query = f"?{urllib.parse.urlencode(rest)}" if rest else ""
        return redirect(f"/console/teams/{urllib.parse.quote(wanted, safe='')}{query}")
    output = request.args.get("format", "html")
    if output not in ("html", "csv"):
        raise BadRequest(t("teams.bad_format"), field="format")
    if not service.may_view_team(team, scope):
        abort(403)
    visible = service.teams(scope)
    if scope.everyone and team not in {s.team for s in visible}:
        abort(404)
    matrix = service.matrix(
        team=team,
        manager_id=_manager(),
        group=request.args.get("group") or None,
        viewer_scope=scope,
        now_us=console_services().now_us(),
        language=current_language(),
    )
    if output == "csv":
        return _csv(matrix)
    words: dict[str, str] = {s: t(f"status.{s}") for s in STATUSES}
    return render_template(
        "console/teams/matrix.html",
        matrix=matrix,
        teams=visible,
        body=_body(matrix, words),
        status_words=words,
        date=format_timestamp_us(matrix.at_us)[:10],
        csv_query=urllib.parse.urlencode(
            {**{k: v for k, v in request.args.items() if v}, "format": "csv"}
        ),
    )


def _manager() -> int | None:
    value = request.args.get("manager", "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise BadRequest(t("teams.bad_manager"), field="manager")
    return int(value)


def _body(matrix: Matrix, words: dict[str, str]) -> list[tuple[Row, Markup]]:
    """Each row with its cells' markup, built here rather than in Jinja.

    A 500 × 17 page has 8,500 cells; escaping four values per cell in the template costs
    more than the whole query. The parts that repeat (each column's escaped IRI and quoted
    link parameter, each status word) are escaped once; per cell only an id, a level and
    those parts are joined. The markup is the matrix contract: ``data-learner``,
    ``data-competency``, ``data-status``, the status word and level as text, a link to the
    learner's evidence trail of that competency.
    """
    columns = [(str(escape(c.id)), urllib.parse.quote(c.id, safe="")) for c in matrix.columns]
    texts = {status: str(escape(word)) for status, word in words.items()}
    rows = []
    for row in matrix.rows:
        learner = row.learner_id
        parts = []
        for (iri, quoted), (_, status, level) in zip(columns, row.cells, strict=True):
            shown = texts[status] if level is None else f"{texts[status]} {round(level * 100)}%"
            href = EVIDENCE_PATH.format(learner=learner, competency=quoted)
            parts.append(
                f'<td class="cell-{status}" data-learner="{learner}" data-competency="{iri}" '
                f'data-status="{status}"><a href="{href}">{shown}</a></td>'
            )
        rows.append((row, Markup("".join(parts))))  # noqa: S704 - every part escaped above
    return rows


def _csv(matrix: Matrix) -> Response:
    """The same matrix as CSV: a row per member, a status and a level column per
    competency, the member's totals last. Status values are the stable codes."""
    out = io.StringIO()
    writer = csv.writer(out)
    header = ["learner_id", "name", "email", "team"]
    for column in matrix.columns:
        header += [f"{column.name} ({column.id}) status", f"{column.name} ({column.id}) level"]
    writer.writerow(header + list(STATUSES))
    for row in matrix.rows:
        line: list[Any] = [row.learner_id, row.name, row.email or "", row.team or ""]
        for cell in row.cells:
            line += [cell.status, "" if cell.level is None else f"{cell.level:.4f}"]
        writer.writerow(line + [row.totals.as_dict()[s] for s in STATUSES])
    name = f"team-{matrix.team or 'all'}-{format_timestamp_us(matrix.at_us)[:10]}.csv"
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{_safe(name)}"'},
    )


def _safe(filename: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in filename)
