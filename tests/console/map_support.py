"""Helpers of the map editor's tests: sign in an admin, post a form with its CSRF token,
and confirm a preview by sending back exactly what the page carries."""

from __future__ import annotations

import html
import re
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.console.conftest import csrf_token, login


def admin(client: FlaskClient) -> None:
    login(client, kind="admin", email="ada@example.com", name="Ada")


def post(client: FlaskClient, path: str, data: dict[str, Any], **kwargs: Any) -> TestResponse:
    """POST a console form with the session's CSRF token."""
    token = csrf_token(client, "/console/map")
    return client.post(path, data={**data, "csrf_token": token}, **kwargs)


def hidden(page: str, name: str) -> str:
    """The value of a hidden input of a page."""
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found, f"no hidden {name} in the page"
    return html.unescape(found.group(1))


def confirm(client: FlaskClient, preview: TestResponse, note: str | None = None) -> TestResponse:
    """Confirm a preview page as a person would: its candidate, fingerprint and note."""
    page = preview.get_data(as_text=True)
    assert preview.status_code in (200, 409), page[:2000]
    note_value = re.search(r'name="note" type="text" value="([^"]*)"', page)
    return post(
        client,
        "/console/map/confirm",
        {
            "candidate": hidden(page, "candidate"),
            "fingerprint": hidden(page, "fingerprint"),
            "note": note
            if note is not None
            else html.unescape(note_value.group(1) if note_value else ""),
        },
    )


def versions(client: FlaskClient) -> list[dict[str, Any]]:
    return client.application.extensions["lrs_bridge"].store.config_versions()


def active(client: FlaskClient) -> dict[str, Any]:
    found = client.application.extensions["lrs_bridge"].store.active_config()
    assert found is not None
    return found
