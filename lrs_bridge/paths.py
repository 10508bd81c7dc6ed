"""Where an lrs-bridge process keeps its files, and how it finds its configuration file.

Every process (``serve``, its web workers, the scheduler, any CLI command) must read the same
settings wherever it was started, so nothing depends on the shell's working directory:

* the **data directory** (``data_dir``, ``LRS_BRIDGE_DATA_DIR``) defaults to
  ``$XDG_DATA_HOME/lrs-bridge``, else ``~/.local/share/lrs-bridge``; the default SQLite
  database, attachment files and metrics files go inside it;
* the **configuration file** is ``LRS_BRIDGE_CONFIG`` when set, else ``lrs-bridge.toml`` in
  the data directory when it exists;
* a relative path inside the configuration file is relative to that file's directory; a
  relative path from the environment or the command line is relative to the directory the
  command was started in, made absolute at once so that child processes agree.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

#: The configuration file's name inside the data directory.
CONFIG_FILE_NAME = "lrs-bridge.toml"
#: Settings that name a file or directory (resolved against their source's directory).
PATH_SETTINGS = (
    "data_dir",
    "attachment_dir",
    "metrics_dir",
    "framework_file",
    "competency_map_file",
)
_SQLITE_PREFIX = "sqlite:///"


def default_data_dir(environ: Mapping[str, str]) -> Path:
    """The XDG data directory of lrs-bridge for the user the process runs as."""
    xdg = environ.get("XDG_DATA_HOME")
    if xdg and Path(xdg).is_absolute():
        return Path(xdg) / "lrs-bridge"
    home = environ.get("HOME") or str(Path.home())
    return Path(home) / ".local" / "share" / "lrs-bridge"


def find_config_file(explicit: str | None, data_dir: Path, base: Path) -> Path | None:
    """The configuration file to read: the explicit one, else the data directory's if any."""
    if explicit:
        return absolute(explicit, base)
    candidate = data_dir / CONFIG_FILE_NAME
    return candidate if candidate.is_file() else None


def absolute(path: str | Path, base: Path) -> Path:
    """``path`` made absolute against ``base`` (``~`` expanded, ``..`` folded)."""
    expanded = Path(path).expanduser()
    return Path(os.path.normpath(expanded if expanded.is_absolute() else base / expanded))


def resolve_paths(values: dict[str, Any], base: Path) -> dict[str, Any]:
    """``values`` with every relative path setting (and SQLite file) made absolute."""
    resolved = dict(values)
    for name in PATH_SETTINGS:
        if isinstance(resolved.get(name), str) and resolved[name]:
            resolved[name] = str(absolute(resolved[name], base))
    url = resolved.get("database_url")
    if isinstance(url, str) and url.startswith(_SQLITE_PREFIX):
        database = url[len(_SQLITE_PREFIX) :]
        if database and database != ":memory:" and not database.startswith("/"):
            resolved["database_url"] = _SQLITE_PREFIX + str(absolute(database, base))
    return resolved


def default_database_url(data_dir: str) -> str:
    """The embedded SQLite database inside the data directory."""
    return f"{_SQLITE_PREFIX}{Path(data_dir) / 'lrs-bridge.sqlite3'}"
