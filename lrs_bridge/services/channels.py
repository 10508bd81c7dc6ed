"""Which channels reach a recipient, and the outbox rows of one digest (one per channel).

Shared by the refresher scan, which queues digests, and the dispatcher, which routes the
ones that waited for a channel once one is configured, so both make the same rows under
the same keys.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from lrs_bridge.config import Settings
from lrs_bridge.notify.model import Person
from lrs_bridge.store.assignment_records import NewNotification

#: The channel of a row that waits for one (no SMTP URL or webhook reaches the recipient).
NO_CHANNEL = "none"
#: Channels that tell the LRS, not the person: a digest with only these still waits.
SILENT_CHANNELS = frozenset({"xapi"})
WAITING_SUFFIX = ":waiting"


def reaching(settings: Settings, recipient: Person) -> list[tuple[str, str]]:
    """``(channel, target)`` of every configured channel that reaches ``recipient``."""
    targets = []
    if settings.smtp_url and recipient.email:
        targets.append(("email", recipient.email))
    targets.extend(("webhook", url) for url in settings.webhook_targets)
    return targets


def channel_key(key: str, channel: str, target: str) -> str:
    """The idempotency key of one channel's copy of a digest.

    The target is hashed, not spelled out: webhook URLs often carry a token, and keys are
    shown in the API and sent to every channel.
    """
    return f"{key}:{channel}:{hashlib.sha256(target.encode()).hexdigest()[:16]}"


def outbox_rows(
    *,
    key: str,
    kind: str,
    learner_id: int | None,
    payload: Mapping[str, Any],
    assignment_ids: Sequence[int],
    targets: Sequence[tuple[str, str]],
) -> list[NewNotification]:
    """One ``pending`` row per target, plus a ``waiting`` row when no target reaches the
    recipient: an assignment is never left without a notification to a person."""
    rows = []
    for channel, target in targets:
        channel_id = channel_key(key, channel, target)
        rows.append(
            NewNotification(
                idempotency_key=channel_id,
                channel=channel,
                target=target,
                kind=kind,
                learner_id=learner_id,
                payload={**payload, "idempotency_key": channel_id},
                assignment_ids=tuple(assignment_ids),
            )
        )
    if all(channel in SILENT_CHANNELS for channel, _ in targets):
        waiting_id = key + WAITING_SUFFIX
        rows.append(
            NewNotification(
                idempotency_key=waiting_id,
                channel=NO_CHANNEL,
                target="",
                kind=kind,
                learner_id=learner_id,
                payload={**payload, "idempotency_key": waiting_id},
                assignment_ids=tuple(assignment_ids),
                status="waiting",
            )
        )
    return rows
