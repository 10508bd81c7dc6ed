"""The learner directory CSV: parsing (validated with marshmallow, errors name row and
column), importing with warnings, and learners as answers show them.

Columns: ``name, email, accounts, team, manager_email, language``. ``accounts`` lists platform
accounts as ``homePage|name`` separated by ``;``. An e-mail address yields both its ``mbox``
and its ``mbox_sha1sum`` IFI, because tools send either.

A row that imports but will not work as meant (a ``manager_email`` that matches nobody, so
no manager is set; a language without notification templates, so e-mails go out in English)
gets a warning naming the row, instead of being silently half-applied.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
from collections.abc import Sequence
from typing import Any, Protocol

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from lrs_bridge.errors import BadRequest
from lrs_bridge.notify.i18n import DEFAULT_LANGUAGE, SUPPORTED, pick_language
from lrs_bridge.store.base import Clock, StateReducer
from lrs_bridge.store.directory import DirectoryEntry
from lrs_bridge.xapi.extract import agent_key
from lrs_bridge.xapi.person import ifi_label

COLUMNS = ("name", "email", "accounts", "team", "manager_email", "language")


class _RowSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    name = fields.String(required=True, validate=validate.Length(min=1))
    email = fields.Email(load_default=None, allow_none=True)
    accounts = fields.String(load_default="")
    team = fields.String(load_default=None, allow_none=True)
    manager_email = fields.Email(load_default=None, allow_none=True)
    language = fields.String(
        load_default=None, allow_none=True, validate=validate.Regexp(r"^[A-Za-z]{2,3}(-[\w]+)*$")
    )


def email_keys(email: str) -> list[str]:
    """The IFI keys an e-mail address can appear under."""
    mbox = "mailto:" + email.strip().lower()
    sha1 = hashlib.sha1(mbox.encode(), usedforsecurity=False).hexdigest()
    return [f"mbox:{mbox}", f"mbox_sha1sum:{sha1}"]


def _account_keys(text: str, row: int) -> list[str]:
    keys = []
    for item in filter(None, (part.strip() for part in text.split(";"))):
        home_page, sep, name = item.partition("|")
        if not sep or not home_page or not name or ":" not in home_page:
            raise BadRequest(
                f"row {row}: account {item!r} must be homePage|name with an IRI homePage",
                field=f"rows[{row}].accounts",
            )
        key = agent_key({"account": {"homePage": home_page, "name": name}})
        if key:
            keys.append(key)
    return keys


def parse_directory_csv(text: str) -> list[DirectoryEntry]:
    """Directory entries from CSV text with a header row; 400 naming the row and column."""
    if "\x00" in text:
        raise BadRequest("the CSV contains a NUL character", field="csv")
    # newline="": the csv module reads line ends itself, so a quoted field may hold one.
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        missing = [c for c in ("name", "email") if c not in (reader.fieldnames or [])]
        if missing:
            raise BadRequest(f"the CSV needs a header with {', '.join(missing)}", field="header")
        return [_entry(number, raw) for number, raw in enumerate(reader, start=1)]
    except csv.Error as error:
        row = f"row {reader.line_num - 1}" if reader.line_num > 1 else "the header"
        raise BadRequest(f"{row} is not valid CSV: {error}", field="csv") from None


def _entry(number: int, raw: dict[str | None, Any]) -> DirectoryEntry:
    """One data row (``number`` from 1); a short row's missing cells are empty."""
    schema = _RowSchema()
    cleaned: dict[str, Any] = {
        k: (v.strip() or None) if isinstance(v, str) else None for k, v in raw.items() if k
    }
    cleaned["accounts"] = cleaned.get("accounts") or ""
    try:
        row = schema.load(cleaned)
    except ValidationError as error:
        column, messages = next(iter(error.messages_dict.items()))
        raise BadRequest(
            f"row {number}, column {column}: {' '.join(map(str, messages))}",
            field=f"rows[{number}].{column}",
        ) from None
    keys = _account_keys(row["accounts"], number)
    if row["email"]:
        keys = email_keys(row["email"]) + keys
    if not keys:
        raise BadRequest(
            f"row {number}: a learner needs an email or an account",
            field=f"rows[{number}].email",
        )
    return DirectoryEntry(
        name=row["name"],
        email=row["email"],
        agent_keys=tuple(keys),
        team=row["team"],
        manager_email=row["manager_email"],
        language=row["language"],
    )


class DirectoryStore(Protocol):
    """What importing the directory needs from the store."""

    def import_directory(
        self, entries: Sequence[DirectoryEntry], reduce: StateReducer, clock: Clock
    ) -> dict[str, int]:
        """Import the entries in one transaction; counts created/updated/merged."""
        ...

    def known_emails(self, emails: Sequence[str]) -> set[str]:
        """The lower-cased addresses among ``emails`` that belong to a learner."""
        ...

    def learner_by_agent_key(self, agent_key: str) -> dict[str, Any] | None:
        """The learner an identifier belongs to."""
        ...


@dataclasses.dataclass(frozen=True, kw_only=True)
class ImportResult:
    """Counts, one warning per doubtful row, and the imported learners (in row order)."""

    counts: dict[str, int]
    warnings: list[dict[str, Any]]
    learners: list[dict[str, Any]]


def import_directory(
    store: DirectoryStore, text: str, reduce: StateReducer, clock: Clock
) -> ImportResult:
    """Parse and import a directory CSV, and warn about rows that only half apply."""
    entries = parse_directory_csv(text)
    counts = store.import_directory(entries, reduce, clock)
    managers = [e.manager_email for e in entries if e.manager_email and e.email]
    known = store.known_emails(managers) if managers else set()
    learners = [store.learner_by_agent_key(entry.agent_keys[0]) for entry in entries]
    return ImportResult(
        counts=counts,
        warnings=directory_warnings(entries, known),
        learners=[public_learner(learner) for learner in learners if learner is not None],
    )


def _has_templates(language: str) -> bool:
    primary = language.replace("_", "-").split("-", 1)[0].lower()
    return pick_language(language) != DEFAULT_LANGUAGE or primary in ("en", "eng")


def directory_warnings(entries: Sequence[DirectoryEntry], known: set[str]) -> list[dict[str, Any]]:
    """Warnings for rows (numbered from 1, as errors are) that import but will not work as
    meant; ``known`` holds the lower-cased e-mail addresses of every learner."""
    warnings = []
    allowed = ", ".join(SUPPORTED)
    for row, entry in enumerate(entries, start=1):
        manager = entry.manager_email
        if manager and (not entry.email or manager.lower() not in known):
            warnings.append(
                {
                    "row": row,
                    "field": "manager_email",
                    "message": f"row {row}: manager_email {manager} matches no learner, "
                    "so no manager is set (import the manager, then this row again)"
                    if entry.email
                    else f"row {row}: manager_email needs the row's own email to link it",
                }
            )
        if entry.language and not _has_templates(entry.language):
            warnings.append(
                {
                    "row": row,
                    "field": "language",
                    "message": f"row {row}: language {entry.language!r} has no notification "
                    f"templates, so messages go out in {DEFAULT_LANGUAGE}; "
                    f"languages with templates: {allowed}",
                    "allowed": list(SUPPORTED),
                }
            )
    return warnings


def public_learner(learner: dict[str, Any]) -> dict[str, Any]:
    """A learner as answers and the CLI show it: identifiers in their documented form."""
    return {**learner, "ifis": [ifi_label(key) for key in learner.get("ifis", [])]}
