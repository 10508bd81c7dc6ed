"""The learner's pages: ``/console/me``, ``/console/learners/<id>`` (competencies, evidence
timeline, open assignments, history), one competency's evidence trail, and one assignment
with its acknowledge and snooze forms (where the refresher e-mail's sign-in link lands).

Learners see themselves, managers their reports at any depth, admins everyone
(:mod:`lrs_bridge.console.access`). Acting on an assignment follows the API's rule: the
learner or an admin, never the manager.
"""

from __future__ import annotations

import zlib
from typing import Any

from flask import abort, flash, redirect, render_template, request
from werkzeug.wrappers import Response

from lrs_bridge.console.access import may_see_learner
from lrs_bridge.console.blueprint import console_blueprint
from lrs_bridge.console.charts import ChartText, EvidencePoint, render_timeline, timeline
from lrs_bridge.console.i18n import current_language, local_name, t
from lrs_bridge.console.services import console_services
from lrs_bridge.console.viewer import Viewer, current_viewer, local_path, signed_in
from lrs_bridge.errors import BadRequest, Conflict
from lrs_bridge.notify.i18n import format_date, format_duration
from lrs_bridge.services.learner_view import AssignmentDetail, CompetencyRow, LearnerView, may_act
from lrs_bridge.xapi.timefmt import format_timestamp_us

blueprint = console_blueprint("console_learners", __name__)

#: The snooze choices offered, shortest first; those beyond ``snooze_max`` are left out.
SNOOZE_CHOICES = ("P1D", "P3D", "P7D", "P14D")
_DAY_US = 86_400_000_000


def _viewer() -> Viewer:
    viewer = current_viewer()
    assert viewer is not None  # @signed_in ran first
    return viewer


def _service() -> LearnerView:
    return console_services().learner_view


def _date(value_us: int | None) -> str:
    return "—" if value_us is None else format_date(value_us, current_language())


def _moment(value_us: int | None) -> str:
    """A date and UTC time, for events a person may want to tell apart within a day."""
    if value_us is None:
        return "—"
    return f"{_date(value_us)} {format_timestamp_us(value_us)[11:16]} UTC"


