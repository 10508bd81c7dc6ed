"""The package stands on its own: declared dependencies, and run-time files inside it.

The wheel itself is built, installed into a fresh venv and served by ``.ci/wheel-smoke``.
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

import lrs_bridge
from lrs_bridge.services.competencies import DEFAULTS_DIR
from tests.conftest import REPO

PACKAGE = Path(lrs_bridge.__file__).parent


def _imported_top_level_modules() -> set[str]:
    """Every absolute import under lrs_bridge/, including those inside functions."""
    found: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared_dependencies() -> set[str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {
        _normalise(re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", spec).group(0))
        for spec in project["dependencies"]
    }


def test_every_third_party_import_is_a_declared_dependency():
    third_party = _imported_top_level_modules() - set(sys.stdlib_module_names) - {"lrs_bridge"}
    providers = importlib.metadata.packages_distributions()
    undeclared = {}
    for module in sorted(third_party):
        distributions = {_normalise(d) for d in providers.get(module, [module])}
        if not distributions & _declared_dependencies():
            undeclared[module] = sorted(distributions)
    assert undeclared == {}, f"imported but not in [project].dependencies: {undeclared}"
    assert {"click", "flask", "sqlalchemy", "yaml"} <= third_party  # the scan sees imports


def test_the_editable_config_copies_equal_the_packaged_defaults():
    """config/ is the copy an operator edits; the package ships the same defaults."""
    for name in ("framework.json", "competency-map.yaml"):
        packaged = (DEFAULTS_DIR / name).read_bytes()
        assert packaged == (REPO / "config" / name).read_bytes(), (
            f"config/{name} differs from lrs_bridge/defaults/{name}: change both"
        )


def test_files_read_at_run_time_are_package_data():
    """Everything the code opens by path lives inside the package and is declared as data."""
    tool = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]
    patterns = tool["setuptools"]["package-data"]["lrs_bridge"]
    run_time = [
        *DEFAULTS_DIR.iterdir(),
        *(PACKAGE / "store" / "migrations").glob("*.mako"),
        *(PACKAGE / "store" / "migrations" / "versions").glob("*.py"),
        *(PACKAGE / "notify" / "templates").iterdir(),
    ]
    assert len(run_time) > 10
    for path in run_time:
        relative = path.relative_to(PACKAGE)
        assert any(relative.match(p) for p in patterns), f"{relative} is not package data"


def test_the_default_engine_loads_from_the_package():
    from lrs_bridge.services.competencies import load_engine

    engine = load_engine("", "")
    assert len(engine.framework.competencies) == 17
    assert DEFAULTS_DIR.is_relative_to(PACKAGE)
