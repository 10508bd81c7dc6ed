"""What a forwarded statement looks like to the upstream, by the upstream's xAPI version.

Pure. One function decides every difference, so the rules are in one table-tested place:

* ``stored`` and ``authority`` are never sent. The upstream assigns both (xAPI Data §2.4.8,
  §2.4.9: an LRS sets ``stored`` and SHOULD overwrite ``authority`` from the credential that
  sent the statement); ours would name our credential, which the upstream may refuse. Statement
  comparison ignores both, so a re-delivery still matches what the upstream holds.
* ``version`` is sent only when it is of the upstream's line (``1.0.x`` to a 1.0.3 upstream,
  ``2.0.x`` to a 2.0.0 one); otherwise it is left out and the upstream sets its own. A 1.0.3
  LRS rejects ``"version": "2.0.0"``.
* To a 1.0.3 upstream, the 2.0.0-only context properties ``contextAgents`` and
  ``contextGroups`` are left out (in the statement and in a SubStatement object): a 1.0.3 LRS
  rejects properties it does not know, and everything else the statement says is kept.
* To a 2.0.0 upstream, a ``timestamp`` without a zone offset gets ``Z`` (1.0.3 reads such a
  timestamp as UTC; 2.0.0 requires the offset), which is the same instant.
"""

from __future__ import annotations

import re
from typing import Any

#: Context properties that xAPI 2.0.0 added (Data §2.4.6).
CONTEXT_2_0_ONLY = ("contextAgents", "contextGroups")
_ASSIGNED_UPSTREAM = ("stored", "authority")
_HAS_OFFSET = re.compile(r"(Z|[+-]\d\d(:?\d\d)?)$", re.IGNORECASE)


def for_upstream(statement: dict[str, Any], version: str) -> dict[str, Any]:
    """``statement`` as it is sent to an upstream speaking ``version`` (a new dict)."""
    out = {key: value for key, value in statement.items() if key not in _ASSIGNED_UPSTREAM}
    line = version.rsplit(".", 1)[0] + "."
    sent_version = out.get("version")
    if sent_version is not None and not str(sent_version).startswith(line):
        del out["version"]
    _adapt_body(out, version)
    target = out.get("object")
    if isinstance(target, dict) and target.get("objectType") == "SubStatement":
        sub = dict(target)
        _adapt_body(sub, version)
        out["object"] = sub
    return out


def _adapt_body(statement: dict[str, Any], version: str) -> None:
    """The rules a statement and a SubStatement share (in place on a copy)."""
    context = statement.get("context")
    if version == "1.0.3" and isinstance(context, dict):
        if any(name in context for name in CONTEXT_2_0_ONLY):
            statement["context"] = {
                key: value for key, value in context.items() if key not in CONTEXT_2_0_ONLY
            }
    timestamp = statement.get("timestamp")
    if version == "2.0.0" and isinstance(timestamp, str) and not _HAS_OFFSET.search(timestamp):
        statement["timestamp"] = timestamp + "Z"
