"""A typo in the competency files: one line naming the file, the rule and the field.

``lrs-bridge competencies validate FILE`` reports it, and ``serve`` stops on it (exit 2)
before any web worker starts.
"""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from lrs_bridge.services.competencies import DEFAULTS_DIR
from tests.conftest import free_port

DEFAULT_MAP = yaml.safe_load((DEFAULTS_DIR / "competency-map.yaml").read_text(encoding="utf-8"))
RULE = DEFAULT_MAP["rules"][2]["id"]


def _rule(document: dict[str, Any]) -> dict[str, Any]:
    rule: dict[str, Any] = document["rules"][2]
    return rule


TYPOS = [
    pytest.param(
        lambda d: _rule(d)["evidence"][0].update(competency="https://x.test/comunication"),
        RULE,
        "rules[2].evidence[0].competency",
        id="unknown-competency",
    ),
    pytest.param(
        lambda d: _rule(d).update(evidense=_rule(d).pop("evidence")),
        RULE,
        "rules[2].evidence",  # reported as missing
        id="misspelt-key",
    ),
    pytest.param(
        lambda d: _rule(d)["evidence"][0].update(weight="heavy"),
        RULE,
        "rules[2].evidence[0].weight",
        id="not-a-number",
    ),
    pytest.param(
        lambda d: _rule(d).update(method="coachng"),
        RULE,
        "rules[2].evidence[0].method",
        id="unknown-method",
    ),
    pytest.param(
        lambda d: d["policies"]["quarterly"].update(validity="3 months"),
        None,
        "policies.quarterly.validity",
        id="outside-the-rules",
    ),
]


def _lrs_bridge(*args: str, env: dict[str, str] | None = None, timeout: float = 60):
    return subprocess.run(
        [sys.executable, "-m", "lrs_bridge.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def _write_map(tmp_path: Path, change: Callable[[dict[str, Any]], None]) -> Path:
    document = copy.deepcopy(DEFAULT_MAP)
    change(document)
    path = tmp_path / "competency-map.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(("change", "rule", "field"), TYPOS)
def test_validate_names_the_file_rule_and_field_in_one_line(tmp_path, change, rule, field):
    path = _write_map(tmp_path, change)
    result = _lrs_bridge("competencies", "validate", str(path))
    assert result.returncode == 2
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"error: {path}: ")
    assert field in line
    if rule is not None:
        assert f"rule {rule!r}" in line


def test_validate_summarises_a_good_map_and_framework():
    result = _lrs_bridge("competencies", "validate", str(DEFAULTS_DIR / "competency-map.yaml"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok: competency map ")
    assert f"{len(DEFAULT_MAP['rules'])} rules" in result.stdout
    assert "17 competencies" in result.stdout
    framework = _lrs_bridge("competencies", "validate", str(DEFAULTS_DIR / "framework.json"))
    assert framework.returncode == 0, framework.stderr
    assert "17 competencies" in framework.stdout


def test_validate_a_missing_file_says_so_in_one_line(tmp_path):
    result = _lrs_bridge("competencies", "validate", str(tmp_path / "nope.yaml"))
    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert "nope.yaml" in line and "cannot read" in line


@pytest.mark.server
def test_serve_stops_on_a_typo_with_one_line_before_any_worker_starts(tmp_path):
    change, rule, field = TYPOS[0].values
    path = _write_map(tmp_path, change)
    result = _lrs_bridge(
        "serve",
        "--port",
        str(free_port()),
        "--no-scheduler",
        env={
            "LRS_BRIDGE_DATA_DIR": str(tmp_path),
            "LRS_BRIDGE_DATABASE_URL": f"sqlite:///{tmp_path / 'lrs.sqlite3'}",
            "LRS_BRIDGE_COMPETENCY_MAP_FILE": str(path),
        },
        timeout=60,
    )
    assert result.returncode == 2
    (line,) = (result.stdout + result.stderr).splitlines()
    assert f"rule {rule!r}" in line and field in line and str(path) in line
