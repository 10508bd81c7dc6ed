"""Typed settings, loaded once: defaults → TOML file → ``LRS_BRIDGE_*`` environment → overrides.

The TOML file is optional; its path comes from ``LRS_BRIDGE_CONFIG`` (or the ``config_file``
argument). Keys are the field names below, in a TOML table ``[lrs_bridge]`` or at the top level.
Environment variables are the upper-cased field names with the ``LRS_BRIDGE_`` prefix, e.g.
``LRS_BRIDGE_DATABASE_URL``.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lrs_bridge.errors import BadRequest

ENV_PREFIX = "LRS_BRIDGE_"
DEFAULT_DATABASE_URL = "sqlite:///var/lrs-bridge.sqlite3"
DEFAULT_AUTHORITY_HOMEPAGE = "urn:lrs-bridge:credentials"


@dataclasses.dataclass(frozen=True, kw_only=True)
class Settings:
    """Everything an lrs-bridge process can be told; immutable once loaded."""

    database_url: str = DEFAULT_DATABASE_URL
    #: SQLite ``synchronous`` pragma: NORMAL survives process crashes in WAL mode;
    #: FULL also survives power loss at the cost of an fsync per commit.
    sqlite_synchronous: str = "NORMAL"
    host: str = "127.0.0.1"
    port: int = 8080
    workers: int = 4
    scheduler: bool = True
    log_level: str = "INFO"
    access_log: bool = True
    #: Largest request body accepted, in bytes.
    max_body_bytes: int = 16 * 1024 * 1024
    #: Largest page a statement query returns (and the page size when ``limit=0``).
    max_page_size: int = 500
    #: Seconds a verified credential is remembered in-process, so that a slow password hash
    #: is not computed on every request; a disabled credential stops working within this time.
    auth_cache_seconds: int = 60
    #: ``account.homePage`` of the authority Agent the LRS writes for each credential.
    authority_homepage: str = DEFAULT_AUTHORITY_HOMEPAGE
    #: Directory for Prometheus multi-process files; empty means single-process metrics.
    metrics_dir: str = ""
    #: The xAPI version named in answers to requests that send no usable version header.
    #: The ADL suites disagree (each expects its own version), so an operator who must pass
    #: the 1.0.3 suite sets 1.0.3.
    default_version: str = "2.0.0"

    def __post_init__(self) -> None:
        if self.default_version not in ("1.0.3", "2.0.0"):
            raise BadRequest("default_version must be 1.0.3 or 2.0.0", field="default_version")

    @property
    def is_sqlite(self) -> bool:
        """Whether the embedded SQLite database is in use."""
        return self.database_url.startswith("sqlite")


def _coerce(name: str, raw: Any, target: Any) -> Any:
    """Turn a TOML or environment value into the field's type, naming the field on failure."""
    try:
        if target is bool:
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in {"1", "true", "yes", "on"}:
                return True
            if text in {"0", "false", "no", "off"}:
                return False
            raise ValueError(raw)
        if target is int:
            if isinstance(raw, bool):
                raise ValueError(raw)
            return int(raw)
        return str(raw)
    except ValueError:
        raise BadRequest(f"setting {name!r} has an invalid value {raw!r}", field=name) from None


_FIELD_TYPES = {"bool": bool, "int": int, "str": str}


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    config_file: str | os.PathLike[str] | None = None,
) -> Settings:
    """Build :class:`Settings` from the layered sources; unknown keys are an error, not ignored."""
    env = os.environ if environ is None else environ
    fields = {f.name: _FIELD_TYPES[str(f.type)] for f in dataclasses.fields(Settings)}
    values: dict[str, Any] = {}

    path = config_file or env.get(f"{ENV_PREFIX}CONFIG")
    if path:
        try:
            document = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise BadRequest(f"cannot read config file {path}: {exc}", field="config") from None
        table = document.get("lrs_bridge", document)
        for key, raw in table.items():
            if key not in fields:
                raise BadRequest(f"unknown setting {key!r} in {path}", field=key)
            values[key] = _coerce(key, raw, fields[key])

    for name, target in fields.items():
        raw_env = env.get(ENV_PREFIX + name.upper())
        if raw_env is not None:
            values[name] = _coerce(name, raw_env, target)

    for key, raw in (overrides or {}).items():
        if key not in fields:
            raise BadRequest(f"unknown setting {key!r}", field=key)
        values[key] = _coerce(key, raw, fields[key])
    return Settings(**values)
