"""The console's language: the viewer's directory language, else the browser's
``Accept-Language`` (by q-value), else English; and ``t(key)`` to write in it."""

from __future__ import annotations

import functools
from typing import Any

from flask import Flask, g, request
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from lrs_bridge.console.messages import Catalogue, all_messages
from lrs_bridge.notify.i18n import DEFAULT_LANGUAGE, SUPPORTED, pick_language, pick_name


@functools.cache
def messages() -> Catalogue:
    """Every console string, loaded once per process."""
    return all_messages()


def _supported(tag: str) -> str | None:
    language = pick_language(tag)
    if language != DEFAULT_LANGUAGE or tag.strip().lower().split("-")[0] in ("en", "eng"):
        return language
    return None


def choose_language(directory_language: str | None, accept_language: Any) -> str:
    """The language to show: the directory's, else the best of ``Accept-Language``, else en.

    ``accept_language`` is Werkzeug's parsed header (best first by q-value).
    """
    if directory_language:
        found = _supported(directory_language)
        if found:
            return found
    for tag, quality in accept_language or ():
        if quality <= 0 or tag == "*":
            continue
        found = _supported(tag)
        if found:
            return found
    return DEFAULT_LANGUAGE


def current_language() -> str:
    """The language of this console request."""
    if "console_language" not in g:
        from lrs_bridge.console.viewer import current_viewer

        viewer = current_viewer()
        g.console_language = choose_language(
            viewer.language if viewer else None, request.accept_languages
        )
    language: str = g.console_language
    return language


def t(key: str, **fmt: Any) -> str:
    """The text of ``key`` in the request's language, with ``{placeholders}`` filled in."""
    texts = messages().get(key)
    if texts is None:
        raise KeyError(f"no console message {key!r}")
    text = texts[current_language()]
    return text.format(**fmt) if fmt else text


def local_name(names: Any) -> str:
    """An xAPI language map (or a plain string) in the request's language."""
    if isinstance(names, dict):
        return pick_name(names, current_language())
    return "" if names is None else str(names)


def csrf_field() -> Markup:
    """The hidden CSRF input every console form carries."""
    return Markup('<input type="hidden" name="csrf_token" value="{}">').format(
        escape(generate_csrf())
    )


def install_jinja_globals(app: Flask) -> None:
    """``t``, ``local_name``, ``csrf_field``, ``viewer``, ``branding`` and ``lang`` in templates."""
    from lrs_bridge.console.services import console_services
    from lrs_bridge.console.viewer import current_viewer

    def viewer_is_manager() -> bool:
        from lrs_bridge.console.access import is_manager

        viewer = current_viewer()
        if viewer is None:
            return False
        if "console_is_manager" not in g:
            g.console_is_manager = is_manager(viewer)
        return bool(g.console_is_manager)

    app.jinja_env.globals.update(
        viewer_is_manager=viewer_is_manager,
        t=t,
        local_name=local_name,
        csrf_field=csrf_field,
        current_viewer=current_viewer,
        current_language=current_language,
        console_branding=lambda: console_services().branding(),
        supported_languages=SUPPORTED,
    )
