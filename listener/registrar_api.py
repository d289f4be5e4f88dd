"""The reads the WHMCS registrar module asks for, under ``/api/v1/registrar``.

WHMCS calls a registrar module's read functions inside a page request and shows the
answer at once, so these answer synchronously: a domain's nameservers, lock and ID
protection, its contacts in WHMCS's labels, availability with premium prices, name
suggestions, and what
WHMCS's own domain sync (``Sync``, ``TransferSync``) should believe. The sync answer uses
the pull-sync's status map and expiry source, so WHMCS's native cron and opbridge's
pull-sync write the same dates. Same bearer tokens as the rest of the admin API.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint
from sqlalchemy import select

from listener import api_common
from listener.api_schemas import (
    AvailabilityQuery,
    RegistrarAvailability,
    RegistrarContacts,
    RegistrarDomain,
    RegistrarSuggestionsQuery,
    RegistrarSync,
    RegistrarSyncQuery,
)
from listener.openapi import describe_blueprint, operation
from listener.services import services
from core.times import iso
from opclient.errors import DomainNotFound, PermanentError
from opclient.names import InvalidDomainName, split_domain
from opclient.types import Domain
from outbox import mirror
from outbox.models import DEAD, Command
from outbox.outcomes import failure_sentence
from outbox.values import utcnow
from outbox.sync.decisions import FAILED_REQUEST, PROVISIONAL_STATUSES, STATUS_MAP
from outbox.sync.reading import openprovider_side

bp = Blueprint("registrar_api", __name__, url_prefix="/api/v1/registrar")
api_common.guard(bp)
describe_blueprint(bp, "registrar module", errors=(400, 401, 403, 404, 422, 502, 503), bearer_token=True)

WHMCS_ROLES = {"owner": "Registrant", "admin": "Admin", "tech": "Technical", "billing": "Billing"}
# Openprovider states the mirror may answer for; the others change by themselves at the
# registry, so only a live read says whether a registration or transfer has finished.
SETTLED_STATUSES = frozenset({"ACT", "DEL"})


def _live(name: str) -> Domain:
    return services().clients.openprovider.domains.find(api_common.domain_key(name))


@bp.get("/domains/<name>")
@operation("A domain's nameservers, lock and ID protection: from the mirror while it is current, else live",
           answers={200: RegistrarDomain}, path={"name": api_common.DOMAIN_NAME_DOCS})
def domain_details(name: str) -> dict[str, Any]:
    """What the nameserver, lock and domain-information pages show. A page view costs no
    Openprovider call while the pull-sync's reading of the domain is current (the rule of
    /sync below); otherwise one."""
    key = api_common.domain_key(name)
    row = fresh_mirror_row(key)
    if row is not None and row.op_nameservers is not None:
        return _mirrored_details(row)
    domain = _live(key)
    return {
        "domain": domain.domain.ascii,
        "status": domain.status,
        "whmcs_status": STATUS_MAP.get(domain.status),
        "expiry_date": iso(openprovider_side(domain, services().settings.expiry_source).expiry_date),
        "nameservers": [server.text for server in domain.name_servers],
        "locked": domain.is_locked,
        "lockable": domain.is_lockable,
        "id_protection": domain.is_private_whois_enabled,
        "autorenew": domain.autorenew,
    }


def _mirrored_expiry(row: Any) -> Any:
    return row.op_renewal_date if services().settings.expiry_source == "renewal_date" else row.op_expiration_date


def _mirrored_details(row: Any) -> dict[str, Any]:
    return {
        "domain": row.name,
        "status": row.op_status,
        "whmcs_status": STATUS_MAP.get(row.op_status),
        "expiry_date": iso(_mirrored_expiry(row)),
        "nameservers": [server for server in row.op_nameservers.split(",") if server],
        "locked": bool(row.op_locked),
        "lockable": row.op_locked is not None,
        "id_protection": bool(row.op_private_whois),
        "autorenew": row.op_autorenew,
    }


@bp.get("/domains/<name>/contacts")
@operation("A domain's contacts in WHMCS's labels", answers={200: RegistrarContacts}, path={"name": api_common.DOMAIN_NAME_DOCS})
def domain_contacts(name: str) -> dict[str, Any]:
    """The domain's handles as WHMCS's contact form labels them, each handle read once."""
    domain = _live(name)
    customers = services().clients.openprovider.customers
    read: dict[str, dict[str, str]] = {}
    contacts = {}
    for role, label in WHMCS_ROLES.items():
        handle = getattr(domain.handles, role)
        if handle:
            if handle not in read:
                read[handle] = _whmcs_contact(customers.get(handle))
            contacts[label] = read[handle]
    return {"domain": domain.domain.ascii, "contacts": contacts}


def _whmcs_contact(customer: Any) -> dict[str, str]:
    street = " ".join(part for part in (customer.street, customer.number, customer.suffix) if part)
    return {
        "First Name": customer.first_name, "Last Name": customer.last_name,
        "Company Name": customer.company_name, "Email Address": customer.email,
        "Address 1": street, "Address 2": "", "City": customer.city, "State": customer.state,
        "Postcode": customer.zipcode, "Country": customer.country,
        "Phone Number": customer.phone.whmcs if customer.phone.country_code else "", "Fax Number": "",
    }


@bp.get("/availability")
@operation("Availability with premium prices", answers={200: RegistrarAvailability}, query=AvailabilityQuery)
def availability() -> dict[str, Any]:
    """Availability in batches of 15, with the premium price where the registry asks one."""
    return {"results": _availability_of(api_common.query_args(AvailabilityQuery())["domain"])}


@bp.get("/suggestions")
@operation("Names like a search term, with their availability and premium prices", answers={200: RegistrarAvailability},
           query=RegistrarSuggestionsQuery)
def suggestions() -> dict[str, Any]:
    """Openprovider's name suggestions, each checked as /availability checks: the suggestion
    service says nothing of availability, and WHMCS shows only what can be ordered."""
    query = api_common.query_args(RegistrarSuggestionsQuery())
    suggested = services().clients.openprovider.domains.suggest(query["name"], query["tld"], limit=query["limit"])
    # A suggestion that is itself a public suffix (no.it is one) can be neither checked nor sold.
    return {"results": _availability_of([suggestion.name for suggestion in suggested if _registrable(suggestion.name)])}


def _registrable(name: str) -> bool:
    try:
        split_domain(name)
    except InvalidDomainName:
        return False
    return True


def _availability_of(keys: list[str]) -> list[dict[str, Any]]:
    domains = services().clients.openprovider.domains
    try:
        return [_check_result(domains, result) for result in domains.check(keys, with_price=True)]
    except PermanentError as error:
        if error.code != api_common.UNSOLD_EXTENSION:
            raise
        # One extension Openprovider does not sell refuses the whole batch: ask name by name.
        return [_check_one(domains, key) for key in keys]


def _check_one(domains: Any, key: str) -> dict[str, Any]:
    try:
        [result] = domains.check([key], with_price=True)
    except PermanentError as error:
        if error.code != api_common.UNSOLD_EXTENSION:
            raise
        return {"domain": key, "status": "unsupported", "available": False, "reason": str(error), "premium_price": None,
                "premium_renew_price": None}
    return _check_result(domains, result)


def _check_result(domains: Any, result: Any) -> dict[str, Any]:
    # Openprovider sends a premium block (at 0) for ordinary names too: only a premium name has a price.
    premium = (result.premium_price or result.price) if result.status == "premium" else None
    return {
        "domain": result.domain, "status": result.status, "available": result.is_available, "reason": result.reason,
        "premium_price": _money(premium),
        "premium_renew_price": _money(_renew_price(domains, result.domain)) if premium is not None else None,
    }


def _renew_price(domains: Any, name: str) -> Any:
    """A premium name's renewal cost: WHMCS invoices renewals at it, and the renewal goes
    ahead only at Openprovider's current one (outbox.handlers.premium)."""
    try:
        return domains.price(name, "renew").price
    except PermanentError:
        return None  # the check's create price stands in, as before Openprovider quoted renewals


