"""Filling a sandbox in one call: explicit rows, generated bulk domains, or the demo set.

A seed spec is plain JSON (see ``seed``). Seeds may hold what a neglected WHMCS holds,
such as zero expiry dates, because that is what the sync has to repair; but a status
WHMCS does not know is refused, since no installation can contain one.
"""
from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from whmcsapi.models import DOMAIN_STATUSES, INVOICE_STATUSES
from whmcssandbox import render
from whmcssandbox.pricing import seed_pricing
from whmcssandbox.records import Client, Domain, Invoice, InvoiceItem
from whmcssandbox.state import SandboxState

SEED_SECTIONS = frozenset({"clients", "domains", "invoices", "bulk", "currencies", "tld_pricing"})
CLIENT_FIELDS = frozenset({"firstname", "lastname", "email", "companyname"})
DOMAIN_FIELDS = frozenset({
    "domain", "userid", "registrar", "status", "regdate", "expirydate", "nextduedate", "donotrenew",
    "idprotection", "dnsmanagement", "emailforwarding", "regperiod", "regtype", "firstpaymentamount",
    "recurringamount", "notes",
})
ITEM_TYPES = frozenset({"Domain", "DomainRegister", "DomainTransfer", "DomainAddonIDP"})
DEFAULT_CLIENT = {"firstname": "Sandbox", "lastname": "Client", "email": "client@example.com"}
BULK_DEFAULTS = {"count": 0, "prefix": "bulk", "tld": "com", "registrar": "openprovider",
                 "status": "Active", "invoices": False}


class SeedError(ValueError):
    """The seed spec is malformed; the message names the offending entry."""


def seed(state: SandboxState, spec: Mapping[str, Any]) -> dict[str, list[int]]:
    """Create what ``spec`` describes, all or nothing; returns the new ids per table.

    ``{"clients": [{firstname, lastname, email, companyname?}],
      "domains": [{domain, userid?, registrar?, status?, regdate?, expirydate?, nextduedate?,
                   donotrenew?, idprotection?, dnsmanagement?, emailforwarding?, regperiod?,
                   regtype?, firstpaymentamount?, recurringamount?, notes?}],
      "invoices": [{userid?, status?, date?, duedate?, items: [{type, domain | relid,
                    description?, amount?}]}],
      "bulk": {count, prefix?, tld?, registrar?, status?, invoices?},
      "currencies": [...], "tld_pricing": {...}}`` (whmcssandbox.pricing)
    Dates are ``YYYY-MM-DD``; ``null`` or ``0000-00-00`` leaves one unset.
    """
    _reject_unknown("seed", spec, SEED_SECTIONS)
    with state.lock:
        plan = _Plan(state)
        for entry in spec.get("clients", []):
            plan.client(entry)
        bulk_domains, bulk_invoices = _bulk_entries(spec.get("bulk"))
        for entry in [*spec.get("domains", []), *bulk_domains]:
            plan.domain(entry)
        for entry in [*spec.get("invoices", []), *bulk_invoices]:
            plan.invoice(entry)
        seed_pricing(state, spec)
        return plan.commit()


def demo_spec(today: datetime.date | None = None) -> dict:
    """A small installation showing each case the sync handles, dated around ``today``."""
    today = today or datetime.date.today()

    def days(offset: int) -> str:
        return (today + datetime.timedelta(days=offset)).isoformat()

    return {
        "clients": [
            {"firstname": "Anna", "lastname": "de Vries", "email": "anna@example.nl"},
            {"firstname": "Ben", "lastname": "Jansen", "email": "ben@example.com", "companyname": "Jansen BV"},
        ],
        "domains": [
            {"domain": "devries.nl", "userid": 1, "expirydate": days(200), "nextduedate": days(190)},
            {"domain": "anna-bakes.com", "userid": 1, "expirydate": days(20), "nextduedate": days(20),
             "idprotection": True},
            {"domain": "jansen.eu", "userid": 2, "expirydate": days(-5), "nextduedate": days(-15),
             "status": "Grace", "donotrenew": True},
            {"domain": "jansen-shop.com", "userid": 2, "expirydate": None, "nextduedate": None,
             "status": "Pending Registration"},
            {"domain": "jansen-transfer.net", "userid": 2, "status": "Pending Transfer", "regtype": "Transfer",
             "expirydate": days(300), "nextduedate": days(300)},
            {"domain": "elsewhere.org", "userid": 1, "registrar": "enom", "expirydate": days(100),
             "nextduedate": days(100)},
        ],
        "invoices": [
            {"userid": 1, "duedate": days(20), "items": [
                {"type": "Domain", "domain": "anna-bakes.com", "description": "Domain Renewal - anna-bakes.com",
                 "amount": "12.95"}]},
            {"userid": 2, "status": "Paid", "duedate": days(-30), "items": [
                {"type": "DomainRegister", "domain": "jansen-shop.com",
                 "description": "Domain Registration - jansen-shop.com", "amount": "9.95"}]},
        ],
    }


