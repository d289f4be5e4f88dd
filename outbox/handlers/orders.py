"""What a registration or a transfer sends besides the name: handles, nameservers, options."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from opclient import DomainName, Handles, InvalidDomainName, Nameserver, OrderDetails
from outbox.additional_fields import additional_data, unmappable
from outbox.handlers.handles import contact_from, handle_for
from outbox.handlers.tlds import tld_facts
from outbox.registry import Context, PermanentFailure

# Hosts of Openprovider's own nameservers: only behind them does a DNS template take effect.
OPENPROVIDER_NAMESERVER_DOMAINS = ("openprovider.nl", "openprovider.be", "openprovider.eu")
CONTACT_ROLES = ("admin", "tech", "billing")


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
        additional_data=order_additional_data(context),
    )


def order_handles(context: Context, name: DomainName) -> Handles:
    """The owner from the registrant; one admin handle for every other role the TLD takes."""
    payload = context.payload
    client_id = payload.get("client_id")
    owner = handle_for(context, contact_from(payload.get("registrant"), "registrant"), client_id=client_id)
    roles = [role for role in tld_facts(context.services.openprovider, name.extension).supported_handles
             if role in CONTACT_ROLES]
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


def order_additional_data(context: Context) -> dict[str, str]:
    """The additional fields as Openprovider keys. The listener refuses an event with a field
    Openprovider has no key for; one stored before that rule fails here with the same reason."""
    fields = context.payload.get("additional_fields") or {}
    action = "transfer" if context.command.type == "transfer_domain" else "register"
    refused = unmappable(fields, action)
    if refused:
        raise PermanentFailure(refused[0].sentence, "unmappable_additional_field")
    return additional_data(fields)
