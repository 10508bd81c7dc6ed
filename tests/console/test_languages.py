"""The console speaks en, nb, fi and nl: the learner's directory language first, else the
browser's Accept-Language by q-value, else English; and every catalogue has every language."""

from __future__ import annotations

import importlib
import pkgutil
import re
import string

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lrs_bridge.console import messages
from lrs_bridge.notify.i18n import SUPPORTED
from tests.conftest import Credentials
from tests.console.conftest import login

LANGUAGES = ("en", "nb", "fi", "nl")
#: One string per language of each page, as the catalogues give it.
HOME = {"en": "Home", "nb": "Hjem", "fi": "Etusivu", "nl": "Start"}
ASSIGNMENTS = {
    "en": "Refresher assignments",
    "nb": "Oppfriskingsoppgaver",
    "fi": "Kertaustehtävät",
    "nl": "Opfrisopdrachten",
}
NOTIFICATIONS = {"en": "Notifications", "nb": "Varsler", "fi": "Ilmoitukset", "nl": "Meldingen"}
BRANDING = {"en": "Branding", "nb": "Visuell profil", "fi": "Ulkoasu", "nl": "Huisstijl"}


def catalogue_modules() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(messages.__path__))


def test_the_supported_languages_are_the_four_of_the_issue() -> None:
    assert tuple(sorted(SUPPORTED)) == tuple(sorted(LANGUAGES))


@pytest.mark.parametrize("module_name", catalogue_modules())
def test_every_key_of_every_catalogue_has_all_four_languages(module_name: str) -> None:
    module = importlib.import_module(f"{messages.__name__}.{module_name}")
    catalogue = module.MESSAGES
    assert catalogue, f"{module_name} has no messages"
    incomplete = {
        key: sorted(set(LANGUAGES) - {lang for lang, text in texts.items() if text.strip()})
        for key, texts in catalogue.items()
        if {lang for lang, text in texts.items() if text.strip()} != set(LANGUAGES)
    }
    assert incomplete == {}


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("module_name", catalogue_modules())
def test_every_language_fills_in_the_same_placeholders(module_name: str) -> None:
    catalogue = importlib.import_module(f"{messages.__name__}.{module_name}").MESSAGES
    mismatched = {
        key: {lang: sorted(_placeholders(text)) for lang, text in texts.items()}
        for key, texts in catalogue.items()
        if len({frozenset(_placeholders(text)) for text in texts.values()}) > 1
    }
    assert mismatched == {}


def test_no_key_is_defined_in_two_catalogues() -> None:
    seen: dict[str, str] = {}
    twice = []
    for name in catalogue_modules():
        for key in importlib.import_module(f"{messages.__name__}.{name}").MESSAGES:
            if key in seen:
                twice.append((key, seen[key], name))
            seen[key] = name
    assert twice == []


# -- which language a page is in ---------------------------------------------------------


def _title(client: FlaskClient, path: str, **headers: str) -> tuple[str, str]:
    response = client.get(path, headers=headers)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    lang = re.search(r'<html lang="([^"]+)">', page)
    heading = re.search(r"<h1>([^<]*)</h1>", page)
    assert lang and heading
    return lang.group(1), heading.group(1)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    ("path", "titles"),
    [
        ("/console/assignments", ASSIGNMENTS),
        ("/console/notifications", NOTIFICATIONS),
        ("/console/settings/branding", BRANDING),
    ],
)
def test_each_operations_page_comes_in_each_language(
    console_client: FlaskClient, path: str, titles: dict[str, str], language: str
) -> None:
    login(console_client, kind="admin", email="ada@example.com")
    assert _title(console_client, path, **{"Accept-Language": language}) == (
        language,
        titles[language],
    )


def _directory_learner(app: Flask, language: str | None) -> int:
    auth = Credentials(app).make("all,admin", name="directory")
    body = {"name": "Kari", "email": "kari@example.com"}
    if language is not None:
        body["language"] = language
    response = app.test_client().post("/api/v1/learners", json=body, headers=auth)
    assert response.status_code == 200, response.get_json()
    learner_id: int = response.get_json()["learners"][0]["id"]
    return learner_id


@pytest.mark.parametrize(
    ("directory", "accept", "expected"),
    [
        ("nb", "fi, en;q=0.5", "nb"),  # the directory wins over the browser
        ("nl", "", "nl"),
        ("fi", "nb", "fi"),
        (None, "fi, en;q=0.5", "fi"),  # no directory language: the browser's
        (None, "de, nl;q=0.8, fi;q=0.5", "nl"),  # the best supported one by q-value
        (None, "fi;q=0.2, nb;q=0.9", "nb"),  # q-values, not header order
        (None, "nb;q=0, fi;q=0.1", "fi"),  # q=0 means "not this one"
        (None, "de, fr", "en"),  # nothing supported: English
        (None, "", "en"),
    ],
)
def test_a_learners_page_language(
    console_app: Flask,
    console_client: FlaskClient,
    directory: str | None,
    accept: str,
    expected: str,
) -> None:
    learner_id = _directory_learner(console_app, directory)
    login(console_client, kind="learner", email="kari@example.com", learner_id=learner_id)
    headers = {"Accept-Language": accept} if accept else {}
    page = console_client.get("/console/", headers=headers).get_data(as_text=True)
    assert f'<html lang="{expected}">' in page
    assert f'<li><a href="/console/">{HOME[expected]}</a></li>' in page


def test_a_directory_language_change_applies_to_a_session_already_open(
    console_app: Flask, console_client: FlaskClient
) -> None:
    learner_id = _directory_learner(console_app, "en")
    login(console_client, kind="learner", email="kari@example.com", learner_id=learner_id)
    assert '<html lang="en">' in console_client.get("/console/").get_data(as_text=True)
    _directory_learner(console_app, "fi")  # the import updates Kari's row
    assert '<html lang="fi">' in console_client.get("/console/").get_data(as_text=True)
