"""Every console area's blueprint, in the order their routes are matched."""

from __future__ import annotations

from flask import Blueprint

from lrs_bridge.console import home, learners, mapeditor, signin

BLUEPRINTS: list[Blueprint] = [
    home.blueprint,
    learners.blueprint,
    *mapeditor.BLUEPRINTS,
    signin.blueprint,
]
