"""The console's frame: the sign-in redirect contract, sessions, CSRF, languages, errors."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from lrs_bridge.console.i18n import choose_language
from lrs_bridge.console.messages import all_messages
from lrs_bridge.console.viewer import local_path
from lrs_bridge.notify.i18n import SUPPORTED
from tests.console.conftest import csrf_token, login


def test_console_without_a_session_redirects_to_sign_in(console_client: FlaskClient) -> None:
    response = console_client.get("/console/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/console/sign-in")


def test_a_signed_in_admin_sees_the_home_page(console_client: FlaskClient) -> None:
    login(console_client, kind="admin", email="ada@example.com", name="Ada")
    response = console_client.get("/console/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Welcome, Ada" in page
    assert '<main id="main"' in page and 'href="#main"' in page
    assert "/console/activities/unmapped" in page


def test_the_session_cookie_is_httponly_lax_and_secure_over_https(
    console_client: FlaskClient,
) -> None:
    login(console_client, kind="admin", email="ada@example.com")
    plain = console_client.get("/console/").headers.get("Set-Cookie", "")
    assert "HttpOnly" in plain and "SameSite=Lax" in plain and "Secure" not in plain
    secure = console_client.get("/console/", base_url="https://localhost").headers["Set-Cookie"]
    assert "Secure" in secure


def test_api_requests_never_set_the_console_cookie(console_client: FlaskClient) -> None:
    assert "Set-Cookie" not in console_client.get("/healthz").headers


def test_an_idle_session_ends(console_client: FlaskClient) -> None:
    login(console_client, kind="admin", email="ada@example.com")
    idle = console_client.application.config  # the interface holds the timeout
    interface = console_client.application.session_interface
    with console_client.session_transaction("/console/") as session:
        session["seen_us"] -= (interface.idle_seconds + 1) * 1_000_000  # type: ignore[attr-defined]
    assert idle is not None
    response = console_client.get("/console/")
    assert response.status_code == 302 and "/console/sign-in" in response.headers["Location"]


def test_a_post_without_a_csrf_token_is_refused(console_client: FlaskClient) -> None:
    login(console_client, kind="admin", email="ada@example.com")
    response = console_client.post("/console/anything", data={"x": "1"})
    assert response.status_code == 400
    assert "did not come from this site" in response.get_data(as_text=True)


def test_a_post_with_the_csrf_token_passes_the_check(console_client: FlaskClient) -> None:
    login(console_client, kind="admin", email="ada@example.com")
    token = csrf_token(console_client)
    response = console_client.post("/console/anything", data={"csrf_token": token})
    assert response.status_code == 404  # past the CSRF check, to the console's own 404 page
    assert "There is no such page." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("directory", "accept", "expected"),
    [
        ("nb", [("fi", 1.0)], "nb"),
        ("no", [], "nb"),
        (None, [("fi-FI", 1.0), ("en", 0.5)], "fi"),
        (None, [("de", 1.0), ("nl", 0.8)], "nl"),
        (None, [("de", 1.0)], "en"),
        ("de", [("nl", 1.0)], "nl"),
        (None, [("nb", 0.0), ("fi", 0.1)], "fi"),
        (None, [], "en"),
    ],
)
def test_the_language_is_the_directorys_else_the_browsers(
    directory: str | None, accept: list[tuple[str, float]], expected: str
) -> None:
    assert choose_language(directory, accept) == expected


def test_the_page_speaks_the_browsers_language(console_client: FlaskClient) -> None:
    login(console_client, kind="admin", email="ada@example.com", name="Ada")
    page = console_client.get("/console/", headers={"Accept-Language": "fi,en;q=0.5"})
    assert '<html lang="fi">' in page.get_data(as_text=True)
    assert "Tervetuloa, Ada" in page.get_data(as_text=True)


def test_every_console_message_has_every_language() -> None:
    missing = {
        key: sorted(set(SUPPORTED) - set(texts))
        for key, texts in all_messages().items()
        if set(SUPPORTED) - {lang for lang, text in texts.items() if text.strip()}
    }
    assert missing == {}


@pytest.mark.parametrize(
    ("candidate", "expected"),
    [
        ("/console/teams/a", "/console/teams/a"),
        ("//evil.example/console", "/console/"),
        ("https://evil.example/", "/console/"),
        ("/api/v1/config", "/console/"),
        ("/console\\..\\x", "/console/"),
        (None, "/console/"),
    ],
)
def test_return_paths_stay_inside_the_console(candidate: str | None, expected: str) -> None:
    assert local_path(candidate) == expected
