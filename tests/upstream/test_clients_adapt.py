"""What a forwarded statement looks like to each upstream version (``upstream.adapt``)."""

from __future__ import annotations

from typing import Any

import pytest

from lrs_bridge.upstream.adapt import for_upstream

BASE: dict[str, Any] = {
    "id": "0f8c1b8e-7a8e-4a53-9c55-2f2b4c3d4e5f",
    "actor": {"mbox": "mailto:a@example.org"},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
    "object": {"id": "http://example.org/a"},
}
AGENTS = [{"objectType": "contextAgent", "agent": {"mbox": "mailto:coach@example.org"}}]
GROUPS = [{"objectType": "contextGroup", "group": {"objectType": "Group", "member": []}}]


def sub(**extra: Any) -> dict[str, Any]:
    return {"objectType": "SubStatement", **{k: BASE[k] for k in ("actor", "verb")}, **extra}


# (case, upstream version, stored statement's extra properties, what is sent instead)
CASES = [
    ("stored and authority are left to the upstream", "1.0.3",
     {"stored": "2026-01-01T00:00:00Z", "authority": {"mbox": "mailto:us@example.org"}}, {}),
    ("stored and authority are left to the upstream (2.0.0)", "2.0.0",
     {"stored": "2026-01-01T00:00:00Z", "authority": {"mbox": "mailto:us@example.org"}}, {}),
    ("a 1.0.x version goes to 1.0.3", "1.0.3", {"version": "1.0.3"}, {"version": "1.0.3"}),
    ("a 2.0.0 version is not sent to 1.0.3", "1.0.3", {"version": "2.0.0"}, {}),
    ("a 1.0.x version is not sent to 2.0.0", "2.0.0", {"version": "1.0.0"}, {}),
    ("a 2.0.x version goes to 2.0.0", "2.0.0", {"version": "2.0.0"}, {"version": "2.0.0"}),
    ("contextAgents and contextGroups are 2.0.0 only", "1.0.3",
     {"context": {"contextAgents": AGENTS, "contextGroups": GROUPS, "language": "fr"}},
     {"context": {"language": "fr"}}),
    ("contextAgents and contextGroups go to 2.0.0", "2.0.0",
     {"context": {"contextAgents": AGENTS, "contextGroups": GROUPS}},
     {"context": {"contextAgents": AGENTS, "contextGroups": GROUPS}}),
    ("a SubStatement's contextAgents are 2.0.0 only", "1.0.3",
     {"object": sub(object=BASE["object"], context={"contextAgents": AGENTS})},
     {"object": sub(object=BASE["object"], context={})}),
    ("a timestamp without offset gets Z for 2.0.0", "2.0.0",
     {"timestamp": "2026-01-01T10:00:00.120"}, {"timestamp": "2026-01-01T10:00:00.120Z"}),
    ("a timestamp with offset is kept for 2.0.0", "2.0.0",
     {"timestamp": "2026-01-01T10:00:00+02:00"}, {"timestamp": "2026-01-01T10:00:00+02:00"}),
    ("a timestamp without offset is kept for 1.0.3", "1.0.3",
     {"timestamp": "2026-01-01T10:00:00"}, {"timestamp": "2026-01-01T10:00:00"}),
    ("attachments metadata is sent as stored", "1.0.3",
     {"attachments": [{"usageType": "http://x.org/u", "display": {"en": "x"},
                       "contentType": "text/plain", "length": 1, "sha2": "ab" * 32}]},
     {"attachments": [{"usageType": "http://x.org/u", "display": {"en": "x"},
                       "contentType": "text/plain", "length": 1, "sha2": "ab" * 32}]}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("version", "stored", "sent"), [case[1:] for case in CASES], ids=[case[0] for case in CASES]
)
def test_a_statement_is_sent_in_the_upstreams_version(
    version: str, stored: dict[str, Any], sent: dict[str, Any]
) -> None:
    statement = {**BASE, **stored}
    before = repr(statement)
    assert for_upstream(statement, version) == {**BASE, **sent}
    assert repr(statement) == before  # the stored statement is not changed
