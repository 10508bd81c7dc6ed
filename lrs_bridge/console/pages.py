"""Every console area's blueprint, in the order their routes are matched."""

from __future__ import annotations

from flask import Blueprint

from lrs_bridge.console import (
    home,
    inbox,
    learners,
    mapeditor,
    operations,
    settings_views,
    signin,
    statements,
    teams,
    upstreams,
)

BLUEPRINTS: list[Blueprint] = [
    operations.blueprint,
    upstreams.blueprint,
    settings_views.blueprint,
    inbox.blueprint,
    statements.blueprint,
    home.blueprint,
    learners.blueprint,
    teams.blueprint,
    *mapeditor.BLUEPRINTS,
    signin.blueprint,
]
