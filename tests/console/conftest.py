"""Console fixtures: apps on both databases, sessions without the sign-in flow, and a real
Chromium (Debian's, through Playwright) against a real server process."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lrs_bridge.console.session import ConsoleSessionInterface
from lrs_bridge.console.viewer import Viewer
from tests.conftest import ServerProcess

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM = os.environ.get("LRS_BRIDGE_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture
def console_app(app: Flask) -> Flask:
    """The app (both databases) with the console mounted, as ``create_app`` builds it."""
    return app


@pytest.fixture
def console_client(console_app: Flask) -> FlaskClient:
    return console_app.test_client()


def as_viewer(viewer: Viewer | None = None, **fields: Any) -> Viewer:
    """A :class:`Viewer` from keyword fields (``kind`` defaults to learner)."""
    if viewer is not None:
        return viewer
    fields.setdefault("kind", "learner")
    fields.setdefault("email", "someone@example.com")
    fields.setdefault("name", fields["email"])
    return Viewer(**fields)


def login(client: FlaskClient, viewer: Viewer | None = None, **fields: Any) -> Viewer:
    """Put a signed-in session for ``viewer`` in ``client`` (skipping the sign-in flow)."""
    chosen = as_viewer(viewer, **fields)
    app = client.application
    clock = app.extensions["lrs_bridge"].clock
    with client.session_transaction("/console/") as session:
        session.clear()
        session["viewer"] = chosen.to_session()
        session["seen_us"] = int(clock())
    return chosen


def csrf_token(client: FlaskClient, path: str = "/console/") -> str:
    """The CSRF token of ``client``'s session, read from a page's form."""
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def session_cookie(app: Flask, viewer: Viewer, now_us: int) -> dict[str, Any]:
    """A Playwright cookie that signs a browser in as ``viewer`` on a server sharing
    ``app``'s database (the signing key is the database's)."""
    interface = app.session_interface
    assert isinstance(interface, ConsoleSessionInterface)
    serializer = interface.get_signing_serializer(app)
    assert serializer is not None
    value = serializer.dumps({"viewer": viewer.to_session(), "seen_us": now_us})
    return {
        "name": app.config["SESSION_COOKIE_NAME"],
        "value": value,
        "domain": "127.0.0.1",
        "path": "/console",
        "httpOnly": True,
        "sameSite": "Lax",
    }


# -- the browser ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    if not Path(CHROMIUM).exists():
        from tests.conftest import in_ci

        reason = f"{CHROMIUM} is missing: apt-get install -y chromium"
        if in_ci():
            pytest.fail(f"CI=true, so browser tests may not be skipped: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium: Any) -> Iterator[Any]:
    """A fresh browser context (no cookies) and page; console errors fail the test."""
    context = chromium.new_context(locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors in the page: {errors}"


@pytest.fixture
def live_console(database_url: str, tmp_path: Path) -> Iterator[ServerProcess]:
    """A real ``lrs-bridge serve`` process on the test database, for the browser."""
    proc = ServerProcess(database_url, tmp_path, workers=1)
    yield proc
    proc.stop()


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page screenshot as ``tests/artifacts/<name>.png`` (git-ignored)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def browser_login(page: Any, app: Flask, server: ServerProcess, viewer: Viewer) -> None:
    """Sign the browser ``page`` in as ``viewer`` on ``server`` (same database as ``app``)."""
    clock = app.extensions["lrs_bridge"].clock
    page.context.add_cookies([session_cookie(app, viewer, int(clock()))])
    assert server.url.startswith("http://127.0.0.1:")
