"""Filling the sandbox in one call: handles, names taken elsewhere, and many domains.

Seeded domains are settled like any other, so an ``ACT`` domain seeded with a past
expiry is renewed (autorenew) or moved to quarantine, as if time had passed over it.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from . import lifecycle
from .clock import add_years, parse_date
from .models import HANDLE_ROLES, Domain, RegistryEntry, Verification, split_domain_name
from .state import SandboxState, new_auth_code
from .tlds import Tld

SEED_KEYS = {"account_autorenew", "tlds", "customers", "registry", "domains", "generate", "premium", "verifications"}
DOMAIN_KEYS = {"name", "status", "type", "expiration_date", "renewal_date", "autorenew", "auth_code",
               "is_locked", "is_private_whois_enabled", "name_servers",
               "soft_quarantine_expiry_date", "hard_quarantine_expiry_date",
               *(f"{role}_handle" for role in HANDLE_ROLES)}
GENERATE_KEYS = {"count", "name", "start", "statuses", "expiration_step_seconds"}
PREMIUM_OPERATIONS = ("create", "transfer", "renew")
SEEDABLE_STATUSES = ("ACT", "REQ", "DEL", "FAI", "RRQ")
# A seeded REQ domain on an instant registry still waits this long.
SEEDED_REQUEST_SECONDS = 3600


def seed(state: SandboxState, payload: dict) -> dict:
    _refuse_unknown("seed", payload, SEED_KEYS)
    if "account_autorenew" in payload:
        state.account_autorenew = bool(payload["account_autorenew"])
    for extension, overrides in payload.get("tlds", {}).items():
        state.tlds[extension] = state.tlds.get(extension, Tld(extension)).with_overrides(overrides)
    handles = [state.new_customer(details).handle for details in payload.get("customers", [])]
    # Names the registry sells at a premium: {"gold.com": "1250.00"} (one EUR price for every
    # operation) or {"gold.com": {"create": "1250.00", "renew": "900.00"}} (seeded again to change).
    for name, prices in payload.get("premium", {}).items():
        _seed_premium(state, name.lower(), prices)
    for entry in payload.get("registry", []):
        _add_registry_entry(state, entry)
    for entry in payload.get("verifications", []):
        _add_verification(state, entry)
    named = {}
    for fields in payload.get("domains", []):
        domain = seed_domain(state, fields)
        named[domain.full_name] = domain.id
    answer = {"customers": handles, "registry": len(payload.get("registry", [])), "domains": named}
    if "generate" in payload:
        answer["generated"] = _generate(state, payload["generate"])
    return answer


REGISTRY_KEYS = {"name", "auth_code", "expiration_date", "creation_date", "transfer_will_fail", "name_servers",
                 "is_locked", "transfer_stays_pending"}


def _add_registry_entry(state: SandboxState, entry: dict) -> None:
    _refuse_unknown("registry entry", entry, REGISTRY_KEYS)
    name, extension = split_domain_name(entry["name"])
    full_name = f"{name}.{extension}"
    if state.live_domain(full_name):
        raise ValueError(f"{full_name} is in the sandbox account, not elsewhere")
    servers = entry.get("name_servers", [])
    if not isinstance(servers, list) or not all(isinstance(server, str) and server for server in servers):
        raise ValueError("name_servers must be a list of host names")
    expiration = _date(entry.get("expiration_date")) or add_years(state.now(), 1)
    state.registry[full_name] = RegistryEntry(
        full_name, entry.get("auth_code") or new_auth_code(), expiration, bool(entry.get("transfer_will_fail")),
        name_servers=[server.lower() for server in servers], is_locked=bool(entry.get("is_locked")),
        creation_date=_date(entry.get("creation_date")) or add_years(state.now(), -1),
        transfer_stays_pending=bool(entry.get("transfer_stays_pending")))


def _add_verification(state: SandboxState, entry: dict) -> None:
    """A registrant e-mail verification: {"email", "status"?, "expiration_date"?}."""
    _refuse_unknown("verification", entry, {"email", "status", "expiration_date"})
    email = entry["email"].lower()
    expiration = _date(entry.get("expiration_date")) or state.now() + timedelta(days=15)
    state.verifications[email] = Verification(state.next_verification_id(), email,
                                              entry.get("status", "in progress"), expiration)


def _generate(state: SandboxState, spec: dict) -> dict:
    """``count`` domains named ``name.format(n=...)``, statuses cycled, expiries spread."""
    common = {key: value for key, value in spec.items() if key not in GENERATE_KEYS}
    _refuse_unknown("generate", common, DOMAIN_KEYS - {"name", "status"})
    count, start = int(spec["count"]), int(spec.get("start", 1))
    statuses = spec.get("statuses", ["ACT"])
    first_expiry = _date(common.pop("expiration_date", None)) or add_years(state.now(), 1)
    step = timedelta(seconds=spec.get("expiration_step_seconds", 0))
    ids = [seed_domain(state, {**common, "name": spec.get("name", "seeded{n}.com").format(n=start + i),
                               "status": statuses[i % len(statuses)]},
                       expiration=first_expiry + i * step).id
           for i in range(count)]
    return {"count": len(ids), "first_id": ids[0] if ids else None, "last_id": ids[-1] if ids else None}


def seed_domain(state: SandboxState, fields: dict, expiration: datetime | None = None) -> Domain:
    _refuse_unknown("domain", fields, DOMAIN_KEYS)
    name, extension = split_domain_name(fields["name"])
    tld = state.tld(extension)
    if state.live_domain(f"{name}.{extension}"):
        raise ValueError(f"{name}.{extension} is already in the sandbox account")
    status = fields.get("status", "ACT")
    if status not in SEEDABLE_STATUSES:
        raise ValueError(f"status must be one of {', '.join(SEEDABLE_STATUSES)}")
    expiration = expiration or _date(fields.get("expiration_date")) or add_years(state.now(), 1)
    created = add_years(expiration, -1)
    domain = Domain(
        id=state.next_domain_id(), name=name, extension=tld.name, status=status,
        type=fields.get("type", "NEW"), auth_code=fields.get("auth_code") or new_auth_code(),
        order_date=created, creation_date=created, last_changed=created,
        active_date=created if status != "REQ" else None,
        expiration_date=expiration,
        renewal_date=_date(fields.get("renewal_date")) or lifecycle.renewal_date_for(expiration, tld),
        handles={role: fields[f"{role}_handle"] for role in HANDLE_ROLES if f"{role}_handle" in fields},
        autorenew=fields.get("autorenew", "default"),
        is_locked=bool(fields.get("is_locked", False)),
        is_private_whois_enabled=bool(fields.get("is_private_whois_enabled", False)),
        name_servers=fields.get("name_servers", []),
    )
    _place_in_lifecycle(state, domain, tld, fields)
    return state.add_domain(domain)


def _seed_premium(state: SandboxState, name: str, prices: object) -> None:
    per_operation = prices if isinstance(prices, dict) else dict.fromkeys(PREMIUM_OPERATIONS, prices)
    unknown = set(per_operation) - set(PREMIUM_OPERATIONS)
    if unknown:
        raise ValueError(f"premium {name}: unknown operations {', '.join(sorted(unknown))}")
    current = state.premium_prices.setdefault(name, {})
    current.update({operation: str(price) for operation, price in per_operation.items()})
    for operation in PREMIUM_OPERATIONS:
        current.setdefault(operation, current.get("create", next(iter(current.values()))))


def _place_in_lifecycle(state: SandboxState, domain: Domain, tld: Tld, fields: dict) -> None:
    now = state.now()
    if domain.status == "DEL":
        lifecycle.expire(domain, tld, domain.expiration_date)
        for key in ("soft_quarantine_expiry_date", "hard_quarantine_expiry_date"):
            if key in fields:
                setattr(domain, key, _date(fields[key]))
    elif domain.status == "REQ":
        wait = tld.activation_delay_seconds or SEEDED_REQUEST_SECONDS
        lifecycle.schedule(domain, "activate", now + timedelta(seconds=wait))
    elif domain.status == "RRQ":
        lifecycle.schedule(domain, "finish_restore", now + timedelta(seconds=tld.restore_delay_seconds))


def _date(text: str | None) -> datetime | None:
    return parse_date(text) if text else None


def _refuse_unknown(what: str, fields: dict, known: set[str]) -> None:
    unknown = set(fields) - known
    if unknown:
        raise ValueError(f"unknown {what} keys: {', '.join(sorted(unknown))}")