class _Plan:
    """Builds and checks every row first and adds them at the end, so a bad entry adds nothing."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self.clients: list[Client] = []
        self.domains: dict[int, Domain] = {}
        self.domain_names: dict[str, Domain] = {}
        self.invoices: list[Invoice] = []

    def client(self, entry: Mapping[str, Any]) -> Client:
        _reject_unknown("client", entry, CLIENT_FIELDS)
        missing = {"firstname", "lastname", "email"} - set(entry)
        if missing:
            raise SeedError(f"client {dict(entry)} lacks {sorted(missing)[0]}")
        client = Client(id=self.state.new_id("client"), **{name: str(value) for name, value in entry.items()})
        self.clients.append(client)
        return client

    def domain(self, entry: Mapping[str, Any]) -> None:
        _reject_unknown("domain", entry, DOMAIN_FIELDS)
        name = str(entry.get("domain", "")).strip().lower()
        if not name:
            raise SeedError(f"domain {dict(entry)} has no name")
        if self._domain(name):
            raise SeedError(f"domain {name} exists already")
        domain = Domain(
            id=self.state.new_id("domain"), domain=name, userid=self._owner(entry.get("userid")),
            **_domain_fields(entry),
        )
        self.domains[domain.id] = domain
        self.domain_names[name] = domain

    def invoice(self, entry: Mapping[str, Any]) -> None:
        _reject_unknown("invoice", entry, {"userid", "status", "date", "duedate", "items", "notes"})
        items = [self._item(item) for item in entry.get("items", [])]
        if not items:
            raise SeedError(f"invoice {dict(entry)} has no items")
        owner = entry.get("userid")
        today = datetime.date.today().isoformat()
        self.invoices.append(Invoice(
            id=self.state.new_id("invoice"),
            # An invoice without a client belongs to the owner of the domain it bills.
            userid=self._owner(owner) if owner is not None else self._domain_by_id(items[0].relid).userid,
            status=_choice("invoice status", entry.get("status", "Unpaid"), INVOICE_STATUSES),
            date=_required_date("date", entry.get("date", today)),
            duedate=_required_date("duedate", entry.get("duedate", today)),
            notes=str(entry.get("notes", "")),
            items=items,
        ))

    def commit(self) -> dict[str, list[int]]:
        for client in self.clients:
            self.state.add_client(client)
        for domain in self.domains.values():
            self.state.add_domain(domain)
        for invoice in self.invoices:
            self.state.add_invoice(invoice)
        return {
            "clients": [client.id for client in self.clients],
            "domains": [domain.id for domain in self.domains.values()],
            "invoices": [invoice.id for invoice in self.invoices],
        }

    def _item(self, entry: Mapping[str, Any]) -> InvoiceItem:
        _reject_unknown("invoice item", entry, {"type", "domain", "relid", "description", "amount"})
        item_type = _choice("invoice item type", entry.get("type", ""), ITEM_TYPES)
        if "domain" in entry:
            domain = self._domain(str(entry["domain"]).strip().lower())
        else:
            domain = self._domain_by_id(entry.get("relid"))
        if domain is None:
            raise SeedError(f"invoice item {dict(entry)} names no known domain")
        return InvoiceItem(
            id=self.state.new_id("item"),
            type=item_type,
            relid=domain.id,
            description=str(entry.get("description", f"{item_type} - {domain.domain}")),
            amount=_amount(entry.get("amount", "0.00")),
        )

    def _domain(self, name: str) -> Domain | None:
        return self.domain_names.get(name) or self.state.find_domain(name)

    def _domain_by_id(self, domain_id: Any) -> Domain | None:
        return self.domains.get(domain_id) or self.state.domains.get(domain_id)

    def _owner(self, userid: Any) -> int:
        known = set(self.state.clients) | {client.id for client in self.clients}
        if userid is None:
            # Domains seeded without an owner go to the first client, made up if need be.
            return min(known) if known else self.client(DEFAULT_CLIENT).id
        if userid not in known:
            raise SeedError(f"client {userid!r} does not exist")
        return userid


def _domain_fields(entry: Mapping[str, Any]) -> dict:
    today = datetime.date.today()
    a_year = datetime.timedelta(days=365)
    expiry = _optional_date("expirydate", entry.get("expirydate", (today + a_year).isoformat()))
    next_due = _optional_date("nextduedate", entry["nextduedate"]) if "nextduedate" in entry else expiry
    price = _amount(entry.get("recurringamount", "12.95"))
    return {
        "registrar": str(entry.get("registrar", "openprovider")),
        "status": _choice("domain status", entry.get("status", "Active"), DOMAIN_STATUSES),
        "regdate": _optional_date("regdate", entry.get("regdate", (today - a_year).isoformat())),
        "expirydate": expiry,
        "nextduedate": next_due,
        "nextinvoicedate": next_due,
        "regtype": _choice("regtype", entry.get("regtype", "Register"), ("Register", "Transfer")),
        "regperiod": int(entry.get("regperiod", 1)),
        "firstpaymentamount": _amount(entry.get("firstpaymentamount", price)),
        "recurringamount": price,
        "donotrenew": bool(entry.get("donotrenew", False)),
        "idprotection": bool(entry.get("idprotection", False)),
        "dnsmanagement": bool(entry.get("dnsmanagement", False)),
        "emailforwarding": bool(entry.get("emailforwarding", False)),
        "notes": str(entry.get("notes", "")),
    }


def _bulk_entries(spec: Mapping[str, Any] | None) -> tuple[list[dict], list[dict]]:
    """Domain and invoice entries for ``count`` generated domains, expiring over the coming year.

    Every tenth domain has auto-renew off and every fourth ID protection on, so a sync over
    them has something of each kind to do; with ``invoices`` each gets an unpaid renewal.
    """
    if not spec:
        return [], []
    _reject_unknown("bulk", spec, set(BULK_DEFAULTS))
    options = BULK_DEFAULTS | dict(spec)
    today = datetime.date.today()
    domains, invoices = [], []
    for number in range(1, int(options["count"]) + 1):
        name = f"{options['prefix']}-{number:05d}.{options['tld']}"
        expiry = (today + datetime.timedelta(days=1 + number * 7 % 365)).isoformat()
        domains.append({
            "domain": name,
            "registrar": options["registrar"],
            "status": options["status"],
            "expirydate": expiry,
            "nextduedate": expiry,
            "donotrenew": number % 10 == 0,
            "idprotection": number % 4 == 0,
        })
        if options["invoices"]:
            invoices.append({"duedate": expiry, "items": [
                {"type": "Domain", "domain": name, "description": f"Domain Renewal - {name}", "amount": "12.95"},
            ]})
    return domains, invoices


def _reject_unknown(what: str, entry: Any, known: frozenset[str] | set[str]) -> None:
    if not isinstance(entry, Mapping):
        raise SeedError(f"each {what} must be a JSON object, not {entry!r}")
    unknown = sorted(set(entry) - set(known))
    if unknown:
        raise SeedError(f"{what} has an unknown field {unknown[0]!r}")


def _choice(what: str, value: Any, allowed: Any) -> str:
    if value not in allowed:
        raise SeedError(f"{value!r} is not a valid {what}")
    return value


def _optional_date(name: str, value: Any) -> datetime.date | None:
    if value in (None, "", render.ZERO_DATE):
        return None
    return _required_date(name, value)


def _required_date(name: str, value: Any) -> datetime.date:
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise SeedError(f"{name} must be YYYY-MM-DD, not {value!r}") from None


def _amount(value: Any) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise SeedError(f"{value!r} is not an amount") from None
