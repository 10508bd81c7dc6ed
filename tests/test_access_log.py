"""The access log: one JSON line per request, naming the credential that made it."""

from __future__ import annotations

import logging

import pytest

from lrs_bridge import create_app
from tests.conftest import Credentials


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def logged_app(database_url):
    app = create_app({"database_url": database_url, "access_log": True})
    lines = _Lines()
    logger = logging.getLogger("lrs_bridge.access")
    logger.addHandler(lines)
    yield app, lines
    logger.removeHandler(lines)
    app.extensions["lrs_bridge"].close()


@pytest.mark.parametrize(
    "path",
    [
        "/xapi/statements",
        "/api/v1/competencies",
        "/api/v1/learners",
        "/api/v1/assignments",
        "/api/v1/config",
    ],
)
def test_every_authenticated_call_names_its_credential(logged_app, path):
    app, lines = logged_app
    auth = Credentials(app).make("all,admin", name="auditor")
    key = auth["Authorization"]
    response = app.test_client().get(path, headers=auth)
    assert response.status_code == 200, response.get_data(as_text=True)
    (record,) = [r for r in lines.records if r.path == path]
    assert record.credential is not None and record.credential.startswith("auditor-")
    assert record.status == 200 and key not in str(vars(record))


def test_an_unauthenticated_call_names_no_credential(logged_app):
    app, lines = logged_app
    assert app.test_client().get("/api/v1/competencies").status_code == 401
    (record,) = [r for r in lines.records if r.path == "/api/v1/competencies"]
    assert record.credential is None and record.status == 401
