"""The console's words, one catalogue module per area (``MESSAGES``: key → language → text).

Every key has all of :data:`lrs_bridge.notify.i18n.SUPPORTED` (a test checks it); a
missing language is a bug, not a silent English fallback.
"""

from __future__ import annotations

import importlib
import pkgutil

Catalogue = dict[str, dict[str, str]]


def all_messages() -> Catalogue:
    """Every area's catalogue merged; a key defined twice is an error."""
    merged: Catalogue = {}
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        for key, texts in getattr(module, "MESSAGES", {}).items():
            if key in merged:
                raise RuntimeError(f"console message {key!r} is defined twice ({module_info.name})")
            merged[key] = texts
    return merged