def _render(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    helpers = {"date": _date, "moment": _moment, "duration": _duration, "viewer": _viewer()}
    return render_template(f"console/learners/{template}", **helpers, **context), status


def _duration(value: str | None) -> str:
    return "" if not value else format_duration(value, current_language())


def _require_visible(learner_id: int) -> None:
    if not may_see_learner(_viewer(), learner_id):
        abort(403)


# -- pages -------------------------------------------------------------------------------


@blueprint.get("/me")
@signed_in
def me() -> Response | tuple[str, int]:
    """The signed-in learner's own page; an admin without a directory entry is told so."""
    viewer = _viewer()
    if viewer.learner_id is None:
        return _render("no_record.html")
    return redirect(f"/console/learners/{viewer.learner_id}", code=302)


@blueprint.get("/learners/<int:learner_id>")
@signed_in
def learner_page(learner_id: int) -> tuple[str, int]:
    """Competencies, the evidence timeline, open assignments and the history."""
    _require_visible(learner_id)
    service = _service()
    learner = service.learner(learner_id)
    rows = service.framework_rows(learner_id)
    now = console_services().now_us()
    return _render(
        "page.html",
        learner=learner,
        rows=rows,
        charts=[(row, _chart(row, now)) for row in rows if row.evidence],
        open_assignments=[
            _assignment_context(d, service) for d in service.open_assignments(learner_id)
        ],
        history=service.history(learner_id),
        names={row.competency_id: row.name for row in rows},
        now_us=now,
    )


@blueprint.get("/learners/<int:learner_id>/evidence")
@signed_in
def evidence_trail(learner_id: int) -> tuple[str, int]:
    """Every evidence row of one competency (``?competency=<IRI>``), oldest first."""
    _require_visible(learner_id)
    competency_id = request.args.get("competency")
    if not competency_id:
        raise BadRequest("competency: give the competency IRI", field="competency")
    service = _service()
    learner = service.learner(learner_id)
    row = service.competency(learner_id, competency_id)
    return _render(
        "evidence.html",
        learner=learner,
        row=row,
        name=local_name(row.name) or row.competency_id,
        chart=_chart(row, console_services().now_us()),
        entries=service.evidence_trail(learner_id, competency_id),
    )


@blueprint.get("/assignments/<int:assignment_id>")
@signed_in
def assignment_page(assignment_id: int) -> tuple[str, int]:
    """One assignment: launch link, acknowledge and snooze, its trail and notifications."""
    return _assignment_response(assignment_id)


def _assignment_response(
    assignment_id: int, status: int = 200, errors: dict[str, str] | None = None
) -> tuple[str, int]:
    service = _service()
    detail = service.assignment(assignment_id)
    _require_visible(detail.assignment.learner_id)
    return _render(
        "assignment.html",
        status,
        item=_assignment_context(detail, service),
        title=local_name(detail.activity.name)
        if detail.activity
        else detail.assignment.activity_id,
        learner=service.learner(detail.assignment.learner_id),
        names={
            row.competency_id: row.name
            for row in service.framework_rows(detail.assignment.learner_id)
        },
        errors=errors or {},
    )


# -- actions -----------------------------------------------------------------------------


@blueprint.post("/assignments/<int:assignment_id>/acknowledge")
@signed_in
def acknowledge(assignment_id: int) -> Response | tuple[str, int]:
    """Record that the learner has seen the assignment."""
    viewer = _viewer()
    try:
        _service().acknowledge(
            assignment_id,
            admin=viewer.is_admin,
            learner_id=viewer.learner_id,
            actor=_actor(viewer),
        )
    except Conflict:
        return _assignment_response(assignment_id, 409, {"acknowledge": t("learners.closed")})
    flash(t("learners.acknowledged"), "success")
    return redirect(_back(assignment_id), code=303)


@blueprint.post("/assignments/<int:assignment_id>/snooze")
@signed_in
def snooze(assignment_id: int) -> Response | tuple[str, int]:
    """Move the due date later by a chosen duration (``by``) or to a date (``until``)."""
    viewer = _viewer()
    service = _service()
    try:
        service.snooze(
            assignment_id,
            by=request.form.get("by") or None,
            until=request.form.get("until") or None,
            admin=viewer.is_admin,
            learner_id=viewer.learner_id,
            actor=_actor(viewer),
        )
    except BadRequest as error:
        field = "by" if error.details.get("field") == "by" else "until"
        latest = service.snooze_latest(service.assignment(assignment_id).assignment)
        message = t(f"learners.snooze_error_{field}", latest=_date(latest))
        return _assignment_response(assignment_id, 400, {field: message})
    except Conflict as error:
        key = (
            "learners.escalated"
            if error.details.get("status") == "escalated"
            else "learners.closed"
        )
        return _assignment_response(assignment_id, 409, {"until": t(key)})
    flash(t("learners.snoozed"), "success")
    return redirect(_back(assignment_id), code=303)


def _actor(viewer: Viewer) -> str:
    """Who acted, for the assignment's trail."""
    return f"console:{viewer.kind}:{viewer.email}"


def _back(assignment_id: int) -> str:
    return local_path(request.form.get("next"), f"/console/assignments/{assignment_id}")


# -- presentation helpers ---------------------------------------------------------------


def _assignment_context(detail: AssignmentDetail, service: LearnerView) -> dict[str, Any]:
    """An assignment with what its forms need: who may act, the snooze choices."""
    viewer = _viewer()
    a = detail.assignment
    latest = service.snooze_latest(a) if a.open else None
    now = console_services().now_us()
    choices = []
    if latest is not None:
        for choice in SNOOZE_CHOICES:
            days = int(choice[1:-1])
            if a.due_us + days * _DAY_US <= latest:
                choices.append((choice, _duration(choice)))
    return {
        "detail": detail,
        "a": a,
        "activity": detail.activity,
        "launch_url": _safe_url(detail.activity.launch_url if detail.activity else None),
        "overdue": a.open and a.due_us < now,
        "may_act": a.open and may_act(a, admin=viewer.is_admin, learner_id=viewer.learner_id),
        "snooze_choices": choices,
        "escalated": a.status == "escalated",
        "latest": latest,
        "min_date": format_timestamp_us(a.due_us + _DAY_US)[:10],
        "max_date": format_timestamp_us(latest)[:10] if latest is not None else None,
    }


def _safe_url(url: str | None) -> str | None:
    """A launch link only when it is http(s): a map typo must not become a script link."""
    if url and url.lower().startswith(("https://", "http://")):
        return url
    return None


def _chart(row: CompetencyRow, now_us: int) -> Any:
    """The row's evidence timeline as SVG markup (repeats left out: they count once)."""
    points = [
        EvidencePoint(
            at_us=item["at_us"],
            weight=item["weight"],
            quality=item["quality"],
            label=t(
                "learners.point",
                date=_date(item["at_us"]),
                method=item["method"],
                weight=f"{item['weight']:.2f}",
                quality=f"{item['quality']:.2f}",
            ),
        )
        for item in row.evidence
        if not item.get("duplicate_of")
    ]
    layout = timeline(
        points, now_us=now_us, stale_at_us=row.stale_at_us, window_start_us=row.last_evidence_us
    )
    name = local_name(row.name) or row.competency_id
    text = ChartText(
        title=t("learners.chart_title", name=name),
        desc=t(
            "learners.chart_desc",
            count=len(points),
            last=_date(row.last_evidence_us),
            stale=_date(row.stale_at_us),
        ),
        now=t("learners.now"),
        window=t("learners.window", stale=_date(row.stale_at_us)),
        empty=t("learners.no_evidence"),
    )
    chart_id = f"chart-{zlib.crc32(row.competency_id.encode()):08x}"
    return render_timeline(layout, text, chart_id=chart_id, format_date=_date)
