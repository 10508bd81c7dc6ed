"""Refresher assignments and the notification outbox under ``/api/v1`` (JSON, HTTP Basic).

Who may do what:

* an admin (``admin``) lists, cancels and re-sends assignments and inspects and retries
  notifications; ``all/read`` and ``all`` may read everything;
* a learner's own credential reads, acknowledges and snoozes their own assignments;
* a manager (a learner whom the directory names as ``manager_id``) reads the assignments of
  their direct reports.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request
from marshmallow import Schema

from lrs_bridge.api.access import authenticated, require_admin
from lrs_bridge.api.schemas import CancelSchema, SnoozeSchema
from lrs_bridge.api.xapi import runtime
from lrs_bridge.auth import Principal
from lrs_bridge.competency.policy import add_duration
from lrs_bridge.errors import BadRequest, Forbidden, NotFound
from lrs_bridge.params import MAX_ID, parse_count, parse_page
from lrs_bridge.services.outbox import describe, describe_for_people
from lrs_bridge.services.refreshers import RefresherService
from lrs_bridge.store.assignment_records import OPEN_STATUSES, Assignment
from lrs_bridge.xapi.timefmt import format_timestamp_us, now_us, parse_timestamp_us

blueprint = Blueprint("api_v1_assignments", __name__, url_prefix="/api/v1")

_BROAD_READ = {"admin", "all/read", "all"}
_MAX_LIMIT = 1000


def _service() -> RefresherService:
    service = runtime().refreshers
    if service is None:
        raise NotFound("the competency engine is off on this server")
    return service


def _manager_of(principal: Principal, learner_id: int) -> bool:
    if principal.learner_id is None:
        return False
    return runtime().assignments.is_manager_of(principal.learner_id, learner_id)


def _may_read(principal: Principal, learner_id: int) -> bool:
    return (
        bool(principal.scopes & _BROAD_READ)
        or principal.learner_id == learner_id
        or _manager_of(principal, learner_id)
    )


def _may_act(principal: Principal, assignment: Assignment) -> bool:
    return principal.is_admin() or principal.learner_id == assignment.learner_id


def _actor(principal: Principal) -> str:
    return f"credential:{principal.key}"


def _status_filter() -> list[str] | None:
    value = request.args.get("status")
    if value is None or value == "all":
        return None
    if value == "open":
        return list(OPEN_STATUSES)
    wanted = value.split(",")
    known = {*OPEN_STATUSES, "completed", "cancelled"}
    unknown = [s for s in wanted if s not in known]
    if unknown:
        raise BadRequest(
            f"status: unknown {unknown[0]!r} (open, all, or of {', '.join(sorted(known))})",
            field="status",
        )
    return wanted


def _load(schema: Schema) -> dict[str, Any]:
    body = request.get_json(silent=True)
    if body is None and request.get_data():
        raise BadRequest("the body must be JSON", field="$")
    result: dict[str, Any] = schema.load(body or {})
    return result


def _view(a: Assignment, *, detail: bool = False, admin: bool = False) -> dict[str, Any]:
    """An assignment as JSON; ``detail`` adds its trail and notifications, whose targets,
    keys and errors only an admin sees (webhook URLs carry tokens)."""
    now = now_us()
    engine = runtime().competencies
    activity = engine.current().map.refreshers.activity(a.activity_id) if engine else None
    view: dict[str, Any] = {
        "id": a.id,
        "learner_id": a.learner_id,
        "competency": a.competency_id,
        "status": a.status,
        "overdue": a.open and a.due_us < now,
        "activity": {
            "id": a.activity_id,
            "method": a.method,
            "name": dict(activity.name) if activity else None,
            "launch_url": activity.launch_url if activity else None,
            "duration": activity.duration if activity else None,
        },
        "due": format_timestamp_us(a.due_us),
        "reason": a.reason,
        "created": format_timestamp_us(a.created_us),
        "acknowledged": format_timestamp_us(a.acknowledged_us) if a.acknowledged_us else None,
        "reminders": a.reminders,
        "closed": format_timestamp_us(a.closed_us) if a.closed_us else None,
        "closed_by": a.closed_by,
    }
    if detail:
        reads = runtime().assignments
        view["events"] = [
            {**event, "at": format_timestamp_us(event.pop("at_us"))}
            | ({} if admin else {"detail": _without_target(event["detail"])})
            for event in reads.events(a.id)
        ]
        shown = describe if admin else describe_for_people
        view["notifications"] = [
            {
                k: v
                for k, v in shown(n).items()
                if k not in ("next_attempt_us", "created_us", "sent_us")
            }
            | {"sent": format_timestamp_us(n.sent_us) if n.sent_us else None}
            for n in reads.notifications(a.id)
        ]
    return view


def _without_target(detail: Any) -> Any:
    """An event's detail without a delivery target (trails written before targets were
    kept out of them still hold one)."""
    if isinstance(detail, dict) and "target" in detail:
        return {k: v for k, v in detail.items() if k != "target"}
    return detail


def _assignment(assignment_id: int) -> Assignment:
    return runtime().assignments.get(assignment_id)


# -- learners and managers --------------------------------------------------------------


@blueprint.get("/learners/<int:learner_id>/assignments")
def learner_assignments(learner_id: int) -> Response:
    """A learner's assignments, newest first (``status=open|all|<status,…>``)."""
    principal = authenticated()
    if not _may_read(principal, learner_id):
        raise Forbidden("assignments are visible to the learner, their manager and admins")
    limit, offset = parse_page(request.args, max_limit=_MAX_LIMIT)
    rows = runtime().assignments.find(
        learner_ids=[learner_id], status=_status_filter(), limit=limit, offset=offset
    )
    return jsonify({"learner_id": learner_id, "assignments": [_view(a) for a in rows]})


