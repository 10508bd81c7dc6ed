"""Ralph's LRS app with its fs backend set to append (run by the ``ralph`` fixture).

Ralph's fs backend writes with ``default_operation_type = CREATE``, which refuses to write to
a file that exists: every statement write after the first fails with a 500. The type is a
class attribute, not a setting (no ``RALPH_`` variable reaches it), so it is set here before
the app is imported, on the LRS fs backend class only.
"""

from __future__ import annotations

from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

FSLRSBackend.default_operation_type = BaseOperationType.APPEND

from ralph.api import app  # noqa: E402  (after the class attribute above)

__all__ = ["app"]
