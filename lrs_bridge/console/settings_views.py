"""Console settings for admins: the organisation's branding (name, logo, colour).

A wrong field re-shows the form with the message beside that field (400) and saves
nothing; a saved form redirects (303), so reloading does not post it again.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request
from werkzeug.wrappers import Response

from lrs_bridge.console.blueprint import console_blueprint
from lrs_bridge.console.i18n import current_language, t
from lrs_bridge.console.services import console_services
from lrs_bridge.console.viewer import admin_only, current_viewer
from lrs_bridge.notify.brand import MIN_CONTRAST, WHITE, contrast_ratio
from lrs_bridge.services.branding import BrandingInvalid

blueprint = console_blueprint("console_settings", __name__)
FIELDS = ("org_name", "logo_url", "primary_colour")


def _form(values: dict[str, str], errors: dict[str, str], status: int = 200) -> tuple[str, int]:
    colour = values.get("primary_colour") or ""
    try:
        ratio = f"{contrast_ratio(colour, WHITE):.2f}" if colour else None
    except ValueError:
        ratio = None
    page = render_template(
        "console/settings/branding.html",
        values=values,
        errors=errors,
        ratio=ratio,
        minimum=MIN_CONTRAST,
    )
    return page, status


def _local_numbers(args: dict[str, Any]) -> dict[str, Any]:
    """Ratios with the reader's decimal mark (4.5 in English, 4,5 in nb, fi and nl)."""
    comma = current_language() != "en"
    return {
        name: str(value).replace(".", ",") if comma and name in ("ratio", "minimum") else value
        for name, value in args.items()
    }


@blueprint.get("/settings/branding")
@admin_only
def branding() -> tuple[str, int]:
    """The branding form with the saved values."""
    saved = console_services().branding_settings.current()
    values = {
        "org_name": saved.org_name or "",
        "logo_url": saved.logo_url or "",
        "primary_colour": saved.primary_colour,
    }
    return _form(values, {})


@blueprint.post("/settings/branding")
@admin_only
def save_branding() -> Response | tuple[str, int]:
    """Validate and save; every wrong field is named next to it."""
    values = {name: request.form.get(name, "") for name in FIELDS}
    viewer = current_viewer()
    assert viewer is not None
    try:
        console_services().branding_settings.save(values, by=f"console:{viewer.email}")
    except BrandingInvalid as invalid:
        errors = {
            field: t(f"branding.error.{code}", **_local_numbers(args))
            for field, (code, args) in invalid.problems.items()
        }
        flash(t("branding.invalid"), "error")
        return _form(values, errors, 400)
    flash(t("branding.saved"), "success")
    return redirect("/console/settings/branding", code=303)