@blueprint.get("/learners/<int:manager_id>/reports/assignments")
def reports_assignments(manager_id: int) -> Response:
    """A manager's overview: open assignments of their direct reports, overdue first."""
    principal = authenticated()
    if not (principal.scopes & _BROAD_READ or principal.learner_id == manager_id):
        raise Forbidden("a manager's overview is visible to that manager and admins")
    return _overview(
        runtime().assignments.find(manager_id=manager_id, status=OPEN_STATUSES, limit=_MAX_LIMIT),
        manager_id=manager_id,
    )


@blueprint.get("/teams/<team>/assignments")
def team_assignments(team: str) -> Response:
    """A team's open assignments, overdue first, with counts per status."""
    principal = authenticated()
    if not principal.scopes & _BROAD_READ:
        raise Forbidden("team overviews need the admin, all/read or all scope")
    return _overview(
        runtime().assignments.find(team=team, status=OPEN_STATUSES, limit=_MAX_LIMIT),
        team=team,
    )


def _overview(rows: list[Assignment], **scope: Any) -> Response:
    now = now_us()
    views = sorted((_view(a) for a in rows), key=lambda v: (not v["overdue"], v["due"]))
    counts: dict[str, int] = {}
    for a in rows:
        counts[a.status] = counts.get(a.status, 0) + 1
    return jsonify(
        {
            **scope,
            "open": len(rows),
            "overdue": sum(1 for a in rows if a.due_us < now),
            "by_status": counts,
            "assignments": views,
        }
    )


@blueprint.get("/assignments/<int:assignment_id>")
def get_assignment(assignment_id: int) -> Response:
    """One assignment with its event trail and notifications."""
    principal = authenticated()
    found = _assignment(assignment_id)
    if not _may_read(principal, found.learner_id):
        raise Forbidden("assignments are visible to the learner, their manager and admins")
    return jsonify(_view(found, detail=True, admin="admin" in principal.scopes))


