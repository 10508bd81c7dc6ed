"""lrs-bridge: an xAPI Learning Record Store that keeps competencies fresh."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The Flask application factory; ``config`` overrides loaded settings (tests)."""
    from lrs_bridge.api.app import build_app

    return build_app(config)


__all__ = ["create_app"]
