"""The console's Upstreams page (admins): every upstream with its status, the dead letters
with retry (one, or all) behind the CSRF token; 403 for learners; all four languages; the
page's markup accessible. Both databases."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lrs_bridge import create_app
from tests.console.conftest import csrf_token, login
from tests.console.test_accessibility import check_page
from tests.console.upstream_data import UpstreamWorld, seed_upstreams
from tests.upstream.registry_support import SECRET

ADMIN = {"kind": "admin", "email": "ada@example.com", "name": "Ada"}


@pytest.fixture
def upstream_app(database_url: str) -> Iterator[Flask]:
    app = create_app({"database_url": database_url, "access_log": False})
    yield app
    app.extensions["lrs_bridge"].close()


@pytest.fixture
def world(upstream_app: Flask) -> UpstreamWorld:
    return seed_upstreams(upstream_app)


@pytest.fixture
def admin(upstream_app: Flask) -> FlaskClient:
    client = upstream_app.test_client()
    login(client, **ADMIN)
    return client


def figure(html: str, upstream: str, name: str) -> str:
    row = re.search(rf'<tr data-upstream="{upstream}">(.*?)</tr>', html, re.S)
    assert row, upstream
    cell = re.search(rf'data-figure="{name}">(.*?)</td>', row.group(1), re.S)
    assert cell, name
    return re.sub(r"<[^>]+>", "", cell.group(1)).strip()


def test_an_admin_sees_each_upstreams_status_and_its_dead_letters(
    world: UpstreamWorld, admin: FlaskClient
) -> None:
    response = admin.get("/console/upstreams")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert figure(html, "learning-locker", "queued") == "2"
    assert figure(html, "learning-locker", "dead") == "2"
    assert figure(html, "learning-locker", "delivered") == "17"
    lag = int(figure(html, "learning-locker", "forward-lag").split()[0])
    assert 95 <= lag < 110
    assert figure(html, "ralph", "pulled") == "250"
    assert 30 <= int(figure(html, "ralph", "pull-lag").split()[0]) < 45
    assert "connection refused" in html
    assert re.findall(r'<tr data-statement="([^"]+)"', html) == world.dead_ids
    assert "Dead letters of learning-locker (2)" in html
    assert 'href="/console/upstreams"' in html  # in the navigation
    assert SECRET not in html


def test_retry_one_then_all_dead_letters_from_the_page(
    world: UpstreamWorld, admin: FlaskClient, upstream_app: Flask
) -> None:
    token = csrf_token(admin, "/console/upstreams")
    one = admin.post(
        "/console/upstreams/learning-locker/retry",
        data={"csrf_token": token, "statement_id": world.dead_ids[0]},
        follow_redirects=True,
    )
    html = one.get_data(as_text=True)
    assert "1 statement(s) queued again for learning-locker." in html
    assert figure(html, "learning-locker", "queued") == "3"
    assert re.findall(r'<tr data-statement="([^"]+)"', html) == world.dead_ids[1:]
    every = admin.post(
        "/console/upstreams/learning-locker/retry",
        data={"csrf_token": token},
        follow_redirects=True,
    )
    html = every.get_data(as_text=True)
    assert "1 statement(s) queued again for learning-locker." in html
    assert figure(html, "learning-locker", "dead") == "0"
    assert "data-statement=" not in html


def test_a_retry_without_the_csrf_token_changes_nothing(
    world: UpstreamWorld, admin: FlaskClient
) -> None:
    response = admin.post("/console/upstreams/learning-locker/retry", data={})
    assert response.status_code == 400
    html = admin.get("/console/upstreams").get_data(as_text=True)
    assert figure(html, "learning-locker", "dead") == "2"


def test_learners_get_403_and_strangers_the_sign_in_page(
    world: UpstreamWorld, upstream_app: Flask
) -> None:
    client = upstream_app.test_client()
    anonymous = client.get("/console/upstreams")
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"].startswith("/console/sign-in")
    login(client, kind="learner", email="kari@example.com", learner_id=world.learner_id)
    assert client.get("/console/upstreams").status_code == 403
    token = csrf_token(client)
    refused = client.post("/console/upstreams/learning-locker/retry", data={"csrf_token": token})
    assert refused.status_code == 403
    login(client, **ADMIN)
    html = client.get("/console/upstreams").get_data(as_text=True)
    assert figure(html, "learning-locker", "dead") == "2"


def test_an_unknown_upstream_is_a_404_page(admin: FlaskClient) -> None:
    token = csrf_token(admin, "/console/upstreams")
    response = admin.post("/console/upstreams/nope/retry", data={"csrf_token": token})
    assert response.status_code == 404


def test_no_upstream_says_so(admin: FlaskClient) -> None:
    html = admin.get("/console/upstreams").get_data(as_text=True)
    assert "No upstream LRS is configured." in html


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("en", "Upstream LRSs"),
        ("nb", "Oppstrøms LRS-er"),
        ("fi", "Ylävirran LRS:t"),
        ("nl", "Upstream-LRS'en"),
    ],
)
def test_the_page_speaks_each_language(
    world: UpstreamWorld, admin: FlaskClient, language: str, title: str
) -> None:
    response = admin.get("/console/upstreams", headers={"Accept-Language": language})
    html = response.get_data(as_text=True)
    assert f"<h1>{title}</h1>" in html.replace("&#39;", "'")
    assert f'lang="{language}"' in html


@pytest.mark.parametrize("seeded", [True, False])
def test_the_page_is_accessible(upstream_app: Flask, admin: FlaskClient, seeded: bool) -> None:
    if seeded:
        seed_upstreams(upstream_app)
    html = admin.get("/console/upstreams").get_data(as_text=True)
    assert check_page(html) == []


def test_figures_a_direction_does_not_use_show_as_a_dash(
    world: UpstreamWorld, admin: FlaskClient
) -> None:
    html = admin.get("/console/upstreams").get_data(as_text=True)
    assert figure(html, "ralph", "forward-lag") == "–"  # pull only
    assert figure(html, "ralph", "queued") == "–"
    assert figure(html, "learning-locker", "pull-lag") == "–"  # forward only
    assert figure(html, "learning-locker", "pulled") == "–"
