"""The account's domains WHMCS does not bill, matched to WHMCS clients and added to WHMCS.

The candidates are the drift report's ``missing_in_whmcs`` findings. Each is matched to
a client by a mapping file (by domain, owner handle or e-mail), or else by its owner
handle's e-mail among WHMCS's clients; the WHMCS row gets the account's expiry and
status, the due date the configured offset before the expiry, auto-renew and ID
protection as the account has them, registrar opbridge, and the recurring amount WHMCS's
own TLD pricing gives. Adding is one outbox command a domain (``whmcs_add_domain``).
"""
from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select

from core.settings import Settings
from opclient import OpenproviderError
from outbox.models import PENDING, RUNNING, Command
from outbox.portfolio.drift import MISSING_IN_WHMCS, find_drift
from outbox.portfolio.sides import MODULE_REGISTRAR, Portfolio, ours
from outbox.portfolio.whmcs_rows import ADD_TO_WHMCS
from outbox.store import Outbox
from outbox.values import NewCommand
from outbox.sync.decisions import STATUS_MAP, OpenproviderSide, Rules
from whmcsapi import WhmcsError

MAPPING_KEYS = ("domain", "handle", "email")
QUEUE_BATCH = 500
commands = Command.__table__


class BadMapping(ValueError):
    """The mapping file cannot be read."""


@dataclasses.dataclass
class Candidate:
    domain: str
    op: OpenproviderSide
    handle: str = ""
    email: str = ""
    client_id: int | None = None
    problem: str = ""
    renewal_price: str = ""

    def record(self, offset_days: int) -> dict[str, Any]:
        expiry = self.op.expiry_date
        return {"domain": self.domain, "owner": self.email or self.handle, "client_id": self.client_id,
                "status": STATUS_MAP.get(self.op.status, ""), "expiry_date": expiry,
                "next_due_date": expiry - timedelta(days=offset_days) if expiry else None,
                "recurring_amount": self.renewal_price, "outcome": self.problem or "ok"}


def read_mapping(text: str) -> dict[tuple[str, str], int]:
    """``{(key, value): client_id}`` from a CSV with ``client_id`` and a domain, handle or email column."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip().lower() for name in reader.fieldnames or ()]
    if "client_id" not in header or not set(header) & set(MAPPING_KEYS):
        raise BadMapping("The mapping file needs a client_id column and a domain, handle or email column.")
    reader.fieldnames = header
    mapping = {}
    for line, row in enumerate(reader, start=2):
        client = (row.get("client_id") or "").strip()
        if not client.isdigit():
            raise BadMapping(f"Line {line} of the mapping file has no client number: {client!r}.")
        for key in MAPPING_KEYS:
            value = (row.get(key) or "").strip().lower()
            if value:
                mapping[(key, value)] = int(client)
    return mapping


def candidates(portfolio: Portfolio, settings: Settings, now: datetime) -> list[Candidate]:
    rules = Rules(settings.next_due_date_offset, settings.due_date_max_difference_days)
    return [Candidate(finding.domain, portfolio.account[finding.domain])
            for finding in find_drift(portfolio, ours(settings), rules, now.replace(tzinfo=UTC))
            if finding.kind == MISSING_IN_WHMCS]


def match(found: Sequence[Candidate], services: Any, mapping: dict[tuple[str, str], int]) -> None:
    """Give each candidate its owner and client, or the problem that stops it."""
    client = services.openprovider
    emails: dict[str, str] = {}
    try:
        for candidate in found:
            candidate.handle = client.domains.get(candidate.op.domain_id).handles.owner or ""
            if candidate.handle and candidate.handle not in emails:
                emails[candidate.handle] = client.customers.get(candidate.handle).email
            candidate.email = emails.get(candidate.handle, "")
    except OpenproviderError as error:
        raise MatchFailed(f"Openprovider could not be read: {error}") from None
    try:
        by_email = _clients_by_email(services.whmcs.iter_clients())
        for candidate in found:
            _choose_client(candidate, mapping, by_email)
        _price(found, services.whmcs)
    except WhmcsError as error:
        raise MatchFailed(f"WHMCS could not be read: {error}") from None


class MatchFailed(Exception):
    """A side could not be read, so the domains could not be matched."""


def _clients_by_email(clients: Iterable[Any]) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for client in clients:
        found.setdefault(client.email.strip().lower(), []).append(client.id)
    return found


def _choose_client(candidate: Candidate, mapping: dict[tuple[str, str], int], by_email: dict[str, list[int]]) -> None:
    for key, value in (("domain", candidate.domain), ("handle", candidate.handle.lower()),
                       ("email", candidate.email.lower())):
        if (key, value) in mapping:
            candidate.client_id = mapping[(key, value)]
            return
    ids = by_email.get(candidate.email.lower(), [])
    if len(ids) == 1:
        candidate.client_id = ids[0]
    elif ids:
        candidate.problem = f"{len(ids)} WHMCS clients have the e-mail {candidate.email}: map it in a mapping file"
    else:
        candidate.problem = f"no WHMCS client has the owner's e-mail {candidate.email or '(none)'}: map it"


def _price(found: Sequence[Candidate], whmcs: Any) -> None:
    prices: dict[int, dict] = {}
    for candidate in found:
        if candidate.problem:
            continue
        if candidate.client_id not in prices:
            prices[candidate.client_id] = whmcs.renewal_prices(candidate.client_id)
        tld = candidate.domain.partition(".")[2]
        price = prices[candidate.client_id].get(tld)
        if price is None:
            candidate.problem = f"WHMCS has no renewal price for .{tld}"
        else:
            candidate.renewal_price = f"{price:.2f}"


def queue_imports(found: Sequence[Candidate], outbox: Outbox, offset_days: int) -> int:
    """One command a matched domain not being added already; returns how many were queued."""
    ready = [candidate for candidate in found if not candidate.problem]
    busy = _being_added(outbox.engine, [candidate.domain for candidate in ready])
    work = [NewCommand(ADD_TO_WHMCS, candidate.domain, _payload(candidate, offset_days))
            for candidate in ready if candidate.domain not in busy]
    for start in range(0, len(work), QUEUE_BATCH):
        outbox.enqueue(None, work[start:start + QUEUE_BATCH])
    return len(work)


def _payload(candidate: Candidate, offset_days: int) -> dict[str, Any]:
    op, expiry = candidate.op, candidate.op.expiry_date
    return {"domain": candidate.domain, "client_id": candidate.client_id, "kind": "register",
            "status": STATUS_MAP[op.status], "registrar": MODULE_REGISTRAR,
            "expiry_date": expiry.isoformat() if expiry else None,
            "next_due_date": (expiry - timedelta(days=offset_days)).isoformat() if expiry else None,
            "do_not_renew": op.autorenew == "off", "id_protection": op.private_whois, "price_from_whmcs": True}


def _being_added(engine: Engine, domains: Sequence[str]) -> set[str]:
    busy: set[str] = set()
    with engine.connect() as conn:
        for start in range(0, len(domains), QUEUE_BATCH):
            busy.update(conn.scalars(select(commands.c.aggregate_key).where(
                commands.c.type == ADD_TO_WHMCS, commands.c.status.in_((PENDING, RUNNING)),
                commands.c.aggregate_key.in_(domains[start:start + QUEUE_BATCH]))))
    return busy
