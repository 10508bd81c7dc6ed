"""Statement comparison (xAPI Data §2.3.1, "Statement Comparison Requirements").

A producer that retries re-sends a statement with the same id; the LRS must tell an identical
re-send (accept, change nothing) from a different statement reusing the id (409). Differences
that the immutability exceptions allow are ignored: LRS-assigned properties, Activity
Definitions, Verb display, timestamp serialisation, Group member order, attachments,
case-insensitive identifiers and duration digits beyond hundredths of a second (2.0.0: "any
precision beyond 0.01 second precision shall not be included in the comparison").
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import orjson

_LRS_ASSIGNED = ("id", "authority", "stored", "version", "attachments")


def _instant(text: Any) -> Any:
    try:
        moment = datetime.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return text
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.astimezone(datetime.UTC)


_SECONDS = re.compile(r"(\d+)(?:[.,](\d*))?S$")


def _duration(text: Any) -> Any:
    """A duration with its seconds cut to hundredths (``PT0.1237S`` and ``PT0.12S`` agree)."""
    if not isinstance(text, str):
        return text
    return _SECONDS.sub(lambda m: f"{m.group(1)}.{((m.group(2) or '') + '00')[:2]}S", text)


def _agent(agent: dict[str, Any]) -> dict[str, Any]:
    out = dict(agent)
    if isinstance(out.get("mbox"), str):
        out["mbox"] = out["mbox"].lower()
    if isinstance(out.get("mbox_sha1sum"), str):
        out["mbox_sha1sum"] = out["mbox_sha1sum"].lower()
    if isinstance(out.get("member"), list):
        members = [_agent(m) if isinstance(m, dict) else m for m in out["member"]]
        out["member"] = sorted(members, key=lambda m: orjson.dumps(m, option=orjson.OPT_SORT_KEYS))
    out.setdefault("objectType", "Agent")
    return out


def _activity(activity: dict[str, Any]) -> dict[str, Any]:
    return {"objectType": "Activity", "id": activity.get("id")}


def _context(context: dict[str, Any]) -> dict[str, Any]:
    out = dict(context)
    if isinstance(out.get("registration"), str):
        out["registration"] = out["registration"].lower()
    for key in ("instructor", "team"):
        if isinstance(out.get(key), dict):
            out[key] = _agent(out[key])
    activities = out.get("contextActivities")
    if isinstance(activities, dict):
        normalised = {}
        for kind, value in activities.items():
            items = value if isinstance(value, list) else [value]
            normalised[kind] = [_activity(a) if isinstance(a, dict) else a for a in items]
        out["contextActivities"] = normalised
    if isinstance(out.get("statement"), dict):
        ref = dict(out["statement"])
        ref["id"] = str(ref.get("id", "")).lower()
        out["statement"] = ref
    return out


def _core(statement: dict[str, Any], *, top: bool) -> dict[str, Any]:
    out = {k: v for k, v in statement.items() if not (top and k in _LRS_ASSIGNED)}
    if isinstance(out.get("actor"), dict):
        out["actor"] = _agent(out["actor"])
    if isinstance(out.get("verb"), dict):
        out["verb"] = {"id": out["verb"].get("id")}
    obj = out.get("object")
    if isinstance(obj, dict):
        kind = obj.get("objectType", "Activity")
        if kind == "Activity":
            out["object"] = _activity(obj)
        elif kind in ("Agent", "Group"):
            out["object"] = _agent(obj)
        elif kind == "StatementRef":
            out["object"] = {"objectType": kind, "id": str(obj.get("id", "")).lower()}
        elif kind == "SubStatement":
            out["object"] = _core(obj, top=False)
    if isinstance(out.get("context"), dict):
        out["context"] = _context(out["context"])
    if "timestamp" in out:
        out["timestamp"] = _instant(out["timestamp"])
    if isinstance(out.get("result"), dict) and "duration" in out["result"]:
        out["result"] = {**out["result"], "duration": _duration(out["result"]["duration"])}
    return out


def statements_match(stored: dict[str, Any], received: dict[str, Any]) -> bool:
    """Whether ``received`` is the same statement as ``stored`` under the comparison rules."""
    left, right = _core(stored, top=True), _core(received, top=True)
    if "timestamp" not in right:
        # The LRS assigned the stored one; a re-send without it is the same statement.
        left.pop("timestamp", None)
    return left == right
