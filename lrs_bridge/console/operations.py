"""Operations pages for admins: refresher assignments (filter, cancel, re-send) and the
notification outbox (filter, dead letters, retry), with a warning whenever no channel can
reach anyone.

Views parse the query or form, ask the services (``console_services()``) and render; the
filters are checked here, so a bad one is a 400 page naming the field.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable, Mapping
from typing import Any

from flask import flash, redirect, render_template, request
from werkzeug.wrappers import Response

from lrs_bridge.console.blueprint import console_blueprint
from lrs_bridge.console.i18n import current_language, local_name, t
from lrs_bridge.console.services import console_services
from lrs_bridge.console.viewer import admin_only, current_viewer, local_path
from lrs_bridge.errors import BadRequest
from lrs_bridge.notify.i18n import format_date
from lrs_bridge.params import MAX_ID
from lrs_bridge.services.competencies import CompetencyEngine
from lrs_bridge.services.notifications import CHANNELS, STATES, state_of
from lrs_bridge.store.assignment_records import OPEN_STATUSES, Assignment, Notification

blueprint = console_blueprint("console_ops", __name__)

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
MAX_PAGE = 10_000
#: The status filter's choices; ``open`` (the default) and ``past_due`` span statuses.
ASSIGNMENT_FILTERS = (
    "open",
    "past_due",
    "assigned",
    "notified",
    "overdue",
    "escalated",
    "completed",
    "cancelled",
    "all",
)


@blueprint.app_context_processor
def _channel_warning_helpers() -> dict[str, Callable[[], Any]]:
    """For ``console/ops/_channel_warning.html``, which any page may include (the home
    page does, for admins): asked only when a template calls them."""
    services = console_services
    return {
        "notification_channels": lambda: services().notifications.channels(),
        "waiting_notifications": lambda: services().notifications.counts().get("waiting", 0),
    }


# -- filters -------------------------------------------------------------------------------


def _text(args: Mapping[str, str], name: str, limit: int = 200) -> str | None:
    value = (args.get(name) or "").strip()
    if len(value) > limit:
        raise BadRequest(f"{name}: at most {limit} characters", field=name)
    return value or None


def _positive(args: Mapping[str, str], name: str, maximum: int) -> int | None:
    value = (args.get(name) or "").strip()
    if not value:
        return None
    if not value.isdigit() or not 1 <= int(value) <= maximum:
        raise BadRequest(f"{name}: a whole number from 1 to {maximum}", field=name)
    return int(value)


def _date_us(args: Mapping[str, str], name: str) -> int | None:
    value = (args.get(name) or "").strip()
    if not value:
        return None
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        raise BadRequest(f"{name}: a date as YYYY-MM-DD", field=name) from None
    start = datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.UTC)
    return int(start.timestamp()) * 1_000_000


def _choice(args: Mapping[str, str], name: str, choices: tuple[str, ...], default: str) -> str:
    value = (args.get(name) or "").strip() or default
    if value not in choices:
        raise BadRequest(f"{name}: one of {', '.join(choices)}", field=name)
    return value


@dataclasses.dataclass(frozen=True, kw_only=True)
class AssignmentFilters:
    """The assignments page's query, checked."""

    status: str = "open"
    team: str | None = None
    competency: str | None = None
    learner: int | None = None
    due_before: str | None = None
    due_before_us: int | None = None
    page: int = 1
    per_page: int = PAGE_SIZE

    @classmethod
    def parse(cls, args: Mapping[str, str]) -> AssignmentFilters:
        """From the query string; BadRequest names the wrong field."""
        return cls(
            status=_choice(args, "status", ASSIGNMENT_FILTERS, "open"),
            team=_text(args, "team"),
            competency=_text(args, "competency", 2000),
            learner=_positive(args, "learner", MAX_ID),
            due_before=_text(args, "due_before"),
            due_before_us=_date_us(args, "due_before"),
            page=_positive(args, "page", MAX_PAGE) or 1,
            per_page=_positive(args, "per_page", MAX_PAGE_SIZE) or PAGE_SIZE,
        )

    def store_filters(self, now_us: int) -> dict[str, Any]:
        """The filters of ``AssignmentReader.find``."""
        statuses: tuple[str, ...] | list[str] | None
        if self.status in ("open", "past_due"):
            statuses = OPEN_STATUSES
        elif self.status == "all":
            statuses = None
        else:
            statuses = [self.status]
        return {
            "status": statuses,
            "team": self.team,
            "competency_id": self.competency,
            "learner_ids": [self.learner] if self.learner is not None else None,
            "overdue_at_us": now_us if self.status == "past_due" else None,
            "due_before_us": self.due_before_us,
        }

    def query(self, **changes: Any) -> dict[str, Any]:
        """Query parameters of this view (for links), with ``changes``."""
        values = {
            "status": self.status,
            "team": self.team,
            "competency": self.competency,
            "learner": self.learner,
            "due_before": self.due_before,
            "page": self.page,
            "per_page": self.per_page if self.per_page != PAGE_SIZE else None,
        } | changes
        return {k: v for k, v in values.items() if v not in (None, "")}


# -- assignments ---------------------------------------------------------------------------


def _date(value_us: int | None) -> str:
    return format_date(value_us, current_language()) if value_us is not None else ""


