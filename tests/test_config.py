"""Settings: defaults, then a TOML file, then LRS_BRIDGE_* variables, then overrides."""

from __future__ import annotations

import pytest

from lrs_bridge.config import load_settings
from lrs_bridge.errors import BadRequest


def test_layers_apply_in_order(tmp_path):
    toml = tmp_path / "lrs.toml"
    toml.write_text('[lrs_bridge]\nport = 9000\nworkers = 3\nlog_level = "debug"\n')
    settings = load_settings(
        {"workers": 5},
        environ={"LRS_BRIDGE_CONFIG": str(toml), "LRS_BRIDGE_PORT": "9100"},
    )
    assert (settings.port, settings.workers, settings.log_level) == (9100, 5, "DEBUG")
    assert settings.database_url.startswith("sqlite:///")


@pytest.mark.parametrize(
    ("environ", "field"),
    [
        ({"LRS_BRIDGE_PORT": "eighty"}, "port"),
        ({"LRS_BRIDGE_PORT": "70000"}, "port"),
        ({"LRS_BRIDGE_SCHEDULER": "maybe"}, "scheduler"),
        ({"LRS_BRIDGE_DATABASE_URL": "mysql://x"}, "database_url"),
        ({"LRS_BRIDGE_DEFAULT_VERSION": "1.0.2"}, "default_version"),
        ({"LRS_BRIDGE_SQLITE_SYNCHRONOUS": "sometimes"}, "sqlite_synchronous"),
    ],
)
def test_bad_values_name_the_setting(environ, field):
    with pytest.raises(BadRequest) as caught:
        load_settings(environ=environ)
    assert caught.value.details["field"] == field


def test_unknown_keys_in_the_file_are_errors(tmp_path):
    toml = tmp_path / "lrs.toml"
    toml.write_text("prot = 80\n")
    with pytest.raises(BadRequest) as caught:
        load_settings(environ={}, config_file=toml)
    assert caught.value.details["field"] == "prot"
