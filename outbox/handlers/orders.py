"""What a registration or a transfer sends besides the name: handles, nameservers, options."""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from opclient import DomainName, Handles, InvalidDomainName, Nameserver, OrderDetails
from outbox.handlers.handles import contact_from, handle_for
from outbox.handlers.tlds import tld_facts
from outbox.registry import Context, PermanentFailure

# Hosts of Openprovider's own nameservers: only behind them does a DNS template take effect.
OPENPROVIDER_NAMESERVER_DOMAINS = ("openprovider.nl", "openprovider.be", "openprovider.eu")
CONTACT_ROLES = ("admin", "tech", "billing")
TICKED = {"on", "yes", "true", "1"}


def order_details(context: Context, name: DomainName) -> OrderDetails:
    payload, settings = context.payload, context.services.settings
    servers = nameservers(payload.get("nameservers") or settings.default_nameservers)
    template = settings.dns_template if settings.dns_template and _openprovider_hosted(servers) else None
    return OrderDetails(
        handles=order_handles(context, name),
        name_servers=servers,
        ns_template_name=template,
        autorenew="default" if payload.get("autorenew") else "off",
        is_private_whois_enabled=bool(payload.get("id_protection")),
        idn_script=payload.get("idn_language") or None,
        additional_data=additional_data(payload.get("additional_fields") or {}),
    )


def order_handles(context: Context, name: DomainName) -> Handles:
    """The owner from the registrant; one admin handle for every other role the TLD takes.
    A payload naming an existing ``handle`` (a bulk transfer's file may) uses it for every role."""
    payload = context.payload
    client_id = payload.get("client_id")
    roles = [role for role in tld_facts(context.services.openprovider, name.extension).supported_handles
             if role in CONTACT_ROLES]
    if payload.get("handle"):
        return Handles(owner=payload["handle"], **{role: payload["handle"] for role in roles})
    owner = handle_for(context, contact_from(payload.get("registrant"), "registrant"), client_id=client_id)
    if not roles:
        return Handles(owner=owner)
    admin_contact = contact_from(payload.get("admin") or payload.get("registrant"), "admin")
    admin = handle_for(context, admin_contact, client_id=client_id)
    return Handles(owner=owner, **{role: admin for role in roles})


def nameservers(entries: Iterable[Any]) -> tuple[Nameserver, ...]:
    """Nameservers from ``host``, ``host/ip`` or the listener's ``{"name", "ip"}`` entries."""
    try:
        servers = tuple(Nameserver.parse(_as_text(entry)) for entry in entries)
    except InvalidDomainName as error:
        raise PermanentFailure(f"A nameserver is not a host name: {error}.", "invalid_nameserver") from None
    if len(servers) < 2:
        raise PermanentFailure("A domain needs at least two nameservers.", "invalid_nameserver")
    return servers


def _as_text(entry: Any) -> str:
    if isinstance(entry, Mapping):
        return f"{entry['name']}/{entry['ip']}" if entry.get("ip") else entry["name"]
    return str(entry)


def _openprovider_hosted(servers: Iterable[Nameserver]) -> bool:
    return all(server.name.endswith(tuple(f".{domain}" for domain in OPENPROVIDER_NAMESERVER_DOMAINS))
               for server in servers)


def additional_data(fields: Mapping[str, Any]) -> dict[str, str]:
    """WHMCS additional fields ("Legal Type", "Intended Use") as Openprovider's keys
    (``legal_type``, ``intended_use``); a ticked acceptance box is sent as "1"."""
    data = {}
    for label, value in fields.items():
        key = re.sub(r"[^a-z0-9]+", "_", str(label).lower()).strip("_")
        text = str(value).strip()
        if not key or not text:
            continue
        if key.endswith("_acceptance"):
            text = "1" if text.lower() in TICKED else "0"
        data[key] = text
    return data
