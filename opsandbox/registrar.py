"""The domain operations and the refusals Openprovider gives for each.

Every function takes the state (its lock held by the caller) and a request body that
already passed spec validation, so only meaning is checked here, not shape.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta

from . import dnssec, lifecycle
from .clock import add_years, parse_date
from .errors import ApiError, invalid_request
from .models import HANDLE_ROLES, Domain
from .state import SandboxState, new_auth_code
from .tlds import Tld

MAX_CHECK_DOMAINS = 15
AUTORENEW_VALUES = ("on", "off", "default")
LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
HANDLE_ERRORS = {"owner": 331, "admin": 333, "tech": 335, "billing": 176}


def check(state: SandboxState, body: dict) -> list[dict]:
    requested = body.get("domains", [])
    if not requested:
        raise invalid_request("domains: at least one domain is required")
    if len(requested) > MAX_CHECK_DOMAINS:
        raise invalid_request(f"domains: at most {MAX_CHECK_DOMAINS} domains per check")
    return [_check_one(state, item, body.get("with_price", False)) for item in requested]


def _check_one(state: SandboxState, item: dict, with_price: bool) -> dict:
    full_name, tld = _domain_of(state, {"domain": item})
    result = {"domain": full_name, "status": "free", "is_premium": False}
    if state.is_registered(full_name):
        result.update(status="active", reason="Domain exists", whois=_whois(state, full_name))
    elif full_name in state.premium_prices:
        premium = {"create": float(state.premium_prices[full_name]["create"])}
        result.update(is_premium=True, premium={"currency": "EUR", "price": premium})
    if with_price:
        price = {"currency": "EUR", "price": tld.prices["create"]}
        result["price"] = {"product": price, "reseller": price}
    return result


def _whois(state: SandboxState, full_name: str) -> str:
    """The registry's whois text of a taken name: where it is and its name servers."""
    domain = state.live_domain(full_name)
    if domain is not None:
        registrar, servers = "Openprovider", [server["name"] for server in domain.name_servers]
    else:
        registrar, servers = "Elsewhere Registrar Ltd.", state.registry[full_name].name_servers
    lines = [f"Domain Name: {full_name.upper()}", f"Registrar: {registrar}"]
    lines += [f"Name Server: {server.upper()}" for server in servers]
    return "\n".join(lines) + "\n"


# Registries refuse a transfer within this many days of the registration (ICANN's 60-day rule).
YOUNGEST_TRANSFER_DAYS = 60


def register(state: SandboxState, body: dict) -> Domain:
    full_name, tld = _domain_of(state, body)
    if _held(state, full_name):
        raise ApiError(346, full_name)
    if full_name in state.registry:
        raise ApiError(311, full_name)
    period = _period(body, tld)
    _require_premium_fee(state, full_name, "create", body)
    _require_registry_data(state, body, tld)
    now = state.now()
    expiration = add_years(now, period)
    domain = _new_domain(state, body, tld, kind="NEW", expiration=expiration)
    domain.creation_date = now
    lifecycle.schedule(domain, "activate", now + timedelta(seconds=tld.activation_delay_seconds))
    return state.add_domain(domain)


def transfer(state: SandboxState, body: dict) -> Domain:
    full_name, tld = _domain_of(state, body)
    if _held(state, full_name):
        raise ApiError(326, full_name)
    entry = state.registry.get(full_name)
    if entry is None:
        raise ApiError(313, full_name)
    if tld.is_transfer_auth_code_required:
        if not body.get("auth_code"):
            raise ApiError(317)
        if body["auth_code"] != entry.auth_code:
            raise ApiError(318)
    if entry.is_locked:
        raise ApiError(328, full_name)
    _require_premium_fee(state, full_name, "transfer", body)
    _require_registry_data(state, body, tld)
    domain = _new_domain(state, body, tld, kind="TRANSFER", expiration=entry.expiration_date)
    too_young = entry.creation_date is not None and state.now() - entry.creation_date < timedelta(
        days=YOUNGEST_TRANSFER_DAYS)
    domain.transfer_will_fail = entry.transfer_will_fail or too_young
    if "at" in body:
        domain.status = "SCH"
        domain.scheduled_at = _transfer_date(body["at"])
        lifecycle.schedule(domain, "start_transfer", domain.scheduled_at)
    elif not entry.transfer_stays_pending:
        delay = timedelta(seconds=tld.transfer_delay_seconds)
        lifecycle.schedule(domain, "complete_transfer", state.now() + delay)
    return state.add_domain(domain)


