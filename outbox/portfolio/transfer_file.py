"""A bulk transfer's CSV file, read and checked line by line before anything is sent.

Columns: ``domain`` and ``auth_code`` (required); ``client_id`` (the WHMCS client that gets
the domain, optional); either ``handle`` (an Openprovider contact handle for every role)
or the registrant's contact (``first_name, last_name, company_name, email, address1,
address2, city, state, postcode, country, phone``); ``nameservers``: empty or ``keep``
(what the domain has at its current registrar), ``default`` (opbridge's defaults), or
2 to 5 host names separated by spaces. An auth code is read, never shown.
"""
from __future__ import annotations

import csv
import dataclasses
import io
from typing import Any

from opclient import Contact, InvalidContact, InvalidDomainName, Nameserver, split_domain
from outbox.portfolio.transfer_handler import DEFAULT, GIVEN, KEEP

CONTACT_COLUMNS = ("first_name", "last_name", "company_name", "email", "address1", "address2", "city", "state",
                   "postcode", "country", "phone")
COLUMNS = ("domain", "auth_code", "client_id", "handle", "nameservers", *CONTACT_COLUMNS)
REQUIRED = ("domain", "auth_code")
MAX_AUTH_CODE = 128
MAX_NAMESERVERS = 5


class BadFile(ValueError):
    """The file as a whole cannot be read (no header, unknown columns)."""


@dataclasses.dataclass
class Row:
    line: int
    domain: str
    auth_code: str = dataclasses.field(repr=False)
    client_id: int | None = None
    handle: str | None = None
    registrant: dict[str, str] | None = None
    policy: str = KEEP
    nameservers: list[str] = dataclasses.field(default_factory=list)
    problems: list[str] = dataclasses.field(default_factory=list)
    note: str = ""  # what a check learnt: the nameservers at the current registrar

    @property
    def ok(self) -> bool:
        return not self.problems

    def record(self, outcome: str | None = None) -> dict[str, Any]:
        """What the report shows: everything but the auth code."""
        owner = self.handle or (self.registrant or {}).get("email", "")
        servers = " ".join(self.nameservers) if self.policy == GIVEN else self.policy
        return {"line": self.line, "domain": self.domain, "client_id": self.client_id, "owner": owner,
                "nameservers": servers, "outcome": outcome or ("; ".join(self.problems) or self.note or "ok")}


def read_rows(text: str) -> list[Row]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip().lower() for name in reader.fieldnames or ()]
    if not header:
        raise BadFile("The file is empty: it needs a header line naming its columns (domain,auth_code,...).")
    unknown = [name for name in header if name not in COLUMNS]
    if unknown:
        raise BadFile(f"The file has unknown columns: {', '.join(unknown)}; known are {', '.join(COLUMNS)}.")
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise BadFile(f"The file has no {' or '.join(missing)} column.")
    reader.fieldnames = header
    rows = [read_row(line, {key: (value or "").strip() for key, value in fields.items() if key})
            for line, fields in enumerate(reader, start=2)]
    mark_repeats(rows)
    return rows


def mark_repeats(rows: list[Row]) -> None:
    """A domain given twice is a mistake in the file: the second is refused, naming the first."""
    seen: dict[str, int] = {}
    for row in rows:
        if row.domain in seen:
            row.problems.append(f"the domain is on line {seen[row.domain]} already")
        seen.setdefault(row.domain, row.line)


def read_row(line: int, fields: dict[str, str]) -> Row:
    problems = []
    try:
        domain = split_domain(fields.get("domain", "")).ascii
    except InvalidDomainName as error:
        domain, problems = fields.get("domain", ""), [f"the domain is not valid: {error}"]
    row = Row(line, domain, fields.get("auth_code", ""), problems=problems)
    if not row.auth_code:
        row.problems.append("the auth code is empty")
    elif len(row.auth_code) > MAX_AUTH_CODE or not row.auth_code.isprintable():
        row.problems.append("the auth code is not a printable code of at most 128 characters")
    _read_client(row, fields.get("client_id", ""))
    _read_owner(row, fields)
    _read_nameservers(row, fields.get("nameservers", ""))
    return row


def _read_client(row: Row, text: str) -> None:
    if text and not text.isdigit():
        row.problems.append(f"client_id must be a WHMCS client number, not {text!r}")
    elif text:
        row.client_id = int(text)


def _read_owner(row: Row, fields: dict[str, str]) -> None:
    contact = {name: fields[name] for name in CONTACT_COLUMNS if fields.get(name)}
    if fields.get("handle"):
        if contact:
            row.problems.append("give a handle or a contact, not both")
        row.handle = fields["handle"]
        return
    if not contact:
        row.problems.append("the owner is missing: give a handle or the contact columns")
        return
    try:
        Contact.from_dict(contact)
    except InvalidContact as error:
        row.problems.append(f"the contact is not valid: {error}")
        return
    row.registrant = contact


def _read_nameservers(row: Row, text: str) -> None:
    if text.lower() in ("", KEEP, DEFAULT):
        row.policy = text.lower() or KEEP
        return
    servers = text.replace(",", " ").split()
    try:
        for entry in servers:
            Nameserver.parse(entry)  # host or host/ip, as the order's nameservers are read
    except InvalidDomainName as error:
        row.problems.append(f"a nameserver is not a host name: {error}")
        return
    if not 2 <= len(servers) <= MAX_NAMESERVERS:
        row.problems.append(f"give 2 to {MAX_NAMESERVERS} nameservers, keep or default, not {len(servers)}")
        return
    row.policy, row.nameservers = GIVEN, servers