def _money(money: Any) -> dict[str, str] | None:
    return None if money is None else {"amount": str(money.amount), "currency": money.currency}


@bp.get("/domains/<name>/sync")
@operation("What WHMCS's Sync and TransferSync should record", answers={200: RegistrarSync}, query=RegistrarSyncQuery,
           path={"name": api_common.DOMAIN_NAME_DOCS})
def domain_sync(name: str) -> dict[str, Any]:
    """What WHMCS's Sync and TransferSync should record. From the mirror while nothing has
    happened to the domain since the pull-sync last read it; live otherwise, or with ?live=1."""
    key = api_common.domain_key(name)
    settings = services().settings
    row = None if api_common.query_args(RegistrarSyncQuery()).get("live") == "1" else fresh_mirror_row(key)
    if row is not None:
        status = row.op_status
        expiry = _mirrored_expiry(row)
        source, checked_at = "mirror", row.last_synced_at
    else:
        try:
            domain = _live(key)
        except DomainNotFound:
            refused = _refused_transfer(key)
            if refused is not None:
                return _transfer_failed(key, refused)
            if not _was_active_here(key):
                raise
            return _transferred_away(key)
        status = domain.status
        expiry = openprovider_side(domain, settings.expiry_source).expiry_date
        source, checked_at = "openprovider", utcnow()
    if status in PROVISIONAL_STATUSES:
        expiry = None  # provisional until the registry answers; the pull-sync leaves it too
    return {
        "domain": key,
        "source": source,
        "checked_at": checked_at.isoformat(timespec="seconds") if checked_at else None,
        "status": status,
        "whmcs_status": STATUS_MAP.get(status),
        "expiry_date": iso(expiry),
        "active": status == "ACT",
        "expired": status == "DEL",
        "transferred_away": False,
        "transfer": {
            "completed": status == "ACT",
            "failed": status == "FAI",
            "reason": f"{FAILED_REQUEST} (Openprovider status FAI)." if status == "FAI" else "",
        },
    }