def price(state: SandboxState, query: dict) -> dict:
    """``GET /domains/prices``: what one operation on one name costs, premium or not."""
    full_name, tld = _domain_of(state, {"domain": {"name": query.get("domain.name", ""),
                                                   "extension": query.get("domain.extension", "")}})
    operation = query.get("operation", "create")
    period = query.get("period", 1)
    if operation not in tld.prices:
        raise invalid_request(f"operation: .{tld.name} has no {operation} price")
    if not 1 <= period <= tld.max_period:
        raise invalid_request(f"period: .{tld.name} takes 1 to {tld.max_period} years")
    premium = state.premium_prices.get(full_name, {}).get(operation)
    amount = float(premium) * period if premium is not None else tld.prices[operation] * period
    in_euro = {"currency": "EUR", "price": round(amount, 2)}
    return {"is_premium": premium is not None, "is_promotion": False,
            "price": {"product": in_euro, "reseller": in_euro}}


def _require_premium_fee(state: SandboxState, full_name: str, operation: str, body: dict) -> None:
    """A premium name is ordered only with ``accept_premium_fee`` at its current price."""
    premium = state.premium_prices.get(full_name, {}).get(operation)
    if premium is None:
        return
    accepted = body.get("accept_premium_fee")
    if accepted is None or round(float(accepted), 2) != round(float(premium), 2):
        raise invalid_request(f"accept_premium_fee: {full_name} is a premium name at {premium} EUR for {operation}, "
                              f"and {accepted} was accepted")


def _require_registry_data(state: SandboxState, body: dict, tld: Tld) -> None:
    """What the TLD's additional-data declares required is present: domain fields in the
    order's ``additional_data``, customer fields held by the owner handle."""
    given = body.get("additional_data") or {}
    missing = [spec["name"] for spec in tld.domain_fields if spec.get("required") and not given.get(spec["name"])]
    owner = state.customers.get(body.get("owner_handle", ""))
    held = _customer_registry_data(owner.details, tld.name) if owner else {}
    missing += [spec["name"] for spec in tld.customer_fields if spec.get("required") and not held.get(spec["name"])]
    if missing:
        raise invalid_request(f"additional_data: .{tld.name} requires {', '.join(missing)}")


def _customer_registry_data(details: dict, extension: str) -> dict:
    held = dict(details.get("additional_data") or {})
    for entry in details.get("extension_additional_data") or ():
        if entry.get("name") == extension:
            held.update(entry.get("data") or {})
    return held


def _held(state: SandboxState, full_name: str) -> bool:
    """Whether the account holds the name; a failed order (FAI) may be placed again."""
    domain = state.live_domain(full_name)
    return domain is not None and domain.status != "FAI"


def _new_domain(state: SandboxState, body: dict, tld: Tld, *, kind: str,
                expiration: datetime) -> Domain:
    _check_name_servers(body)
    domain = Domain(
        id=state.next_domain_id(),
        name=body["domain"]["name"].lower(),
        extension=tld.name,
        status="REQ",  # until the registry's answer (lifecycle.activate)
        type=kind,
        auth_code=new_auth_code(),
        order_date=state.now(),
        expiration_date=expiration,
        renewal_date=lifecycle.renewal_date_for(expiration, tld),
        handles=_handles(state, body, tld, required=True),
        autorenew=_autorenew(body.get("autorenew", "default")),
        is_private_whois_enabled=body.get("is_private_whois_enabled", False),
        is_dnssec_enabled=body.get("is_dnssec_enabled", False),
        use_domicile=body.get("use_domicile", False),
        name_servers=_numbered(body.get("name_servers", [])),
        ns_group=body.get("ns_group", ""),
        ns_template_name=body.get("ns_template_name", ""),
        comments=body.get("comments", ""),
    )
    domain.last_changed = domain.order_date
    return domain


def renew(state: SandboxState, domain: Domain, body: dict) -> None:
    tld = state.tld(domain.extension)
    _require_status(domain, "ACT")
    lifecycle.extend(domain, tld, _period(body, tld))
    domain.last_changed = state.now()


def restore(state: SandboxState, domain: Domain) -> None:
    now = state.now()
    if not lifecycle.in_soft_quarantine(domain, now):
        raise ApiError(376, f"status {domain.status}")
    lifecycle.restore(domain, state.tld(domain.extension), now)
    domain.last_changed = now


def update(state: SandboxState, domain: Domain, body: dict) -> None:
    _require_status(domain, "ACT")
    tld = state.tld(domain.extension)
    if "autorenew" in body:
        domain.autorenew = _autorenew(body["autorenew"])
    if "is_locked" in body:
        if not tld.is_lockable:
            raise invalid_request(f"is_locked: .{tld.name} domains cannot be locked")
        domain.is_locked = body["is_locked"]
    if body.get("name_servers") or "ns_group" in body:
        _check_name_servers(body)
        domain.name_servers = _numbered(body.get("name_servers", []))
        domain.ns_group = body.get("ns_group", "")
    domain.handles.update(_handles(state, body, tld, required=False))
    if "dnssec_keys" in body:
        domain.dnssec_keys = dnssec.checked_keys(tld, body["dnssec_keys"])
        domain.is_dnssec_enabled = bool(domain.dnssec_keys)
    for flag in ("is_private_whois_enabled", "is_dnssec_enabled", "use_domicile", "comments",
                 "auth_code"):
        if flag in body:
            setattr(domain, flag, body[flag])
    if body.get("reset_auth_code"):
        domain.auth_code = new_auth_code()
    domain.last_changed = state.now()


