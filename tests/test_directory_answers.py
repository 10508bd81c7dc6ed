"""What an admin sees of the directory: identifiers in their documented form in every answer
and CLI output, and warnings for import rows that would only half apply. Both databases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from lrs_bridge.cli import cli
from lrs_bridge.services.directory import email_keys
from tests.factories import agent, aligned

LMS = "https://lms.example.com"
LISTENING = "https://lrs-bridge.dev/competency/active-listening"
ACCOUNT_FORM = f"account:{LMS}|kari.n"
DIRECTORY = (
    "name,email,accounts,team,manager_email,language\n"
    f"Kari Nordmann,kari@example.com,{LMS}|kari.n,oslo,,nb\n"
    "Ola Hansen,ola@example.com,,oslo,kari@example.com,no\n"  # manager in the same file
    "Per Berg,per@example.com,,oslo,nobody@example.com,en-GB\n"  # matches no learner
    "Anna Schmidt,anna@example.com,,berlin,ola@example.com,de\n"  # no German templates
)


def csv_post(client, auth, text: str):
    return client.post(
        "/api/v1/learners/import", data=text, headers={**auth, "Content-Type": "text/csv"}
    )


def test_identifiers_are_shown_in_their_documented_form_in_every_answer(client, creds):
    admin = creds.make("all,admin", name="admin")
    kari_account = {"objectType": "Agent", "account": {"homePage": LMS, "name": "kari.n"}}
    posted = client.post("/xapi/statements", json=[aligned(kari_account, LISTENING)], headers=admin)
    assert posted.status_code == 200
    imported = csv_post(client, admin, DIRECTORY)
    kari = imported.get_json()["learners"][0]
    answers = {
        "import": imported,
        "by agent": client.get(
            "/api/v1/learners", query_string={"agent": json.dumps(kari_account)}, headers=admin
        ),
        "one": client.get(f"/api/v1/learners/{kari['id']}", headers=admin),
        "list": client.get("/api/v1/learners", query_string={"team": "oslo"}, headers=admin),
        "patch": client.patch(
            f"/api/v1/learners/{kari['id']}", json={"team": "bergen"}, headers=admin
        ),
        "competencies": client.get(f"/api/v1/learners/{kari['id']}/competencies", headers=admin),
        "post": client.post(
            "/api/v1/learners",
            json={"name": "Kari N", "email": "kari@example.com", "accounts": [f"{LMS}|kari.n"]},
            headers=admin,
        ),
        "explain": client.post(
            "/api/v1/explain", json=aligned(kari_account, LISTENING), headers=admin
        ),
    }
    for name, response in answers.items():
        assert response.status_code == 200, (name, response.get_json())
        text = response.get_data(as_text=True)
        assert "\\u001f" not in text and "\x1f" not in text, name
        assert ACCOUNT_FORM in text, name
    assert answers["one"].get_json()["ifis"] == [ACCOUNT_FORM, *email_keys("kari@example.com")]


def test_import_warns_about_rows_that_only_half_apply(client, creds):
    admin = creds.make("all,admin", name="admin")

    response = csv_post(client, admin, DIRECTORY)

    assert response.status_code == 200, response.get_json()
    warnings = response.get_json()["warnings"]
    assert [(w["row"], w["field"]) for w in warnings] == [(3, "manager_email"), (4, "language")]
    assert "nobody@example.com" in warnings[0]["message"]
    assert "en, nb, fi, nl" in warnings[1]["message"]
    assert warnings[1]["allowed"] == ["en", "nb", "fi", "nl"]
    assert response.get_json()["counts"]["created"] == 4  # warnings never refuse the row
    # A manager imported earlier counts as known.
    later = csv_post(
        client,
        admin,
        "name,email,accounts,team,manager_email,language\n"
        "Eva Lund,eva@example.com,,oslo,per@example.com,fi\n",
    )
    assert later.get_json()["warnings"] == []


@pytest.fixture
def directory_file(tmp_path: Path) -> Path:
    path = tmp_path / "directory.csv"
    path.write_text(DIRECTORY, encoding="utf-8")
    return path


def test_cli_import_prints_the_warnings(database_url: str, directory_file: Path):
    result = CliRunner().invoke(
        cli, ["--database-url", database_url, "learners", "import", str(directory_file)]
    )

    assert result.exit_code == 0, result.output
    assert "created 4" in result.stdout
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 2
    assert "row 3" in warnings[0] and "row 4" in warnings[1]
    assert "en, nb, fi, nl" in warnings[1]
    assert "\x1f" not in result.output


def test_cli_erase_dry_run_shows_no_internal_separator(database_url: str, directory_file: Path):
    runner = CliRunner()
    runner.invoke(cli, ["--database-url", database_url, "learners", "import", str(directory_file)])

    result = runner.invoke(
        cli, ["--database-url", database_url, "learners", "erase", "1", "--dry-run"]
    )

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["counts"]["identifiers"] == 3
    assert "\x1f" not in result.output
    assert agent("kari")["mbox"] not in result.output  # counts only, no identifiers