def _was_active_here(key: str) -> bool:
    """Whether the pull-sync last saw the domain active in this account. A domain of
    WHMCS's Active list that the account no longer holds has then been transferred away
    (a deleted one stays listed as DEL); one opbridge never saw active is only unknown."""
    return mirror.was_active(services().engine, key)


def _transferred_away(key: str) -> dict[str, Any]:
    return {
        "domain": key,
        "source": "openprovider",
        "checked_at": utcnow().isoformat(timespec="seconds"),
        "status": None,
        "whmcs_status": "Transferred Away",
        "expiry_date": None,
        "active": False,
        "expired": False,
        "transferred_away": True,
        "transfer": {"completed": False, "failed": False, "reason": ""},
    }


def _refused_transfer(key: str) -> str | None:
    """Openprovider's sentence when the domain's last transfer command is dead: the
    transfer was refused (a wrong EPP code, say) and never began at the registry."""
    commands = Command.__table__
    query = (select(commands.c.status, commands.c.last_error_code, commands.c.last_error)
             .where(commands.c.aggregate_key == key, commands.c.type == "transfer_domain")
             .order_by(commands.c.id.desc()).limit(1))
    with services().engine.connect() as conn:
        last = conn.execute(query).first()
    return failure_sentence(last._asdict()) if last is not None and last.status == DEAD else None


def _transfer_failed(key: str, reason: str) -> dict[str, Any]:
    return {
        "domain": key, "source": "openprovider", "checked_at": utcnow().isoformat(timespec="seconds"),
        "status": None, "whmcs_status": None, "expiry_date": None, "active": False, "expired": False,
        "transferred_away": False, "transfer": {"completed": False, "failed": True, "reason": reason},
    }


def fresh_mirror_row(key: str) -> Any:
    """The mirror row when the pull-sync read a settled state within the update interval and
    no command of the domain has run or waited since (outbox.mirror.settled_row)."""
    interval = services().settings.update_interval_days
    if interval <= 0:
        return None
    return mirror.settled_row(services().engine, key, SETTLED_STATUSES, utcnow() - dt.timedelta(days=interval))
