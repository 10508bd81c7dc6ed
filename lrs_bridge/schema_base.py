"""The base of every marshmallow schema that loads a body from outside (API requests, the
upstream registry's inputs): unknown fields refused, and no NUL in any text (``params.py``)."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, pre_load

from lrs_bridge.params import check_no_nul


class Body(Schema):
    """A body from outside: unknown fields refused, no NUL in a name or text value."""

    class Meta:
        unknown = RAISE

    @pre_load
    def _no_nul(self, data: Any, **kwargs: Any) -> Any:
        if isinstance(data, dict):
            for name, value in data.items():
                texts = value if isinstance(value, list) else [value]
                check_no_nul((str(name), text) for text in texts)
        return data
