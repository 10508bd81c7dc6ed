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


def test_the_data_directory_default_is_absolute_and_holds_the_database(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = load_settings(environ={"HOME": "/home/kari"})
    assert settings.data_dir == "/home/kari/.local/share/lrs-bridge"
    assert (
        settings.database_url == "sqlite:////home/kari/.local/share/lrs-bridge/lrs-bridge.sqlite3"
    )
    assert settings.attachment_dir == "/home/kari/.local/share/lrs-bridge/attachments"
    xdg = load_settings(environ={"HOME": "/home/kari", "XDG_DATA_HOME": "/srv/data"})
    assert xdg.database_url == "sqlite:////srv/data/lrs-bridge/lrs-bridge.sqlite3"


def test_the_config_file_is_found_in_the_data_directory_not_the_working_directory(
    tmp_path, monkeypatch
):
    data = tmp_path / "data"
    data.mkdir()
    (data / "lrs-bridge.toml").write_text("port = 9001\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "lrs-bridge.toml").write_text("port = 9999\n")
    monkeypatch.chdir(elsewhere)
    settings = load_settings(environ={"LRS_BRIDGE_DATA_DIR": str(data)})
    assert settings.port == 9001
    assert settings.database_url == f"sqlite:///{data}/lrs-bridge.sqlite3"
    # An explicit LRS_BRIDGE_CONFIG wins over the data directory's file.
    explicit = load_settings(
        environ={
            "LRS_BRIDGE_DATA_DIR": str(data),
            "LRS_BRIDGE_CONFIG": str(elsewhere / "lrs-bridge.toml"),
        }
    )
    assert explicit.port == 9999


def test_relative_paths_in_the_config_file_are_relative_to_the_file(tmp_path, monkeypatch):
    etc = tmp_path / "etc"
    etc.mkdir()
    toml = etc / "lrs-bridge.toml"
    toml.write_text(
        "[lrs_bridge]\n"
        'data_dir = "../data"\n'
        'database_url = "sqlite:///db/lrs.sqlite3"\n'
        'competency_map_file = "maps/ours.yaml"\n'
        'framework_file = "/opt/framework.json"\n'
    )
    monkeypatch.chdir(tmp_path / "etc")
    settings = load_settings(environ={}, config_file=toml)
    assert settings.data_dir == str(tmp_path / "data")
    assert settings.attachment_dir == str(tmp_path / "data" / "attachments")
    assert settings.database_url == f"sqlite:///{etc}/db/lrs.sqlite3"
    assert settings.competency_map_file == str(etc / "maps" / "ours.yaml")
    assert settings.framework_file == "/opt/framework.json"


def test_relative_paths_from_the_environment_are_made_absolute_at_once(tmp_path, monkeypatch):
    """Child processes (web workers, the scheduler) then read the same files."""
    monkeypatch.chdir(tmp_path)
    settings = load_settings(
        environ={"LRS_BRIDGE_DATA_DIR": "var", "LRS_BRIDGE_DATABASE_URL": "sqlite:///x.db"}
    )
    assert settings.data_dir == str(tmp_path / "var")
    assert settings.database_url == f"sqlite:///{tmp_path}/x.db"
    assert load_settings({"database_url": "sqlite:///:memory:"}).database_url == (
        "sqlite:///:memory:"
    )


def test_the_cli_and_the_server_read_the_same_file(tmp_path, monkeypatch):
    """A command run from any directory finds the data directory's file, as serve does."""
    from click.testing import CliRunner

    from lrs_bridge.cli import cli

    data = tmp_path / "data"
    data.mkdir()
    (data / "lrs-bridge.toml").write_text('database_url = "sqlite:///from-the-file.sqlite3"\n')
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LRS_BRIDGE_DATA_DIR", str(data))
    monkeypatch.delenv("LRS_BRIDGE_DATABASE_URL", raising=False)
    monkeypatch.delenv("LRS_BRIDGE_CONFIG", raising=False)
    result = CliRunner().invoke(cli, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert (data / "from-the-file.sqlite3").exists()
    from lrs_bridge import create_app

    app = create_app()
    assert app.extensions["lrs_bridge"].settings.database_url == (
        f"sqlite:///{data}/from-the-file.sqlite3"
    )
    app.extensions["lrs_bridge"].close()
