"""Who is looking: the viewer of the current console request, kept in the session.

A session holds only who signed in and when they were last seen. Each request checks
the idle timeout against the service's clock and that the learner still exists (an
erased learner's session ends at once), then offers the :class:`Viewer`.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from typing import Any, Literal, TypeVar
from urllib.parse import quote

from flask import abort, current_app, g, redirect, request, session

from lrs_bridge.console.session import idle_seconds

Kind = Literal["admin", "learner"]
F = TypeVar("F", bound=Callable[..., Any])
SIGN_IN_PATH = "/console/sign-in"


@dataclasses.dataclass(frozen=True, kw_only=True)
class Viewer:
    """A signed-in person: a console admin, or a directory learner (who may manage others)."""

    kind: Kind
    email: str
    name: str
    #: The console user (admins), else None.
    user_id: int | None = None
    #: The directory learner, if this person is one (admins may be too).
    learner_id: int | None = None
    language: str | None = None

    @property
    def is_admin(self) -> bool:
        """Admins see and change everything."""
        return self.kind == "admin"

    def to_session(self) -> dict[str, Any]:
        """What the session cookie stores."""
        return dataclasses.asdict(self)

    @classmethod
    def from_session(cls, data: Any) -> Viewer | None:
        """The viewer a session names, or None for a malformed one."""
        if not isinstance(data, dict) or data.get("kind") not in ("admin", "learner"):
            return None
        fields: dict[str, Any] = {f.name: data.get(f.name) for f in dataclasses.fields(cls)}
        if not isinstance(fields["email"], str) or not isinstance(fields["name"], str):
            return None
        return cls(**fields)


def _now_us() -> int:
    clock = current_app.extensions["lrs_bridge"].clock
    return int(clock())


def start_session(viewer: Viewer) -> None:
    """Sign ``viewer`` in: a fresh session (nothing carried over from before sign-in)."""
    session.clear()
    session["viewer"] = viewer.to_session()
    session["seen_us"] = _now_us()
    g.pop("console_viewer", None)


def end_session() -> None:
    """Sign out."""
    session.clear()
    g.pop("console_viewer", None)


def current_viewer() -> Viewer | None:
    """The signed-in viewer of this request, or None (no session, idle too long, erased)."""
    if "console_viewer" in g:
        found: Viewer | None = g.console_viewer
        return found
    viewer = Viewer.from_session(session.get("viewer"))
    now = _now_us()
    seen = session.get("seen_us")
    if viewer is not None and (
        not isinstance(seen, int) or now - seen > idle_seconds() * 1_000_000
    ):
        viewer = None
    if viewer is not None and viewer.learner_id is not None:
        from lrs_bridge.console.services import console_services

        learner = console_services().people.learner(viewer.learner_id)
        if learner is None:
            viewer = None  # erased or merged away since signing in
        elif learner.get("language") and learner["language"] != viewer.language:
            viewer = dataclasses.replace(viewer, language=learner["language"])
    if viewer is None:
        if session.get("viewer") is not None:
            session.clear()
    else:
        session["seen_us"] = now
    g.console_viewer = viewer
    return viewer


def sign_in_url(next_path: str | None = None) -> str:
    """The sign-in page, returning to ``next_path`` afterwards."""
    target = next_path if next_path is not None else request.full_path.rstrip("?")
    return f"{SIGN_IN_PATH}?next={quote(target, safe='/')}"


def signed_in(view: F) -> F:
    """Only for signed-in viewers; others go to the sign-in page and come back."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if current_viewer() is None:
            return redirect(sign_in_url(), code=302)
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def admin_only(view: F) -> F:
    """Only for admins: others signed in get a 403 page, others the sign-in page."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        viewer = current_viewer()
        if viewer is None:
            return redirect(sign_in_url(), code=302)
        if not viewer.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def local_path(candidate: str | None, default: str = "/console/") -> str:
    """``candidate`` if it is a path inside the console, else ``default`` (no open redirect)."""
    if (
        not candidate
        or not candidate.startswith("/console")
        or candidate.startswith("//")
        or "\\" in candidate
        or any(ord(c) < 32 for c in candidate)
    ):
        return default
    return candidate
