"""The statement-level rules for attachment content and signatures (Communication §1.5.2,
Data §2.6), applied by :class:`~lrs_bridge.services.statements.StatementService` to each
statement of a batch before anything is stored."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from lrs_bridge.errors import BadRequest, InvalidStatement
from lrs_bridge.store.base import ReceivedAttachment
from lrs_bridge.xapi.signature import check_signature_attachment, is_signature, verify_signature

#: A JWS longer than this is not read into memory to be checked (it would sign a statement
#: far over any body limit).
MAX_SIGNATURE_BYTES = 16 * 1024 * 1024


def carried_attachments(
    statement: dict[str, Any], path: str, received: Mapping[str, ReceivedAttachment]
) -> tuple[str, ...]:
    """An attachment without ``fileUrl`` needs its content in the multipart request
    (Communication §1.5.2). Returns the hashes of the content the statement carries."""
    carried: dict[str, None] = {}
    for number, attachment in enumerate(statement.get("attachments") or ()):
        sha2 = str(attachment.get("sha2", "")).lower()
        if sha2 in received:
            carried[sha2] = None
        elif "fileUrl" not in attachment:
            raise InvalidStatement(
                f"{path}.attachments[{number}]",
                f"an attachment without fileUrl needs its content (sha2 {sha2}) as a part of "
                "a multipart/mixed request",
            )
    return tuple(carried)


def check_signatures(
    statement: dict[str, Any], path: str, received: Mapping[str, ReceivedAttachment]
) -> None:
    """Signature attachments must be well formed and sign this statement (Data §2.6)."""
    for number, attachment in enumerate(statement.get("attachments") or ()):
        if not is_signature(attachment):
            continue
        where = f"{path}.attachments[{number}]"
        check_signature_attachment(attachment, where)
        part = received.get(str(attachment.get("sha2", "")).lower())
        if part is None:
            continue  # only a fileUrl: the JWS is not here to check
        if part.length > MAX_SIGNATURE_BYTES:
            raise InvalidStatement(where, "the signature is too large to be a statement's JWS")
        verify_signature(statement, part.path.read_bytes(), where)


def check_parts_used(received: Mapping[str, ReceivedAttachment], used: Collection[str]) -> None:
    """Every part must belong to an attachment of the batch: a part is matched to an
    attachment by its hash, and no other way (Communication §1.5.2)."""
    for sha2 in received:
        if sha2 not in used:
            raise BadRequest(
                f"the multipart part with X-Experience-API-Hash {sha2} matches no attachment "
                "of the statements",
                field="X-Experience-API-Hash",
            )
