"""Every console area's blueprint, in the order their routes are matched."""

from __future__ import annotations

from flask import Blueprint

from lrs_bridge.console import home, inbox, statements

BLUEPRINTS: list[Blueprint] = [
    inbox.blueprint,
    statements.blueprint,
    home.blueprint,
]
