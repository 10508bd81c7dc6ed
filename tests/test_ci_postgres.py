"""CI never skips PostgreSQL silently: with ``CI=true`` an unreachable server fails the run,
saying why; on a developer's machine the same tests are skipped with the reason."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import REPO, free_port

#: One PostgreSQL test, run in a child pytest against a port where nothing listens.
PROBE = "tests/test_store_errors.py::test_postgres_errors_are_classified_by_sqlstate"


def run_probe(ci: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["LRS_BRIDGE_TEST_PG_URL"] = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/test"
    if ci is not None:
        env["CI"] = ci
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", PROBE],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("ci", "fails", "says"),
    [
        ("true", True, "CI=true, so PostgreSQL tests may not be skipped: PostgreSQL not reachable"),
        (None, False, "SKIPPED"),
    ],
)
def test_an_unreachable_postgres_fails_a_ci_run_and_is_skipped_elsewhere(ci, fails, says):
    result = run_probe(ci)
    output = result.stdout + result.stderr
    assert (result.returncode != 0) is fails, output
    assert says in output
    assert "PostgreSQL not reachable at postgresql+psycopg://postgres@127.0.0.1:" in output