def delete(state: SandboxState, domain: Domain, query: dict) -> None:
    if query.get("type", "delete") not in ("delete", "pushtoregistry"):
        raise ApiError(355, query["type"])
    _require_status(domain, "ACT")
    now = state.now()
    lifecycle.delete(domain, state.tld(domain.extension), now)
    domain.last_changed = now


def auth_code(state: SandboxState, domain: Domain) -> str:
    """The code a client may read; registries that mail it to the owner leave it empty."""
    _require_status(domain, "ACT")
    return "" if state.tld(domain.extension).auth_code_sent_by_email else domain.auth_code


def reset_auth_code(state: SandboxState, domain: Domain) -> str:
    _require_status(domain, "ACT")
    domain.auth_code = new_auth_code()
    domain.last_changed = state.now()
    return auth_code(state, domain)


def _domain_of(state: SandboxState, body: dict) -> tuple[str, Tld]:
    domain = body.get("domain", {})
    name, extension = domain.get("name", "").lower(), domain.get("extension", "").lower()
    if not LABEL.match(name):
        raise invalid_request(f"domain.name: not a valid domain label: {name!r}")
    tld = state.tld(extension)
    return f"{name}.{tld.name}", tld


def _period(body: dict, tld: Tld) -> int:
    if body.get("unit", "y") != "y":
        raise invalid_request("unit: the sandbox sells periods in years (y) only")
    period = body.get("period", 1)
    if not tld.min_period <= period <= tld.max_period:
        raise invalid_request(f"period: .{tld.name} takes {tld.min_period} to {tld.max_period} years")
    return period


def _autorenew(value: str) -> str:
    if value not in AUTORENEW_VALUES:
        raise invalid_request(f"autorenew: must be one of {', '.join(AUTORENEW_VALUES)}")
    return value


def _check_name_servers(body: dict) -> None:
    servers = body.get("name_servers", [])
    if len(servers) < 2 and not body.get("ns_group"):
        raise ApiError(221)
    if any(not server.get("name") for server in servers):
        raise invalid_request("name_servers: every name server needs a name")


def _numbered(servers: list[dict]) -> list[dict]:
    return [{"name": s["name"], "ip": s.get("ip", ""), "ip6": s.get("ip6", ""),
             "seq_nr": s.get("seq_nr", index)} for index, s in enumerate(servers, start=1)]


def _handles(state: SandboxState, body: dict, tld: Tld, *, required: bool) -> dict[str, str]:
    """The contact handles sent, each known to this account; codes 331/333/335 otherwise."""
    handles = {}
    for role in HANDLE_ROLES:
        handle = body.get(f"{role}_handle", "")
        needed = required and role != "billing" and getattr(tld, f"{role}_handle_supported")
        if (handle or needed) and state.customer(handle) is None:
            raise ApiError(HANDLE_ERRORS[role], handle)
        if handle:
            handles[role] = handle
    return handles


def _require_status(domain: Domain, status: str) -> None:
    if domain.status != status:
        raise ApiError(366, f"status {domain.status}")


def _transfer_date(text: str) -> datetime:
    try:
        return parse_date(text)
    except ValueError as error:
        raise invalid_request(f"at: {error}") from None


# Words a name is varied with, in the order suggestions come: the name itself first.
SUGGESTION_AFFIXES = (("", ""), ("get", ""), ("", "online"), ("my", ""), ("", "hq"), ("the", ""), ("", "shop"))
DEFAULT_SUGGESTIONS = 10


def suggest_names(state: SandboxState, body: dict) -> list[dict]:
    """Deterministic suggestions for ``name``: affixed variations over the requested TLDs
    (the sandbox's TLDs when none), leaving out what is registered, as a name-suggestion
    service offers names that can still be had."""
    term = re.sub(r"[^a-z0-9-]", "", body.get("name", "").lower()).strip("-")
    if not term:
        raise invalid_request("name: a search term of letters, digits or hyphens is required")
    limit = body.get("limit") or DEFAULT_SUGGESTIONS
    if limit < 0:
        raise invalid_request("limit: must not be negative")
    extensions = [tld.lower().lstrip(".") for tld in body.get("tlds") or () if tld.strip(".")] or sorted(state.tlds)
    results = []
    for prefix, suffix in SUGGESTION_AFFIXES:
        label = f"{prefix}{term}{suffix}"
        for extension in extensions:
            if len(results) == limit:
                return results
            if LABEL.match(label) and extension in state.tlds and not state.is_registered(f"{label}.{extension}"):
                results.append({"domain": label, "name": f"{label}.{extension}", "tld": extension})
    return results
