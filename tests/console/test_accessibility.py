"""Accessible markup on the console frame and the operations pages: a label for every
input, landmarks, a skip link first, ``lang`` on <html>, status written out (never only a
colour), and text/background contrast of the CSS computed from the style sheets (WCAG AA)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lrs_bridge import create_app
from lrs_bridge.notify.brand import MIN_CONTRAST, contrast_ratio, normalise_hex
from lrs_bridge.notify.i18n import SUPPORTED
from tests.conftest import free_port
from tests.console.conftest import csrf_token, login
from tests.console.ops_data import dead_letters, seed

STATIC = Path(__file__).resolve().parents[2] / "lrs_bridge" / "console" / "static"
ADMIN = {"kind": "admin", "email": "ada@example.com", "name": "Ada"}
LABELLED = ("input", "select", "textarea")
UNLABELLED_INPUTS = ("hidden", "submit", "button", "reset")


class Page(HTMLParser):
    """The facts of a page the checks need (elements, labels, text of status elements)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.label_for: dict[str, str] = {}
        self.ids: list[str] = []
        self._open: list[tuple[str, dict[str, str], list[str]]] = []
        self.texts: list[tuple[str, dict[str, str], str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        self.tags.append((tag, values))
        if "id" in values:
            self.ids.append(values["id"])
        if tag not in ("input", "meta", "link", "br", "img"):
            self._open.append((tag, values, []))

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            name, values, text = self._open.pop()
            joined = " ".join(" ".join(text).split())
            self.texts.append((name, values, joined))
            if self._open:
                self._open[-1][2].append(joined)
            if name == "label" and values.get("for"):
                self.label_for[values["for"]] = joined
            if name == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._open:
            self._open[-1][2].append(data)


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


def check_page(html: str, *, signed_in: bool = True) -> list[str]:
    """Every accessibility problem of ``html`` (empty when none)."""
    page = parse(html)
    problems = []
    html_tags = [a for t, a in page.tags if t == "html"]
    if not html_tags or html_tags[0].get("lang") not in SUPPORTED:
        problems.append(f"<html lang> missing or unsupported: {html_tags}")
    names = [t for t, _ in page.tags]
    for landmark in ("header", "main", *(("nav",) if signed_in else ())):
        if names.count(landmark) < 1:
            problems.append(f"no <{landmark}> landmark")
    if not any(t == "main" and a.get("id") == "main" for t, a in page.tags):
        problems.append("<main id=main> missing")
    links = [a for t, a in page.tags if t == "a"]
    if not links or links[0].get("href") != "#main" or "skip-link" not in links[0].get("class", ""):
        problems.append("the first link is not the skip link to #main")
    duplicates = {i for i in page.ids if page.ids.count(i) > 1}
    if duplicates:
        problems.append(f"duplicate ids {sorted(duplicates)}")
    for tag, attrs in page.tags:
        if tag not in LABELLED or attrs.get("type") in UNLABELLED_INPUTS:
            continue
        if attrs.get("aria-label"):
            continue
        if not page.label_for.get(attrs.get("id", "")):
            problems.append(f"<{tag} name={attrs.get('name')!r}> has no label")
    for tag, attrs, text in page.texts:
        classes = attrs.get("class", "").split()
        if tag == "button" and not (text or attrs.get("aria-label")):
            problems.append(f"a button without a name: {attrs}")
        if any(c.startswith(("status", "ops-status", "ops-state")) for c in classes) and not text:
            problems.append(f"status shown by colour only: {attrs}")
        if tag == "th" and not text:
            problems.append("an empty table header")
    tables = sum(1 for t, a in page.tags if t == "table" and "data" in a.get("class", ""))
    captions = names.count("caption")
    if captions < tables:
        problems.append(f"{tables} data tables but {captions} captions")
    for tag, attrs in page.tags:
        if tag == "img" and "alt" not in attrs:
            problems.append(f"an image without alt: {attrs}")
    return problems


# -- the pages ---------------------------------------------------------------------------


@pytest.fixture
def ops_app(database_url: str) -> Iterator[Flask]:
    app = create_app(
        {
            "database_url": database_url,
            "access_log": False,
            "smtp_url": f"smtp://127.0.0.1:{free_port()}?timeout=2",
            "notification_max_attempts": 1,
        }
    )
    seed(app)
    dead_letters(app)
    yield app
    app.extensions["lrs_bridge"].close()


@pytest.mark.parametrize(
    "path",
    [
        "/console/",
        "/console/assignments",
        "/console/assignments?status=all&per_page=2",
        "/console/notifications",
        "/console/notifications?state=dead",
        "/console/settings/branding",
    ],
)
def test_admin_pages_are_accessible(ops_app: Flask, path: str) -> None:
    client = ops_app.test_client()
    login(client, **ADMIN)
    response = client.get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    if path.startswith("/console/assignments"):
        assert "<select" in html and "data-assignment=" in html  # filters and rows were checked
    assert check_page(html) == []


def test_the_branding_form_with_errors_is_accessible(console_client: FlaskClient) -> None:
    login(console_client, **ADMIN)
    token = csrf_token(console_client, "/console/settings/branding")
    response = console_client.post(
        "/console/settings/branding",
        data={"csrf_token": token, "logo_url": "ftp://x", "primary_colour": "#eee"},
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert check_page(html) == []
    for name in ("logo_url", "primary_colour"):  # each error is tied to its field
        assert f'aria-describedby="e-{name}"' in html and f'id="e-{name}"' in html


def test_a_learners_home_and_the_error_pages_are_accessible(
    console_client: FlaskClient,
) -> None:
    login(console_client, kind="learner", email="kari@example.com")
    assert check_page(console_client.get("/console/").get_data(as_text=True)) == []
    forbidden = console_client.get("/console/assignments")
    assert forbidden.status_code == 403
    assert check_page(forbidden.get_data(as_text=True)) == []


def test_the_checker_finds_what_it_looks_for() -> None:
    bad = (
        '<html><body><a href="/x">x</a><main><input name="q" id="q">'
        '<span class="status status-stale"></span><button></button></main></body></html>'
    )
    problems = " | ".join(check_page(bad))
    for expected in (
        "lang",
        "no <header>",
        "no <nav>",
        "<main id=main>",
        "skip link",
        "'q'> has no label",
        "colour only",
        "button without a name",
    ):
        assert expected in problems


# -- colour contrast, from the style sheets ------------------------------------------------


def _rules(css: str) -> list[tuple[str, dict[str, str]]]:
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    found = []
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        declarations = {}
        for part in body.split(";"):
            name, _, value = part.partition(":")
            if value.strip():
                declarations[name.strip()] = value.strip()
        found.append((" ".join(selector.split()), declarations))
    return found


def _variables() -> dict[str, str]:
    root = dict(_rules((STATIC / "console.css").read_text()))[":root"]
    return {name: value for name, value in root.items() if name.startswith("--")}


def _colour(value: str, variables: dict[str, str]) -> str | None:
    value = value.split()[0] if value.startswith("#") else value
    found = re.fullmatch(r"var\((--[\w-]+)\)", value)
    if found:
        value = variables.get(found.group(1), "")
    return normalise_hex(value) if value.startswith("#") else None


def _pairs(sheet: str) -> list[tuple[str, str, str]]:
    """(selector, text colour, background) of every rule that sets both."""
    variables = _variables()
    pairs = []
    for selector, declarations in _rules((STATIC / sheet).read_text()):
        background = declarations.get("background") or declarations.get("background-color")
        foreground = declarations.get("color")
        if not (background and foreground):
            continue
        fg, bg = _colour(foreground, variables), _colour(background, variables)
        if fg and bg:
            pairs.append((selector, fg, bg))
    return pairs


STATUS_PAIRS = ("fresh", "due_soon", "stale", "none")


@pytest.mark.parametrize("status", STATUS_PAIRS)
def test_each_status_colour_pair_has_enough_contrast(status: str) -> None:
    variables = _variables()
    fg, bg = variables[f"--{status}-fg"], variables[f"--{status}-bg"]
    assert contrast_ratio(fg, bg) >= MIN_CONTRAST, (status, fg, bg)


@pytest.mark.parametrize("sheet", ["console.css", "ops.css"])
def test_every_text_on_background_rule_has_enough_contrast(sheet: str) -> None:
    pairs = _pairs(sheet)
    assert len(pairs) >= 5, "the parser found too few rules to mean anything"
    weak = [
        (selector, fg, bg, round(contrast_ratio(fg, bg), 2))
        for selector, fg, bg in pairs
        if contrast_ratio(fg, bg) < MIN_CONTRAST
    ]
    assert weak == []


def test_text_colours_on_the_page_background_have_enough_contrast() -> None:
    variables = _variables()
    page = variables["--bg"]
    text_colours = {"--text", "--muted"}
    for name in text_colours:
        assert contrast_ratio(variables[name], page) >= MIN_CONTRAST, name
    assert contrast_ratio(variables["--muted"], variables["--panel"]) >= MIN_CONTRAST
    for sheet in ("console.css", "ops.css"):
        for selector, declarations in _rules((STATIC / sheet).read_text()):
            if "color" in declarations and "background" not in declarations:
                colour = _colour(declarations["color"], variables)
                if colour and "site-header" not in selector and "swatch" not in selector:
                    ratio = contrast_ratio(colour, page)
                    assert ratio >= MIN_CONTRAST, (sheet, selector, colour, round(ratio, 2))


def test_white_text_on_the_default_brand_colour_has_enough_contrast() -> None:
    assert contrast_ratio("#ffffff", _variables()["--brand"]) >= MIN_CONTRAST
