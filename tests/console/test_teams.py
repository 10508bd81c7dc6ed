"""The team matrix pages over plain HTTP: who may open what, the matrix contract (a table
whose cells carry data-learner, data-competency and data-status, text as well as colour),
totals, filters and the CSV export."""

from __future__ import annotations

import csv
import io
import urllib.parse
from html.parser import HTMLParser
from typing import Any

import pytest
from flask.testing import FlaskClient

from lrs_bridge.xapi.timefmt import format_timestamp_us, now_us
from tests.console.conftest import login
from tests.test_competency_flow import EMPATHY, LISTENING
from tests.test_team_matrix import COMMUNICATION, seed_desk

DAY_US = 86_400 * 1_000_000


def days_ago(days: int) -> str:
    return format_timestamp_us(now_us() - days * DAY_US)


#: Quarterly policy (validity P3M, due soon P14D), relative to the server's clock.
RELATIVE_TABLE = [
    ("kari", days_ago(10), "fresh"),
    ("ola", days_ago(82), "due_soon"),
    ("per", days_ago(150), "stale"),
    ("lead", None, "none"),
]


class Cells(HTMLParser):
    """The matrix cells (their data-* attributes, link and text) and the row totals."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[dict[str, Any]] = []
        self.tables: list[dict[str, str | None]] = []
        self.headers: list[dict[str, str | None]] = []
        self._cell: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "table":
            self.tables.append(found)
        if tag == "th":
            self.headers.append(found)
        if tag == "td" and "data-status" in found:
            self._cell = {**found, "text": ""}
        if tag == "a" and self._cell is not None:
            self._cell["href"] = found.get("href")

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell["text"] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None:
            self.cells.append(self._cell)
            self._cell = None


def parse(page: str) -> Cells:
    parser = Cells()
    parser.feed(page)
    return parser


@pytest.fixture
def admin(creds) -> dict[str, str]:
    return creds.make("all,admin", name="admin")


@pytest.fixture
def desk(console_client: FlaskClient, admin: dict[str, str]) -> dict[str, int]:
    return seed_desk(console_client, admin, RELATIVE_TABLE)


def as_admin(client: FlaskClient) -> None:
    login(client, kind="admin", email="ada@example.com", name="Ada")


def as_learner(client: FlaskClient, learner_id: int, name: str) -> None:
    login(client, email=f"{name}@example.com", name=name.title(), learner_id=learner_id)


def test_without_a_session_the_pages_redirect_to_sign_in(console_client):
    for path in ("/console/teams", "/console/teams/oslo"):
        response = console_client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/console/sign-in")


def test_an_admin_lists_every_team_with_its_size(console_client, desk):
    as_admin(console_client)
    response = console_client.get("/console/teams")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'href="/console/teams/oslo"' in page and 'href="/console/teams/bergen"' in page
    assert "<caption>" in page and '<th scope="col">Members</th>' in page


@pytest.mark.parametrize(("who", "expected"), [(row[0], row[2]) for row in RELATIVE_TABLE])
def test_an_admin_sees_the_status_of_each_seeded_cell(console_client, desk, who, expected):
    as_admin(console_client)
    response = console_client.get("/console/teams/oslo")
    assert response.status_code == 200
    cells = parse(response.get_data(as_text=True)).cells
    [cell] = [
        c
        for c in cells
        if c["data-learner"] == str(desk[who]) and c["data-competency"] == LISTENING
    ]
    assert cell["data-status"] == expected
    words = {"fresh": "Fresh", "due_soon": "Due soon", "stale": "Stale", "none": "Never trained"}
    assert cell["text"].startswith(words[expected])  # the text says it, not only the colour
    iri = urllib.parse.quote(LISTENING, safe="")
    assert cell["href"] == f"/console/learners/{desk[who]}/evidence?competency={iri}"


def test_the_matrix_is_a_captioned_table_with_a_cell_per_member_and_competency(
    console_client, desk
):
    as_admin(console_client)
    response = console_client.get("/console/teams/oslo")
    assert response.headers["Server-Timing"].startswith("app;dur=")  # what make bench reads
    parsed = parse(response.get_data(as_text=True))
    assert len(parsed.cells) == 4 * 17
    assert {c["data-status"] for c in parsed.cells} <= {"fresh", "due_soon", "stale", "none"}
    assert {c["data-learner"] for c in parsed.cells} == {
        str(desk[n]) for n in ("lead", "kari", "ola", "per")
    }
    scopes = [h.get("scope") for h in parsed.headers]
    assert scopes.count("row") >= 4 and scopes.count("col") >= 17
    [kari_listening] = [
        c
        for c in parsed.cells
        if c["data-learner"] == str(desk["kari"]) and c["data-competency"] == LISTENING
    ]
    assert "%" in kari_listening["text"]  # the level is shown too


def test_totals_per_row_and_per_column_count_every_member(console_client, desk):
    as_admin(console_client)
    csv_rows = list(
        csv.DictReader(io.StringIO(console_client.get("/console/teams/oslo?format=csv").text))
    )
    by_name = {row["name"]: row for row in csv_rows}
    assert by_name["Kari"]["fresh"] == "2" and by_name["Kari"]["none"] == "15"
    assert by_name["Lead"]["none"] == "17"  # never trained: still a row, all cells none
    page = console_client.get("/console/teams/oslo").get_data(as_text=True)
    assert "Totals: Never trained" in page


def test_a_manager_opens_the_team_of_their_reports_and_sees_only_them(console_client, desk):
    as_learner(console_client, desk["ola"], "ola")
    listed = console_client.get("/console/teams")
    assert listed.status_code == 200
    assert 'href="/console/teams/oslo"' in listed.text and "bergen" not in listed.text
    response = console_client.get("/console/teams/oslo")
    assert response.status_code == 200
    learners = {c["data-learner"] for c in parse(response.text).cells}
    assert learners == {str(desk["ola"]), str(desk["per"])}  # not Kari, not Lead


@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("kari", "/console/teams"),
        ("kari", "/console/teams/oslo"),
        ("boss", "/console/teams/oslo"),
        ("lead", "/console/teams/bergen"),
    ],
    ids=["learner-list", "learner-team", "another-teams-manager", "team-without-reports"],
)
def test_others_get_403(console_client, desk, who, path):
    as_learner(console_client, desk[who], who)
    response = console_client.get(path)
    assert response.status_code == 403
    assert "You do not have access to this page." in response.text


def test_an_unknown_team_is_404_for_an_admin(console_client, desk):
    as_admin(console_client)
    assert console_client.get("/console/teams/nowhere").status_code == 404


def test_the_group_filter_keeps_a_top_level_competency_and_its_children(console_client, desk):
    as_admin(console_client)
    query = urllib.parse.urlencode({"group": COMMUNICATION})
    cells = parse(console_client.get(f"/console/teams/oslo?{query}").text).cells
    competencies = {c["data-competency"] for c in cells}
    assert COMMUNICATION in competencies and LISTENING in competencies
    assert EMPATHY not in competencies and len(competencies) == 7


def test_the_manager_filter_keeps_that_managers_reports(console_client, desk):
    as_admin(console_client)
    response = console_client.get(f"/console/teams/oslo?manager={desk['ola']}")
    assert {c["data-learner"] for c in parse(response.text).cells} == {str(desk["per"])}
    assert '<label for="filter-manager">Manager</label>' in response.text


def test_the_team_filter_goes_to_that_teams_page_keeping_the_other_filters(console_client, desk):
    as_admin(console_client)
    response = console_client.get("/console/teams/oslo?team=bergen&group=" + COMMUNICATION)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/console/teams/bergen?")
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(location).query) == {
        "group": [COMMUNICATION]
    }


@pytest.mark.parametrize(
    ("query", "field"),
    [("manager=boss", "manager"), (f"group={LISTENING}", "group"), ("format=pdf", "format")],
)
def test_bad_filters_are_a_400_naming_the_field(console_client, desk, query, field):
    as_admin(console_client)
    response = console_client.get(f"/console/teams/oslo?{query}")
    assert response.status_code == 400
    assert field in response.text


def test_csv_gives_the_same_matrix_with_the_same_filters(console_client, desk):
    as_admin(console_client)
    query = urllib.parse.urlencode({"group": COMMUNICATION, "format": "csv"})
    response = console_client.get(f"/console/teams/oslo?{query}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    header, body = rows[0], rows[1:]
    assert header[:4] == ["learner_id", "name", "email", "team"]
    assert len(header) == 4 + 2 * 7 + 4
    assert f"Active listening ({LISTENING}) status" in header
    assert sorted(int(r[0]) for r in body) == sorted(
        desk[n] for n in ("lead", "kari", "ola", "per")
    )
    status_column = header.index(f"Active listening ({LISTENING}) status")
    by_id = {int(r[0]): r for r in body}
    for who, _when, expected in RELATIVE_TABLE:
        assert by_id[desk[who]][status_column] == expected
    page = console_client.get(f"/console/teams/oslo?group={urllib.parse.quote(COMMUNICATION)}")
    assert "format=csv" in page.text  # the page links to its own CSV


def test_competency_names_follow_the_viewers_language(console_client, desk):
    login(console_client, kind="admin", email="ada@example.com", name="Ada", language="nb")
    page = console_client.get("/console/teams/oslo").text
    assert "Aktiv lytting" in page and "Aldri trent" in page