@blueprint.post("/assignments/<int:assignment_id>/acknowledge")
def acknowledge(assignment_id: int) -> Response:
    """The learner has seen the assignment (recorded in its trail)."""
    principal = authenticated()
    if not _may_act(principal, _assignment(assignment_id)):
        raise Forbidden("only the learner or an admin may acknowledge an assignment")
    return jsonify(_view(_service().acknowledge(assignment_id, _actor(principal))))


@blueprint.post("/assignments/<int:assignment_id>/snooze")
def snooze(assignment_id: int) -> Response:
    """Move the due date later, within the map's ``refreshers.snooze_max``."""
    principal = authenticated()
    found = _assignment(assignment_id)
    if not _may_act(principal, found):
        raise Forbidden("only the learner or an admin may snooze an assignment")
    body = _load(SnoozeSchema())
    if "until" in body:
        until = parse_timestamp_us(body["until"])
        if until is None:
            raise BadRequest("until: not an ISO 8601 timestamp", field="until")
    else:
        until = add_duration(found.due_us, body["by"], field="by")
    return jsonify(_view(_service().snooze(assignment_id, until, _actor(principal))))


# -- admin --------------------------------------------------------------------------------


@blueprint.get("/assignments")
def list_assignments() -> Response:
    """All assignments, newest first: ``status``, ``learner``, ``competency``, ``team``,
    ``overdue=true``, ``limit``, ``offset``."""
    principal = authenticated()
    if not principal.scopes & _BROAD_READ:
        raise Forbidden("listing assignments needs the admin, all/read or all scope")
    limit, offset = parse_page(request.args, max_limit=_MAX_LIMIT)
    learner = request.args.get("learner")
    rows = runtime().assignments.find(
        learner_ids=[parse_count(learner, "learner", default=0, maximum=MAX_ID)]
        if learner is not None
        else None,
        team=request.args.get("team"),
        status=_status_filter(),
        competency_id=request.args.get("competency"),
        overdue_at_us=now_us() if request.args.get("overdue") == "true" else None,
        limit=limit,
        offset=offset,
    )
    return jsonify({"assignments": [_view(a) for a in rows]})


@blueprint.post("/assignments/<int:assignment_id>/cancel")
def cancel(assignment_id: int) -> Response:
    """Close an open assignment; the pair is not re-assigned for the same staleness."""
    principal = require_admin()
    body = _load(CancelSchema())
    return jsonify(_view(_service().cancel(assignment_id, _actor(principal), body["note"])))


@blueprint.post("/assignments/<int:assignment_id>/resend")
def resend(assignment_id: int) -> tuple[Response, int]:
    """Queue the assignment's notification again (to every channel) under a new key."""
    principal = require_admin()
    queued = _service().resend(assignment_id, _actor(principal))
    return jsonify({"assignment_id": assignment_id, "queued": queued}), 202


@blueprint.get("/notifications")
def list_notifications() -> Response:
    """The outbox, newest first (``status=waiting|pending|sent|dead|routed``), with counts
    per status."""
    require_admin()
    limit, offset = parse_page(request.args, max_limit=_MAX_LIMIT)
    outbox = runtime().notifications
    rows = outbox.find(status=request.args.get("status"), limit=limit, offset=offset)
    return jsonify({"counts": outbox.counts(), "notifications": [describe(n) for n in rows]})


@blueprint.get("/notifications/<int:notification_id>")
def get_notification(notification_id: int) -> Response:
    """One notification with its delivery log."""
    require_admin()
    outbox = runtime().notifications
    found = outbox.get(notification_id)
    return jsonify(
        describe(found)
        | {"payload": found.payload, "deliveries": outbox.deliveries(notification_id)}
    )


@blueprint.post("/notifications/<int:notification_id>/retry")
def retry_notification(notification_id: int) -> tuple[Response, int]:
    """Put a dead-lettered notification back in the queue."""
    require_admin()
    runtime().notifications.retry(notification_id)
    return jsonify({"id": notification_id, "status": "pending"}), 202