def _assignment_rows(
    rows: list[Assignment], engine: CompetencyEngine | None, now_us: int
) -> list[dict[str, Any]]:
    people = console_services().assignments.learners({a.learner_id for a in rows})
    shown = []
    for a in rows:
        learner = people.get(a.learner_id) or {}
        competency = engine.framework.get(a.competency_id) if engine else None
        activity = engine.map.refreshers.activity(a.activity_id) if engine else None
        shown.append(
            {
                "id": a.id,
                "learner_id": a.learner_id,
                "learner": learner.get("name") or learner.get("email") or f"#{a.learner_id}",
                "competency": local_name(competency.name) if competency else a.competency_id,
                "competency_id": a.competency_id,
                "activity": local_name(dict(activity.name)) if activity else a.activity_id,
                "status": a.status,
                "open": a.open,
                "past_due": a.open and a.due_us < now_us,
                "due": _date(a.due_us),
                "due_iso": datetime.datetime.fromtimestamp(a.due_us / 1e6, datetime.UTC)
                .date()
                .isoformat(),
                "reminders": a.reminders,
            }
        )
    return shown


@blueprint.get("/assignments")
@admin_only
def assignments() -> str:
    """Open, overdue and escalated assignments first; every filter in the query string."""
    services = console_services()
    filters = AssignmentFilters.parse(request.args)
    now = services.now_us()
    found = services.assignments.find(
        **filters.store_filters(now),
        limit=filters.per_page + 1,
        offset=(filters.page - 1) * filters.per_page,
    )
    engine = services.competency_engine()
    competencies = (
        [(c.id, local_name(c.name)) for c in engine.framework.competencies] if engine else []
    )
    return render_template(
        "console/ops/assignments.html",
        filters=filters,
        rows=_assignment_rows(found[: filters.per_page], engine, now),
        has_next=len(found) > filters.per_page,
        status_options=[(s, t(f"ops.astatus.{s}")) for s in ASSIGNMENT_FILTERS],
        team_options=[(team, team) for team, _ in services.people.teams()],
        competencies=competencies,
        engine_on=services.can_change_assignments(),
        back=request.full_path.rstrip("?"),
    )


def _actor() -> str:
    viewer = current_viewer()
    assert viewer is not None
    return f"console:{viewer.email}"


def _back() -> Response:
    return redirect(local_path(request.form.get("back"), "/console/assignments"), code=303)


@blueprint.post("/assignments/<int:assignment_id>/cancel")
@admin_only
def cancel(assignment_id: int) -> Response:
    """Cancel an open assignment (its pair is not re-assigned for the same staleness)."""
    note = _text(request.form, "note", 500)
    console_services().refreshers.cancel(assignment_id, _actor(), note)
    flash(t("ops.cancelled", id=assignment_id), "success")
    return _back()


@blueprint.post("/assignments/<int:assignment_id>/resend")
@admin_only
def resend(assignment_id: int) -> Response:
    """Queue the assignment's notification again, to every channel."""
    queued = console_services().refreshers.resend(assignment_id, _actor())
    flash(t("ops.resent", id=assignment_id, count=queued), "success")
    return _back()


# -- notifications -------------------------------------------------------------------------


def _notification_row(n: Notification) -> dict[str, Any]:
    return {
        "id": n.id,
        "kind": n.kind,
        "channel": n.channel,
        "target": n.target,
        "learner_id": n.learner_id,
        "state": state_of(n),
        "attempts": n.attempts,
        "created": _date(n.created_us),
        "sent": _date(n.sent_us),
        "last_error": n.last_error,
    }


@blueprint.get("/notifications")
@admin_only
def notifications() -> str:
    """The outbox, newest first, by state and channel; dead letters can be retried."""
    outbox = console_services().notifications
    state = _choice(request.args, "state", ("all", *STATES), "all")
    channel = _choice(request.args, "channel", ("all", *CHANNELS), "all")
    page = _positive(request.args, "page", MAX_PAGE) or 1
    per_page = _positive(request.args, "per_page", MAX_PAGE_SIZE) or PAGE_SIZE
    found = outbox.browse(
        state=None if state == "all" else state,
        channel=None if channel == "all" else channel,
        limit=per_page + 1,
        offset=(page - 1) * per_page,
    )
    query: dict[str, Any] = {"state": state, "channel": channel}
    if per_page != PAGE_SIZE:
        query["per_page"] = per_page
    return render_template(
        "console/ops/notifications.html",
        rows=[_notification_row(n) for n in found[:per_page]],
        has_next=len(found) > per_page,
        page=page,
        query=query,
        state=state,
        channel=channel,
        state_options=[("all", t("ops.astatus.all"))] + [(s, t(f"ops.nstate.{s}")) for s in STATES],
        channel_options=[("all", t("ops.astatus.all"))]
        + [(c, t(f"ops.channel.{c}")) for c in CHANNELS],
        counts=outbox.counts(),
        back=request.full_path.rstrip("?"),
    )


@blueprint.post("/notifications/<int:notification_id>/retry")
@admin_only
def retry(notification_id: int) -> Response:
    """Put a dead letter back in the queue, due now."""
    console_services().notifications.retry(notification_id)
    flash(t("ops.retried", id=notification_id), "success")
    return redirect(local_path(request.form.get("back"), "/console/notifications"), code=303)
