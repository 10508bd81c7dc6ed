"""The sign-in pages: e-mail links (anyone in the directory), passwords (admins), sign-out.

A link's GET only shows a button; its POST uses the token. Mail scanners fetch the links
in a message before the person clicks, and a GET that signed in would spend the token.
Token pages send ``Referrer-Policy: no-referrer`` and ``Cache-Control: no-store``, so the
token in the address leaves no trace in other sites' logs or in a shared cache.
"""

from __future__ import annotations

from flask import Response, make_response, redirect, render_template, request
from werkzeug.wrappers import Response as BaseResponse

from lrs_bridge.console.blueprint import console_blueprint
from lrs_bridge.console.i18n import t
from lrs_bridge.console.services import console_services
from lrs_bridge.console.viewer import Viewer, end_session, start_session
from lrs_bridge.errors import BadRequest, Unauthorized
from lrs_bridge.services.signin import LINK_MINUTES, Identity, safe_next

#: Throttled attempts (``TooManyRequests``) get the console's 429 page with ``Retry-After``.
blueprint = console_blueprint("console_signin", __name__)

HOME = "/console/"


def viewer_of(identity: Identity) -> Viewer:
    """The console's viewer for a signed-in identity."""
    return Viewer(
        kind=identity.kind,
        email=identity.email,
        name=identity.name or identity.email,
        user_id=identity.user_id,
        learner_id=identity.learner_id,
        language=identity.language,
    )


def _private(response: BaseResponse) -> BaseResponse:
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _form(status: int = 200, errors: dict[str, str] | None = None) -> Response:
    """The form, with ``errors`` (field → message) beside their fields."""
    page = render_template(
        "console/signin/form.html",
        next=safe_next(request.values.get("next")) or "",
        email=request.form.get("email", ""),
        can_send_links=console_services().signin.can_send_links,
        errors=errors or {},
    )
    return make_response(page, status)


@blueprint.get("/sign-in")
def sign_in_form() -> Response:
    """The form: e-mail (``name="email"``), and a password for admins."""
    return _form()


@blueprint.post("/sign-in")
def sign_in() -> BaseResponse:
    """With a password: an admin signs in. Without: a link is e-mailed (same answer for
    every address)."""
    service = console_services().signin
    email = request.form.get("email", "")
    password = request.form.get("password", "")
    next_path = safe_next(request.form.get("next"))
    client = request.remote_addr
    try:
        if password:
            identity = service.sign_in_with_password(email, password, client)
            start_session(viewer_of(identity))
            return redirect(next_path or HOME, code=303)
        service.request_link(email, client, next_path)
    except BadRequest:
        return _form(400, errors={"email": t("signin.bad_email")})
    except Unauthorized:
        return _form(401, errors={"password": t("signin.bad_password")})
    page = render_template(
        "console/signin/check_email.html",
        email=email.strip(),
        minutes=LINK_MINUTES,
        can_send_links=service.can_send_links,
    )
    return make_response(page, 200)


def _invalid(outcome: str) -> BaseResponse:
    page = render_template("console/signin/invalid.html", outcome=outcome)
    return _private(make_response(page, 410 if outcome in ("used", "expired") else 404))


@blueprint.get("/sign-in/<token>")
def confirm_form(token: str) -> BaseResponse:
    """The confirm button (a GET never uses the token)."""
    outcome = console_services().signin.link_state(token)
    if outcome != "ok":
        return _invalid(outcome)
    return _private(make_response(render_template("console/signin/confirm.html", token=token)))


@blueprint.post("/sign-in/<token>")
def confirm(token: str) -> BaseResponse:
    """Use the token (once) and start the session, then go where it leads."""
    confirmation = console_services().signin.confirm(token)
    if confirmation.outcome != "ok" or confirmation.identity is None:
        return _invalid(confirmation.outcome)
    start_session(viewer_of(confirmation.identity))
    return _private(redirect(safe_next(confirmation.next_path) or HOME, code=303))


@blueprint.post("/sign-out")
def sign_out() -> BaseResponse:
    """End the session."""
    end_session()
    return redirect("/console/sign-in?signed_out=1", code=303)
