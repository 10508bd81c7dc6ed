"""Every console area's blueprint, in the order their routes are matched."""

from __future__ import annotations

from flask import Blueprint

from lrs_bridge.console import home, operations, settings_views

BLUEPRINTS: list[Blueprint] = [
    operations.blueprint,
    settings_views.blueprint,
    home.blueprint,
]
