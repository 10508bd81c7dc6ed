"""Parsing the learner directory CSV (validated with marshmallow, errors name row and column).

Columns: ``name, email, accounts, team, manager_email, language``. ``accounts`` lists platform
accounts as ``homePage|name`` separated by ``;``. An e-mail address yields both its ``mbox``
and its ``mbox_sha1sum`` IFI, because tools send either.
"""

from __future__ import annotations

import csv
import hashlib
import io
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from lrs_bridge.errors import BadRequest
from lrs_bridge.store.directory import DirectoryEntry
from lrs_bridge.xapi.extract import agent_key

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
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ("name", "email") if c not in (reader.fieldnames or [])]
    if missing:
        raise BadRequest(f"the CSV needs a header with {', '.join(missing)}", field="header")
    entries = []
    schema = _RowSchema()
    for number, raw in enumerate(reader, start=1):
        cleaned: dict[str, Any] = {k: (v.strip() or None) for k, v in raw.items() if k}
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
        entries.append(
            DirectoryEntry(
                name=row["name"],
                email=row["email"],
                agent_keys=tuple(keys),
                team=row["team"],
                manager_email=row["manager_email"],
                language=row["language"],
            )
        )
    return entries
