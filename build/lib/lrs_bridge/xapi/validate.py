"""Decoding and validating xAPI Statements (the API the HTTP layer codes against).

The rules live in :mod:`lrs_bridge.xapi.shapes` (object tables) and
:mod:`lrs_bridge.xapi.rules` (value formats); this module picks the version, decodes
request bodies and turns an internal rule failure into :class:`InvalidStatement` with a
JSON path into the request body. No other exception escapes, whatever the JSON.
"""

from __future__ import annotations

from typing import Any, Final

import orjson

from lrs_bridge.errors import BadRequest, InvalidStatement
from lrs_bridge.xapi.grammar import Fail
from lrs_bridge.xapi.shapes import GRAMMARS, Grammar

__all__ = [
    "SUPPORTED_VERSIONS",
    "decode_statements",
    "validate_agent",
    "validate_statement",
    "version_family",
]

SUPPORTED_VERSIONS: Final[tuple[str, ...]] = ("1.0.3", "2.0.0")

# Communication §3.3: an LRS accepts any 1.0.x patch level and answers as its newest.
_FAMILIES: Final = {
    "1.0": "1.0.3",
    "1.0.0": "1.0.3",
    "1.0.1": "1.0.3",
    "1.0.2": "1.0.3",
    "1.0.3": "1.0.3",
    "2.0": "2.0.0",
    "2.0.0": "2.0.0",
}


def version_family(header_value: str) -> str:
    """Map an ``X-Experience-API-Version`` header to the rules to apply ("1.0.3"/"2.0.0")."""
    family = _FAMILIES.get(header_value.strip()) if isinstance(header_value, str) else None
    if family is None:
        raise BadRequest(
            f"unsupported xAPI version {header_value!r:.40}; supported: 1.0.0-1.0.3, 2.0.0",
            field="X-Experience-API-Version",
        )
    return family


def decode_statements(body: bytes | str, *, version: str) -> tuple[list[dict[str, Any]], bool]:
    """Parse a POST/PUT body into statements, exactly as sent, and say if it was an array.

    Nothing is normalised, so stored statements read back byte-for-byte equivalent. An
    empty array is accepted (the spec defines no minimum; the caller stores nothing).
    Statement ids repeated inside one batch are rejected (xAPI 2.0 suite, 4.1.6.1), and
    every statement is validated (:func:`validate_statement`), its path naming its position.
    """
    _grammar(version)
    # RFC 8259 §8.1 lets a parser ignore a UTF-8 byte order mark; some Windows clients send one.
    if isinstance(body, bytes) and body.startswith(b"\xef\xbb\xbf"):
        body = body[3:]
    elif isinstance(body, str) and body.startswith("\ufeff"):
        body = body[1:]
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise InvalidStatement("$", f"the body must be valid JSON ({error})") from None
    if isinstance(data, dict):
        validate_statement(data, version=version)
        return [data], False
    if not isinstance(data, list):
        raise InvalidStatement("$", "the body must be a Statement object or an array of them")
    seen: set[str] = set()
    for index, item in enumerate(data):
        if not isinstance(item, dict):
            raise InvalidStatement(f"$[{index}]", "a Statement must be a JSON object")
        statement_id = item.get("id")
        if isinstance(statement_id, str):
            key = statement_id.lower()
            if key in seen:
                raise InvalidStatement(
                    f"$[{index}].id", "Statement ids must be unique within a batch"
                )
            seen.add(key)
    for index, item in enumerate(data):
        validate_statement(item, version=version, path=f"$[{index}]")
    return data, True


def validate_statement(statement: Any, *, version: str, path: str = "$") -> None:
    """Raise :class:`InvalidStatement` unless ``statement`` is a valid xAPI Statement."""
    grammar = _grammar(version)
    try:
        grammar.statement(statement)
    except Fail as fail:
        raise InvalidStatement(_join(path, fail.parts), fail.rule) from None
    except RecursionError:
        raise InvalidStatement(path, "the Statement is nested too deeply") from None


def validate_agent(obj: Any, *, version: str, path: str) -> None:
    """Raise :class:`InvalidStatement` unless ``obj`` is an Agent or Group (``agent`` param)."""
    grammar = _grammar(version)
    try:
        grammar.actor(obj)
    except Fail as fail:
        raise InvalidStatement(_join(path, fail.parts), fail.rule) from None
    except RecursionError:
        raise InvalidStatement(path, "the Agent is nested too deeply") from None


def _grammar(version: str) -> Grammar:
    grammar = GRAMMARS.get(version)
    if grammar is None:
        # A programming error of the caller, reported as the header being wrong.
        raise BadRequest(
            f"unsupported xAPI version {version!r:.40}; call version_family() first",
            field="X-Experience-API-Version",
        )
    return grammar


def _join(prefix: str, parts: list[str | int]) -> str:
    """``$`` + innermost-first parts -> ``$.context.contextActivities.parent[0].id``."""
    out = [prefix]
    for part in reversed(parts):
        out.append(f"[{part}]" if isinstance(part, int) else f".{part}")
    return "".join(out)
